// dlt's merge strategies from a Python script, over two runs: upsert and insert-only (rows
// matched on the primary key, nested rows on their row keys, hard deletes), and scd2 (versions
// with validity columns, retired when absent, a merge key limiting the retirement, custom column
// names, an active record timestamp, a boundary timestamp), into DuckDB and PostgreSQL. The
// `_dlt_id` values are those Python dlt 1.26 computes for the same rows (extract + normalize of
// this script's first run with dlt 1.26, orjson; see ../shared/peer-dlt.md).
#include <gtest/gtest.h>

#include "pg_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* kMergeScript = R"PY(
import sys, dlt
from datetime import datetime, timezone
from decimal import Decimal

run = int(sys.argv[2])

# Table names as in the dlt 1.26 run the row keys below come from (nested keys hash the table name).
@dlt.resource(table_name="r1_upsert", write_disposition={"disposition": "merge", "strategy": "upsert"}, primary_key="id",
              columns={"deleted": {"data_type": "bool", "hard_delete": True}})
def users():
    if run == 1:
        yield [{"id": 1, "name": "a", "tags": ["x", "y"]}, {"id": 2, "name": "b", "tags": ["z"]}, {"id": 4, "name": "c"}]
    else:
        yield [{"id": 1, "name": "a2", "tags": ["x"]}, {"id": 2, "deleted": True}, {"id": 3, "name": "new", "tags": ["q"]}]

@dlt.resource(write_disposition={"disposition": "merge", "strategy": "upsert"}, primary_key=["id", "region"])
def regions():
    yield [{"id": 1, "region": "eu", "v": 1.5 * run}, {"id": 2, "region": "us", "v": None}]

@dlt.resource(write_disposition={"disposition": "merge", "strategy": "insert-only"}, primary_key="id")
def events():
    yield [{"id": 7, "name": "x" if run == 1 else "changed"}, {"id": 8 + run, "name": "n"}]

@dlt.resource(table_name="r4_scd2", write_disposition={"disposition": "merge", "strategy": "scd2"})
def dim():
    rows = [{"nk": 1, "c1": "foo", "c2": 1, "nested": [{"a": 1}, {"a": 2}]},
            {"nk": 2, "c1": "bar", "c2": 2.5, "obj": {"k": "v", "z": None}, "_dlt_x": 5, "flag": True}]
    if run == 2:
        rows = rows[:1] + [{"nk": 3, "c1": "baz", "c2": 3, "nested": [{"a": 9}]}]
    yield rows

@dlt.resource(write_disposition={"disposition": "merge", "strategy": "scd2", "validity_column_names": ["from", "to"],
                                 "active_record_timestamp": "9999-12-31"})
def dim_named():
    yield [{"nk": 1, "c1": "a" if run == 1 else "b"}]

@dlt.resource(write_disposition={"disposition": "merge", "strategy": "scd2"})
def typed_dim():
    yield [{"nk": 1, "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "s": "Z\u00fcrich \"q\" \n",
            "amount": Decimal("1.50")}]

@dlt.resource(write_disposition={"disposition": "merge", "strategy": "scd2",
                                 "boundary_timestamp": "2024-0%d-01T00:00:00Z" % run}, merge_key="nk")
def partial_dim():
    if run == 1:
        yield [{"nk": 1, "v": "one"}, {"nk": 2, "v": "two"}]
    else:
        yield [{"nk": 1, "v": "one v2"}]

p = dlt.pipeline(pipeline_name="merges", destination=sys.argv[1], dataset_name="m")
p.run([users(), regions(), events(), dim(), dim_named(), typed_dim(), partial_dim()])
)PY";

// Each query's rows as "a|b|c" lines.
std::string Lines(const SqlRows& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("NULL");
    out += "\n";
  }
  return out;
}

