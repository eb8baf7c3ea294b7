// `dlt run` over repeated runs: write dispositions, the incremental cursor, schema evolution, and
// profiles that never share data or state.
#include <optional>
#include <string>
#include <vector>

#include "pipeline_cli_support.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using pipeline_cli_test::kDb;
using pipeline_cli_test::Q;
using pipeline_cli_test::Has;

// ---------------------------------------------------------------------------------------------
// 2. Write dispositions over repeated runs.

TEST(PipelineDisposition, AppendLoadsTheSameInputTwice) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"append\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 12);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__tags")), 12);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data.orders WHERE id = 2"), "2");
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(DISTINCT _dlt_load_id) FROM shop_data.orders"), "2");
}

TEST(PipelineDisposition, ReplaceKeepsOnlyTheLastRunIncludingNestedTables) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"replace\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 3);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__tags")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);

  // Fewer rows: only they remain, in every table of the resource.
  w.Write("orders.jsonl", Orders(7, 7, 1));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders"), std::vector<std::string>{"7"});
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT sku FROM shop_data.orders__items"), std::vector<std::string>{"sku-7-0"});
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT value FROM shop_data.orders__tags ORDER BY _dlt_list_idx"),
            (std::vector<std::string>{"t7", "all"}));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 3);
}

TEST(PipelineDisposition, MergeOnPrimaryKeyUpdatesRowsAndReplacesTheirNestedRows) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = \"merge\"\nprimary_key = \"id\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 3);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 6);

  // Order 2 changed (new customer, one item instead of two); order 4 is new.
  w.Write("update.jsonl", Orders(2, 2, 1, "updated") + Orders(4, 4, 2, "new"));
  auto r = w.RunPipeline({"shop.toml", "--resource", "orders=update.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  EXPECT_EQ(CountRows(db, Q("orders")), 4);
  EXPECT_EQ(SqlColumn(db, "SELECT id || '=' || customer FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1=c1", "2=updated2", "3=c3", "4=new4"}));
  EXPECT_EQ(CountRows(db, Q("orders__items")), 7);  // 2 + 1 + 2 + 2
  EXPECT_EQ(SqlColumn(db, "SELECT i.sku FROM shop_data.orders__items i JOIN shop_data.orders o "
                          "ON i._dlt_parent_id = o._dlt_id WHERE o.id = 2"),
            std::vector<std::string>{"sku-2-0"});
  EXPECT_EQ(CountRows(db, Q("orders__tags")), 8);
  for (const char* child : {"orders__items", "orders__tags"}) {
    EXPECT_EQ(SqlValue(db, std::string("SELECT count(*) FROM shop_data.") + child +
                               " c LEFT JOIN shop_data.orders o ON c._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0")
        << "orphaned rows in " << child;
  }
  EXPECT_EQ(CountRows(db, Q("_dlt_loads")), 2);

  // The same update again changes nothing.
  ASSERT_EQ(w.RunPipeline({"shop.toml", "--resource", "orders=update.jsonl"}).exit_code, 0);
  EXPECT_EQ(CountRows(db, Q("orders")), 4);
  EXPECT_EQ(CountRows(db, Q("orders__items")), 7);
  EXPECT_EQ(CountRows(db, Q("orders__tags")), 8);
}

TEST(PipelineDisposition, MergeOnACompoundKey) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "stock.jsonl",
                                    "write_disposition = \"merge\"\nprimary_key = [\"id\", \"region\"]\n"));
  w.Write("stock.jsonl",
          "{\"id\": 1, \"region\": \"eu\", \"qty\": 10}\n"
          "{\"id\": 1, \"region\": \"us\", \"qty\": 20}\n"
          "{\"id\": 2, \"region\": \"eu\", \"qty\": 30}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("stock.jsonl",
          "{\"id\": 1, \"region\": \"us\", \"qty\": 21}\n"
          "{\"id\": 2, \"region\": \"us\", \"qty\": 40}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id || '/' || region || '=' || qty FROM shop_data.orders ORDER BY id, region"),
            (std::vector<std::string>{"1/eu=10", "1/us=21", "2/eu=30", "2/us=40"}));
}

TEST(PipelineDisposition, SkipLoadsNothing) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"skip\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  for (const char* t : {"orders", "orders__items", "orders__tags"}) {
    EXPECT_FALSE(TableExists(w.Db(), kDb, t)) << t;
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Incremental cursor.

std::string Event(int id, const std::string& updated_at, const std::string& v = "x") {
  return "{\"id\": " + std::to_string(id) + ", \"updated_at\": \"" + updated_at + "\", \"v\": \"" + v + "\"}\n";
}

TEST(PipelineIncremental, SkipsOldRowsAndBoundaryDuplicatesAndLoadsNewOnes) {
  PipelineWorkspace w;
  w.Write("shop.toml",
          PipelineFile("shop", "orders.jsonl",
                       "incremental = { cursor_path = \"updated_at\", initial_value = \"2024-01-01T00:00:00Z\" }\n"));
  w.Write("orders.jsonl", Event(1, "2023-12-31T00:00:00Z") + Event(2, "2024-01-02T00:00:00Z") +
                              Event(3, "2024-01-05T00:00:00Z"));
  auto r1 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"2", "3"}));
  EXPECT_TRUE(Contains(r1.out, "skipped by incremental cursor: 1\n")) << r1.out;
  auto cursor = [&]() {
    Json st = w.State("shop");
    return st["sources"]["shop"]["resources"]["orders"]["incremental"]["updated_at"];
  };
  EXPECT_EQ(cursor().value("last_value", ""), "2024-01-05T00:00:00Z") << w.State("shop").dump(2);

  // Overlapping input: 2 and 6 are older than the last value, 3 is the same row at the boundary;
  // 4 has the boundary value but is a different row (loaded, as in dlt); 5 is newer.
  w.Write("orders.jsonl", Event(2, "2024-01-02T00:00:00Z") + Event(3, "2024-01-05T00:00:00Z") +
                              Event(4, "2024-01-05T00:00:00Z") + Event(5, "2024-01-07T00:00:00Z") +
                              Event(6, "2024-01-03T00:00:00Z"));
  auto r2 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"2", "3", "4", "5"}));
  EXPECT_TRUE(Contains(r2.out, "skipped by incremental cursor: 3\n")) << r2.out;
  EXPECT_EQ(cursor().value("last_value", ""), "2024-01-07T00:00:00Z");
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);

  // The same input again: nothing new.
  auto r3 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_TRUE(Contains(r3.out, "No new data to load.")) << r3.out;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 4);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
  EXPECT_EQ(cursor().value("last_value", ""), "2024-01-07T00:00:00Z");
}

