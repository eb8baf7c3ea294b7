// dlt's destination pages (docs/website/docs/dlt-ecosystem/destinations/duckdb.md, filesystem.md)
// and LoadInfo as the sql_database split-loading loop uses it: each snippet a real script run by
// python3, its outcome what dlt 1.26 gives.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// Defect: a factory with a destination_name (`duckdb(destination_name="chessdb")`) failed with
// "Destination chessdb is not configured": the factory names the type, and the file is named
// after the destination. `duckdb(":pipeline:")` wrote a file literally named `:pipeline:`; dlt
// puts `<pipeline_name>.duckdb` in the pipeline's working folder.
TEST(PythonDestinationsDocs, DuckdbFactoryWithADestinationNameAndThePipelineDatabase) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "duck.py", R"PY(
import os, dlt
p = dlt.pipeline(pipeline_name="chess", destination=dlt.destinations.duckdb(destination_name="chessdb"),
                 dataset_name="chess_data")
p.run([{"a": 1}], table_name="t")
print(p.destination.destination_name, p.destination.destination_type)
with p.sql_client() as c:
    print(c.execute_sql("SELECT a FROM t"))
q = dlt.pipeline(pipeline_name="my_pipeline", destination=dlt.destinations.duckdb(":pipeline:"), dataset_name="mp_data")
q.run([{"b": 2}], table_name="t")
print(sorted(f for f in os.listdir(q.working_dir) if f.endswith(".duckdb")), os.path.exists(":pipeline:"))
with q.sql_client() as c:
    print(c.execute_sql("SELECT b FROM t"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "chessdb duckdb\n[(1,)]\n['my_pipeline.duckdb'] False\n[(2,)]\n") << r.out;
  EXPECT_EQ(SqlValue(w.root() / "_local" / "dev" / "chessdb.duckdb", "SELECT a FROM chess_data.t"), "1");
}

// Defect: `duckdb(max_identifier_length=10)` was ignored; dlt shortens table and column names to
// the destination's (overridden) capability, with its hash tag.
TEST(PythonDestinationsDocs, MaxIdentifierLengthOfTheFactoryShortensNames) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "short.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="d18", destination=dlt.destinations.duckdb(max_identifier_length=10), dataset_name="d18_data")
p.run([{"a_very_long_column_name_here": 1, "short": 2}], table_name="a_very_long_table_name")
t = [t for t in p.default_schema.tables if not t.startswith("_dlt")]
print(t, [c for c in p.default_schema.tables[t[0]]["columns"] if not c.startswith("_dlt")])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // dlt's shortening: the first and last two characters around the 6-character tag of the name.
  EXPECT_TRUE(Contains(r.out, "['a_")) << r.out;
  EXPECT_EQ(r.out.find("a_very_long_table_name"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("a_very_long_column_name_here"), std::string::npos) << r.out;
  EXPECT_TRUE(Contains(r.out, "'short']")) << r.out;
}

// Defect: after `run(..., loader_file_format="jsonl")` into the filesystem destination,
// `pipeline.dataset()` failed with "it has no schema yet": the run's pipeline object was opened
// again for the format and had not read its stored schema.
TEST(PythonDestinationsDocs, DatasetReadsAFilesystemTableLoadedWithALoaderFileFormat) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "fs.py", R"PY(
import os, dlt
from dlt.destinations import filesystem
for fmt in ("jsonl", "csv", "parquet"):
    p = dlt.pipeline(pipeline_name="fs_" + fmt, destination=filesystem("file://" + os.path.abspath("bucket_" + fmt)),
                     dataset_name="ds")
    p.run([{"id": 1, "v": "a"}, {"id": 2, "v": None}], table_name="t", loader_file_format=fmt)
    print(fmt, sorted(p.dataset()["t"].select("id", "v").fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "jsonl [(1, 'a'), (2, None)]\ncsv [(1, 'a'), (2, None)]\nparquet [(1, 'a'), (2, None)]\n") << r.out;
}

