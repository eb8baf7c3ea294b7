// dlt's documented Python API on the native engine, each test a real script run by python3:
// sources with injected configuration and secrets, incremental loading with its state in the
// destination, transformers and item steps, the steps one at a time, SQL reads, drop(), and
// what a failing run raises and leaves behind.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(PythonApi, SourceArgumentsComeFromTheProfilesSecretsAndConfigWithDltsSections) {
  TempWorkspace w;
  w.WriteSecrets("[sources.shop]\napi_key = \"canary-KEY-7\"\n", "dev");
  w.WriteConfig("[sources.shop_source]\npage_size = 3\n");
  auto r = RunPythonSource(w, "shop.py", R"PY(
import dlt

@dlt.source
def shop_source(api_key: str = dlt.secrets.value, page_size: int = dlt.config.value, region="eu"):
    assert api_key == "canary-KEY-7", "the secret from dev.secrets.toml"
    @dlt.resource
    def orders():
        yield [{"id": i, "region": region} for i in range(page_size)]
    return orders

p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
print(p.run(shop_source()))
print(dlt.secrets["sources.shop.api_key"] == "canary-KEY-7", dlt.config["sources.shop_source.page_size"])
# an explicit argument wins
p.run(shop_source(api_key="canary-KEY-7", page_size=1, region="us"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "shop"), "SELECT count(*) FROM shop_data.orders WHERE region = 'eu'"), "3");
  EXPECT_EQ(SqlValue(DevDb(w, "shop"), "SELECT count(*) FROM shop_data.orders WHERE region = 'us'"), "1");
  EXPECT_TRUE(Contains(r.out, "True 3\n")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "canary-KEY-7"));
}

TEST(PythonApi, AMissingSecretRaisesConfigFieldMissingExceptionNamingEveryPlaceLookedAt) {
  TempWorkspace w;
  w.WriteSecrets("[sources.other]\napi_key = \"canary-NOT-THIS\"\n");
  auto r = RunPythonSource(w, "shop.py", R"PY(
import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException

@dlt.source
def shop_source(api_key: str = dlt.secrets.value):
    yield dlt.resource([{"id": 1}], name="orders")

try:
    shop_source()
except ConfigFieldMissingException as e:
    assert e.fields == ["api_key"], e.fields
    print(e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "Missing 1 field(s) in configuration `ShopSourceConfiguration`: `api_key`\n"
                              "for field `api_key` the following (config provider, key) were tried in order:\n"
                              "  (Environment Variables, SOURCES__SHOP__SHOP_SOURCE__API_KEY)\n"
                              "  (secrets.toml, sources.shop.shop_source.api_key)\n"
                              "  (Environment Variables, SOURCES__SHOP__API_KEY)\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "  (Environment Variables, API_KEY)\n  (secrets.toml, api_key)\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "(config.toml,")) << "a secret is never looked up in config.toml\n" << r.out;
  EXPECT_TRUE(Contains(r.out, "Active profile: `dev`")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Learn more: https://dlthub.com/docs/general-usage/credentials/")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "canary-NOT-THIS"));
}

TEST(PythonApi, IncrementalMergeLoadsOnlyNewRowsAndItsStateLivesInTheDestination) {
  TempWorkspace w;
  const char* script = R"PY(
import sys, dlt

ROWS = [{"id": i, "updated_at": f"2024-01-{i:02d}T00:00:00Z", "v": sys.argv[1]} for i in range(1, int(sys.argv[2]) + 1)]

@dlt.resource(primary_key="id", write_disposition="merge")
def items(updated_at=dlt.sources.incremental("updated_at", initial_value="2024-01-02T00:00:00Z")):
    print("last_value", updated_at.last_value)
    yield [r for r in ROWS if r["updated_at"] >= updated_at.last_value]

p = dlt.pipeline(pipeline_name="inc", destination="duckdb", dataset_name="inc_data")
p.run(items())
print("state", p.state["sources"]["inc"]["resources"]["items"]["incremental"]["updated_at"]["last_value"])
)PY";
  auto r = RunPythonSource(w, "inc.py", script, {"a", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "last_value 2024-01-02T00:00:00Z\n")) << r.out;  // initial_value
  EXPECT_TRUE(Contains(r.out, "state 2024-01-03T00:00:00Z\n")) << r.out;
  EXPECT_EQ(SqlColumn(DevDb(w, "inc"), "SELECT id FROM inc_data.items ORDER BY id"), (std::vector<std::string>{"2", "3"}));

  // The local folder is lost: the state comes back from the destination, nothing is duplicated.
  fs::remove_all(w.root() / ".dlt" / ".var");
  r = RunPython(w, "inc.py", {"b", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "last_value 2024-01-03T00:00:00Z\n")) << r.out;
  // Row 3 sits on the cursor's boundary and was loaded before: de-duplicated by its primary key,
  // as dlt does; rows 4 and 5 are new.
  EXPECT_EQ(SqlColumn(DevDb(w, "inc"), "SELECT id || v FROM inc_data.items ORDER BY id"),
            (std::vector<std::string>{"2a", "3a", "4b", "5b"}));
}

