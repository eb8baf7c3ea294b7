// A second load that adds thousands of columns to an existing table (sql_loader.cc EnsureTable,
// SqlClient::AddColumns): every column exists afterwards, in order, nullable, with the rows of
// both loads intact and the NOT NULL of the first load's columns kept. Timings are in the commit
// that made this linear; here only the result is checked.
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

// `n` rows, row i with id and one column of its own, c<i> (a wide table with short rows: each
// row fits PostgreSQL's page whatever the width).
std::string RowsWithNewColumns(int first_id, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "{\"id\": " + std::to_string(first_id + i) + ", \"c" + std::to_string(i) + "\": \"v" + std::to_string(i) +
           "\"}\n";
  }
  return out;
}

// One row with `n` new columns c0..c<n-1> (DuckDB keeps a segment per column and thread while
// inserting, so few rows keep the test small).
std::string OneRowWithNewColumns(int id, int n) {
  std::string out = "{\"id\": " + std::to_string(id);
  for (int i = 0; i < n; ++i) out += ", \"c" + std::to_string(i) + "\": \"v" + std::to_string(i) + "\"";
  return out + "}\n";
}

TEST(WideAddColumns, TwoThousandColumnsAddedToAnExistingDuckDbTableAllExistWithTheRowsOfBothLoads) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "rows.jsonl"));
  w.Write("rows.jsonl", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
  auto first = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  w.Write("rows.jsonl", OneRowWithNewColumns(100, 2000) + "{\"id\": 101}\n");
  // Killed before the COMMIT: the table is as the first load left it (the widening is part of
  // the load's transaction); the next run loads the package.
  auto killed = w.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "load_before_commit"}});
  ASSERT_NE(killed.exit_code, 0);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                             "information_schema.columns WHERE table_schema = 'shop_data' AND table_name = 'orders'"),
            "id,name,_dlt_load_id,_dlt_id");
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 2);
  w.Write("rows.jsonl", "");
  auto second = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  const auto db = w.Db();
  const std::string cols = "FROM information_schema.columns WHERE table_schema = 'shop_data' AND table_name = 'orders'";
  EXPECT_EQ(SqlValue(db, "SELECT count(*) " + cols), "2004");  // id, name, _dlt_load_id, _dlt_id, c0..c1999
  EXPECT_EQ(SqlValue(db, "SELECT count(*) " + cols + " AND column_name LIKE 'c%' AND is_nullable = 'YES'"), "2000");
  EXPECT_EQ(SqlValue(db, "SELECT is_nullable " + cols + " AND column_name = '_dlt_id'"), "NO");
  // The new columns follow the old ones, in the order the schema has them.
  EXPECT_EQ(SqlValue(db, "SELECT ordinal_position " + cols + " AND column_name = 'c0'"), "5");
  EXPECT_EQ(SqlValue(db, "SELECT ordinal_position " + cols + " AND column_name = 'c1999'"), "2004");
  EXPECT_EQ(CountRows(db, "shop_data.orders"), 4);
  EXPECT_EQ(SqlValue(db, "SELECT name || ' ' || coalesce(c0, 'NULL') FROM shop_data.orders WHERE id = 1"), "a NULL");
  EXPECT_EQ(SqlValue(db, "SELECT c0 || ' ' || c1999 FROM shop_data.orders WHERE id = 100"), "v0 v1999");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data._dlt_loads"), "2");
}

// A table someone gave an index keeps it (the new columns come by ALTER, not by a rebuild that
// would drop it), and a table named like a rebuild's temporary table is in nobody's way.
TEST(WideAddColumns, ADuckDbTableWithAUserIndexKeepsItAndATableNamedLikeTheTemporaryOneDoesNotClash) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "rows.jsonl"));
  w.Write("rows.jsonl", "{\"id\": 1, \"name\": \"a\", \"dlt_widened\": [1]}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  ASSERT_TRUE(ExecDuckDb(w.Db(), "CREATE INDEX orders_name_idx ON shop_data.orders (name)"));
  w.Write("rows.jsonl", OneRowWithNewColumns(2, 40));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'orders_name_idx'"), "1");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop_data' AND "
                             "table_name = 'orders' AND column_name LIKE 'c%'"),
            "40");
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 2);

  // Without the index: the rebuild runs, next to the nested table orders__dlt_widened.
  ASSERT_TRUE(ExecDuckDb(w.Db(), "DROP INDEX shop_data.orders_name_idx"));
  EXPECT_TRUE(TableExists(w.Db(), "shop_data", "orders__dlt_widened"));
  std::string wide = "{\"id\": 3";
  for (int i = 0; i < 40; ++i) wide += ", \"d" + std::to_string(i) + "\": " + std::to_string(i);
  w.Write("rows.jsonl", wide + "}\n");
  auto r2 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT d39 FROM shop_data.orders WHERE id = 3"), "39");
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 3);
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders__dlt_widened"), 1);
}

class WideAddColumnsPg : public PostgresSuite {};

// PostgreSQL holds at most 1600 columns in a table: 1500 new ones.
TEST_F(WideAddColumnsPg, FifteenHundredColumnsAddedToAnExistingPostgresTableAllExistWithTheRowsOfBothLoads) {
  CreateDatabase("wide_add");
  PipelineWorkspace w;
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("wide_add") + "\"\n");
  w.Write("shop.toml", PipelineFile("shop", "rows.jsonl"));
  w.Write("rows.jsonl", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
  auto first = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  w.Write("rows.jsonl", RowsWithNewColumns(100, 1500));
  auto second = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  const std::string db = "wide_add";
  const std::string cols = "FROM information_schema.columns WHERE table_schema = 'shop_data' AND table_name = 'orders'";
  EXPECT_EQ(Value(db, "SELECT count(*) " + cols), "1504");
  EXPECT_EQ(Value(db, "SELECT count(*) " + cols + " AND column_name LIKE 'c%' AND is_nullable = 'YES'"), "1500");
  EXPECT_EQ(Value(db, "SELECT is_nullable " + cols + " AND column_name = '_dlt_id'"), "NO");
  EXPECT_EQ(Value(db, "SELECT ordinal_position " + cols + " AND column_name = 'c1499'"), "1504");
  EXPECT_EQ(Value(db, "SELECT count(*) FROM shop_data.orders"), "1502");
  EXPECT_EQ(Value(db, "SELECT name || ' ' || coalesce(c0, 'NULL') FROM shop_data.orders WHERE id = 1"), "a NULL");
  EXPECT_EQ(Value(db, "SELECT c1499 FROM shop_data.orders WHERE id = 1599"), "v1499");
}

}  // namespace
}  // namespace dlt::testing
