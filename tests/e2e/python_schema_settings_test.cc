// dlt's schema settings from Python, as its schema documentation edits them: type detections
// (`add_type_detection`, `remove_type_detection`), default hints (`merge_hints`) and preferred
// types (`update_preferred_types`), on `source.schema` or `dlt.current.source_schema()`. They go
// into the stored schema with the run, apply to every new column (in later runs too), and bad
// ones are refused naming them, with nothing loaded.
#include <gtest/gtest.h>

#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

#ifdef DLT_PYTHON

const char* kSettingsScript = R"PY(
import sys
import dlt

ROWS = {
    "1": [{"id": 1, "day": "2024-05-01", "ts": 1733500000, "amount_due": 12, "ProductCode": "x1",
           "meta": {"a": 1, "b": [1, 2]}, "created": "2024-05-01T10:00:00Z", "note": "n"}],
    "2": [{"id": 2, "ProductCode": "x2", "due_day": "2024-06-01"}],
    "3": [{"id": 3, "ProductCode": "x3", "updated": "2024-05-01T10:00:00Z", "later_day": "2024-07-01"}],
}

@dlt.source
def shop(step):
    if step == "1":
        dlt.current.source_schema().add_type_detection("iso_date")
    return dlt.resource(ROWS[step], name="orders")

step = sys.argv[1]
src = shop(step)
if step == "1":
    src.schema.add_type_detection("timestamp")
    src.schema.merge_hints({"partition": ["re:^day$"], "not_null": ["ProductCode"], "cluster": ["re:_code$"]})
    src.schema.update_preferred_types({"re:^amount": "double", "meta": "json"})
if step == "3":
    src.schema.remove_type_detection("iso_timestamp")
    src.schema.remove_type_detection("iso_date")
p = dlt.pipeline(pipeline_name="settings", destination="warehouse", dataset_name="settings_data")
p.run(src)
s = p.default_schema
for name, c in s.tables["orders"]["columns"].items():
    if not name.startswith("_dlt"):
        hints = sorted(k for k in ("partition", "cluster", "primary_key", "unique") if c.get(k))
        print(name, c["data_type"], "nullable" if c.get("nullable", True) else "not-null", *hints)
print("tables", sorted(t for t in s.tables if t.startswith("orders")))
print("detections", s.settings["detections"])
print("preferred", s.settings.get("preferred_types"))
print("partition", s.settings["default_hints"]["partition"], "not_null has", "product_code" in s.settings["default_hints"]["not_null"])
)PY";

