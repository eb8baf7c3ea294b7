// dlt.sources.incremental's lag and custom last_value_func from Python, as dlt 1.26 runs them:
// lag re-reads a window before the stored last value (merge keeps each row once), a custom
// function decides which cursor value is the newest.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(PythonIncremental, LagReReadsAnHourBeforeTheLastValueAndMergeKeepsEveryRowOnce) {
  TempWorkspace w;
  w.Write("lag.py", R"PY(
import sys, dlt

v = sys.argv[1]
ROWS = [{"id": 1, "updated_at": "2024-01-01T00:00:00Z", "v": v},
        {"id": 2, "updated_at": "2024-01-01T01:00:00Z", "v": v},
        {"id": 3, "updated_at": "2024-01-01T02:00:00Z", "v": v}]
if v == "b":
    ROWS.append({"id": 4, "updated_at": "2024-01-01T03:00:00Z", "v": v})

@dlt.resource(primary_key="id", write_disposition="merge")
def items(updated_at=dlt.sources.incremental("updated_at", initial_value="2024-01-01T00:00:00Z", lag=3600)):
    print("last_value", updated_at.last_value)
    yield ROWS

@dlt.resource(primary_key="n", write_disposition="merge")
def numbers(n=dlt.sources.incremental("n", lag=2)):
    print("numbers from", n.last_value)
    yield [{"n": i, "v": v} for i in range(1, 11)]

p = dlt.pipeline(pipeline_name="lag", destination="duckdb", dataset_name="lag_data")
p.run([items(), numbers()])
s = p.state["sources"]["lag"]["resources"]
print("state", s["items"]["incremental"]["updated_at"]["last_value"], s["numbers"]["incremental"]["n"]["last_value"])
)PY");
  auto r = RunPython(w, "lag.py", {"a"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "last_value 2024-01-01T00:00:00Z\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "numbers from None\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "state 2024-01-01T02:00:00Z 10\n")) << r.out;

  // The folder is lost too: the state (with its last value) comes back from the destination.
  fs::remove_all(w.root() / ".dlt" / ".var");
  r = RunPython(w, "lag.py", {"b"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // An hour before the stored 02:00, in the cursor's own format; 2 before 10 for numbers.
  EXPECT_TRUE(Contains(r.out, "last_value 2024-01-01T01:00:00Z\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "numbers from 8\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "state 2024-01-01T03:00:00Z 10\n")) << r.out;
  // Rows from 01:00 on were read again (2 and 3 with their new values, no de-duplication at the
  // boundary), 1 was not; the merge keeps each id once.
  const fs::path db = DevDb(w, "lag");
  EXPECT_EQ(SqlColumn(db, "SELECT id || v FROM lag_data.items ORDER BY id"),
            (std::vector<std::string>{"1a", "2b", "3b", "4b"}));
  EXPECT_EQ(SqlColumn(db, "SELECT string_agg(v, '' ORDER BY n) FROM lag_data.numbers"),
            (std::vector<std::string>{"aaaaaaabbb"}));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM lag_data.numbers"), "10");
}

TEST(PythonIncremental, ACustomLastValueFuncDecidesTheNewestValueAndRowsAtItAreLoadedOnce) {
  TempWorkspace w;
  w.Write("rel.py", R"PY(
import sys, dlt

def newest_version(values):
    return max(values, key=lambda s: tuple(int(p) for p in s.split(".")))

VERSIONS = {"1": ["1.2", "1.9", "1.10"], "2": ["1.9", "1.10", "1.11"]}[sys.argv[1]]

@dlt.resource(primary_key="version", write_disposition="append")
def releases(version=dlt.sources.incremental("version", initial_value="1.3", last_value_func=newest_version)):
    print("from", version.last_value)
    yield [{"version": s} for s in VERSIONS]

p = dlt.pipeline(pipeline_name="rel", destination="duckdb", dataset_name="rel_data")
p.run(releases())
print("state", p.state["sources"]["rel"]["resources"]["releases"]["incremental"]["version"]["last_value"])
)PY");
  auto r = RunPython(w, "rel.py", {"1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "from 1.3\n")) << r.out;
  // "1.10" is newer than "1.9" by the function (max on strings would keep 1.9); 1.2 is before 1.3
  EXPECT_TRUE(Contains(r.out, "state 1.10\n")) << r.out;
  r = RunPython(w, "rel.py", {"2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "from 1.10\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "state 1.11\n")) << r.out;
  // 1.10 sat on the boundary and was loaded before: not again; 1.9 is older
  EXPECT_EQ(SqlColumn(DevDb(w, "rel"), "SELECT version FROM rel_data.releases ORDER BY version"),
            (std::vector<std::string>{"1.10", "1.11", "1.9"}));
}

TEST(PythonIncremental, AnEndValueThatACustomFunctionPutsBeforeTheInitialValueIsRefused) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt
from dlt.common.configuration.exceptions import ConfigurationValueError

def newest(values):
    return max(values, key=len)

try:
    dlt.sources.incremental("x", initial_value="aaa", end_value="b", last_value_func=newest)
except ConfigurationValueError as e:
    print(e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "as determined by the custom `last_value_func`. The result of "
                              "`newest([end_value, initial_value])` must equal `end_value`"))
      << r.out;
}

// Defect: apply_hints(incremental=...) on a resource whose function takes an incremental filtered
// by the hint but called the function with its default, so a function that builds its query from
// start_value asked from the wrong place. As dlt's from_hints: the function gets the hint merged
// into its default, with the stored state on the next run.
TEST(PythonIncremental, AnIncrementalGivenByApplyHintsIsTheOneTheFunctionGets) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "hinted.py", R"PY(
import dlt

@dlt.resource(primary_key="id")
def rows(c=dlt.sources.incremental("ts", initial_value=1)):
    print("got", c.cursor_path, c.initial_value, c.start_value)
    yield [{"id": i, "ts": i, "ts2": 10 - i} for i in range(10)]

res = rows()
res.apply_hints(incremental=dlt.sources.incremental("ts2", initial_value=8))
p = dlt.pipeline(pipeline_name="hinted", destination="duckdb", dataset_name="hinted_data")
p.run(res)
with p.sql_client() as c:
    print("ids", [r[0] for r in c.execute_sql("SELECT id FROM rows ORDER BY id")])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "got ts2 8 8\nids [0, 1, 2]\n");
  r = RunPython(w, "hinted.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "got ts2 8 10\nids [0, 1, 2]\n");
}

