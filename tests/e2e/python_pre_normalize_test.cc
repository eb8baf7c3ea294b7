// Normalizing while a Python generator is still extracted (pipeline/pre_normalize.h): the part
// files extracted so far are normalized on another core, and the package ends up with the
// tables, the schema (column order and types, variant columns) and the rows of one pass; a run
// killed while doing it loads every row exactly once afterwards.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// Records whose shape changes as they come: columns that appear late, a value that turns from
// integer to text (a variant column), nested lists of objects and of strings. The last changes
// come in the last records, which the extract's last part file holds: that file is normalized
// after the extract, from the schema the package started with, so its part disagrees with the
// one made while extracting and is normalized again from the merged schema, as a single pass.
constexpr const char* kScript = R"PY(
import sys, dlt

n = int(sys.argv[1])

@dlt.resource(name="events")
def events():
    for i in range(n):
        row = {"id": i, "kind": ["push", "issue", "fork"][i % 3], "payload": {"size": i % 7, "ref": f"r{i % 11}"},
               "commits": [{"sha": f"{i:08x}{k}", "n": k, **({"late": k} if i >= n - 30 else {})} for k in range(i % 3)],
               "labels": [f"l{i % 5}"] * (i % 2)}
        row["x"] = i if i < n - 20 else f"s{i}"
        if i > n // 2:
            row["extra"] = {"flag": i % 2 == 0, "score": i / 4}
        yield row

p = dlt.pipeline(pipeline_name="pre", destination="duckdb", dataset_name="pre_data")
if sys.argv[2] == "run":
    info = p.run(events())
    print("failed", info.has_failed_jobs)
if sys.argv[2] == "finish":  # after a crash: a package it kept is loaded, else the rows again
    pending = p.has_pending_data
    print("pending", pending)
    p.run() if pending else p.run(events())
    sys.exit(0)
schema = p.default_schema
for name in sorted(schema.data_tables(), key=lambda t: t["name"]):
    print("table", name["name"], [(c, v.get("data_type")) for c, v in name["columns"].items()])
with p.sql_client() as c:
    cols = [r[0] for r in c.execute_sql("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                         "'pre_data' AND table_name = 'events' AND column_name NOT LIKE '\\_dlt%' "
                                         "ESCAPE '\\' ORDER BY ordinal_position")]
    for r in c.execute_sql(f"SELECT {', '.join(cols)} FROM pre_data.events ORDER BY id"):
        print("row", r)
    for t in ("events__commits", "events__labels"):
        for r in c.execute_sql(f"SELECT e.id, t.* EXCLUDE (_dlt_id, _dlt_parent_id) FROM pre_data.{t} t "
                               f"JOIN pre_data.events e ON t._dlt_parent_id = e._dlt_id ORDER BY e.id, t._dlt_list_idx"):
            print(t, r)
)PY";

// Part files of 8 KB: a few thousand records make dozens of them, normalized as they close.
void NormalizeWhileExtracting(TempWorkspace& w) {
  w.env()["NORMALIZE__WORKERS"] = "2";
  w.env()["DLT_EXTRACT_PART_BYTES"] = "8192";
}

TEST(PythonPreNormalize, TheTablesSchemaAndRowsAreThoseOfOnePass) {
  TempWorkspace one_pass;
  one_pass.env()["NORMALIZE__WORKERS"] = "1";  // no worker to spare: normalized after the extract
  one_pass.env()["DLT_EXTRACT_PART_BYTES"] = "8192";
  TempWorkspace overlapped;
  NormalizeWhileExtracting(overlapped);
  auto a = RunPythonSource(one_pass, "pre.py", kScript, {"12000", "run"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  auto b = RunPythonSource(overlapped, "pre.py", kScript, {"12000", "run"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_TRUE(Contains(a.out, "failed False\n")) << a.out;
  EXPECT_TRUE(Contains(a.out, "('x__v_text', 'text')")) << "the type change made a variant column: " << a.out;
  EXPECT_TRUE(Contains(a.out, "('late', 'bigint')")) << a.out;
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), std::count(b.out.begin(), b.out.end(), '\n'));
  EXPECT_EQ(a.out, b.out) << "normalizing while extracting changed the schema or the rows";
}

TEST(PythonPreNormalize, ARunKilledWhileNormalizingDuringTheExtractLoadsEveryRowOnceAfterwards) {
  TempWorkspace w;
  NormalizeWhileExtracting(w);
  w.Write("pre.py", kScript);
  w.env()["DLT_FAULT_KILL_AT"] = "normalize_while_extracting";
  auto crash = RunPython(w, "pre.py", {"60000", "run"});
  EXPECT_EQ(crash.exit_code, 137) << "the part files were not normalized while extracting: " << crash.out << crash.err;
  w.env().erase("DLT_FAULT_KILL_AT");
  const auto db = DevDb(w, "pre");
  auto rerun = RunPython(w, "pre.py", {"60000", "finish"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  // Killed while the extract was still running, the run kept nothing and the rows are extracted
  // again; on a machine so busy that the first part file was normalized only after the package
  // was published, the package is kept and loaded. Either way each row arrives once.
  EXPECT_TRUE(rerun.out == "pending False\n" || rerun.out == "pending True\n") << rerun.out;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || ' ' || count(DISTINCT id) FROM pre_data.events"), "60000 60000");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data._dlt_loads"), "1");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data.events__commits"), "60000");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data.events__commits c LEFT JOIN pre_data.events e "
                         "ON c._dlt_parent_id = e._dlt_id WHERE e._dlt_id IS NULL"), "0");
  // Nothing of the killed run is left in the working folder's temporary packages.
  auto info = RunPythonSource(w, "info.py", "import dlt\nprint(dlt.pipeline(pipeline_name='pre').has_pending_data)\n");
  EXPECT_EQ(info.out, "False\n") << info.err;
}

}  // namespace
}  // namespace dlt::testing
