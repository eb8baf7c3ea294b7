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
    "4": [{"id": 4, "ProductCode": "x4", "updated2": "2024-05-01T10:00:00Z", "day4": "2024-07-01"}],
    "5": [{"id": 5, "ProductCode": "x5", "day5": "2024-07-01"}],
}

@dlt.source
def shop(step):
    if step == "1":
        dlt.current.source_schema().add_type_detection("iso_date")
    return dlt.resource(ROWS[step], name="orders")

step = sys.argv[1]
p = dlt.pipeline(pipeline_name="settings", destination="warehouse", dataset_name="settings_data")
if step in ("2", "5"):
    if step == "5":
        p.default_schema.add_type_detection("iso_date")  # dlt's live schema: the next run brings it
    p.run(dlt.resource(ROWS[step], name="orders"))  # resources alone: the stored settings stay
else:
    src = shop(step)
    if step == "1":
        src.schema.add_type_detection("timestamp")
        src.schema.merge_hints({"partition": ["re:^day$"], "not_null": ["ProductCode"], "cluster": ["re:_code$"]})
        src.schema.update_preferred_types({"re:^amount": "double", "meta": "json"})
    if step == "3":
        src.schema.remove_type_detection("iso_timestamp")
    p.run(src)
s = p.default_schema
for name, c in s.tables["orders"]["columns"].items():
    if not name.startswith("_dlt"):
        hints = sorted(k for k in ("partition", "cluster", "primary_key", "unique") if c.get(k))
        print(name, c["data_type"], "nullable" if c.get("nullable", True) else "not-null", *hints)
print("tables", sorted(t for t in s.tables if t.startswith("orders")))
print("detections", s.settings["detections"])
print("preferred", s.settings.get("preferred_types"))
print("partition", s.settings["default_hints"].get("partition"), "not_null has", "product_code" in s.settings["default_hints"]["not_null"])
)PY";

TEST(PythonSchemaSettings, DetectionsHintsAndPreferredTypesShapeNewColumnsAsDltsUpdateSchema) {
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

  // Resources run alone keep the stored settings.
  r = RunPythonSource(w, "settings.py", kSettingsScript, {"2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "due_day date nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detections ['iso_timestamp', 'iso_date', 'timestamp']\n")) << r.out;

  // A source's settings replace the stored ones (dlt's update_schema): detections removed leave
  // new strings text; the hints and preferred types not given again are gone.
  r = RunPythonSource(w, "settings.py", kSettingsScript, {"3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "updated text nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "later_day text nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detections []\npreferred {}\npartition None not_null has False\n")) << r.out;

  // A source that edits nothing brings dlt's defaults back.
  r = RunPythonSource(w, "settings.py", kSettingsScript, {"4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "updated2 timestamp nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "day4 text nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detections ['iso_timestamp']\n")) << r.out;

  // An edit of pipeline.default_schema goes with the next run of resources alone.
  r = RunPythonSource(w, "settings.py", kSettingsScript, {"5"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "day5 date nullable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "detections ['iso_timestamp', 'iso_date']\n")) << r.out;
  EXPECT_EQ(CountRows(db, "settings_data.orders"), 5);
}

// dlt's edge rules: a first value that does not fit its preferred type goes to a variant column
// (the column is made by the first value that fits); a primary_key default hint alone leaves
// the column nullable; a null for a new column under a not_null hint fails the normalize step,
// naming field, column and table, with nothing loaded.
TEST(PythonSchemaSettings, PreferredTypeVariantsKeyHintsAndNullsAsDlt) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "edge.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.source
def edge(rows):
    return dlt.resource(rows, name="items")

def run(rows, **edits):
    src = edge(rows)
    if "types" in edits:
        src.schema.update_preferred_types(edits["types"])
    if "hints" in edits:
        src.schema.merge_hints(edits["hints"])
    p.run(src)
    return {n: (c["data_type"], c.get("nullable", True), bool(c.get("primary_key")))
            for n, c in p.default_schema.tables["items"]["columns"].items() if not n.startswith("_dlt")}

p = dlt.pipeline(pipeline_name="edge", destination="warehouse", dataset_name="edge_data")
print(run([{"id": 1, "amount": "abc"}, {"id": 2, "amount": 7}], types={"amount": "bigint"},
          hints={"primary_key": ["id"]}))
try:
    run([{"id": 3, "code": None}], hints={"not_null": ["code"]})
except PipelineStepFailed as e:
    print("failed at", e.step, "|", e.exception)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "{'id': ('bigint', True, True), 'amount__v_text': ('text', True, False), "
                              "'amount': ('bigint', True, False)}\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "failed at normalize | items:1 (resource `items`): field `code` is null, but the "
                              "schema's not_null hint covers its new column `code` of table `items`"))
      << r.out;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(coalesce(amount::VARCHAR, '-') || '/' || coalesce(amount__v_text, '-'), "
                             "' ' ORDER BY id) FROM edge_data.items"),
            "-/abc 7/-");
  EXPECT_EQ(CountRows(w.Db(), "edge_data.items"), 2);
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
                    ("pyregex", lambda: src.schema.update_preferred_types({"re:(?i)date": "date"})),
                    ("detection", lambda: src.schema.add_type_detection("nope"))]:
    try:
        call()
    except (SchemaException, ValueError) as e:
        print(label, type(e).__name__, e)
