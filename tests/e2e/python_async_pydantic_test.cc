// dlt behaviours its docs teach, from Python: async resources and transformers, dlt.defer and
// parallelized transformers; Pydantic models as `columns` (types and validation);
// pipeline.dataset(schema=...); the import/export schema files of the "adjust a schema" walkthrough.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// A Python 3.11 that has pydantic 2, as an absolute path: Debian's python3 (the one the package
// is built for) when it has it, else the python3 on the test's PATH (the same ABI, so the native
// module loads in it); empty when neither has it (Debian 12 packages only pydantic 1).
std::string PythonWithPydantic2() {
  const std::string probe = "import sys, pydantic; print(sys.executable if sys.version_info[:2] == (3, 11) and "
                            "pydantic.VERSION.startswith('2.') else '')";
  std::map<std::string, std::string> env;
  for (const char* k : {"HOME", "PATH", "PYENV_ROOT", "PYENV_VERSION"}) if (const char* v = std::getenv(k)) env[k] = v;
  for (const std::string& py : {std::string(DLT_PYTHON), std::string("python3")}) {
    auto r = Run({"/bin/sh", "-c", "exec \"$0\" -c \"$1\"", py, probe}, std::filesystem::temp_directory_path(), env);
    std::string exe = r.out.substr(0, r.out.find('\n'));
    if (r.exit_code == 0 && !exe.empty()) return exe;
  }
  return "";
}

// Runs `source` as `name` in the workspace with the interpreter `python` and this build's package.
RunResult RunWith(const std::string& python, const TempWorkspace& w, const std::string& name,
                  const std::string& source) {
  w.Write(name, source);
  std::map<std::string, std::string> env = w.env();
  env["PYTHONPATH"] = DLT_PYTHON_PATH;
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  return Run({python, name}, w.root(), env);
}

// Counts the calls running at once (`most`): how many awaitables or deferred calls overlapped.
const char* kTrack = R"PY(
import asyncio, contextlib, threading, time
import dlt
running, most, lock = 0, 0, threading.Lock()

@contextlib.contextmanager
def track():
    global running, most
    with lock:
        running, most = running + 1, max(most, running + 1)
    yield
    with lock:
        running -= 1
)PY";

TEST(PythonAsyncPydantic, AsyncResourcesAndTransformersYieldAwaitedItems) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "asy.py", std::string(kTrack) + R"PY(
import itertools
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.transformer
async def pokemon(id):
    with track():
        await asyncio.sleep(0.05)
    return {"id": id, "name": f"p{id}"}

print("pipe", sorted((d["id"], d["name"]) for d in list([1, 2] | pokemon())), most > 1)

@dlt.resource
async def a_list_items(start, limit):
    for index in range(start, start + limit):
        await asyncio.sleep(0.001)
        yield index

@dlt.transformer(data_from=a_list_items(0, 3))
async def pages(item_id):
    for k in range(2):
        await asyncio.sleep(0.001)
        yield {"item": item_id, "k": k}

print("async gen transformer", sorted((d["item"], d["k"]) for d in pages))

async def fetch(i):
    await asyncio.sleep(0.001)
    return {"i": i}

print("sync awaitables", sorted(d["i"] for d in dlt.resource((fetch(i) for i in range(4)), name="aw")))

@dlt.defer
def details(i):
    with track():
        time.sleep(0.05)
    return {"i": i}

most = 0
print("defer", sorted(d["i"] for d in dlt.resource((details(i) for i in range(8)), name="d")), most > 1)

@dlt.transformer(parallelized=True)
def get_user_details(user_id):
    with track():
        time.sleep(0.05)
    return {"entity": "user", "id": user_id}

most = 0
print("parallelized", sorted(d["id"] for d in range(1, 9) | get_user_details()), most > 1)

@dlt.resource(primary_key="id")
async def users(updated=dlt.sources.incremental("updated", initial_value=0)):
    for i in range(1, 6):
        await asyncio.sleep(0.001)
        yield {"id": i, "updated": i}

@dlt.transformer(data_from=users)
async def user_details(user):
    await asyncio.sleep(0.001)
    return {"user_id": user["id"], "double": user["id"] * 2}