// Defect: where the cursor is kept in Python (a lag, a custom last_value_func, a resource read as
// a list), rows with aware datetimes and a naive initial_value raised TypeError. As dlt's
// _adapt_timezone: the bounds take the first row's tz-awareness (a naive value counts as UTC).
TEST(PythonIncremental, BoundsOfAnotherTimeZoneAwarenessThanTheRowsTakeTheRows) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "tz.py", R"PY(
import dlt
from datetime import datetime, timezone

aware = [{"id": i, "ts": datetime(2024, 1, i, tzinfo=timezone.utc)} for i in range(1, 6)]
naive = [{"id": i, "ts": datetime(2024, 1, i)} for i in range(1, 6)]

@dlt.resource(primary_key="id")
def a(c=dlt.sources.incremental("ts", initial_value=datetime(2024, 1, 3), end_value=datetime(2024, 1, 5))):
    yield aware

@dlt.resource(primary_key="id")
def n(c=dlt.sources.incremental("ts", initial_value=datetime(2024, 1, 2, 23, tzinfo=timezone.utc))):
    yield naive

@dlt.resource(primary_key="id", write_disposition="merge")
def lagged(c=dlt.sources.incremental("ts", initial_value=datetime(2024, 1, 3), lag=3600)):
    yield aware

print("aware rows", [x["id"] for x in a()], "naive rows", [x["id"] for x in n()])
p = dlt.pipeline(pipeline_name="tz", destination="duckdb", dataset_name="tz_data")
p.run(lagged())
with p.sql_client() as c:
    print("loaded", [r[0] for r in c.execute_sql("SELECT id FROM lagged ORDER BY id")])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "aware rows [3, 4] naive rows [3, 4, 5]\nloaded [3, 4, 5]\n");
}

// dlt's exception types for bad cursor values (troubleshooting.md's initial_value=9999 against
// string timestamps): IncrementalCursorInvalidCoercion whether the rows are read as a list or run,
// and IncrementalCursorPathHasValueNone (not ...PathMissing) for a cursor that is None.
TEST(PythonIncremental, BadCursorValuesRaiseDltsExceptionTypes) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt

@dlt.resource
def my_data(created_at=dlt.sources.incremental("created_at", initial_value=9999)):
    yield [{"id": 1, "created_at": "2024-01-01 00:00:00"}]

@dlt.resource
def nulls(updated_at=dlt.sources.incremental("updated_at")):
    yield [{"id": 1, "updated_at": 1}, {"id": 2, "updated_at": None}]

p = dlt.pipeline(pipeline_name="bad", destination="duckdb", dataset_name="bad_data")
try:
    list(my_data())
except Exception as e:
    print("list", type(e).__name__)