TEST(PythonApi, TransformersPipesAndItemStepsShapeWhatIsLoaded) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "t.py", R"PY(
import dlt

calls = []

@dlt.resource
def users():
    calls.append("users")
    yield [{"id": 1, "name": "ada"}, {"id": 2, "name": "bob"}]
    yield [{"id": 3, "name": "cy"}]

@dlt.transformer(data_from=users)
def user_details(page):
    for u in page:
        yield {"user_id": u["id"], "len": len(u["name"])}

@dlt.source
def crm():
    return users, user_details

p = dlt.pipeline(pipeline_name="crm", destination="duckdb", dataset_name="crm_data")
p.run(crm())
assert calls == ["users"], calls  # the parent is read once for itself and its transformer
p.run(users().add_map(lambda u: {**u, "name": u["name"].upper()}).add_filter(lambda u: u["id"] != 2).with_name("upper"))
p.run(users().add_limit(1).with_name("limited"))
p.run(crm().with_resources("users"), table_name="only_users")
p.run(users | user_details.with_name("piped"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = DevDb(w, "crm");
  EXPECT_EQ(CountRows(db, "crm_data.users"), 3);
  EXPECT_EQ(SqlColumn(db, "SELECT len FROM crm_data.user_details ORDER BY user_id"), (std::vector<std::string>{"3", "3", "2"}));
  EXPECT_EQ(SqlColumn(db, "SELECT name FROM crm_data.upper ORDER BY id"), (std::vector<std::string>{"ADA", "CY"}));
  EXPECT_EQ(CountRows(db, "crm_data.limited"), 2);  // one page
  EXPECT_EQ(CountRows(db, "crm_data.only_users"), 3);
  EXPECT_FALSE(TableExists(db, "crm_data", "only_users__user_details"));
  EXPECT_EQ(CountRows(db, "crm_data.piped"), 3);
}

TEST(PythonApi, StepsOneAtATimeAFailedLoadStaysPendingAndTheNextLoadTakesIt) {
  TempWorkspace w;
  // After normalize the DuckDB file's place is taken by a folder: the load fails; then it is freed.
  auto r = RunPythonSource(w, "steps.py", R"PY(
import os, shutil, dlt
from dlt.pipeline.exceptions import PipelineStepFailed

p = dlt.pipeline(pipeline_name="steps", destination="duckdb", dataset_name="steps_data")
ei = p.extract([{"id": 1}, {"id": 2}], table_name="t")
print("extracted", len(ei.load_packages), p.has_pending_data, p.list_extracted_load_packages() == ei.loads_ids)
ni = p.normalize()
print("normalized", ni.row_counts)
os.makedirs(os.path.join("_local", "dev", "steps.duckdb"))
try:
    p.load()
except PipelineStepFailed as e:
    print("failed at", e.step, e.load_id == ei.loads_ids[0], e.has_pending_data)
os.rmdir(os.path.join("_local", "dev", "steps.duckdb"))
li = p.load()
print("loaded", li.loads_ids == ei.loads_ids, li.load_packages[0].state, p.has_pending_data)
jobs = li.load_packages[0].jobs["completed_jobs"]
print(sorted(j.job_file_info.table_name for j in jobs))
print("job", all(os.path.isfile(j.file_path) and j.asdict()["job_id"] == j.job_file_info.job_id() and
                 j.job_file_info.file_name() == os.path.basename(j.file_path) for j in jobs))
print(p.load().loads_ids)  # nothing left
p.extract([{"id": 3}], table_name="t")
print("normalized again", p.normalize().row_counts)  # the state did not change: no row of it
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "extracted 1 True True\n")) << r.out;
  // The first run's state is new: its row is counted last, as dlt 1.26 prints it.
  EXPECT_TRUE(Contains(r.out, "normalized {'t': 2, '_dlt_pipeline_state': 1}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed at load True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded True loaded False\n['t']\njob True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\n[]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "normalized again {'t': 1}\n")) << r.out;
  EXPECT_EQ(CountRows(DevDb(w, "steps"), "steps_data.t"), 2);
}

TEST(PythonApi, SqlClientAndDatasetReadTypedValuesAndDropForgetsTheLocalState) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "sql.py", R"PY(
import os, dlt
from decimal import Decimal
p = dlt.pipeline(pipeline_name="sq", destination="duckdb", dataset_name="sq_data")
p.run([{"id": 1, "amount": 1.5, "ok": True, "name": "a"}, {"id": 2, "amount": 2.0, "ok": False, "name": None}],
      table_name="t", columns={"amount": {"data_type": "decimal", "precision": 10, "scale": 2}})
with p.sql_client() as c:
    rows = c.execute_sql("SELECT id, amount, ok, name FROM t WHERE id >= %s ORDER BY id", 1)
    print(rows)
    with c.execute_query("SELECT id FROM t ORDER BY id") as cur:
        print(cur.fetchone(), cur.fetchmany(5), cur.fetchall())
print(p.dataset().t.select("id").fetchall(), p.dataset()("SELECT sum(id) AS s FROM t").fetchone())
print(p.drop() is p, os.path.exists(p.working_dir))
print(p.state["sources"] if "sources" in p.state else "restored")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "[(1, Decimal('1.50'), True, 'a'), (2, Decimal('2.00'), False, None)]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "(1,) [(2,)] []\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[(1,), (2,)] (3,)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "True False\n")) << r.out;
}

