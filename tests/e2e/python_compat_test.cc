// dlt behaviours its docs teach, from Python: the exception chain of a failed step
// (`e.__context__`), the schema update of each loaded package, the incremental's
// start_out_of_range / end_out_of_range / can_close() and row_order, the printed trace, a
// resource name made from the call's arguments, dlt.current.source_schema(),
// add_limit(count_rows=True), and dlt's exception and typing modules.
#include <gtest/gtest.h>

#include <regex>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonCompat, AFailedStepCarriesItsCauseAsContextAsDltsDocsReadIt) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "ctx.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.extract.exceptions import ResourceExtractionError
from dlt.normalize.exceptions import NormalizeJobFailed
from dlt.common.schema.exceptions import DataValidationError
from dlt.extract.incremental.exceptions import IncrementalCursorPathMissing, IncrementalCursorPathHasValueNone

p = dlt.pipeline(pipeline_name="ctx", destination="duckdb", dataset_name="ctx_data")

@dlt.resource
def events():
    yield {"id": 1}
    raise ValueError("the API said 500")

try:
    raise KeyError("handled by the caller")
except KeyError:
    try:
        p.run(events())  # run inside an except block: the context is still the step's cause
    except PipelineStepFailed as e:
        c = e.__context__
        print("extract", type(c).__name__, e.__cause__ is c, c.pipe_name, c.kind, c.func_name)
        print("user", type(c.__context__).__name__, c.__context__, c.__cause__ is c.__context__)

p.run([{"id": 1}], table_name="t")
try:
    p.run([{"id": 2, "extra": "x"}], table_name="t", schema_contract="freeze")
except PipelineStepFailed as e:
    job = e.__context__
    dve = job.__context__
    print("normalize", e.step, type(job).__name__, isinstance(dve, DataValidationError), job.load_id == e.load_id)
    print("contract", dve.schema_name, dve.table_name, dve.column_name, dve.schema_entity, dve.contract_mode)

@dlt.resource
def no_cursor(updated=dlt.sources.incremental("updated")):
    yield [{"id": 1, "updated": 1}, {"id": 2}]

try:
    p.run(no_cursor())
except PipelineStepFailed as e:
    print("cursor", type(e.__context__).__name__, e.__context__.json_path)

@dlt.resource
def none_cursor(updated=dlt.sources.incremental("updated", lag=1)):
    yield [{"id": 1, "updated": None}]

try:
    p.run(none_cursor())
except PipelineStepFailed as e:
    print("none", type(e.__context__).__name__, e.__context__.pipe_name)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "extract ResourceExtractionError True events generator events\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "user ValueError the API said 500 True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "normalize normalize NormalizeJobFailed True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "contract ctx t extra columns freeze\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "cursor IncrementalCursorPathMissing updated\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "none IncrementalCursorPathHasValueNone none_cursor\n")) << r.out;
  EXPECT_EQ(CountRows(DevDb(w, "ctx"), "ctx_data.t"), 1);
}

TEST(PythonCompat, EachLoadedPackageReportsTheTablesAndColumnsItAddedAsSchemaUpdate) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "alert.py", R"PY(
import dlt

p = dlt.pipeline(pipeline_name="alert", destination="duckdb", dataset_name="alert_data")

def alerts(info):
    out = []
    for package in info.load_packages:
        for table_name, table in package.schema_update.items():
            for column_name, column in table["columns"].items():
                out.append(f"{table_name}.{column_name}:{column['data_type']}")
    return sorted(c for c in out if not c.startswith("_dlt_"))

print("first", alerts(p.run([{"id": 1, "name": "a"}], table_name="users")))
print("second", alerts(p.run([{"id": 2, "name": "b", "score": 1.5, "tags": ["x"]}], table_name="users")))
print("third", alerts(p.run([{"id": 3, "name": "c"}], table_name="users")))
info = p.run([{"id": 4, "email": "d@x"}], table_name="users")
print("names", info.load_packages[0].schema_update["users"]["name"], list(info.load_packages[0].schema_update))
print(info.load_packages[0].asstr().splitlines()[0].split(" state. ")[1])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "first ['users._dlt_id:text', 'users._dlt_load_id:text', 'users.id:bigint', "
                              "'users.name:text']\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "second ['users.score:double', 'users__tags._dlt_id:text', "
                              "'users__tags._dlt_list_idx:bigint', 'users__tags._dlt_parent_id:text', "
                              "'users__tags.value:text']\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "third []\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "names users ['users']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "It updated schema for 1 tables.")) << r.out;
}

TEST(PythonCompat, IncrementalRangeFlagsFollowTheRowsTheGeneratorYields) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "range.py", R"PY(
import dlt

p = dlt.pipeline(pipeline_name="rng", destination="duckdb", dataset_name="rng_data")

