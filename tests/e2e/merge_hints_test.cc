// Merge (delete-insert) as dlt 1.26 runs it (sql_jobs.py gen_merge_sql), on DuckDB and PostgreSQL:
//  - a primary key keeps one staged row per key: the first by the `dedup_sort` column ("desc":
//    the highest), any one without it; a merge key alone keeps every staged row (it names a
//    partition the load replaces as a whole);
//  - `hard_delete`: a staged row whose column is true (a bool) or set (any other type) deletes
//    its key's rows and their nested rows, and is not inserted itself.
#include "pg_suite.h"
#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

const char* kFirst =
    "{\"id\": 1, \"ts\": 1, \"v\": \"a\", \"deleted\": false, \"kids\": [1, 2]}\n"
    "{\"id\": 2, \"ts\": 1, \"v\": \"b\", \"kids\": [3]}\n"
    "{\"id\": 4, \"ts\": 1, \"v\": \"d\", \"kids\": [4]}\n";
// id 1 three times (ts 2, 5, 3), id 2 and the new id 3 marked deleted.
const char* kSecond =
    "{\"id\": 1, \"ts\": 2, \"v\": \"old\", \"deleted\": false}\n"
    "{\"id\": 1, \"ts\": 5, \"v\": \"new\", \"deleted\": false, \"kids\": [7]}\n"
    "{\"id\": 1, \"ts\": 3, \"v\": \"mid\"}\n"
    "{\"id\": 2, \"ts\": 3, \"deleted\": true}\n"
    "{\"id\": 3, \"ts\": 1, \"deleted\": true}\n";

std::string MergeHints(const std::string& order) {
  return "write_disposition = \"merge\"\nprimary_key = \"id\"\n"
         "columns = { deleted = { hard_delete = true }, ts = { dedup_sort = \"" + order + "\" } }\n";
}

// Runs the two loads; `query(sql)` reads the destination.
template <typename Query>
void ExpectMergedRows(PipelineWorkspace& w, const std::string& order, Query query) {
  w.Write("orders.jsonl", kFirst);
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(query("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM shop_data.orders"), "1:a,2:b,4:d");
  w.Write("orders.jsonl", kSecond);
  r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(query("SELECT string_agg(id || ':' || v || ':' || ts, ',' ORDER BY id) FROM shop_data.orders"),
            order == "desc" ? "1:new:5,4:d:1" : "1:old:2,4:d:1")
      << "id 1 once, by dedup_sort; id 2 deleted; id 3 deleted before it was ever inserted";
  // Nested rows go with their root rows: id 1's old kids and id 2's kid are gone.
  EXPECT_EQ(query("SELECT string_agg(CAST(value AS varchar), ',' ORDER BY value) FROM shop_data.orders__kids"),
            order == "desc" ? "4,7" : "4");
}

TEST(MergeHints, DedupSortPicksTheRowAndHardDeleteRemovesKeysOnDuckDb) {
  for (const std::string order : {"desc", "asc"}) {
    PipelineWorkspace w;
    w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", MergeHints(order)));
    ExpectMergedRows(w, order, [&](const std::string& sql) { return SqlValue(w.Db(), sql); });
    // The hints are in the schema as dlt writes them.
    std::string schema = ReadFile(w.PipelineDir("shop") / "schemas" / "shop.schema.json");
    EXPECT_NE(schema.find("\"hard_delete\": true"), std::string::npos) << schema;
    EXPECT_NE(schema.find("\"dedup_sort\": \"" + order + "\""), std::string::npos) << schema;
  }
}

TEST(MergeHints, AHardDeleteColumnOfAnotherTypeDeletesOnAnyValue) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = \"merge\"\nprimary_key = \"id\"\n"
                                    "columns = { deleted_at = { hard_delete = true } }\n"));
  w.Write("orders.jsonl", "{\"id\": 1, \"v\": \"a\"}\n{\"id\": 2, \"v\": \"b\"}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("orders.jsonl", "{\"id\": 1, \"deleted_at\": \"2024-05-01\"}\n{\"id\": 2, \"v\": \"c\", \"deleted_at\": null}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM shop_data.orders"), "2:c");
}