TEST(PythonApi, AFrozenContractRaisesPipelineStepFailedWithDataValidationErrorAndLoadsNothingNew) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "c.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.common.schema.exceptions import DataValidationError

p = dlt.pipeline(pipeline_name="c", destination="duckdb", dataset_name="c_data")
p.run([{"id": 1}], table_name="t")
try:
    p.run([{"id": 2, "extra": "x"}], table_name="t", schema_contract="freeze")
except PipelineStepFailed as e:
    # as dlt: a contract violated at normalize fails the job (NormalizeJobFailed), whose
    # context is the DataValidationError (dlt's docs read e.__context__.__context__)
    print(e.step, type(e.exception).__name__, isinstance(e.exception.__context__, DataValidationError))
    print(e.exception)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "normalize NormalizeJobFailed True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "extra")) << r.out;
  EXPECT_EQ(CountRows(DevDb(w, "c"), "c_data.t"), 1);
}

// dlt's discard modes, in the steps of dlt's own tests/pipeline/test_schema_contracts.py: what
// each run adds to `items`, and whether the column or table it would have made is in the schema.
TEST(PythonApi, DiscardContractsDropRowsValuesAndNewTablesAsDltDoes) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "d.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="d", destination="duckdb", dataset_name="d_data")

def counts():
    with p.sql_client() as c:
        tables = c.execute_sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'd_data' "
                               "AND table_name NOT LIKE '_dlt%' ORDER BY 1")
        return {t: c.execute_sql(f"SELECT count(*) FROM d_data.{t}")[0][0] for (t,) in tables}

