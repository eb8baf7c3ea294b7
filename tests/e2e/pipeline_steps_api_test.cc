// The C++ Pipeline API's steps one at a time (what dlt's Python pipeline.extract(), normalize(),
// load(), state, drop() and LoadInfo.load_packages need): Extract, Normalize and Load give what
// Run gives, the packages they leave are described, a failed step says where and why it stopped
// (last_failure), and the state survives a wiped working folder through the destination.
#include <filesystem>
#include <sstream>

#include "dlt/pipeline.h"
#include "held_lock.h"
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Kind = RunFailure::Kind;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

Resource OrdersResource(int from, int to, std::function<void(ResourceOptions&)> tweak = nullptr) {
  ResourceOptions o;
  o.name = "orders";
  if (tweak) tweak(o);
  return Resource::FromRows(o, Lines(Orders(from, to)));
}

Resource IncrementalOrders(int from, int to) {
  return OrdersResource(from, to, [](ResourceOptions& o) {
    o.incremental = IncrementalOptions{};
    o.incremental->cursor_path = "id";
    o.incremental->initial_value_json = "0";
  });
}

class PipelineStepsApiTest : public ::testing::Test {
 protected:
  Pipeline Open(const std::string& name) {
    Workspace ws = w_.OpenLoaded();
    PipelineOptions po;
    po.pipeline_name = name;
    po.destination = "warehouse";
    po.dataset_name = name + "_data";
    auto p = Pipeline::Create(ws, po);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return std::move(p).value();
  }
  // The rows of a table without the columns that differ between loads.
  std::string Rows(const std::string& dataset, const std::string& table, const std::string& columns) {
    return SqlValue(w_.Db(), "SELECT string_agg(" + columns + ", '; ' ORDER BY " + columns + ") FROM " + dataset + "." + table);
  }
  PipelineWorkspace w_;
};

TEST_F(PipelineStepsApiTest, ExtractThenNormalizeThenLoadLoadsWhatRunLoads) {
  Pipeline whole = Open("whole");
  ASSERT_TRUE(whole.Run({OrdersResource(1, 20)}).ok());
  Pipeline steps = Open("steps");
  auto e = steps.Extract({OrdersResource(1, 20)});
  ASSERT_TRUE(e.ok()) << e.status().message();
  auto n = steps.Normalize();
  ASSERT_TRUE(n.ok()) << n.status().message();
  auto l = steps.Load();
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_EQ(l->rows_per_table.at("orders"), 20u);
  EXPECT_EQ(l->rows_per_table.at("orders__items"), 40u);
  EXPECT_EQ(Rows("steps_data", "orders", "id::text || customer || address__city"),
            Rows("whole_data", "orders", "id::text || customer || address__city"));
  EXPECT_EQ(Rows("steps_data", "orders__items", "sku || qty::text"), Rows("whole_data", "orders__items", "sku || qty::text"));
  EXPECT_EQ(Rows("steps_data", "orders__tags", "value"), Rows("whole_data", "orders__tags", "value"));
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM steps_data._dlt_loads WHERE status = 0"), "1");
  EXPECT_FALSE(*steps.HasPendingData());
}