// A merge key names a partition: every staged row of it is inserted (dlt dedups by primary key only).
TEST(MergeHints, AMergeKeyAloneKeepsEveryRowOfItsPartition) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"merge\"\nmerge_key = \"day\"\n"));
  w.Write("orders.jsonl", "{\"day\": 1, \"v\": \"a\"}\n{\"day\": 1, \"v\": \"b\"}\n{\"day\": 1, \"v\": \"c\"}\n"
                          "{\"day\": 2, \"v\": \"x\"}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(day || v, ',' ORDER BY day, v) FROM shop_data.orders"), "1a,1b,1c,2x");
  w.Write("orders.jsonl", "{\"day\": 1, \"v\": \"d\"}\n{\"day\": 1, \"v\": \"e\"}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(day || v, ',' ORDER BY day, v) FROM shop_data.orders"), "1d,1e,2x");
}

TEST(MergeHints, ADedupSortOtherThanAscOrDescIsRefusedNamingTheKey) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = \"merge\"\nprimary_key = \"id\"\n"
                                    "columns = { ts = { dedup_sort = \"newest\" } }\n"));
  w.Write("orders.jsonl", kFirst);
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("shop.toml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dedup_sort"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(w.Db()));
}

// The Python hints reach the engine; strategies this engine does not run are refused; a
// timestamp without time zone takes its precision (DuckDB's TIMESTAMP_MS), as dlt maps it.
TEST(MergeHints, PythonColumnsHintsStrategiesAndTimestampPrecision) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "hints.py", R"PY(
import dlt
@dlt.resource(primary_key="id", write_disposition="merge",
              columns={"deleted": {"hard_delete": True}, "ts": {"dedup_sort": "desc"}})
def r(rows):
    yield rows
p = dlt.pipeline(pipeline_name="hints", destination="duckdb", dataset_name="h")
p.run(r([{"id": 1, "ts": 1, "v": "a"}, {"id": 2, "ts": 1, "v": "b"}]))
p.run(r([{"id": 1, "ts": 2, "v": "x"}, {"id": 1, "ts": 9, "v": "y"}, {"id": 2, "deleted": True}]))
print(p.dataset()("SELECT id, v FROM r ORDER BY id").fetchall())
try:
    @dlt.resource(primary_key="id", write_disposition={"disposition": "merge", "strategy": "scd3"})
    def s():
        yield {"id": 1}
except Exception as e:
    print(type(e).__name__, "scd3" in str(e), "delete-insert, insert-only, scd2, upsert" in str(e))
@dlt.resource(columns={"ts": {"data_type": "timestamp", "timezone": False, "precision": 3}})
def tz():
    yield {"ts": "2024-01-01T10:00:00.123456+00:00"}
p.run(tz())
print(p.dataset()("SELECT data_type FROM information_schema.columns WHERE table_name = 'tz' AND column_name = 'ts'").fetchall(),
      p.dataset()("SELECT CAST(ts AS varchar) FROM tz").fetchall())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "[(1, 'y')]\n"
            "ValueError True True\n"
            "[('TIMESTAMP_MS',)] [('2024-01-01 10:00:00.123',)]\n");
}

class MergeHintsPg : public PostgresSuite {};

TEST_F(MergeHintsPg, DedupSortAndHardDeleteOnPostgres) {
  for (const std::string order : {"desc", "asc"}) {
    const std::string db = "merge_hints_" + order;
    CreateDatabase(db);
    PipelineWorkspace w;
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         server_->Url(db) + "\"\n");
    w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", MergeHints(order)));
    ExpectMergedRows(w, order, [&](const std::string& sql) { return Value(db, sql); });
  }
}

}  // namespace
}  // namespace dlt::testing