// Defect: the DuckDB credentials' `pragmas`, `local_config`, `global_config` and `extensions`
// (duckdb.md "Additional configuration") were ignored. dlt runs them on every connection: LOAD
// each extension, SET GLOBAL / SET SESSION each setting, PRAGMA each pragma; a bad one fails.
TEST(PythonDestinationsDocs, DuckdbConnectionSettingsApplyToEveryConnectionAndBadOnesFail) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[destination.duckdb.credentials]\n"
                              "extensions = [\"json\"]\n"
                              "local_config = { default_null_order = \"nulls_first_on_asc_last_on_desc\" }\n"
                              "pragmas = [\"enable_checkpoint_on_shutdown\"]\n");
  auto r = RunPythonSource(w, "settings.py", R"PY(
import os, dlt
p = dlt.pipeline(pipeline_name="prag", destination="duckdb", dataset_name="prag_data")
p.run([{"a": 1}, {"a": None}], table_name="t")
with p.sql_client() as c:
    print(c.execute_sql("SELECT current_setting('default_null_order')"))
    print(c.execute_sql("SELECT a FROM t ORDER BY a"))
os.environ["DESTINATION__DUCKDB__CREDENTIALS__PRAGMAS"] = '["no_such_pragma_xyz"]'
q = dlt.pipeline(pipeline_name="prag_bad", destination="duckdb", dataset_name="prag_bad_data")
try:
    q.run([{"a": 1}], table_name="t")
except Exception as e:
    print(type(e).__name__, "PRAGMA no_such_pragma_xyz" in str(e), "credentials.pragmas" in str(e))
del os.environ["DESTINATION__DUCKDB__CREDENTIALS__PRAGMAS"]
# a setting's value may be a secret: never in the message
os.environ["DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"] = '{"no_such_secret_setting": "Sup3rS3cretValue"}'
s = dlt.pipeline(pipeline_name="prag_secret", destination="duckdb", dataset_name="prag_secret_data")
try:
    s.run([{"a": 1}], table_name="t")
except Exception as e:
    print(type(e).__name__, "SET GLOBAL no_such_secret_setting" in str(e), "Sup3rS3cretValue" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[('NULLS_FIRST_ON_ASC_LAST_ON_DESC',)]\n[(None,), (1,)]\nPipelineStepFailed True True\n"
                   "PipelineStepFailed True False\n") << r.out;
  // Nothing of the failed run was loaded (its package is kept for the next run).
  if (fs::exists(DevDb(w, "prag_bad"))) {
    EXPECT_EQ(SqlValue(DevDb(w, "prag_bad"), "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'"), "0");
  }
}

// Defect: the filesystem destination's `current_datetime` (a datetime, or a function returning
// one) was ignored and `extra_placeholders` refused as unknown placeholders (filesystem.md
// "Advanced layout configuration"). A function computed per file is refused, naming it.
TEST(PythonDestinationsDocs, FilesystemLayoutTakesCurrentDatetimeAndExtraPlaceholders) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "layout.py", R"PY(
import glob, os, dlt, pendulum
from dlt.destinations import filesystem
def files(name):
    return sorted(os.path.relpath(f, name) for f in glob.glob(name + "/ds/t/**/*", recursive=True) if os.path.isfile(f))
def run(name, **kw):
    p = dlt.pipeline(pipeline_name=name, destination=filesystem("file://" + os.path.abspath(name), **kw), dataset_name="ds")
    p.run([{"id": 1}], table_name="t")
    return [f.split("/")[:-1] for f in files(name)]
print(run("extra", layout="{table_name}/{env}/{load_id}.{file_id}.{ext}", extra_placeholders={"env": "prod"}))
print(run("curdt", layout="{table_name}/{YYYY}-{MM}-{DD}/{ddd}/{load_id}.{file_id}.{ext}",
          current_datetime=pendulum.datetime(2024, 4, 14)))
print(run("curdt_cb", layout="{table_name}/{YYYY}/{load_id}.{file_id}.{ext}",
          current_datetime=lambda: pendulum.datetime(2020, 1, 2)))
try:
    run("cb", layout="{table_name}/{x}/{load_id}.{ext}", extra_placeholders={"x": lambda *a: "v"})
except NotImplementedError as e:
    print("refused", "extra_placeholders" in str(e))
try:
    run("up", layout="{table_name}/{x}/{load_id}.{ext}", extra_placeholders={"x": "../../elsewhere"})
except Exception as e:
    print("outside", "stay inside the dataset" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[['ds', 't', 'prod']]\n[['ds', 't', '2024-04-14', 'sun']]\n[['ds', 't', '2020']]\nrefused True\n"
                   "outside True\n") << r.out;
}

// Defect (review): `sync` (and `drop`) named the dataset with snake_case and the type's limit,
// whatever the pipeline's naming convention: a `sql_cs_v1` dataset `MyData` was looked for as
// `my_data`, and a wiped pipeline restored nothing.
TEST(PythonDestinationsDocs, SyncFindsTheDatasetByThePipelinesOwnNamingConvention) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "cs.py", R"PY(
import os, shutil, dlt
os.environ["SCHEMA__NAMING"] = "sql_cs_v1"
p = dlt.pipeline(pipeline_name="cs", destination="duckdb", dataset_name="MyData")
p.run([{"Id": 1}], table_name="Items")
shutil.rmtree(p.working_dir)
q = dlt.pipeline(pipeline_name="cs", destination="duckdb", dataset_name="MyData")
q.sync_destination()
print(q.default_schema_name, sorted(t for t in q.default_schema.tables if not t.startswith("_dlt")))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "cs ['Items']\n")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