def rows(start, **extra):
    for i in range(start, start + 10):
        yield {"id": i, "some_int": 1, "name": f"item {i}", **extra}

columns = lambda: p.default_schema.tables["items"]["columns"]
p.run(dlt.resource(rows(0), name="items"))
print("first", counts())
p.run(dlt.resource(rows(10, new_col="x"), name="items", schema_contract={"columns": "discard_row"}))
print("columns discard_row", counts(), "new_col" in columns())
p.run(dlt.resource(rows(20, new_col="x"), name="items", schema_contract={"columns": "discard_value"}))
print("columns discard_value", counts(), "new_col" in columns())
p.run(dlt.resource(rows(30, some_int="hello"), name="items"), schema_contract={"data_type": "discard_row"})
print("data_type discard_row", counts(), "some_int__v_text" in columns())
p.run(dlt.resource(rows(40, sub_items=[{"id": 1}, {"id": 2}]), name="items", schema_contract={"tables": "discard_row"}))
print("tables discard_row", counts(), "items__sub_items" in p.default_schema.tables)
p.run(dlt.resource(rows(50), name="new_items", schema_contract="discard_value"))
print("new table", counts(), "new_items" in p.default_schema.tables)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "first {'items': 10}\n"
            "columns discard_row {'items': 10} False\n"
            "columns discard_value {'items': 20} False\n"
            "data_type discard_row {'items': 20} False\n"
            "tables discard_row {'items': 30} False\n"
            "new table {'items': 30} False\n");
}

// A destination given in code (`dlt.destinations.duckdb(path)`) is its pipeline's own: a later
// pipeline of the same process with destination="duckdb" loads into its default file.
// `first_run` as dlt keeps it: True until a load completed, False for a pipeline with state.
TEST(PythonApi, ADestinationGivenInCodeStaysWithItsPipelineAndFirstRunIsAsDlts) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "two.py", R"PY(
import os
import dlt
x = dlt.pipeline("x", destination=dlt.destinations.duckdb(os.path.abspath("explicit.duckdb")), dataset_name="xd")
print("first_run", x.first_run)
x.run([{"a": 1}], table_name="t")
print("first_run", x.first_run, dlt.pipeline("x", destination="duckdb", dataset_name="xd").first_run)
other = dlt.pipeline("other", destination="duckdb", dataset_name="od")
print(other.run([{"b": 2}], table_name="t").destination_displayable_credentials.endswith("/_local/dev/other.duckdb"))
print([k for k in os.environ if k.startswith("DESTINATION__")])
print(x.run([{"a": 2}], table_name="t").destination_displayable_credentials.endswith("/explicit.duckdb"))
with x.sql_client() as c:
    print(c.execute_sql("SELECT count(*) FROM xd.t"))
print(dlt.pipeline("d", destination="duckdb", dev_mode=True).first_run)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "first_run True\nfirst_run False False\nTrue\n[]\nTrue\n[(2,)]\nTrue\n");
  EXPECT_EQ(CountRows(DevDb(w, "other"), "od.t"), 1);
  EXPECT_EQ(CountRows(w.root() / "explicit.duckdb", "xd.t"), 2);
}

TEST(PythonApi, ADatasetNamedLikeItsDuckDbFileLoadsAndReadsBack) {
  // pipeline `shop` -> shop.duckdb; dataset `shop`: DuckDB would read `shop.t` as the catalog or
  // the schema, so every name carries the catalog.
  TempWorkspace w;
  auto r = RunPythonSource(w, "same.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop")
p.run([{"id": 1, "tags": ["a"]}], table_name="t", write_disposition="merge", primary_key="id")
p.run([{"id": 1, "tags": ["b", "c"]}, {"id": 2}], table_name="t", write_disposition="merge", primary_key="id")
print(sorted(p.dataset().t.select("id").fetchall()), p.dataset()("SELECT count(*) FROM t__tags").fetchone())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[(1,), (2,)] (2,)\n");
  EXPECT_EQ(CountRows(DevDb(w, "shop"), "shop.shop.t"), 2);
}

