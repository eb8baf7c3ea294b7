// dlt's documented Python API, checked against the docs' snippets: a dataset read through one of
// the schemas loaded into it (dataset.md, "multiple schemas"), and an incremental whose
// cursor_path and initial_value come from the configuration (incremental/cursor.md, "Reading
// incremental loading parameters from configuration"), from config.toml and from environment
// variables.
#include <gtest/gtest.h>

#include "support/python_script.h"

namespace dlt::testing {
namespace {

// Two sources loaded into one dataset: both have a table `shared` (s2's with an extra column `b`),
// s2 also `only2`. pipeline.dataset(schema="s1") is s1's part of the dataset, as dlt: its tables
// are s1's data tables and then dlt's tables, row_counts() counts s1's data tables, and a table's
// columns (what `SELECT *` of it reads) are the ones s1 gives it.
TEST(PythonDatasetConfigDocs, DatasetOfOneSchemaHasOnlyThatSchemasTablesAndColumns) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "multi_schema.py", R"PY(
import dlt

@dlt.source
def s1():
    return dlt.resource([{"id": 1, "a": 10}], name="shared")

@dlt.source
def s2():
    return [dlt.resource([{"id": 2, "a": 20, "b": "x"}], name="shared"),
            dlt.resource([{"k": 1}, {"k": 2}, {"k": 3}], name="only2")]

p = dlt.pipeline(pipeline_name="multi_schema", destination="duckdb", dataset_name="multi_schema_data")
p.run(s1())
p.run(s2())
print(p.default_schema_name, sorted(p.schemas))

ds1 = p.dataset(schema="s1")
print(ds1.schema.name, ds1.tables)
print(ds1.row_counts().fetchall())
print(ds1["shared"].columns)
rows = ds1["shared"].order_by("id").fetchall()
print([r[:2] for r in rows], {len(r) for r in rows})
try:
    ds1["only2"]
except KeyError:
    print("only2 is not a table of s1")

ds2 = p.dataset(schema="s2")
print(ds2.schema.name, sorted(t for t in ds2.tables if not t.startswith("_dlt")))
print(sorted(ds2.row_counts().fetchall()))
print(ds2["shared"].columns)

ds = p.dataset()
print("only2" in ds.tables, sorted(ds.row_counts().fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "s1 ['s1', 's2']\n"
            "s1 ['shared', '_dlt_version', '_dlt_loads', '_dlt_pipeline_state']\n"
            "[('shared', 2)]\n"
            "['id', 'a', '_dlt_load_id', '_dlt_id']\n"
            "[(1, 10), (2, 20)] {4}\n"
            "only2 is not a table of s1\n"
            "s2 ['only2', 'shared']\n"
            "[('only2', 3), ('shared', 2)]\n"
            "['id', 'a', 'b', '_dlt_load_id', '_dlt_id']\n"
            "True [('only2', 3), ('shared', 2)]\n")
      << r.err;
}

// The docs' config.toml: `[pipeline_with_incremental.sources.id_after]` with cursor_path and
// initial_value makes the argument `id_after: dlt.sources.incremental = dlt.config.value` an
// Incremental; its last value is kept in the state, so the next run loads only the new rows.
TEST(PythonDatasetConfigDocs, IncrementalArgumentIsResolvedFromAConfigTomlTable) {
  TempWorkspace w;
  w.WriteConfig("[pipeline_with_incremental.sources.id_after]\ncursor_path = \"idAfter\"\ninitial_value = 10\n");
  auto r = RunPythonSource(w, "incremental_config.py", R"PY(
import dlt, sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 150

@dlt.resource(table_name="incremental_records")
def generate_incremental_records(id_after: dlt.sources.incremental = dlt.config.value):
    print(type(id_after).__name__, id_after.cursor_path, id_after.initial_value, id_after.start_value)
    for i in range(N):
        yield {"id": i, "idAfter": i, "name": "name-" + str(i)}

pipeline = dlt.pipeline(pipeline_name="pipeline_with_incremental", destination="duckdb",
                        dataset_name="incremental_data")
pipeline.run(generate_incremental_records)
with pipeline.sql_client() as c:
    print(c.execute_sql("SELECT count(*), min(id), max(id) FROM incremental_records"))
state = pipeline.state["sources"]["pipeline_with_incremental"]["resources"]["generate_incremental_records"]
print(state["incremental"]["idAfter"]["last_value"])
)PY", {"150"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "Incremental idAfter 10 10\n[(140, 10, 149)]\n149\n") << r.err;
  r = RunPython(w, "incremental_config.py", {"160"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "Incremental idAfter 10 149\n[(150, 10, 159)]\n159\n") << r.err;
}

// The same fields from environment variables, each found with dlt's sections on its own: the
// cursor_path under the pipeline's name (PIPELINE_WITH_INCREMENTAL__SOURCES__ID_AFTER__...),
// on_cursor_value_missing under `sources` alone.
TEST(PythonDatasetConfigDocs, IncrementalArgumentFieldsAreResolvedFromEnvironmentVariables) {
  TempWorkspace w;
  w.env()["PIPELINE_WITH_INCREMENTAL__SOURCES__ID_AFTER__CURSOR_PATH"] = "idAfter";
  w.env()["SOURCES__ID_AFTER__ON_CURSOR_VALUE_MISSING"] = "exclude";
  auto r = RunPythonSource(w, "incremental_env.py", R"PY(
import dlt, sys

N = int(sys.argv[1])

@dlt.resource(table_name="records")
def generate_incremental_records(id_after: dlt.sources.incremental = dlt.config.value):
    print(type(id_after).__name__, id_after.cursor_path, id_after.on_cursor_value_missing, id_after.start_value)
    for i in range(N):
        yield {"id": i, "idAfter": i} if i % 10 else {"id": i}

pipeline = dlt.pipeline(pipeline_name="pipeline_with_incremental", destination="duckdb",
                        dataset_name="incremental_env_data")
pipeline.run(generate_incremental_records)
with pipeline.sql_client() as c:
    print(c.execute_sql("SELECT count(*), min(id), max(id) FROM records"))
)PY", {"50"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // rows without idAfter (every 10th) are excluded
  EXPECT_EQ(r.out, "Incremental idAfter exclude None\n[(45, 1, 49)]\n") << r.err;
  r = RunPython(w, "incremental_env.py", {"60"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "Incremental idAfter exclude 49\n[(54, 1, 59)]\n") << r.err;
}

}  // namespace
}  // namespace dlt::testing