TEST_F(PipelineStepsApiTest, EachStepReportsItsPackageWithJobsAndTheirStates) {
  Pipeline p = Open("shop");
  auto e = p.Extract({OrdersResource(1, 5)});
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_TRUE(e->first_run);
  ASSERT_EQ(e->packages.size(), 1u);
  const std::string load_id = e->packages[0].load_id;
  EXPECT_EQ(e->packages[0].state, "extracted");
  EXPECT_EQ(e->packages[0].schema_name, "shop");
  ASSERT_FALSE(e->packages[0].jobs.empty());
  EXPECT_EQ(e->packages[0].jobs[0].table_name, "orders");
  EXPECT_EQ(e->packages[0].jobs[0].state, "new_jobs");
  EXPECT_GT(e->packages[0].jobs[0].file_size, 0u);
  // Extracted, not loaded: the package waits.
  EXPECT_TRUE(*p.HasPendingData());
  EXPECT_EQ(p.ListPackages("extracted"), std::vector<std::string>{load_id});
  EXPECT_TRUE(p.ListPackages("normalized").empty());
  EXPECT_EQ(e->steps.size(), 1u);
  EXPECT_EQ(e->steps[0].step, "extract");
  EXPECT_FALSE(e->steps[0].started_at.empty());
  EXPECT_GE(e->steps[0].finished_at, e->steps[0].started_at);
  EXPECT_FALSE(fs::exists(w_.Db()));  // nothing was loaded

  auto n = p.Normalize();
  ASSERT_TRUE(n.ok()) << n.status().message();
  ASSERT_EQ(n->packages.size(), 1u);
  EXPECT_EQ(n->packages[0].load_id, load_id);
  EXPECT_EQ(n->packages[0].state, "normalized");
  std::set<std::string> tables;
  for (const auto& j : n->packages[0].jobs) {
    tables.insert(j.table_name);
    EXPECT_EQ(j.state, "new_jobs") << j.job_id;
    EXPECT_EQ(j.file_format, "csv") << j.job_id;
    EXPECT_TRUE(j.job_id.starts_with(j.table_name + ".")) << j.job_id;
  }
  EXPECT_EQ(tables, (std::set<std::string>{"orders", "orders__items", "orders__tags"}));
  EXPECT_EQ(p.ListPackages("normalized"), std::vector<std::string>{load_id});
  EXPECT_TRUE(*p.HasPendingData());

  auto l = p.Load();
  ASSERT_TRUE(l.ok()) << l.status().message();
  ASSERT_EQ(l->packages.size(), 1u);
  EXPECT_EQ(l->packages[0].state, "loaded");
  EXPECT_TRUE(l->packages[0].completed_at.has_value());
  for (const auto& j : l->packages[0].jobs) EXPECT_EQ(j.state, "completed_jobs") << j.job_id;
  EXPECT_EQ(l->load_ids, std::vector<std::string>{load_id});
  EXPECT_EQ(l->destination_type, "duckdb");
  EXPECT_EQ(l->destination_location, w_.Db().string());
  EXPECT_FALSE(*p.HasPendingData());
  EXPECT_EQ(p.ListPackages("loaded"), std::vector<std::string>{load_id});
  auto again = p.GetPackage(load_id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, "loaded");
  EXPECT_EQ(p.GetPackage("123.456").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);
}

TEST_F(PipelineStepsApiTest, NormalizeAndLoadWithNothingPendingDoNothing) {
  Pipeline p = Open("shop");
  auto n = p.Normalize();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_TRUE(n->packages.empty());
  auto l = p.Load();
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_TRUE(l->packages.empty());
  EXPECT_TRUE(l->load_ids.empty());
  EXPECT_FALSE(p.last_failure().has_value());
  EXPECT_FALSE(fs::exists(w_.Db()));
}

TEST_F(PipelineStepsApiTest, RunReportsThePackageItLoaded) {
  Pipeline p = Open("shop");
  auto r = p.Run({OrdersResource(1, 3)});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->packages.size(), 1u);
  EXPECT_EQ(r->packages[0].state, "loaded");
  EXPECT_EQ(r->packages[0].load_id, r->load_ids.at(0));
  EXPECT_TRUE(r->first_run);
  auto second = p.Run({OrdersResource(4, 5)});
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->first_run);
}

TEST_F(PipelineStepsApiTest, AFailedLoadKeepsThePackageAndTheNextLoadLoadsIt) {
  Pipeline p = Open("shop");
  ASSERT_TRUE(p.Extract({OrdersResource(1, 5)}).ok());
  ASSERT_TRUE(p.Normalize().ok());
  const std::string load_id = p.ListPackages("normalized").at(0);
  // A folder where the database file should be: the destination cannot be opened.
  fs::create_directories(w_.Db());
  auto failed = p.Load();
  ASSERT_FALSE(failed.ok());
  ASSERT_TRUE(p.last_failure().has_value());
  EXPECT_EQ(p.last_failure()->step, "load");
  EXPECT_EQ(p.last_failure()->load_id, load_id);
  EXPECT_TRUE(p.last_failure()->has_pending_data);
  EXPECT_EQ(p.last_failure()->kind, Kind::kDestination) << failed.status().message();
  EXPECT_TRUE(*p.HasPendingData());
  EXPECT_EQ(p.ListPackages("normalized"), std::vector<std::string>{load_id});

  fs::remove_all(w_.Db());
  auto l = p.Load();
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_FALSE(p.last_failure().has_value());
  EXPECT_EQ(l->load_ids, std::vector<std::string>{load_id});
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);
  EXPECT_FALSE(*p.HasPendingData());
}