TEST(PythonApi, SwitchProfileGivesTheScriptAnotherProfilesConfigurationAndFolders) {
  TempWorkspace w;
  w.WriteConfig("[sources.s]\nregion = \"dev-region\"\n", "dev");
  w.WriteConfig("[sources.s]\nregion = \"tests-region\"\n", "tests");
  auto r = RunPythonSource(w, "sw.py", R"PY(
import dlt
ws = dlt.current.workspace()
print(ws.profile, dlt.config["sources.s.region"])
dlt.pipeline(pipeline_name="sw", destination="duckdb", dataset_name="sw_data").run([{"id": 1}], table_name="t")
ws.switch_profile("tests")
print(ws.profile, dlt.config["sources.s.region"], dlt.current.workspace().profile)
dlt.pipeline(pipeline_name="sw", destination="duckdb", dataset_name="sw_data").run([{"id": 2}], table_name="t")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find("\n", r.out.find("\n") + 1) + 1), "dev dev-region\ntests tests-region tests\n") << r.out;
  EXPECT_EQ(SqlValue(DevDb(w, "sw"), "SELECT max(id) FROM sw_data.t"), "1");
  EXPECT_EQ(SqlValue(w.root() / "_local" / "tests" / "sw.duckdb", "SELECT max(id) FROM sw_data.t"), "2");
  EXPECT_TRUE(Contains(r.err, "Profile `tests` is active.")) << r.err;
}

TEST(PythonApi, RefreshDropSourcesStartsEachRunFromEmptyTablesAndState) {
  TempWorkspace w;
  const char* script = R"PY(
import sys, dlt

@dlt.resource(write_disposition="append")
def events(cursor=dlt.sources.incremental("n", initial_value=0)):
    print("start", cursor.last_value)
    yield [{"n": i} for i in range(1, int(sys.argv[1]) + 1)]

@dlt.resource
def other():
    yield {"x": 1}

# As dlt's own rest_api template: refresh="drop_sources" on the pipeline
p = dlt.pipeline(pipeline_name="rf", destination="duckdb", dataset_name="rf_data", refresh=sys.argv[2] or None)
p.run([events(), other()] if sys.argv[3] == "both" else [events()])
)PY";
  auto r = RunPythonSource(w, "rf.py", script, {"3", "", "both"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = DevDb(w, "rf");
  EXPECT_EQ(CountRows(db, "rf_data.events"), 3);
  EXPECT_EQ(CountRows(db, "rf_data.other"), 1);
  r = RunPython(w, "rf.py", {"2", "drop_resources", "events"});  // only events' table and state
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "start 0\n")) << r.out;
  EXPECT_EQ(CountRows(db, "rf_data.events"), 2);
  EXPECT_EQ(CountRows(db, "rf_data.other"), 1);
  r = RunPython(w, "rf.py", {"4", "drop_sources", "events"});  // every table of the pipeline
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "start 0\n")) << r.out;
  EXPECT_EQ(CountRows(db, "rf_data.events"), 4);
  EXPECT_FALSE(TableExists(db, "rf_data", "other"));
}

TEST(PythonApi, RefreshDropDataEmptiesTheRunsTablesKeepsTheirColumnsAndResetsTheirState) {
  TempWorkspace w;
  const char* script = R"PY(
import sys, dlt

@dlt.resource
def events(cursor=dlt.sources.incremental("n", initial_value=0)):
    print("start", cursor.last_value)
    yield [{"n": i, **({"extra": "x"} if sys.argv[2] == "" else {})} for i in range(1, int(sys.argv[1]) + 1)]

@dlt.resource
def other():
    yield {"x": 1}

p = dlt.pipeline(pipeline_name="dd", destination="duckdb", dataset_name="dd_data")
p.run([events(), other()] if sys.argv[2] == "" else [events()], refresh=sys.argv[2] or None)
)PY";
  auto r = RunPythonSource(w, "dd.py", script, {"3", ""});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = DevDb(w, "dd");
  ASSERT_EQ(CountRows(db, "dd_data.events"), 3);
  r = RunPython(w, "dd.py", {"2", "drop_data"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "start 0\n")) << "the cursor starts over\n" << r.out;
  EXPECT_EQ(SqlColumn(db, "SELECT n || ':' || coalesce(extra, '-') FROM dd_data.events ORDER BY n"),
            (std::vector<std::string>{"1:-", "2:-"}))
      << "only the new rows, in the table that kept its `extra` column";
  EXPECT_EQ(CountRows(db, "dd_data.other"), 1) << "a resource not in the run keeps its data";
}