p = dlt.pipeline(pipeline_name="asy", destination="duckdb", dataset_name="asy_data")
p.run([users(), user_details])
print("loaded", sorted(p.dataset().user_details.select("user_id", "double").fetchall()))
print("cursor", p.state["sources"]["asy"]["resources"]["users"]["incremental"]["updated"]["last_value"])

@dlt.resource
async def endless():
    for i in itertools.count():
        await asyncio.sleep(0.001)
        yield {"i": i}
p.run(endless().add_limit(5))

@dlt.resource
async def broken():
    yield {"x": 1}
    raise ValueError("the async API said 500")

try:
    p.run(broken())
except PipelineStepFailed as e:
    c = e.__context__
    print("error", e.step, type(c).__name__, c.kind, c.pipe_name, repr(c.__cause__), c.__cause__ is c.__context__)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "pipe [(1, 'p1'), (2, 'p2')] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "async gen transformer [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sync awaitables [0, 1, 2, 3]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "defer [0, 1, 2, 3, 4, 5, 6, 7] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "parallelized [1, 2, 3, 4, 5, 6, 7, 8] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded [(1, 2), (2, 4), (3, 6), (4, 8), (5, 10)]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "cursor 5\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "error extract ResourceExtractionError future broken "
                              "ValueError('the async API said 500') True\n"))
      << r.out;
  auto db = DevDb(w, "asy");
  EXPECT_EQ(CountRows(db, "asy_data.users"), 5);
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(CAST(i AS VARCHAR), ',' ORDER BY i) FROM asy_data.endless"), "0,1,2,3,4");
  EXPECT_FALSE(TableExists(db, "asy_data", "broken"));

  // [extract] max_parallel_items caps the awaitables in flight (dlt's default is 20).
  w.WriteConfig("[extract]\nmax_parallel_items = 3\n");
  r = RunPythonSource(w, "capped.py", std::string(kTrack) + R"PY(
@dlt.transformer
async def details(i):
    with track():
        await asyncio.sleep(0.02)
    return {"i": i}

print("capped", sorted(d["i"] for d in range(10) | details()), 1 < most <= 3)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "capped [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] True\n")) << r.out;
}