TEST_F(PipelineStepsApiTest, ASourceErrorFailsTheExtractStepAndLeavesNothingPending) {
  Pipeline p = Open("shop");
  w_.Write("broken.jsonl", "{\"id\": 1}\n{\"id\": 2, oops\n");
  ResourceOptions o;
  o.name = "orders";
  auto r = p.Run({Resource::FromFiles(o, {"broken.jsonl"}, w_.root())});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(p.last_failure().has_value()) << r.status().message();
  EXPECT_EQ(p.last_failure()->step, "extract");
  EXPECT_EQ(p.last_failure()->kind, Kind::kSource) << r.status().message();
  EXPECT_FALSE(p.last_failure()->has_pending_data);
  EXPECT_FALSE(*p.HasPendingData());
  EXPECT_TRUE(p.ListPackages("extracted").empty());
}

TEST_F(PipelineStepsApiTest, AFrozenSchemaContractFailsTheNormalizeStepAsAContractViolation) {
  Pipeline p = Open("shop");
  ASSERT_TRUE(p.Run({OrdersResource(1, 3)}).ok());
  ResourceOptions o;
  o.name = "orders";
  o.schema_contract.columns = "freeze";
  auto r = p.Run({Resource::FromRows(o, {R"({"id": 4, "customer": "c4", "brand_new": true})"})});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(p.last_failure().has_value());
  EXPECT_EQ(p.last_failure()->step, "normalize");
  EXPECT_EQ(p.last_failure()->kind, Kind::kSchemaContract) << r.status().message();
  EXPECT_FALSE(p.last_failure()->load_id.empty());
  EXPECT_FALSE(p.last_failure()->has_pending_data);
  // A following successful call clears it.
  ASSERT_TRUE(p.Load().ok());
  EXPECT_FALSE(p.last_failure().has_value());
}

TEST_F(PipelineStepsApiTest, ARecordWithoutItsPrimaryKeyFailsTheNormalizeStepAsADataErrorAndStaysExtracted) {
  Pipeline p = Open("shop");
  ResourceOptions o;
  o.name = "orders";
  o.write_disposition = "merge";
  o.primary_key = {"id"};
  ASSERT_TRUE(p.Extract({Resource::FromRows(o, {R"({"id": 1})", R"({"name": "no id"})"})}).ok());
  const std::string load_id = p.ListPackages("extracted").at(0);
  auto n = p.Normalize();
  ASSERT_FALSE(n.ok());
  ASSERT_TRUE(p.last_failure().has_value());
  EXPECT_EQ(p.last_failure()->step, "normalize");
  EXPECT_EQ(p.last_failure()->load_id, load_id);
  EXPECT_EQ(p.last_failure()->kind, Kind::kData) << n.status().message();
  // As dlt: the package stays extracted until the cause is fixed or it is dropped.
  EXPECT_TRUE(p.last_failure()->has_pending_data);
  EXPECT_EQ(p.ListPackages("extracted"), std::vector<std::string>{load_id});
}

TEST_F(PipelineStepsApiTest, StateJsonHoldsTheCursorAndIsRestoredAfterTheFolderIsDropped) {
  auto cursor = [](const std::string& state_json) {
    auto j = nlohmann::json::parse(state_json);
    return j["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"];
  };
  {
    Pipeline p = Open("shop");
    ASSERT_TRUE(p.Run({IncrementalOrders(1, 3)}).ok());
    auto st = p.StateJson();
    ASSERT_TRUE(st.ok()) << st.status().message();
    EXPECT_EQ(cursor(*st), 3);
    auto schema = p.SchemaJson();
    ASSERT_TRUE(schema.ok());
    EXPECT_TRUE(Contains(*schema, "orders__items"));

    ASSERT_TRUE(p.DropLocal().ok());
    EXPECT_FALSE(fs::exists(w_.PipelineDir("shop")));
    EXPECT_EQ(p.SchemaJson().status().code(), StatusCode::kNotFound);
    // The same object restores from the destination, as a new one does.
    auto restored = p.StateJson();
    ASSERT_TRUE(restored.ok()) << restored.status().message();
    EXPECT_EQ(cursor(*restored), 3);
  }
  fs::remove_all(w_.PipelineDir("shop"));
  Pipeline fresh = Open("shop");
  auto again = fresh.Run({IncrementalOrders(1, 5)});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->rows_per_table.at("orders"), 2u);  // 4 and 5: 1..3 were skipped by the restored cursor
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);
  EXPECT_EQ(cursor(*fresh.StateJson()), 5);
}

