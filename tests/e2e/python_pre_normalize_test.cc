// Normalizing while a Python generator is still extracted (pipeline/pre_normalize.h): the part
// files extracted so far are normalized on another core, and the package ends up with the
// tables, the schema (column order and types, variant columns) and the rows of one pass; a run
// killed while doing it loads every row exactly once afterwards. Into DuckDB the files it makes
// are also loaded while extracting, in a transaction that only the load step commits.
#include <filesystem>
#include <functional>
#include <string>

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
import os, sys, time, dlt

n = int(sys.argv[1])
fail_at = int(os.environ.get("FAIL_AT", "-1"))
pace = int(os.environ.get("PACE", "0"))  # a pause every `pace` records: the other threads' turn

@dlt.resource(name="events")
def events():
    for i in range(n):
        if i == fail_at:
            raise ValueError(f"the source broke at record {i}")
        if pace and i % pace == 0:
            time.sleep(0.1 if i < 5000 else 0.02)  # longer at first: files loaded early on, however busy
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

// And its job files, cut at 4 KB, loaded into the run's open transaction as they close
// (destination_types.h load_while_extracting), while the generator goes on.
// The generator pauses every 500 records (longer in its first 5000): the threads that normalize
// and load beside it run at a lower priority, and on a busy machine they would otherwise get
// their turn only after it (the kill points count files loaded while extracting).
void LoadWhileExtracting(TempWorkspace& w) {
  NormalizeWhileExtracting(w);
  w.env()["DLT_STREAM_FILE_BYTES"] = "4096";
  w.env()["PACE"] = "500";
}

TEST(PythonPreNormalize, TheTablesSchemaAndRowsAreThoseOfOnePass) {
  TempWorkspace one_pass;
  one_pass.env()["NORMALIZE__WORKERS"] = "1";  // no worker to spare: normalized after the extract
  one_pass.env()["DLT_EXTRACT_PART_BYTES"] = "8192";
  TempWorkspace overlapped;
  NormalizeWhileExtracting(overlapped);
  overlapped.env()["DLT_LOAD_WHILE_EXTRACTING"] = "0";
  TempWorkspace loaded;
  LoadWhileExtracting(loaded);
  auto a = RunPythonSource(one_pass, "pre.py", kScript, {"12000", "run"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  auto b = RunPythonSource(overlapped, "pre.py", kScript, {"12000", "run"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto c = RunPythonSource(loaded, "pre.py", kScript, {"12000", "run"});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_EQ(a.out, c.out) << "loading while extracting changed the schema or the rows";
  EXPECT_TRUE(Contains(a.out, "failed False\n")) << a.out;
  EXPECT_TRUE(Contains(a.out, "('x__v_text', 'text')")) << "the type change made a variant column: " << a.out;
  EXPECT_TRUE(Contains(a.out, "('late', 'bigint')")) << a.out;
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), std::count(b.out.begin(), b.out.end(), '\n'));
  EXPECT_EQ(a.out, b.out) << "normalizing while extracting changed the schema or the rows";
}

// Runs the script killed at `point` (`why`: what reaching it shows), checks the destination with
// `after_kill`, then finishes the run (a package the killed run kept is loaded, else the rows are
// extracted again) and checks that each row arrived once. Returns the rerun's output.
std::string KillThenFinish(TempWorkspace& w, const std::string& point, const std::string& why,
                           const std::function<void(const std::filesystem::path&)>& after_kill) {
  w.Write("pre.py", kScript);
  w.env()["DLT_FAULT_KILL_AT"] = point;
  auto crash = RunPython(w, "pre.py", {"60000", "run"});
  EXPECT_EQ(crash.exit_code, 137) << why << ": " << crash.out << crash.err;
  w.env().erase("DLT_FAULT_KILL_AT");
  const auto db = DevDb(w, "pre");
  if (after_kill) after_kill(db);
  auto rerun = RunPython(w, "pre.py", {"60000", "finish"});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_TRUE(rerun.out == "pending False\n" || rerun.out == "pending True\n") << rerun.out;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || ' ' || count(DISTINCT id) FROM pre_data.events"), "60000 60000");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data._dlt_loads"), "1");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data.events__commits"), "60000");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data.events__commits c LEFT JOIN pre_data.events e "
                         "ON c._dlt_parent_id = e._dlt_id WHERE e._dlt_id IS NULL"), "0");
  return rerun.out;
}

// Killed while the extract was still running, the run kept nothing and the rows are extracted
// again; on a machine so busy that the first part file was normalized only after the package
// was published, the package is kept and loaded. Either way each row arrives once.
TEST(PythonPreNormalize, ARunKilledWhileNormalizingDuringTheExtractLoadsEveryRowOnceAfterwards) {
  TempWorkspace w;
  NormalizeWhileExtracting(w);
  KillThenFinish(w, "normalize_while_extracting", "the part files were not normalized while extracting", nullptr);
  // Nothing of the killed run is left in the working folder's temporary packages.
  auto info = RunPythonSource(w, "info.py", "import dlt\nprint(dlt.pipeline(pipeline_name='pre').has_pending_data)\n");
  EXPECT_EQ(info.out, "False\n") << info.err;
}

// Every row once in the destination after a kill right after a job file was loaded while
// extracting (into the transaction that only the load step commits): the kill rolled it back.
TEST(PythonPreNormalize, ARunKilledAfterAFileWasLoadedWhileExtractingLoadsEveryRowOnceAfterwards) {
  TempWorkspace w;
  LoadWhileExtracting(w);
  KillThenFinish(w, "load_streamed_job:3", "no job file was loaded while extracting", [](const std::filesystem::path& db) {
    EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'pre_data'"), "0")
        << "what the killed run loaded was committed";
  });
}

// A generator that fails after files were loaded while extracting leaves nothing in the
// destination (the run's transaction is rolled back), and the next run loads every row once.
TEST(PythonPreNormalize, AGeneratorFailingAfterFilesWereLoadedWhileExtractingLeavesNothingLoaded) {
  TempWorkspace w;
  LoadWhileExtracting(w);
  w.Write("pre.py", kScript);
  w.env()["FAIL_AT"] = "45000";
  auto failed = RunPython(w, "pre.py", {"60000", "run"});
  EXPECT_NE(failed.exit_code, 0) << failed.out;
  EXPECT_TRUE(Contains(failed.err, "the source broke at record 45000")) << failed.out << failed.err;
  EXPECT_TRUE(Contains(failed.err, "PipelineStepFailed")) << failed.err;
  const auto db = DevDb(w, "pre");
  ASSERT_TRUE(std::filesystem::exists(db)) << "the destination was not opened while extracting";
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'pre_data'"), "0")
      << "rows of the failed run were committed";
  w.env().erase("FAIL_AT");
  auto rerun = RunPython(w, "pre.py", {"60000", "run"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || ' ' || count(DISTINCT id) FROM pre_data.events"), "60000 60000");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pre_data._dlt_loads"), "1");
}

}  // namespace
}  // namespace dlt::testing