TEST(PythonAsyncPydantic, PydanticModelGivesTheTableItsColumnsAndValidatesItems) {
  TempWorkspace w;
  // Without pydantic 2 a model is refused with dlt's MissingDependencyException, a class that is
  // no model with a ValueError.
  auto r = RunPythonSource(w, "nopyd.py", R"PY(
import sys
sys.modules["pydantic"] = None  # as if pydantic 2 were not installed
import dlt
from dlt.common.exceptions import MissingDependencyException

BaseModel = type("BaseModel", (), {"__module__": "pydantic.main"})  # what a pydantic 1 model derives from

class User(BaseModel):
    id: int

try:
    dlt.resource([{"id": 1}], name="users", columns=User)
except MissingDependencyException as e:
    print("missing", "pip install pydantic>=2.0" in str(e), "Pydantic 2.x is required" in str(e))

NotAModel = type("NotAModel", (), {})
try:
    dlt.resource([{"id": 1}], name="x", columns=NotAModel)
except ValueError as e:
    print("refused", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "missing True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused `columns` must be a dict of column name -> column hints, a list of columns or "
                              "a Pydantic model (a pydantic.BaseModel subclass), got the class NotAModel\n"))
      << r.out;

  const std::string python = PythonWithPydantic2();
  if (python.empty()) GTEST_SKIP() << "no Python 3.11 with pydantic 2 (Debian's python3 or python3 on PATH)";
  r = RunWith(python, w, "pyd.py", R"PY(
from typing import ClassVar, List, Optional, Union
import dlt
from pydantic import BaseModel
from dlt.common.libs.pydantic import DltConfig
from dlt.extract.exceptions import ResourceExtractionError
from dlt.pipeline.exceptions import PipelineStepFailed

class Address(BaseModel):
    street: str
    city: str
    postal_code: str

class User(BaseModel):
    id: int
    name: str
    tags: List[str]
    email: Optional[str]
    address: Address
    status: Union[int, str]

class UserWithNesting(User):
    dlt_config: ClassVar[DltConfig] = {"skip_nested_types": True}

@dlt.resource(name="user", columns=User)
def get_users():
    yield [{"id": 1, "name": "Ada", "tags": ["a", "b"], "email": None, "status": 1, "extra": "dropped",
            "address": {"street": "Main", "city": "Oslo", "postal_code": "0150"}},
           {"id": "2", "name": "Bob", "tags": [], "email": "bob@x.org", "status": "7",
            "address": {"street": "High", "city": "Bergen", "postal_code": "5003"}}]

print("contract", get_users().schema_contract)
p = dlt.pipeline(pipeline_name="pyd", destination="duckdb", dataset_name="pyd_data")
p.run(get_users())
cols = p.default_schema.get_table_columns("user")
print("user", [(n, c["data_type"], c["nullable"]) for n, c in cols.items() if not n.startswith("_dlt")])
print("rows", p.dataset().user.select("id", "email", "status", "address").order_by("id").fetchall())

p.run(get_users().with_name("user_nested").apply_hints(columns=UserWithNesting))
cols = p.default_schema.get_table_columns("user_nested")
print("nested", [(n, c["data_type"], c["nullable"]) for n, c in cols.items() if not n.startswith("_dlt")])
print("child", sorted(p.dataset().user_nested__tags.select("value").fetchall()))

class SimpleModel(BaseModel):
    a: int
    b: str

@dlt.resource(columns=SimpleModel)
def some_data():
    yield from [{"a": 1, "b": "z"}, {"a": "not_int", "b": "x"}]

try:
    list(some_data())
except ResourceExtractionError as e:
    v = e.__cause__
    print("list", e.kind, type(v).__name__, v.table_name, v.column_name, v.data_item, v.schema_entity, v.contract_mode)
try:
    p.run(some_data())
except PipelineStepFailed as e:
    c = e.__context__
    print("run", e.step, type(c).__name__, type(c.__cause__).__name__, c.__cause__.column_name)

rows3 = [{"a": 1, "b": "z"}, {"a": "not_int", "b": "x"}, {"c": "not_int"}]
print("discard_row", list(dlt.resource(rows3, name="d", schema_contract="discard_row", columns=SimpleModel)),
      "evolve", list(dlt.resource(rows3, name="e", schema_contract="evolve", columns=SimpleModel)))

class SimpleUser(BaseModel):
    id: int
    name: str
    dlt_config: ClassVar[DltConfig] = {"return_validated_models": True}

@dlt.resource(columns=SimpleUser)
def simple_users():
    yield {"id": 1, "name": "Alice"}
    yield SimpleUser(id=2, name="Bob")

@dlt.transformer(data_from=simple_users)
def process_users(user):
    print("model", type(user).__name__, user.name)
    yield user

p.run(process_users)
print("processed", p.dataset().process_users.select("id", "name").order_by("id").fetchall())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "contract {'tables': 'evolve', 'columns': 'discard_value', 'data_type': 'freeze'}\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "user [('id', 'bigint', False), ('name', 'text', False), ('tags', 'json', False), "
                              "('email', 'text', True), ('address', 'json', False), ('status', 'bigint', False)]\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "rows [(1, None, 1, '{\"street\":\"Main\",\"city\":\"Oslo\",\"postal_code\":\"0150\"}'), "
                              "(2, 'bob@x.org', 7, '{\"street\":\"High\",\"city\":\"Bergen\",\"postal_code\":\"5003\"}')]\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "nested [('id', 'bigint', False), ('name', 'text', False), ('email', 'text', True), "
                              "('address__street', 'text', False), ('address__city', 'text', False), "
                              "('address__postal_code', 'text', False), ('status', 'bigint', False)]\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "child [('a',), ('b',)]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "list transform DataValidationError some_data ('a',) {'a': 'not_int', 'b': 'x'} "
                              "data_type freeze\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "run extract ResourceExtractionError DataValidationError ('a',)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "discard_row [{'a': 1, 'b': 'z'}] evolve [{'a': 1, 'b': 'z'}, "
                              "{'a': 'not_int', 'b': 'x'}, {'a': None, 'b': None, 'c': 'not_int'}]\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "model SimpleUser Alice\nmodel SimpleUser Bob\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "processed [(1, 'Alice'), (2, 'Bob')]\n")) << r.out;
  auto db = DevDb(w, "pyd");
  EXPECT_EQ(TableColumns(db, "pyd_data", "user").size(), 8u);  // no `extra` column
  EXPECT_FALSE(TableExists(db, "pyd_data", "some_data"));
}

TEST(PythonAsyncPydantic, DatasetReadsTheSchemaItIsGiven) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "ds.py", R"PY(
import dlt

s1 = dlt.source(lambda: dlt.resource([{"id": 1}, {"id": 2}], name="alpha"), name="s1")
s2 = dlt.source(lambda: dlt.resource([{"k": "x"}], name="beta"), name="s2")
p = dlt.pipeline(pipeline_name="two", destination="duckdb", dataset_name="two_data")
p.run([s1(), s2()])
for name in ("s1", "s2"):
    print(name, p.dataset(schema=name).schema.name, p.dataset(schema=name).schema.data_table_names())
print("default", p.dataset().schema.name, "object", p.dataset(schema=p.schemas["s2"]).schema.name)
print("rows", p.dataset(schema="s1").alpha.select("id").order_by("id").fetchall())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "s1 s1 ['alpha']\ns2 s2 ['beta']\ndefault s1 object s2\nrows [(1,), (2,)]\n")) << r.out;
}