TEST(PythonMergeStrategies, RowKeysAreDlts) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "merges.py", kMergeScript, {"duckdb", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = DevDb(w, "merges");
  // upsert / insert-only: the hash of the primary key's JSON; nested rows from the parent's.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT id, _dlt_id FROM m.r1_upsert ORDER BY id")),
            "1|z5jIxXIbUnmbKw\n2|M6/KlLzJ2FeV/w\n4|KzKP0q9TGlvQbA\n");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT value, _dlt_root_id, _dlt_id FROM m.r1_upsert__tags WHERE _dlt_parent_id = "
                                  "'z5jIxXIbUnmbKw' ORDER BY _dlt_list_idx")),
            "x|z5jIxXIbUnmbKw|osYekvFQJbKEbQ\ny|z5jIxXIbUnmbKw|VRCEoTe7TzqZAw\n");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT id, region, _dlt_id FROM m.regions ORDER BY id")),
            "1|eu|iIC/VVTZFNBrig\n2|us|UkVlIlM/rD91Nw\n");
  EXPECT_EQ(SqlValue(db, "SELECT _dlt_id FROM m.events WHERE id = 7"), "tOt+W9JrzHx0eA");
  // scd2: the hash of the whole record but its _dlt keys (nested values and typed values with
  // dlt's markers included).
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT nk, _dlt_id FROM m.r4_scd2 ORDER BY nk")), "1|81jeTh5KKMCOpw\n2|mUPf5ptheIm04w\n");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT a, _dlt_id FROM m.r4_scd2__nested ORDER BY a")),
            "1|ipph11aByiQB4Q\n2|GSVPOGxup7Hnhw\n");
  EXPECT_EQ(SqlValue(db, "SELECT _dlt_id FROM m.dim_named"), "Ot1ERms7npZd0g");
  EXPECT_EQ(SqlValue(db, "SELECT _dlt_id FROM m.typed_dim"), "02qY8DvEhT5I2A");
  // The schema hints dlt writes: scd2's validity columns first, the row version not unique; the
  // nested rows of scd2 have no root key.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'm' "
                                  "AND table_name = 'r4_scd2' ORDER BY ordinal_position LIMIT 3")),
            "_dlt_valid_from|TIMESTAMP WITH TIME ZONE\n_dlt_valid_to|TIMESTAMP WITH TIME ZONE\nnk|BIGINT\n");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'm' AND "
                         "table_name = 'r4_scd2__nested' AND column_name = '_dlt_root_id'"),
            "0");
  auto schema = w.Read(".dlt/pipelines/merges/schemas/merges.schema.json");
  if (schema.empty()) {
    for (const auto& e : fs::recursive_directory_iterator(w.root())) {
      if (e.path().filename() == "merges.schema.json") schema = ReadFile(e.path());
    }
  }
  ASSERT_FALSE(schema.empty());
  EXPECT_TRUE(Contains(schema, "\"x-merge-strategy\": \"scd2\"")) << schema;
  EXPECT_TRUE(Contains(schema, "\"x-merge-strategy\": \"upsert\""));
  EXPECT_TRUE(Contains(schema, "\"x-merge-strategy\": \"insert-only\""));
  EXPECT_TRUE(Contains(schema, "\"x-row-version\": true"));
  EXPECT_TRUE(Contains(schema, "\"x-active-record-timestamp\": \"9999-12-31\""));
  EXPECT_TRUE(Contains(schema, "\"x-boundary-timestamp\": \"2024-01-01T00:00:00Z\""));
}

// What the destination holds after the second run (DuckDB).
void ExpectSecondRunState(const fs::path& db) {
  // upsert: 1 updated (its list shrank), 2 hard-deleted with its nested rows, 3 new, 4 untouched.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT id, name FROM m.r1_upsert ORDER BY id")), "1|a2\n3|new\n4|c\n");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT u.id, t.value FROM m.r1_upsert__tags t JOIN m.r1_upsert u ON t._dlt_root_id = u._dlt_id "
                                  "ORDER BY 1, 2")),
            "1|x\n3|q\n");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM m.r1_upsert__tags"), "2");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT id, v FROM m.regions ORDER BY id")), "1|3.0\n2|NULL\n");
  // insert-only: 7 keeps its first row.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT id, name FROM m.events ORDER BY id")), "7|x\n9|n\n10|n\n");
  // scd2: nk 2 retired at the second load's boundary, when nk 3's version starts; nk 1 unchanged.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT nk, _dlt_valid_to IS NULL FROM m.r4_scd2 ORDER BY nk")),
            "1|true\n2|false\n3|true\n");
  EXPECT_EQ(SqlValue(db, "SELECT (SELECT _dlt_valid_to FROM m.r4_scd2 WHERE nk = 2) = (SELECT _dlt_valid_from FROM m.r4_scd2 "
                         "WHERE nk = 3)"),
            "true");
  EXPECT_EQ(SqlValue(db, "SELECT (SELECT _dlt_valid_from FROM m.r4_scd2 WHERE nk = 1) < (SELECT _dlt_valid_from FROM m.r4_scd2 "
                         "WHERE nk = 3)"),
            "true");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT a FROM m.r4_scd2__nested ORDER BY a")), "1\n2\n9\n");
  // Named validity columns and an active record timestamp: the old version ends, the new one
  // is active "until" 9999-12-31.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT c1, \"to\" = TIMESTAMPTZ '9999-12-31 00:00:00+00' FROM m.dim_named ORDER BY "
                                  "\"from\", c1")),
            "a|false\nb|true\n");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM m.typed_dim"), "1");
  // A merge key retires only the keys the second run sent; the boundary timestamps are the given ones.
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT nk, v, strftime(_dlt_valid_from AT TIME ZONE 'UTC', '%Y-%m-%d'), "
                                  "coalesce(strftime(_dlt_valid_to AT TIME ZONE 'UTC', '%Y-%m-%d'), 'active') "
                                  "FROM m.partial_dim ORDER BY nk, v")),
            "1|one|2024-01-01|2024-02-01\n1|one v2|2024-02-01|active\n2|two|2024-01-01|active\n");
}

TEST(PythonMergeStrategies, SecondRunUpsertsInsertsOnlyAndVersionsIntoDuckDb) {
  TempWorkspace w;
  for (const char* run : {"1", "2"}) {
    auto r = RunPythonSource(w, "merges.py", kMergeScript, {"duckdb", run});
    ASSERT_EQ(r.exit_code, 0) << run << r.out << r.err;
  }
  ExpectSecondRunState(DevDb(w, "merges"));
}