def desc_pages(*tops):
    return [[{"id": i, "ts": i} for i in range(top, top - 3, -1)] for top in tops]

PAGES = desc_pages(30, 27, 24)
read = []

@dlt.resource(primary_key="id", name="events")
def events(ts=dlt.sources.incremental("ts", initial_value=0)):
    for n, page in enumerate(PAGES):
        read.append(n)
        yield page
        print("page", n, ts.start_out_of_range, ts.end_out_of_range, ts.can_close())
        if ts.start_out_of_range:
            break

p.run(events())
PAGES, read = desc_pages(36, 33, 30, 27), []   # 30 was loaded: at the start value and seen before
p.run(events())
print("read", read)

@dlt.resource(primary_key="id", name="events")
def by_order(ts=dlt.sources.incremental("ts", initial_value=0, row_order="desc")):
    for n, page in enumerate(PAGES):
        read.append(n)
        yield page

PAGES, read = desc_pages(42, 39, 36, 33, 30), []
p.run(by_order())
print("row_order read", read)
print("rows", len(p.dataset().events.fetchall()))

@dlt.resource(name="backfill")
def backfill(ts=dlt.sources.incremental("ts", initial_value=0, end_value=10, row_order="asc")):
    for n in range(0, 30, 3):
        read.append(n)
        yield [{"ts": n}, {"ts": n + 1}, {"ts": n + 2}]

read = []
p.run(backfill())
print("asc read", read, sorted(t for (t,) in p.dataset().backfill.select("ts").fetchall()))

@dlt.resource(name="manual")
def manual(ts=dlt.sources.incremental("ts", initial_value=0, end_value=7, range_end="closed")):
    for n in range(0, 30, 3):
        read.append(n)
        yield [{"ts": n}, {"ts": n + 1}, {"ts": n + 2}]
        if ts.end_out_of_range:
            return

read = []
p.run(manual())
print("manual read", read, max(t for (t,) in p.dataset().manual.select("ts").fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // first run: every row is past the initial value
  EXPECT_TRUE(Contains(r.out, "page 0 False False False\npage 1 False False False\npage 2 False False False\n"))
      << r.out;
  // second run: the start is 30 (loaded before, so at it is out of range), 29 is before it
  EXPECT_TRUE(Contains(r.out, "page 1 False False False\npage 2 True False False\nread [0, 1, 2]\n")) << r.out;
  // row_order="desc": the generator is closed after the page that reached the start (36..34)
  EXPECT_TRUE(Contains(r.out, "row_order read [0, 1, 2]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rows 21\n")) << r.out;  // 30..22, then 36..31, then 42..37
  EXPECT_TRUE(Contains(r.out, "asc read [0, 3, 6, 9] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "manual read [0, 3, 6] 7\n")) << r.out;
}

TEST(PythonCompat, LastTracePrintsAsDltsTraceAndAFailedRunSaysFailed) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "trace.py", R"PY(
import dlt

p = dlt.pipeline(pipeline_name="tr", destination="duckdb", dataset_name="tr_data")
p.run([{"id": 1}], table_name="t")
print(p.last_trace)
print("STEPS", [s.step for s in p.last_trace.steps], p.last_trace.last_normalize_info.row_counts)

@dlt.resource
def broken():
    yield {"id": 1}
    raise RuntimeError("gone")

try:
    p.run(broken())
except Exception:
    pass
print(p.last_trace)
print("FAILED STEPS", [(s.step, s.step_exception is not None) for s in p.last_trace.steps])

p.extract([{"id": 2}], table_name="t")
p.normalize()
p.load()
print("MERGED", [s.step for s in p.last_trace.steps], str(p.last_trace).splitlines()[0].split(" and ")[1])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string& out = r.out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(^Run started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00 and )"
                                                R"(COMPLETED in [\d.]+ seconds? with 4 steps\.\n)")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nStep extract COMPLETED in [\d.]+ seconds?\.\n\n)"
                                                R"(Load package \d+\.\d+ is EXTRACTED and NOT YET LOADED to the )"
                                                R"(destination and contains no failed jobs\n)")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nStep normalize COMPLETED in [^\n]+\.\nNormalized data for the )"
                                                R"(following tables:\n- t: 1 row\(s\)\n)")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nStep load COMPLETED in [^\n]+\.\nPipeline tr load step )"
                                                R"(completed in [^\n]+\n1 load package\(s\) were loaded to )"
                                                R"(destination duckdb and into dataset tr_data\n)")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nStep run COMPLETED in [^\n]+\.\nPipeline tr load step)"))) << out;
  EXPECT_TRUE(Contains(out, "STEPS ['extract', 'normalize', 'load', 'run'] {'t': 1, '_dlt_pipeline_state': 1}\n")) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\nRun started at [^\n]+ and FAILED in [^\n]+ with 2 steps\.\n)"
                                                R"(Step extract FAILED in [^\n]+\.\nFailed due to: Pipeline )"
                                                R"(execution failed at `step=extract` with exception:)")))
      << out;
  EXPECT_TRUE(Contains(out, "\nStep run FAILED in ")) << out;
  EXPECT_TRUE(Contains(out, "caused an exception: gone\n")) << out;
  EXPECT_TRUE(Contains(out, "FAILED STEPS [('extract', True), ('run', True)]\n")) << out;
  // extract(), normalize() and load() one at a time: each trace of one step joins the last trace,
  // as dlt merges them (here the failed run's)
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(MERGED \['extract', 'run', 'extract', 'normalize', 'load'\] )"
                                                R"(COMPLETED in [^\n]+ with 5 steps\.\n)")))
      << out;
}

