// dlt's `create_indexes` for DuckDB (off by default there, as in dlt): with it, every column with
// the `unique` hint (each table's `_dlt_id`) gets a UNIQUE constraint when its table is created.
// DuckDB cannot add a constraint to an existing table, so a unique column added later has none.
#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// "table.column" of every UNIQUE constraint in the dataset, sorted.
std::string UniqueColumns(const std::filesystem::path& db, const std::string& dataset) {
  return SqlValue(db, "SELECT coalesce(string_agg(table_name || '.' || constraint_column_names[1], ',' ORDER BY "
                      "table_name), '') FROM duckdb_constraints() WHERE constraint_type = 'UNIQUE' AND schema_name = '" +
                          dataset + "'");
}

// Defect: `create_indexes = true` under a DuckDB destination was ignored (no constraint).
TEST(DuckDbCreateIndexes, UniqueColumnsGetAConstraintWhenTheSettingIsOn) {
  PipelineWorkspace w;
  w.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\ncreate_indexes = true\n", "dev");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // dlt's tables with a `unique` _dlt_id: the data tables and _dlt_pipeline_state
  EXPECT_EQ(UniqueColumns(w.Db(), "shop_data"),
            "_dlt_pipeline_state._dlt_id,orders._dlt_id,orders__items._dlt_id,orders__tags._dlt_id");
  // The constraint holds: a copy of a row with its _dlt_id is refused by DuckDB.
  EXPECT_TRUE(Contains(DuckDbError(w.Db(), "INSERT INTO shop_data.orders SELECT * FROM shop_data.orders LIMIT 1"),
                       "violates unique constraint"));

  // A second run appends (new keys) and adds a column: DuckDB takes the ALTER without a constraint.
  w.Write("orders.jsonl", Orders(4, 5) + "{\"id\": 6, \"customer\": \"c6\", \"coupon\": \"X\"}\n");
  r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) || ' ' || count(DISTINCT _dlt_id) || ' ' || count(coupon) FROM shop_data.orders"),
            "6 6 1");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data.orders__items"), "10");
}

TEST(DuckDbCreateIndexes, OffByDefaultAsInDlt) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 2));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(UniqueColumns(w.Db(), "shop_data"), "");
  // A value that is not a flag is refused, naming the key.
  w.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\ncreate_indexes = \"sometimes\"\n", "dev");
  r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "`destination.warehouse.create_indexes` must be true or false, got `sometimes`")) << r.err;
}

#ifdef DLT_PYTHON
// From Python, as dlt's factory takes it: merges (delete-insert and upsert, whose `_dlt_id` is the
// primary key's hash) replace rows of the same key in tables that have the constraint.
TEST(DuckDbCreateIndexes, PythonFactoryArgumentAndMergesIntoConstrainedTables) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "idx.py", R"PY(
import dlt
dest = dlt.destinations.duckdb("idx.duckdb", create_indexes=True)
p = dlt.pipeline(pipeline_name="idx", destination=dest, dataset_name="idx_data")
for strategy in ("delete-insert", "upsert"):
    @dlt.resource(name="users_" + strategy.replace("-", "_"), primary_key="id",
                  write_disposition={"disposition": "merge", "strategy": strategy})
    def users(batch):
        yield from batch
    p.run(users([{"id": 1, "name": "a", "tags": ["x"]}, {"id": 2, "name": "b", "tags": ["y", "z"]}]))
    p.run(users([{"id": 2, "name": "b2", "tags": ["z"]}, {"id": 3, "name": "c", "tags": []}]))
with p.sql_client() as c:
    for t in ("users_delete_insert", "users_upsert"):
        print(t, c.execute_sql(f"SELECT id, name FROM {t} ORDER BY id"),
              c.execute_sql(f"SELECT count(*) FROM {t}__tags")[0][0])
    print("unique", c.execute_sql("SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'UNIQUE' "
                                  "AND schema_name = 'idx_data' ORDER BY table_name"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "users_delete_insert [(1, 'a'), (2, 'b2'), (3, 'c')] 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "users_upsert [(1, 'a'), (2, 'b2'), (3, 'c')] 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "unique [('_dlt_pipeline_state',), ('users_delete_insert',), ('users_delete_insert__tags',), "
                              "('users_upsert',), ('users_upsert__tags',)]\n")) << r.out;
}
#endif

}  // namespace
}  // namespace dlt::testing