// Defect: refresh= dropped or emptied the destination's tables before the extract, so a run
// whose resource then failed (or an extract whose package was discarded) lost the data. As dlt,
// the extract resets the state and the load of its package drops or empties the tables: nothing
// changes in the destination unless the extract and normalize succeed.
TEST(PythonApi, RefreshChangesNothingInTheDestinationWhenTheRunFailsBeforeItsLoad) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "rfail.py", R"PY(
import sys, dlt

@dlt.source
def src(fail=False):
    @dlt.resource
    def a(cursor=dlt.sources.incremental("id", initial_value=0)):
        yield [{"id": 1}, {"id": 2}]
        if fail:
            raise RuntimeError("boom")

    @dlt.resource
    def b():
        yield [{"x": 1}]

    return a, b

p = dlt.pipeline(pipeline_name="rfail", destination="duckdb", dataset_name="rfail_data")
mode = sys.argv[1]
if mode == "first":
    p.run(src())
elif mode == "extract":
    p.extract(src(), refresh="drop_sources")
    p.drop_pending_packages()
else:
    try:
        p.run(src(fail=True), refresh=mode)
    except Exception as e:
        print("failed", type(e).__name__)
with p.sql_client() as c:
    print("rows", c.execute_sql("SELECT count(*) FROM a")[0][0], c.execute_sql("SELECT count(*) FROM b")[0][0])
print("cursor", p.state["sources"]["src"]["resources"].get("a", {}).get("incremental", {}).get("id", {}).get("last_value"))
)PY", {"first"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "rows 2 1\ncursor 2\n");
  for (const char* mode : {"drop_sources", "drop_resources", "drop_data"}) {
    r = RunPython(w, "rfail.py", {mode});
    ASSERT_EQ(r.exit_code, 0) << mode << "\n" << r.out << r.err;
    EXPECT_EQ(r.out, "failed PipelineStepFailed\nrows 2 1\ncursor 2\n") << mode;
  }
  r = RunPython(w, "rfail.py", {"extract"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "rows 2 1\n")) << r.out;
}

// dlt's running.md ("Inspect and save the load info and trace"), verbatim: the load info and the
// trace load into tables of their own, and each package's asdict() lists the tables it updated.
// Before, both were refused as not JSON serializable, and LoadPackageInfo had no asdict().
TEST(PythonApi, TheLoadInfoAndTheTraceLoadIntoTablesAsDltsRunningPageShows) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "li.py", R"PY(
import dlt
pipeline = dlt.pipeline(pipeline_name="li", destination="duckdb", dataset_name="li_data")
load_info = pipeline.run([{"id": 1, "name": "a"}], table_name="t")
table_updates = [p.asdict()["tables"] for p in load_info.load_packages]
t = [u for u in table_updates[0] if u["name"] == "t"][0]
print("updated", sorted(c["name"] for c in t["columns"]), t["load_id"] == load_info.loads_ids[0],
      load_info.load_packages[0].asdict()["schema_hash"] is not None)