# edited past the checks, as dlt allows through `schema.settings`: the engine refuses it at extract
src.schema.settings["detections"].append("nope")
p = dlt.pipeline(pipeline_name="bad", destination="warehouse", dataset_name="bad_data")
try:
    p.run(src)
except PipelineStepFailed as e:
    print("failed at", e.step, "|", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "hint SchemaException In schema `bad`: schema settings: unknown default hint `bogus`"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "type SchemaException In schema `bad`: schema settings: preferred type of `id` is "
                              "`integer`, which is not a dlt data type"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "regex SchemaException In schema `bad`: schema settings: `re:(` is not a valid regular "
                              "expression"))
      << r.out;
  // Python's own regex syntax that the engine's (ECMAScript) does not take is refused when edited
  EXPECT_TRUE(Contains(r.out, "pyregex SchemaException In schema `bad`: schema settings: `re:(?i)date` is not a "
                              "valid regular expression"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "detection ValueError unknown type detection 'nope'")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed at extract |")) << r.out;  // checked before anything is extracted
  EXPECT_TRUE(Contains(r.out, "resource `items`: schema settings: unknown type detection `nope` (known: iso_timestamp, iso_date, timestamp, "
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
  const char* script = R"PY(
import sys
import dlt

@dlt.resource
def games():
    yield [{"id": 1, "end_time": 1700000000, "day": "2024-05-01"}]

@dlt.resource(name="games")
def games_2():
    yield [{"id": 2, "end_time": 1700000001, "day": "2024-05-02", "day_2": "2024-05-03"}]

@dlt.source(name="imp")
def imp_source():
    return games_2

p = dlt.pipeline(pipeline_name="imp", destination="warehouse", dataset_name="imp_data",
                 import_schema_path="schemas/import")
# a resource alone, then a source of the schema's name (whose own settings are dlt's defaults)
p.run(games() if sys.argv[1] == "1" else imp_source())
cols = p.default_schema.get_table_columns("games")
print({n: (c["data_type"], c.get("nullable", True)) for n, c in cols.items() if not n.startswith("_dlt")})
print("detections", p.default_schema.settings["detections"])
)PY";
  auto r = RunPythonSource(w, "imp.py", script, {"1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "{'id': ('bigint', False), 'end_time': ('timestamp', True), 'day': ('date', True)}\n"))
      << r.out;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT end_time::VARCHAR || ' ' || day::VARCHAR FROM imp_data.games"),
            "2023-11-14 22:13:20+00 2024-05-01");
  // The file's settings go with every extract: a source's defaults do not replace them.
  r = RunPythonSource(w, "imp.py", script, {"2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "'day_2': ('date', True)}\ndetections ['iso_timestamp', 'iso_date']\n")) << r.out;
  EXPECT_EQ(CountRows(w.Db(), "imp_data.games"), 2);
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