TEST(PythonAsyncPydantic, SchemaFilesAreExportedAndImportEditsApply) {
  TempWorkspace w;
  const std::string script = R"PY(
import sys
import dlt

@dlt.resource(primary_key="id")
def players_games():
    yield [{"id": 1, "end_time": "1700000000", "white": {"rating": 1500, "aid": "x"}}]

# dev_mode, as the walkthrough advises while experimenting: the edited types start a new schema
p = dlt.pipeline(pipeline_name="chess_pipeline", destination="duckdb", dataset_name=sys.argv[1],
                 import_schema_path="schemas/import", export_schema_path="schemas/export", dev_mode=True)
p.run(players_games())
print("columns", sorted(n for n in p.default_schema.get_table_columns("players_games") if not n.startswith("_dlt")))
print("types", p.default_schema.get_table_columns("players_games")["end_time"]["data_type"])
)PY";
  auto r = RunPythonSource(w, "chess.py", script, {"games_1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "columns ['end_time', 'id', 'white__aid', 'white__rating']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "types text\n")) << r.out;
  // The import schema holds what the resource declares; the export what was loaded.
  std::string imported = w.Read("schemas/import/chess_pipeline.schema.yaml");
  EXPECT_TRUE(Contains(imported, "  players_games:\n    columns:\n      id:\n        primary_key: true\n")) << imported;
  EXPECT_FALSE(Contains(imported, "white__rating")) << imported;
  std::string exported = w.Read("schemas/export/chess_pipeline.schema.yaml");
  EXPECT_TRUE(Contains(exported, "      white__rating:\n        data_type: bigint\n")) << exported;
  EXPECT_TRUE(Contains(exported, "  _dlt_loads:\n")) << exported;

  // The walkthrough's edits: end_time (epoch seconds) is a bigint, white stays one json column.
  w.Write("schemas/import/chess_pipeline.schema.yaml", R"Y(name: chess_pipeline
tables:
  players_games:
    columns:
      id: {primary_key: true, nullable: false}
      end_time: {nullable: true, data_type: bigint}
      white: {nullable: false, data_type: json}
    write_disposition: append
)Y");
  r = RunPythonSource(w, "chess.py", script, {"games_2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "columns ['end_time', 'id', 'white']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "types bigint\n")) << r.out;
  exported = w.Read("schemas/export/chess_pipeline.schema.yaml");
  EXPECT_TRUE(Contains(exported, "      white:\n        data_type: json\n")) << exported;
  EXPECT_FALSE(Contains(exported, "white__rating")) << exported;

  // A hint the engine cannot take from the file is refused, naming it.
  w.Write("schemas/import/chess_pipeline.schema.yaml", R"Y(name: chess_pipeline
tables:
  players_games:
    columns:
      end_time: {data_type: bigint, partition: true}
)Y");
  r = RunPythonSource(w, "chess.py", script, {"games_3"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_TRUE(Contains(r.err, "NotImplementedError")) << r.err;
  EXPECT_TRUE(Contains(r.err, "the column property partition of `players_games.end_time`")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
