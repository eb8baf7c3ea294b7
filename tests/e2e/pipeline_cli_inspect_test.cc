// `dlt pipeline`: listing pipelines, info, trace, schema and load packages of the runs, and
// dropping pending packages that were never loaded.
#include <string>
#include <vector>

#include "pipeline_cli_support.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using pipeline_cli_test::Q;

// ---------------------------------------------------------------------------------------------
// 9. `dlt pipeline`.

TEST(PipelineInspect, ListInfoTraceSchemaAndLoadPackage) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto empty = w.Dlt({"pipeline", "-l"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_TRUE(Contains(empty.out, "No pipelines found")) << empty.out;

  auto run = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string load_id = SqlValue(w.Db(), "SELECT load_id FROM shop_data._dlt_loads");
  w.Write("inventory.toml", PipelineFile("inventory", "orders.jsonl"));
  ASSERT_EQ(w.RunPipeline({"inventory.toml"}).exit_code, 0);

  auto list = w.Dlt({"pipeline", "-l"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(Contains(list.out, "2 pipeline(s) found in " + (w.root() / ".dlt/.var/dev/pipelines").string()))
      << list.out;
  EXPECT_TRUE(Contains(list.out, "\nshop")) << list.out;
  EXPECT_TRUE(Contains(list.out, "\ninventory")) << list.out;
  // dlt's long option lists the same
  auto long_list = w.Dlt({"pipeline", "--list-pipelines"});
  EXPECT_EQ(long_list.exit_code, 0) << long_list.err;
  EXPECT_EQ(long_list.out, list.out);

  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(Contains(info.out, "Found pipeline shop in " + w.PipelineDir("shop").string())) << info.out;
  EXPECT_TRUE(Contains(info.out, "dataset_name: shop_data\n")) << info.out;
  EXPECT_TRUE(Contains(info.out, "destination_name: warehouse\n")) << info.out;
  EXPECT_TRUE(Contains(info.out, "  orders (append): ")) << info.out;
  EXPECT_TRUE(Contains(info.out, "  orders__items (nested in orders): ")) << info.out;
  EXPECT_TRUE(Contains(info.out, "1 completed load package(s), newest " + load_id)) << info.out;
  EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
  EXPECT_EQ(w.Dlt({"pipeline", "shop"}).out, info.out);

  auto trace = w.Dlt({"pipeline", "shop", "trace"});
  EXPECT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_TRUE(Contains(trace.out, "Run of pipeline shop started at ")) << trace.out;
  EXPECT_TRUE(Contains(trace.out, ": completed\n")) << trace.out;
  EXPECT_TRUE(Contains(trace.out, "profile: dev (selected by default)\n")) << trace.out;
  EXPECT_TRUE(Contains(trace.out, "dataset: shop_data")) << trace.out;
  for (const char* step : {"  extract ", "  normalize ", "  load "}) EXPECT_TRUE(Contains(trace.out, step)) << trace.out;
  EXPECT_TRUE(Contains(trace.out, "load ids: " + load_id)) << trace.out;

  auto yaml = w.Dlt({"pipeline", "shop", "schema"});
  EXPECT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_TRUE(Contains(yaml.out, "\nname: shop\n")) << yaml.out;
  EXPECT_TRUE(Contains(yaml.out, "\n  orders:\n")) << yaml.out;
  EXPECT_TRUE(Contains(yaml.out, "\n  orders__items:\n")) << yaml.out;
  EXPECT_TRUE(Contains(yaml.out, "write_disposition: append")) << yaml.out;
  EXPECT_EQ(w.Dlt({"pipeline", "shop", "schema", "--format", "yaml"}).out, yaml.out);

  auto json = w.Dlt({"pipeline", "shop", "schema", "--format", "json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  Json doc = Json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  EXPECT_EQ(doc.value("name", ""), "shop");
  EXPECT_EQ(doc["tables"]["orders"]["columns"]["id"].value("data_type", ""), "bigint");
  EXPECT_EQ(doc["tables"]["orders"]["columns"]["customer"].value("data_type", ""), "text");
  EXPECT_EQ(doc["tables"]["orders__items"].value("parent", ""), "orders");
  auto badfmt = w.Dlt({"pipeline", "shop", "schema", "--format", "xml"});
  EXPECT_EQ(badfmt.exit_code, 2);

  auto pkg = w.Dlt({"pipeline", "shop", "load-package"});
  EXPECT_EQ(pkg.exit_code, 0) << pkg.err;
  EXPECT_TRUE(Contains(pkg.out, "Package " + load_id + " in state loaded")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "  orders: 3\n")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "  orders__items: 6\n")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "completed_jobs:\n  orders.")) << pkg.out;
  EXPECT_EQ(w.Dlt({"pipeline", "shop", "load-package", load_id}).out, pkg.out);
  auto nopkg = w.Dlt({"pipeline", "shop", "load-package", "123.4"});
  EXPECT_EQ(nopkg.exit_code, 3);

  auto failed = w.Dlt({"pipeline", "shop", "failed-jobs"});
  EXPECT_EQ(failed.exit_code, 0);
  EXPECT_TRUE(Contains(failed.out, "No failed jobs found in pipeline shop")) << failed.out;

  auto typo = w.Dlt({"pipeline", "shpo", "info"});
  EXPECT_EQ(typo.exit_code, 3);
  EXPECT_TRUE(Contains(typo.err, "Did you mean `shop`?")) << typo.err;
  auto badop = w.Dlt({"pipeline", "shop", "inf"});
  EXPECT_EQ(badop.exit_code, 2);
  EXPECT_TRUE(Contains(badop.err, "Did you mean `info`?")) << badop.err;

  // A failed run shows in the trace.
  w.Write("bad.jsonl", "{\"id\": 1}\n{oops\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml", "--resource", "orders=bad.jsonl"}).exit_code, 2);
  auto trace2 = w.Dlt({"pipeline", "shop", "trace"});
  EXPECT_TRUE(Contains(trace2.out, ": failed\n")) << trace2.out;
  EXPECT_TRUE(Contains(trace2.out, "error: ")) << trace2.out;
  EXPECT_TRUE(Contains(trace2.out, "bad.jsonl:2")) << trace2.out;
}