TEST(PythonCompat, AResourceNamedByItsArgumentsSourceSchemaAndAddLimitCountingRows) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "named.py", R"PY(
import dlt
from dlt.extract.exceptions import CurrentSourceSchemaNotAvailable

@dlt.resource(name=lambda args: args["stream_name"])
def kinesis(stream_name: str, shards=2):
    yield [{"shard": i} for i in range(shards)]

stream = kinesis("telemetry_stream")
print("name", stream.name, kinesis.name)

@dlt.transformer(name=lambda args: "enriched_" + args["kind"])
def enrich(item, kind):
    yield {**item, "kind": kind}

print("transformer", (stream | enrich(kind="gps")).name)

try:
    dlt.current.source_schema()
except CurrentSourceSchemaNotAvailable as e:
    print("outside", type(e).__name__)

@dlt.source
def crm():
    print("in source", dlt.current.source_schema().name)

    @dlt.resource
    def deals():
        schema = dlt.current.source_schema()
        print("in resource", schema.name, "deals" in schema.tables)
        yield {"id": 1}

    return deals

p = dlt.pipeline(pipeline_name="nm", destination="duckdb", dataset_name="nm_data")
p.run(stream)
p.run(crm())
p.run(crm())

@dlt.resource
def pages():
    yield []
    yield [{"n": 1}, {"n": 2}]
    yield [{"n": 3}, {"n": 4}, {"n": 5}]
    yield [{"n": 6}]

p.run(pages().add_limit(3, count_rows=True))
p.run(pages().add_limit(1).add_limit(2), table_name="pages_by_yield")
print("by rows", sorted(n for (n,) in p.dataset().pages.select("n").fetchall()))
print("by yields", sorted(n for (n,) in p.dataset().pages_by_yield.select("n").fetchall()))
print("dataset", isinstance(p.dataset(), dlt.Dataset), dlt.Relation.__name__)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "name telemetry_stream kinesis\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "transformer enriched_gps\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "outside CurrentSourceSchemaNotAvailable\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "in source crm\nin resource crm False\nin source crm\nin resource crm True\n")) << r.out;
  EXPECT_EQ(CountRows(DevDb(w, "nm"), "nm_data.telemetry_stream"), 2);
  // count_rows: the empty page counts nothing, the page that reaches 3 rows is kept whole
  EXPECT_TRUE(Contains(r.out, "by rows [1, 2, 3, 4, 5]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "by yields [1, 2]\n")) << r.out;  // the later limit replaced the first
  EXPECT_TRUE(Contains(r.out, "dataset True Relation\n")) << r.out;
}

TEST(PythonCompat, DltsExceptionAndTypingModulesHoldTheClassesTheEngineRaises) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "mods.py", R"PY(
import dlt
from dlt.common.exceptions import TerminalException, TransientException
import dlt.common.destination.exceptions as common_dest
from dlt.destinations.exceptions import (DatabaseUndefinedRelation, DatabaseTerminalException,
                                         DestinationConnectionError)
from dlt.destinations.sql_client import DatabaseUndefinedRelation as ClientUndefined
from dlt.common.schema.exceptions import TableNotFound, SchemaException
from dlt.common.schema.typing import TTableSchema, TColumnSchema, TWriteDisposition, TSchemaTables
from dlt.extract.incremental.exceptions import IncrementalCursorPathMissing
from dlt.extract.exceptions import PipeException, DltSourceException, DltResourceException

print("same", DestinationConnectionError is common_dest.DestinationConnectionError, ClientUndefined is DatabaseUndefinedRelation)
print("bases", issubclass(DatabaseUndefinedRelation, TerminalException),
      issubclass(DestinationConnectionError, TransientException), issubclass(TableNotFound, KeyError),
      issubclass(IncrementalCursorPathMissing, PipeException), issubclass(DltResourceException, DltSourceException))

p = dlt.pipeline(pipeline_name="mods", destination="duckdb", dataset_name="mods_data")
p.run([{"id": 1}], table_name="t")
with p.sql_client() as client:
    try:
        client.execute_sql("SELECT * FROM missing_table")
    except DatabaseUndefinedRelation as e:
        print("sql", type(e).__name__, isinstance(e, DatabaseTerminalException) or isinstance(e, TerminalException))
try:
    p.default_schema.get_table("missing_table")
except TableNotFound as e:
    print("schema", e.table_name, e.schema_name, str(e))
table: TTableSchema = p.default_schema.get_table("t")
print("typed", sorted(TTableSchema.__annotations__)[:3], "data_type" in TColumnSchema.__annotations__)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "same True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "bases True True True True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sql DatabaseUndefinedRelation True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "schema missing_table mods In schema `mods`: Table not found: `missing_table`\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "typed ['columns', 'description', 'file_format'] True\n")) << r.out;
}