// ---------------------------------------------------------------------------------------------
// 4. Schema evolution.

TEST(PipelineSchemaEvolution, NewColumnIsAddedAndATypeChangeGoesToAVariantColumn) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", "{\"id\": 1, \"amount\": 10}\n{\"id\": 2, \"amount\": 20}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_FALSE(Has(TableColumns(w.Db(), kDb, "orders"), "note"));

  w.Write("orders.jsonl", "{\"id\": 3, \"amount\": \"n/a\", \"note\": \"hello\"}\n{\"id\": 4, \"amount\": 40}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cols = TableColumns(w.Db(), kDb, "orders");
  EXPECT_TRUE(Has(cols, "note"));
  EXPECT_TRUE(Has(cols, "amount__v_text"));
  EXPECT_EQ(SqlValue(w.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_data' "
                             "AND table_name = 'orders' AND column_name = 'amount'"),
            "BIGINT");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_data' "
                             "AND table_name = 'orders' AND column_name = 'amount__v_text'"),
            "VARCHAR");
  auto rows = QueryDuckDb(w.Db(), "SELECT id, amount, amount__v_text, note FROM shop_data.orders ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  auto show = [](const std::vector<std::optional<std::string>>& row) {
    std::string s;
    for (const auto& v : row) s += (s.empty() ? "" : "|") + v.value_or("NULL");
    return s;
  };
  EXPECT_EQ(show(rows[0]), "1|10|NULL|NULL");
  EXPECT_EQ(show(rows[1]), "2|20|NULL|NULL");
  EXPECT_EQ(show(rows[2]), "3|NULL|n/a|hello");
  EXPECT_EQ(show(rows[3]), "4|40|NULL|NULL");
  // Each schema change is a new stored version.
  EXPECT_GE(CountRows(w.Db(), Q("_dlt_version")), 2);
}

// ---------------------------------------------------------------------------------------------
// 5. Profiles isolate data and state.

TEST(PipelineProfiles, DevAndACustomProfileNeverShareDataOrState) {
  PipelineWorkspace w;
  w.Write(".dlt/staging.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  w.Write("staging.jsonl", Orders(1, 2));

  auto dev = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_EQ(dev.err, "");

  // Staging sees nothing of dev: not its cursor (ids 1 and 2 are loaded again), not its rows.
  auto staging = w.Dlt({"--profile", "staging", "run", "shop.toml", "--resource", "orders=staging.jsonl", "-q"});
  ASSERT_EQ(staging.exit_code, 0) << staging.err;
  EXPECT_EQ(staging.err, "Profile `staging` is active.\n");
  EXPECT_TRUE(Contains(staging.out, "  profile:     staging\n")) << staging.out;
  EXPECT_TRUE(Contains(staging.out, w.Db("staging").string())) << staging.out;

  ASSERT_TRUE(fs::exists(w.Db("dev")));
  ASSERT_TRUE(fs::exists(w.Db("staging")));
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/shop/state.json"));
  EXPECT_TRUE(w.Exists(".dlt/.var/staging/pipelines/shop/state.json"));
  EXPECT_EQ(SqlColumn(w.Db("dev"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(SqlColumn(w.Db("staging"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2"}));

  // WORKSPACE__PROFILE selects the profile the same way.
  w.Write("staging.jsonl", Orders(1, 4));
  auto env_run = w.RunPipeline({"shop.toml", "--resource", "orders=staging.jsonl"}, {{"WORKSPACE__PROFILE", "staging"}});
  ASSERT_EQ(env_run.exit_code, 0) << env_run.err;
  EXPECT_EQ(env_run.err, "Profile `staging` is active.\n");
  EXPECT_EQ(SqlColumn(w.Db("staging"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(CountRows(w.Db("staging"), Q("_dlt_loads")), 2);
  EXPECT_EQ(SqlColumn(w.Db("dev"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(CountRows(w.Db("dev"), Q("_dlt_loads")), 1);

  auto last = [&](const std::string& profile) {
    return w.State("shop", profile)["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"];
  };
  EXPECT_EQ(last("dev"), 3);
  EXPECT_EQ(last("staging"), 4);

  auto dev_info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(dev_info.out, "1 completed load package(s)")) << dev_info.out;
  auto st_info = w.Dlt({"--profile", "staging", "pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(st_info.out, "2 completed load package(s)")) << st_info.out;
  EXPECT_TRUE(Contains(st_info.out, (w.root() / ".dlt/.var/staging/pipelines/shop").string())) << st_info.out;
  EXPECT_EQ(st_info.err, "Profile `staging` is active.\n");
}

}  // namespace
}  // namespace dlt::testing