for res in (my_data(), nulls()):
    try:
        p.run(res)
    except Exception as e:
        print("run", type(e).__name__, type(e.__cause__ or e.exception).__name__)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "list IncrementalCursorInvalidCoercion\n"
                   "run PipelineStepFailed IncrementalCursorInvalidCoercion\n"
                   "run PipelineStepFailed IncrementalCursorPathHasValueNone\n");
}

// Defect: a lag on ISO-string cursors wrote the start in another format ('...00Z' for rows of
// '...00.500Z', compared as text), so rows inside the lag window were dropped; a compact date
// (20240105) got a one-second lag. As dlt's _apply_lag_to_value: the string keeps its format,
// dates move by days.
TEST(PythonIncremental, ALagOnStringCursorsKeepsTheirFormat) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "lagfmt.py", R"PY(
import dlt
ms = [{"id": 1, "c": "2024-01-04T00:00:00.000Z"}, {"id": 2, "c": "2024-01-04T00:00:00.500Z"},
      {"id": 3, "c": "2024-01-05T00:00:00.000Z"}]
compact = [{"id": 1, "c": "20240103"}, {"id": 2, "c": "20240104"}, {"id": 3, "c": "20240105"}]

def make(rows, lag):
    @dlt.resource(name="r", primary_key="id", write_disposition="merge")
    def r(c=dlt.sources.incremental("c", lag=lag)):
        print("start", c.start_value)
        yield rows
    return r

for name, rows, lag in (("ms", ms, 86400), ("compact", compact, 1)):
    p = dlt.pipeline(pipeline_name="lag_" + name, destination="duckdb", dataset_name="d")
    p.run(make(rows, lag)())
    p.run(make(rows, lag)())
    print(name, p.last_trace.last_normalize_info.row_counts["r"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "start None\nstart 2024-01-04T00:00:00.000000Z\nms 3\n"
                   "start None\nstart 20240104\ncompact 2\n");
}

// Defect: cursor paths with list indices or wildcards (a JSONPath, as cursor.md calls
// cursor_path) raised IncrementalCursorPathMissing for every row. As dlt's compiled path: indices,
// `[*]` (the first value found counts) and bracketed names, in the engine's cursor and in Python's.
TEST(PythonIncremental, CursorPathsWithListIndicesAndWildcardsFindTheirValue) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "jpath.py", R"PY(
import dlt
data = [{"id": 1, "items": [{"ts": 3}, {"ts": 0}]}, {"id": 2, "items": [{"ts": 1}]}, {"id": 3, "items": [{"ts": 5}]}]
for i, path in enumerate(["items[0].ts", "$.items[*].ts", "$['items'][0]['ts']"]):
    @dlt.resource(name="r%d" % i, primary_key="id")
    def r(c=dlt.sources.incremental(path, initial_value=2)):
        yield data
    listed = [x["id"] for x in r()]
    p = dlt.pipeline(pipeline_name="jp%d" % i, destination="duckdb", dataset_name="d")
    p.run(r())
    with p.sql_client() as c:
        loaded = [row[0] for row in c.execute_sql("SELECT id FROM r%d ORDER BY id" % i)]
    print(path, listed, loaded, p.state["sources"]["jp%d" % i]["resources"]["r%d" % i]["incremental"][path]["last_value"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "items[0].ts [1, 3] [1, 3] 5\n$.items[*].ts [1, 3] [1, 3] 5\n$['items'][0]['ts'] [1, 3] [1, 3] 5\n");
}

// As dlt: the default incremental of a generator function that was called directly (a dynamic
// resource made of the generator) belongs to no resource, and reading its value raises
// IncrementalUnboundError (before: it gave initial_value, so every run loaded everything).
TEST(PythonIncremental, AnIncrementalOfAGeneratorCalledDirectlyRaisesIncrementalUnboundError) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "unbound.py", R"PY(
import dlt
from dlt.extract.incremental import IncrementalUnboundError
from dlt.pipeline.exceptions import PipelineStepFailed

def get_items(updated_at=dlt.sources.incremental("updated_at", initial_value=0)):
    print("start", updated_at.last_value)
    yield [{"id": 1, "updated_at": 5}]

p = dlt.pipeline(pipeline_name="unbound", destination="duckdb", dataset_name="d")
try:
    p.run(dlt.resource(get_items(), name="items"))
except PipelineStepFailed as e:
    print(e.step, type(e.__context__).__name__, isinstance(e.__context__, IncrementalUnboundError))
    print("cursor_path=updated_at" in str(e.__context__))
# made of the function, the resource binds it
items = dlt.resource(get_items, name="items")
p.run(items())
p.run(items())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "extract IncrementalUnboundError True\nTrue\nstart 0\nstart 5\n");
}

}  // namespace
}  // namespace dlt::testing