TEST(PipelineInspect, DropPendingPackagesDiscardsAPackageThatWasNeverLoaded) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("a.jsonl", Orders(1, 3));
  w.Write("b.jsonl", Orders(4, 5));
  w.Write("c.jsonl", Orders(6, 6));
  ASSERT_EQ(w.RunPipeline({"shop.toml", "--resource", "orders=a.jsonl"}).exit_code, 0);
  auto killed = w.RunPipeline({"shop.toml", "--resource", "orders=b.jsonl"}, {{"DLT_FAULT_KILL_AT", "after_normalize"}});
  ASSERT_EQ(killed.exit_code, 137) << killed.err;
  auto pending = w.Packages("shop", "load/normalized");
  ASSERT_EQ(pending.size(), 1u);

  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(info.out, "1 pending package(s): " + pending[0])) << info.out;
  EXPECT_TRUE(Contains(info.out, "drop-pending-packages")) << info.out;
  auto pkg = w.Dlt({"pipeline", "shop", "load-package"});
  EXPECT_TRUE(Contains(pkg.out, "Package " + pending[0] + " in state normalized")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "new_jobs:")) << pkg.out;

  // Without --yes and without a terminal the default answer (no) keeps the package.
  auto no = w.Dlt({"pipeline", "shop", "drop-pending-packages"});
  EXPECT_EQ(no.exit_code, 0) << no.err;
  EXPECT_EQ(w.Packages("shop", "load/normalized").size(), 1u);

  auto yes = w.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"});
  EXPECT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_TRUE(Contains(yes.out, "Deleted 1 pending package(s).")) << yes.out;
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
  EXPECT_TRUE(Contains(w.Dlt({"pipeline", "shop", "info"}).out, "No pending packages."));
  auto again = w.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"});
  EXPECT_TRUE(Contains(again.out, "No pending packages found in pipeline shop")) << again.out;

  // The next run loads its own data and nothing of the dropped package.
  auto next = w.RunPipeline({"shop.toml", "--resource", "orders=c.jsonl"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "6"}));
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 8);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data._dlt_loads WHERE load_id = '" + pending[0] + "'"), "0");
}

}  // namespace
}  // namespace dlt::testing