// Killed with the second run's rows staged, before any MERGE: nothing of the run is in the
// destination; the pending package then loads (the same boundary, its creation time) to the
// state of two uninterrupted runs, with no version or row twice.
TEST(PythonMergeStrategies, ARunKilledWithItsRowsStagedLeavesTheDestinationAsItWasAndTheRerunGivesTheSameResult) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "merges.py", kMergeScript, {"duckdb", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = DevDb(w, "merges");
  const std::string before = Lines(QueryDuckDb(db, "SELECT id, name, _dlt_load_id FROM m.r1_upsert ORDER BY id")) +
                             Lines(QueryDuckDb(db, "SELECT nk, _dlt_valid_to IS NULL FROM m.r4_scd2 ORDER BY nk"));
  w.env()["DLT_FAULT_KILL_AT"] = "load_merge_staged";
  r = RunPython(w, "merges.py", {"duckdb", "2"});
  EXPECT_EQ(r.exit_code, 137) << r.out << r.err;
  w.env().erase("DLT_FAULT_KILL_AT");
  EXPECT_EQ(Lines(QueryDuckDb(db, "SELECT id, name, _dlt_load_id FROM m.r1_upsert ORDER BY id")) +
                Lines(QueryDuckDb(db, "SELECT nk, _dlt_valid_to IS NULL FROM m.r4_scd2 ORDER BY nk")),
            before);
  r = RunPythonSource(w, "finish.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="merges", destination="duckdb", dataset_name="m")
print(p.has_pending_data)
p.load()
print(p.has_pending_data)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "True\nFalse\n");
  ExpectSecondRunState(db);
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM m._dlt_loads"), "2");
}

TEST(PythonMergeStrategies, SecondRunUpsertsInsertsOnlyAndVersionsIntoPostgres) {
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace w;
  w.WriteSecrets("[destination.postgres]\ncredentials = \"" + pg.Url() + "\"\n");
  for (const char* run : {"1", "2"}) {
    auto r = RunPythonSource(w, "merges.py", kMergeScript, {"postgres", run});
    ASSERT_EQ(r.exit_code, 0) << run << r.out << r.err;
  }
  EXPECT_EQ(pg.Psql("SELECT id, name FROM m.r1_upsert ORDER BY id", "dw"), "1|a2\n3|new\n4|c\n");
  EXPECT_EQ(pg.Psql("SELECT count(*) FROM m.r1_upsert__tags", "dw"), "2\n");
  EXPECT_EQ(pg.Psql("SELECT _dlt_id FROM m.r1_upsert WHERE id = 1", "dw"), "z5jIxXIbUnmbKw\n");
  EXPECT_EQ(pg.Psql("SELECT id, name FROM m.events ORDER BY id", "dw"), "7|x\n9|n\n10|n\n");
  EXPECT_EQ(pg.Psql("SELECT nk, _dlt_valid_to IS NULL FROM m.r4_scd2 ORDER BY nk", "dw"), "1|t\n2|f\n3|t\n");
  EXPECT_EQ(pg.Psql("SELECT _dlt_id FROM m.r4_scd2 WHERE nk = 1", "dw"), "81jeTh5KKMCOpw\n");
  EXPECT_EQ(pg.Psql("SELECT count(*) FROM m.r4_scd2__nested", "dw"), "3\n");
  EXPECT_EQ(pg.Psql("SELECT nk, v, _dlt_valid_to IS NULL FROM m.partial_dim ORDER BY nk, v", "dw"),
            "1|one|f\n1|one v2|t\n2|two|t\n");
}

TEST(PythonMergeStrategies, UpsertWithoutPrimaryKeyAndBadTimestampsAreRefusedBeforeAnythingLoads) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "nokey.py", R"PY(
import dlt
@dlt.resource(write_disposition={"disposition": "merge", "strategy": "upsert"})
def items():
    yield {"id": 1}
dlt.pipeline(pipeline_name="nokey", destination="duckdb", dataset_name="d").run(items())
)PY");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "resource `items`: the `upsert` merge strategy needs a primary key")) << r.err;
  EXPECT_FALSE(fs::exists(DevDb(w, "nokey")) && SqlValue(DevDb(w, "nokey"), "SELECT count(*) FROM information_schema.tables "
                                                                         "WHERE table_name = 'items'") != "0");
  r = RunPythonSource(w, "badts.py", R"PY(
import dlt
try:
    @dlt.resource(write_disposition={"disposition": "merge", "strategy": "scd2", "active_record_timestamp": "not a date"})
    def items():
        yield {"id": 1}
except ValueError as e:
    print("ValueError:", e)
try:
    dlt.resource([{"id": 1}], name="x", write_disposition={"disposition": "merge", "strategy": "nope"})
except ValueError as e:
    print("ValueError:", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "ValueError: could not parse `active_record_timestamp` value `not a date`")) << r.out;
  EXPECT_TRUE(Contains(r.out, "ValueError: merge strategy `nope` is not one of")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