TEST(PythonSchemaSettings, DetectionsHintsAndPreferredTypesShapeNewColumnsAndPersist) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "settings.py", kSettingsScript, {"1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "id bigint nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "day date nullable partition\n")) << r.out;              // iso_date, partition hint
  EXPECT_TRUE(Contains(r.out, "ts timestamp nullable\n")) << r.out;                    // timestamp detection
  EXPECT_TRUE(Contains(r.out, "amount_due double nullable\n")) << r.out;               // preferred type
  EXPECT_TRUE(Contains(r.out, "product_code text not-null cluster\n")) << r.out;       // normalized name, two hints
  EXPECT_TRUE(Contains(r.out, "meta json nullable\n")) << r.out;                       // kept whole
  EXPECT_TRUE(Contains(r.out, "created timestamp nullable\n")) << r.out;               // dlt's iso_timestamp still on
  EXPECT_TRUE(Contains(r.out, "note text nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "tables ['orders']\n")) << r.out;  // no orders__meta__b
  EXPECT_TRUE(Contains(r.out, "detections ['iso_timestamp', 'iso_date', 'timestamp']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "preferred {'re:^amount': 'double', 'meta': 'json'}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "partition ['re:^day$'] not_null has True\n")) << r.out;
  const auto db = w.Db();
  EXPECT_EQ(SqlValue(db, "SELECT day::VARCHAR || ' ' || ts::VARCHAR || ' ' || amount_due::VARCHAR || ' ' || "
                         "typeof(amount_due) || ' ' || (meta->>'a') FROM settings_data.orders"),
            "2024-05-01 2024-12-06 15:46:40+00 12.0 DOUBLE 1");
  EXPECT_EQ(SqlValue(db, "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'settings_data' "
                         "AND table_name = 'orders' AND column_name = 'product_code'"),
            "NO");

  // A later run of a source that edits nothing: the stored settings still apply.
  r = RunPythonSource(w, "settings.py", kSettingsScript, {"2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "due_day date nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detections ['iso_timestamp', 'iso_date', 'timestamp']\n")) << r.out;

  // Detections removed: new strings stay text.
  r = RunPythonSource(w, "settings.py", kSettingsScript, {"3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "updated text nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "later_day text nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detections []\n")) << r.out;
  EXPECT_EQ(CountRows(db, "settings_data.orders"), 3);
}

TEST(PythonSchemaSettings, BadSettingsAreRefusedNamingThemAndNothingIsLoaded) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt
from dlt.common.schema.exceptions import SchemaException
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.source
def bad():
    return dlt.resource([{"id": 1}], name="items")

src = bad()
for label, call in [("hint", lambda: src.schema.merge_hints({"bogus": ["id"]})),
                    ("type", lambda: src.schema.update_preferred_types({"id": "integer"})),
                    ("regex", lambda: src.schema.merge_hints({"partition": ["re:("]})),
                    ("detection", lambda: src.schema.add_type_detection("nope"))]:
    try:
        call()
    except (SchemaException, ValueError) as e:
        print(label, type(e).__name__, e)
# edited past the checks, as dlt allows through `schema.settings`: the engine refuses it
src.schema.settings["detections"].append("nope")
p = dlt.pipeline(pipeline_name="bad", destination="warehouse", dataset_name="bad_data")
try:
    p.run(src)
except PipelineStepFailed as e:
    print("failed at", e.step, "|", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "hint SchemaException In schema `bad`: unknown default hint `bogus`")) << r.out;
  EXPECT_TRUE(Contains(r.out, "type SchemaException In schema `bad`: preferred type of `id` is 'integer'")) << r.out;
  EXPECT_TRUE(Contains(r.out, "regex SchemaException In schema `bad`: default hint `partition`: `re:(` is not a valid regex")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detection ValueError unknown type detection 'nope'")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed at normalize |")) << r.out;
  EXPECT_TRUE(Contains(r.out, "unknown type detection `nope` (known: iso_timestamp, iso_date, timestamp, "
                              "large_integer, wei_to_double)"))
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(w.Db()) && SqlValue(w.Db(), "SELECT count(*) FROM information_schema.tables "
                                                                    "WHERE table_name = 'items'") != "0");
}

// The settings of an import schema file (dlt's "adjust a schema" walkthrough) go to the engine
// as a source's do: its preferred types and detections shape the new columns.
TEST(PythonSchemaSettings, AnImportSchemaFilesSettingsApply) {
  PipelineWorkspace w;
  w.Write("schemas/import/imp.schema.yaml", R"Y(name: imp
tables: {}
settings:
  detections:
  - iso_timestamp
  - iso_date
  preferred_types:
    re:_time$: timestamp
  default_hints:
    not_null:
    - id
)Y");
  auto r = RunPythonSource(w, "imp.py", R"PY(
import dlt

@dlt.resource
def games():
    yield [{"id": 1, "end_time": 1700000000, "day": "2024-05-01"}]

p = dlt.pipeline(pipeline_name="imp", destination="warehouse", dataset_name="imp_data",
                 import_schema_path="schemas/import")
p.run(games())
cols = p.default_schema.get_table_columns("games")
print({n: (c["data_type"], c.get("nullable", True)) for n, c in cols.items() if not n.startswith("_dlt")})
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "{'id': ('bigint', False), 'end_time': ('timestamp', True), 'day': ('date', True)}\n"))
      << r.out;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT end_time::VARCHAR || ' ' || day::VARCHAR FROM imp_data.games"),
            "2023-11-14 22:13:20+00 2024-05-01");
}

// dlt.Schema(...) given to run(schema=...): its edited settings apply, in the schema of its name.
TEST(PythonSchemaSettings, ASchemaObjectGivenToRunBringsItsSettings) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "given.py", R"PY(
import dlt
schema = dlt.Schema("custom")
schema.add_type_detection("iso_date")
schema.update_preferred_types({"amount": "decimal"})
p = dlt.pipeline(pipeline_name="given", destination="warehouse", dataset_name="given_data")
p.run([{"id": 1, "day": "2024-01-02", "amount": 5}], table_name="t", schema=schema)
cols = p.schemas["custom"].tables["t"]["columns"]
print(p.default_schema_name, {n: c["data_type"] for n, c in cols.items() if not n.startswith("_dlt")})
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "custom {'id': 'bigint', 'day': 'date', 'amount': 'decimal'}\n")) << r.out;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT day::VARCHAR || ' ' || amount::VARCHAR FROM given_data.t"), "2024-01-02 5.000000000");
}

#endif

}  // namespace
}  // namespace dlt::testing