TEST_F(PipelineStepsApiTest, DropLocalAndTheStepsRefuseWhileAnotherProcessRunsThePipeline) {
  Pipeline p = Open("shop");
  ASSERT_TRUE(p.Run({OrdersResource(1, 3)}).ok());
  {
    HeldLock other_run(w_.PipelineDir("shop") / ".lock");
    ASSERT_TRUE(other_run.ok());
    Status dropped = p.DropLocal();
    EXPECT_EQ(dropped.code(), StatusCode::kPermissionDenied) << dropped.message();
    EXPECT_TRUE(fs::exists(w_.PipelineDir("shop") / "state.json"));
    auto e = p.Extract({OrdersResource(4, 5)});
    ASSERT_FALSE(e.ok());
    ASSERT_TRUE(p.last_failure().has_value());
    EXPECT_EQ(p.last_failure()->step, "sync");
    EXPECT_EQ(p.last_failure()->kind, Kind::kOther);
    EXPECT_TRUE(p.ListPackages("extracted").empty());
  }
  ASSERT_TRUE(p.DropLocal().ok());
  EXPECT_FALSE(fs::exists(w_.PipelineDir("shop")));
  EXPECT_FALSE(*p.HasPendingData());
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 3);  // the destination is untouched
}

// PostgreSQL: a destination that goes away between normalize and load, and a password that
// never shows in the info.
class PipelineStepsPgTest : public PostgresSuite {};

TEST_F(PipelineStepsPgTest, ALoadIntoAStoppedServerWaitsAndTheNextLoadLoadsIt) {
  PipelineWorkspace w;
  CreateDatabase("steps_pg");
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("steps_pg") + "\"\n");
  Workspace ws = w.OpenLoaded();
  PipelineOptions po;
  po.pipeline_name = "shop";
  po.destination = "warehouse";
  auto p = Pipeline::Create(ws, po);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto e = p->Extract({OrdersResource(1, 4)});
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->destination_type, "postgres");
  EXPECT_FALSE(Contains(e->destination_location, PostgresServer::kPassword)) << e->destination_location;
  EXPECT_TRUE(Contains(e->destination_location, "postgresql://loader:***@127.0.0.1:")) << e->destination_location;
  EXPECT_FALSE(Contains(e->destination, PostgresServer::kPassword));
  ASSERT_TRUE(p->Normalize().ok());
  const std::string load_id = p->ListPackages("normalized").at(0);

  ASSERT_TRUE(server_->Stop());
  auto failed = p->Load();
  ASSERT_TRUE(server_->Start());
  ASSERT_FALSE(failed.ok());
  EXPECT_FALSE(Contains(failed.status().message(), PostgresServer::kPassword));
  ASSERT_TRUE(p->last_failure().has_value());
  EXPECT_EQ(p->last_failure()->step, "load");
  EXPECT_EQ(p->last_failure()->load_id, load_id);
  EXPECT_TRUE(p->last_failure()->has_pending_data);
  EXPECT_EQ(p->last_failure()->kind, Kind::kDestination) << failed.status().message();

  auto l = p->Load();
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_EQ(l->load_ids, std::vector<std::string>{load_id});
  EXPECT_FALSE(Contains(l->destination_location, PostgresServer::kPassword));
  EXPECT_EQ(Value("steps_pg", "SELECT count(*) FROM shop_dataset.orders"), "4");
  EXPECT_FALSE(*p->HasPendingData());
}

}  // namespace
}  // namespace dlt::testing
