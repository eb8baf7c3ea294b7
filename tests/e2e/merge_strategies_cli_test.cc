// dlt's merge strategies besides delete-insert outside Python: a TOML pipeline file's
// `write_disposition = { disposition = "merge", strategy = ... }` run by `dlt run`, and an SQL
// table read by the sql_database source (typed rows, whose row keys are dlt's hashes of the row
// as a dict, as dlt computes them for its default backend).
#include "dlt/pipeline.h"
#include "dlt/sql_database.h"
#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "test_util.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

std::string Rows(const fs::path& db, const std::string& sql) {
  std::string out;
  for (const auto& row : QueryDuckDb(db, sql)) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("NULL");
    out += "\n";
  }
  return out;
}

TEST(MergeStrategiesCli, Scd2AndUpsertFromAPipelineFileOverTwoRuns) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = { disposition = \"merge\", strategy = \"scd2\", "
                                    "validity_column_names = [\"valid_from\", \"valid_to\"], "
                                    "boundary_timestamp = \"2024-05-01T00:00:00Z\" }\n"
                                    "\n[[resources]]\nname = \"customers\"\npath = \"customers.jsonl\"\n"
                                    "primary_key = \"id\"\n"
                                    "write_disposition = { disposition = \"merge\", strategy = \"upsert\" }\n"));
  w.Write("orders.jsonl", "{\"id\": 1, \"status\": \"new\"}\n{\"id\": 2, \"status\": \"new\"}\n");
  w.Write("customers.jsonl", "{\"id\": 1, \"name\": \"ada\"}\n{\"id\": 2, \"name\": \"bob\"}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  w.Write("shop.toml", ReadFile(w.root() / "shop.toml").replace(
                           ReadFile(w.root() / "shop.toml").find("2024-05-01"), 10, "2024-06-01"));
  w.Write("orders.jsonl", "{\"id\": 1, \"status\": \"shipped\"}\n");
  w.Write("customers.jsonl", "{\"id\": 2, \"name\": \"bobby\"}\n{\"id\": 3, \"name\": \"cy\"}\n");
  r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Order 1's first version ended at the second boundary, order 2 retired (absent), order 1's
  // new version active.
  EXPECT_EQ(Rows(w.Db(), "SELECT id, status, strftime(valid_from AT TIME ZONE 'UTC', '%m-%d'), "
                         "coalesce(strftime(valid_to AT TIME ZONE 'UTC', '%m-%d'), 'active') FROM shop_data.orders "
                         "ORDER BY id, valid_from"),
            "1|new|05-01|06-01\n1|shipped|06-01|active\n2|new|05-01|06-01\n");
  EXPECT_EQ(Rows(w.Db(), "SELECT id, name FROM shop_data.customers ORDER BY id"), "1|ada\n2|bobby\n3|cy\n");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT _dlt_id FROM shop_data.customers WHERE id = 1"), "z5jIxXIbUnmbKw");
}

TEST(MergeStrategiesCli, AnUnknownStrategyOrAnUpsertWithoutKeyFailsNamingTheFileAndLoadsNothing) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", "{\"id\": 1}\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = { disposition = \"merge\", strategy = \"scd\" }\n"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "shop.toml")) << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown merge strategy `scd`. Did you mean `scd2`?")) << r.err;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = { disposition = \"merge\", strategy = \"insert-only\" }\n"));
  r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "resource `orders`: the `insert-only` merge strategy needs a primary key")) << r.err;
  EXPECT_FALSE(fs::exists(w.Db()));
}

TEST(MergeStrategiesCli, SqlTableUpsertAndScd2KeepDltsRowKeysForTypedRows) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3";
  PipelineWorkspace w;
  fs::path db = w.root() / "shop.db";
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                   "[sources.sql_database]\ncredentials = \"sqlite:///" + db.string() + "\"\n");
  auto sqlite = [&](const std::string& sql) {
    auto r = dlt::testing::Run({"/usr/bin/sqlite3", db.string(), sql}, w.root(), {});
    ASSERT_EQ(r.exit_code, 0) << sql << ": " << r.err;
  };
  sqlite("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'ada'), (2, 'bob');"
         "CREATE TABLE dim (nk INTEGER, v TEXT); INSERT INTO dim VALUES (1, 'one'), (2, 'two');");
  auto run = [&]() -> StatusOr<LoadInfo> {
    Workspace ws = w.OpenLoaded();
    PipelineOptions po;
    po.pipeline_name = "sqlm";
    po.destination = "warehouse";
    po.dataset_name = "sqlm_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(ws, po));
    SqlTableOptions upsert;
    upsert.table = "customers";
    upsert.write_disposition = "merge";
    upsert.merge.strategy = "upsert";
    SqlTableOptions scd2;
    scd2.table = "dim";
    scd2.write_disposition = "merge";
    scd2.merge.strategy = "scd2";
    DLT_ASSIGN_OR_RETURN(Resource a, SqlTable(ws, SqlDatabaseOptions{}, upsert));
    DLT_ASSIGN_OR_RETURN(Resource b, SqlTable(ws, SqlDatabaseOptions{}, scd2));
    return p.Run(std::vector<Resource>{a, b});
  };
  ASSERT_TRUE(run().ok());
  sqlite("UPDATE customers SET name = 'ada2' WHERE id = 1; INSERT INTO customers VALUES (3, 'cy');"
         "DELETE FROM dim WHERE nk = 2; UPDATE dim SET v = 'uno' WHERE nk = 1;");
  auto second = run();
  ASSERT_TRUE(second.ok()) << second.status().message();
  fs::path out = w.Db();
  EXPECT_EQ(Rows(out, "SELECT id, name FROM sqlm_data.customers ORDER BY id"), "1|ada2\n2|bob\n3|cy\n");
  // dlt's key hash of the row {"id": 1}, as for the same row from Python.
  EXPECT_EQ(SqlValue(out, "SELECT _dlt_id FROM sqlm_data.customers WHERE id = 1"), "z5jIxXIbUnmbKw");
  EXPECT_EQ(Rows(out, "SELECT nk, v, _dlt_valid_to IS NULL FROM sqlm_data.dim ORDER BY nk, _dlt_valid_from"),
            "1|one|false\n1|uno|true\n2|two|false\n");
}

}  // namespace
}  // namespace dlt::testing