// dlt's [schema] naming: its five conventions name the tables and columns as dlt names them; a
// custom naming module is refused, not ignored. A case-sensitive convention whose names differ
// only by case stops the load on DuckDB (case-insensitive) with dlt's collision error, before
// anything is written, and keeps the package.
TEST(PythonCompat, DltsNamingConventionsNameTablesAndColumnsAndCustomOnesAreRefused) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "naming.py", R"PY(
import os, dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.common.schema.exceptions import SchemaIdentifierNormalizationCollision
rows = [{"Some Key": 1, "userId": "a", "1st": True, "items": [{"Sub Key": 2}]}]
def show(p):
    with p.sql_client() as c:
        tables = [t for (t,) in c.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + p.dataset_name +
            "' AND table_name NOT LIKE '_dlt%' ORDER BY table_name")]
        for t in tables:
            cols = [n for (n,) in c.execute_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = '" + p.dataset_name +
                "' AND table_name = '" + t + "' AND column_name NOT LIKE '_dlt%' ORDER BY ordinal_position")]
            print(" ", repr(t), cols)
for naming in ("snake_case", "direct", "sql_cs_v1", "sql_ci_v1", "duck_case"):
    os.environ["SCHEMA__NAMING"] = naming
    p = dlt.pipeline(pipeline_name="nm_" + naming, destination="duckdb", dataset_name="nm_" + naming + "_data")
    p.run(rows, table_name="My Table")
    print(naming, p.default_schema.to_dict()["normalizers"]["names"])
    show(p)
os.environ["SCHEMA__NAMING"] = "sql_cs_v1"
p = dlt.pipeline(pipeline_name="nm_sql_cs_v1", destination="duckdb", dataset_name="nm_sql_cs_v1_data")
try:
    p.run([{"Name": "a", "name": "b"}], table_name="people")
except PipelineStepFailed as e:
    c = e.__context__
    print(e.step, type(c).__name__, isinstance(c, SchemaIdentifierNormalizationCollision), c.identifier_type,
          c.identifier_name, c.conflict_identifier_name, c.table_name, c.naming_name)
    print(str(c).split(". Destination")[0])
print("pending", p.has_pending_data)
show(p)
os.environ["SCHEMA__NAMING"] = "my_package.my_naming"
try:
    dlt.pipeline(pipeline_name="nm", destination="duckdb", dataset_name="nm_data")
except NotImplementedError as e:
    print("refused", "`my_package.my_naming`" in str(e), "sql_cs_v1" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string tri = "\xE2\x96\xB6";
  EXPECT_EQ(r.out,
            "snake_case snake_case\n"
            "  'my_table' ['some_key', 'user_id', '_1st']\n"
            "  'my_table__items' ['sub_key']\n"
            "direct direct\n"
            "  'My Table' ['Some Key', 'userId', '1st']\n"
            "  'My Table" + tri + "items' ['Sub Key']\n"
            "sql_cs_v1 sql_cs_v1\n"
            "  'My_Table' ['Some_Key', 'userId', '_1st']\n"
            "  'My_Table__items' ['Sub_Key']\n"
            "sql_ci_v1 sql_ci_v1\n"
            "  'my_table' ['some_key', 'userid', '_1st']\n"
            "  'my_table__items' ['sub_key']\n"
            "duck_case duck_case\n"
            "  'My Table' ['Some Key', 'userId', '1st']\n"
            "  'My Table__items' ['Sub Key']\n"
            "load SchemaIdentifierNormalizationCollision True column name Name people sql_cs_v1\n"
            "In schema `nm_sql_cs_v1`: A `column` name `name` in table `people` collides with `Name` after "
            "normalization with `sql_cs_v1` naming convention\n"
            "pending True\n"
            "  'My_Table' ['Some_Key', 'userId', '_1st']\n"
            "  'My_Table__items' ['Sub_Key']\n"
            "refused True True\n")
      << r.out;
}

}  // namespace
}  // namespace dlt::testing