job = load_info.load_packages[0].jobs["completed_jobs"][0]
print("job timed", job.created_at is not None and job.elapsed >= 0, "Started on: None" not in job.asstr())
pipeline.run([load_info], table_name="_load_info")
pipeline.run([pipeline.last_trace], table_name="_trace")
ds = pipeline.dataset()
print("load_info", ds._load_info.select("pipeline__pipeline_name", "dataset_name").fetchall())
print("trace", len(ds._trace.fetchall()))
dev = dlt.pipeline(pipeline_name="li_dev", destination="duckdb", dataset_name="dev_", dev_mode=True)
print("dev", dev.dataset_name.startswith("dev_2"), "__" in dev.dataset_name)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "updated ['_dlt_id', '_dlt_load_id', 'id', 'name'] True True\njob timed True True\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "load_info [('li', 'li_data')]\ntrace 1\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "dev True False\n")) << r.out;
}

// Defect: a row that brings its own _dlt_id (rows dlt wrote, loaded again) failed the normalize
// ("already set"). As dlt's normalizer: the row keeps a truthy one, and its nested rows hang off
// it; an empty or zero one gets a new id. The column stays the system column, with its hints (an
// scd2 table's row version included, so its load works).
TEST(PythonApi, ARowsOwnDltIdIsKeptAndItsNestedRowsPointToIt) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "ownid.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="ownid", destination="duckdb", dataset_name="ownid_data")
p.run([{"_dlt_id": "keepme1", "x": 1, "kids": [{"k": 1}, {"k": 2}]}, {"x": 2, "kids": [{"k": 3}]}], table_name="t")
with p.sql_client() as c:
    print(c.execute_sql("SELECT x, _dlt_id = 'keepme1', length(_dlt_id) FROM t ORDER BY x"))
    print(c.execute_sql("SELECT k.k, k._dlt_parent_id = t._dlt_id, t.x FROM t__kids k JOIN t ON k._dlt_parent_id = t._dlt_id ORDER BY k.k"))
p.run([{"_dlt_id": "", "x": 3}, {"_dlt_id": 0, "x": 4}], table_name="t")
scd2 = {"disposition": "merge", "strategy": "scd2"}
p.run([{"_dlt_id": "s1", "id": 1, "v": 1}], table_name="s", write_disposition=scd2)
p.run([{"id": 2, "v": 1}], table_name="s", write_disposition=scd2)
with p.sql_client() as c:
    print(c.execute_sql("SELECT x, length(_dlt_id) FROM t WHERE x > 2 ORDER BY x"))
    print(c.execute_sql("SELECT id, _dlt_id = 's1' FROM s ORDER BY id"), p.has_pending_data)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[(1, True, 7), (2, False, 14)]\n[(1, True, 1), (2, True, 1), (3, True, 2)]\n"
                   "[(3, 14), (4, 14)]\n[(1, True), (2, False)] False\n");
}

TEST(PythonApi, RunHintsMergeKeyReplacesEveryRowOfAKeyValue) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "mk.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="mk", destination="duckdb", dataset_name="mk_data")
p.run([{"day": 1, "v": "a"}, {"day": 1, "v": "b"}, {"day": 2, "v": "x"}], table_name="t",
      write_disposition="merge", merge_key="day")
print(p.dataset()("SELECT day, v FROM t ORDER BY day, v").fetchall())
p.run([{"day": 1, "v": "c"}, {"day": 1, "v": "d"}], table_name="t", write_disposition="merge", merge_key="day")
print(p.dataset()("SELECT day, v FROM t ORDER BY day, v").fetchall())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[(1, 'a'), (1, 'b'), (2, 'x')]\n[(1, 'c'), (1, 'd'), (2, 'x')]\n");
}

TEST(PythonApi, DevModeLoadsIntoAFreshDatasetEachTime) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "dev.py", R"PY(
import dlt, time
a = dlt.pipeline(pipeline_name="dm", destination="duckdb", dataset_name="dm_data", dev_mode=True)
a.run([{"id": 1}], table_name="t")
time.sleep(1.1)
b = dlt.pipeline(pipeline_name="dm", destination="duckdb", dataset_name="dm_data", dev_mode=True)
b.run([{"id": 1}], table_name="t")
print(a.dataset_name != b.dataset_name, a.dataset_name.startswith("dm_data_"), len(b.dataset().t.fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "True True 1\n");
}

}  // namespace
}  // namespace dlt::testing
