// State kept by user code, as dlt's documentation writes it: dlt.current.resource_state() and
// source_state() survive runs, travel to the destination with the load (a wiped working folder
// gets them back), hold typed values, and sit beside the incremental cursors; outside an extract
// they are copies. Also dlt.sources.incremental's backfill range (end_value) and min cursors.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(PythonState, ResourceAndSourceStateSurviveRunsAndComeBackFromTheDestination) {
  TempWorkspace w;
  const char* script = R"PY(
import sys, dlt
from datetime import datetime, timezone
from decimal import Decimal

ARCHIVES = sys.argv[1].split(",")

@dlt.resource(write_disposition="append")
def games():
    checked = dlt.current.resource_state().setdefault("archives", [])
    for url in ARCHIVES:
        if url in checked:
            print("skipping", url)
            continue
        checked.append(url)
        yield {"archive": url}
    src = dlt.current.source_state()
    src["runs"] = src.get("runs", 0) + 1
    src["seen_at"] = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)
    src["total"] = Decimal("10.25")
    print("resource", dlt.current.resource_name())

p = dlt.pipeline(pipeline_name="chess", destination="duckdb", dataset_name="chess_data")
p.run(games())
s = p.state["sources"]["chess"]
print("state", s["runs"], sorted(s["resources"]["games"]["archives"]), repr(s["seen_at"]), repr(s["total"]))
)PY";
  auto r = RunPythonSource(w, "chess.py", script, {"a,b"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "resource games\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "state 1 ['a', 'b'] datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc) "
                              "Decimal('10.25')\n"))
      << r.out;

  r = RunPython(w, "chess.py", {"a,b,c"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "skipping a\nskipping b\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "state 2 ['a', 'b', 'c']")) << r.out;

  // The working folder is lost: the state comes back from the destination's state table.
  fs::remove_all(w.root() / ".dlt" / ".var");
  r = RunPython(w, "chess.py", {"a,b,c,d"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "skipping a\nskipping b\nskipping c\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "state 3 ['a', 'b', 'c', 'd']")) << r.out;
  EXPECT_EQ(SqlColumn(DevDb(w, "chess"), "SELECT archive FROM chess_data.games ORDER BY 1"),
            (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(PythonState, AResourceStateSitsBesideItsIncrementalCursorAndBothAreKept) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "feed.py", R"PY(
import sys, dlt

@dlt.resource(primary_key="id")
def events(ts=dlt.sources.incremental("ts", initial_value=0)):
    st = dlt.current.resource_state()
    st["pages"] = st.get("pages", 0) + 1
    st.setdefault("incremental", {})  # the engine's cursor wins over what user code writes here
    yield [{"id": i, "ts": i} for i in range(int(sys.argv[1]))]

p = dlt.pipeline(pipeline_name="feed", destination="duckdb", dataset_name="feed_data")
p.run(events())
st = p.state["sources"]["feed"]["resources"]["events"]
print("pages", st["pages"], "last", st["incremental"]["ts"]["last_value"])
# dlt's DltResource.state / DltSource.state: the same dicts, read through the active pipeline
print("resource.state", events.state["pages"], events.state["incremental"]["ts"]["last_value"])

@dlt.source(name="feed")
def feed():
    return events

print("source.state", sorted(feed().state["resources"]))
)PY", {"3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "pages 1 last 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "resource.state 1 2\nsource.state ['events']\n")) << r.out;
  r = RunPython(w, "feed.py", {"5"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "pages 2 last 4\n")) << r.out;
  EXPECT_EQ(SqlValue(DevDb(w, "feed"), "SELECT count(*) FROM feed_data.events"), "5");
}

// Defect: the state of a resource that replaces its table was kept, incremental cursor included,
// so a second run replaced the table with only the rows past the last value: the others were
// lost. As dlt's extract, such a resource (write_disposition "replace", given with the resource
// or with run()) starts each run from an empty state; the others keep theirs.
TEST(PythonState, AResourceThatReplacesItsTableStartsEachRunFromAnEmptyState) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "snap.py", R"PY(
import sys, dlt

rows, mode = int(sys.argv[1]), sys.argv[2]

@dlt.resource(primary_key="id", write_disposition="replace")
def snap(ts=dlt.sources.incremental("ts", initial_value=1)):
    st = dlt.current.resource_state()
    print("snap from", ts.start_value, "seen", st.get("seen"))
    st["seen"] = rows
    yield [{"id": i, "ts": i} for i in range(1, rows + 1)]

@dlt.resource(primary_key="id", write_disposition="merge")
def log(ts=dlt.sources.incremental("ts", initial_value=1, lag=1)):
    st = dlt.current.resource_state()
    print("log from", ts.start_value, "seen", st.get("seen"))
    st["seen"] = rows
    yield [{"id": i, "ts": i} for i in range(1, rows + 1)]

p = dlt.pipeline(pipeline_name="snap", destination="duckdb", dataset_name="snap_data")
if mode == "replace":
    p.run(log(), write_disposition="replace")
else:
    p.run([snap(), log()])
with p.sql_client() as c:
    print("rows", c.execute_sql("SELECT count(*) FROM snap"), c.execute_sql("SELECT count(*) FROM log"))
)PY", {"3", "both"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "snap from 1 seen None\nlog from 1 seen None\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rows [(3,)] [(3,)]\n")) << r.out;
  r = RunPython(w, "snap.py", {"5", "both"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // log keeps its state (lag 1 moves its start back by one from its last value 3).
  EXPECT_TRUE(Contains(r.out, "snap from 1 seen None\nlog from 2 seen 3\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rows [(5,)] [(5,)]\n")) << r.out;
  r = RunPython(w, "snap.py", {"4", "replace"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "log from 1 seen None\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rows [(5,)] [(4,)]\n")) << r.out;
}

// As dlt runs a transformer's parent under the parent's pipe: the parent's code keeps its state
// under its own name, also when only the transformer is extracted.
TEST(PythonState, ATransformersParentKeepsItsStateUnderItsOwnName) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "parent.py", R"PY(
import json, dlt

@dlt.resource
def pages():
    st = dlt.current.resource_state()
    st["calls"] = st.get("calls", 0) + 1
    for i in range(3):
        st["last"] = i
        assert dlt.current.resource_name() == "pages"
        yield {"id": i}

@dlt.transformer(data_from=pages)
def details(item):
    st = dlt.current.resource_state()
    st["seen"] = st.get("seen", 0) + 1
    yield {"id": item["id"], "name": dlt.current.resource_name()}

@dlt.source
def src():
    return pages, details

p = dlt.pipeline(pipeline_name="parent", destination="duckdb", dataset_name="parent_data")
p.run(pages | details)
print("alone", json.dumps(p.state["sources"]["parent"], sort_keys=True))
p.run(src())
print("both", json.dumps(p.state["sources"]["src"], sort_keys=True))
with p.sql_client() as c:
    print("names", c.execute_sql("SELECT DISTINCT name FROM details"))

# a parallelized transformer's calls run in a pool while the parent makes the next item: they
# still see the transformer
@dlt.transformer(data_from=pages, parallelized=True)
def pdetails(item):
    import time
    time.sleep(0.002)
    return {"id": item["id"], "name": dlt.current.resource_name()}

p.run(pages | pdetails)
with p.sql_client() as c:
    print("parallel", c.execute_sql("SELECT DISTINCT name FROM pdetails"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "parallel [('pdetails',)]")) << r.out;
  EXPECT_TRUE(Contains(r.out, R"(alone {"resources": {"details": {"seen": 3}, "pages": {"calls": 1, "last": 2}}})"))
      << r.out;
  // The parent runs once for itself and its transformer.
  EXPECT_TRUE(Contains(r.out, R"(both {"resources": {"details": {"seen": 3}, "pages": {"calls": 1, "last": 2}}})"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "names [('details',)]")) << r.out;
}

TEST(PythonState, OutsideAnExtractTheStateIsACopyAndWithoutAPipelineDltsExceptionsAreRaised) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "outside.py", R"PY(
import dlt
from dlt.common.exceptions import PipelineStateNotAvailable, ResourceNameNotAvailable

try:
    dlt.current.source_state()
except PipelineStateNotAvailable as e:
    print("no pipeline:", e)

@dlt.resource
def things():
    dlt.current.resource_state()["n"] = 1
    yield {"x": 1}

p = dlt.pipeline(pipeline_name="outside", destination="duckdb", dataset_name="outside_data")
p.run(things())
copy = dlt.current.source_state()
copy["resources"]["things"]["n"] = 99
print("kept", p.state["sources"]["outside"]["resources"]["things"]["n"])
try:
    dlt.current.resource_state()
except ResourceNameNotAvailable as e:
    print("no resource:", e)
print("named", dlt.current.resource_state("things")["n"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "no pipeline: The resource you called requested the access to pipeline state but no "
                              "pipeline is active right now."))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "kept 1\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "no resource: A resource state was requested but no active extract pipe context")) << r.out;
  EXPECT_TRUE(Contains(r.out, "named 1\n")) << r.out;
}

TEST(PythonState, AStateValueThatIsNotJsonFailsTheExtractNamingTheStateAndLoadsNothing) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "badstate.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.resource
def things():
    dlt.current.resource_state()["seen"] = {1, 2}
    yield {"x": 1}

p = dlt.pipeline(pipeline_name="badstate", destination="duckdb", dataset_name="bad_data")
try:
    p.run(things())
except PipelineStepFailed as e:
    print("step", e.step)
    print("error", e)
print("pending", p.has_pending_data)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "step extract\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "the source state of `badstate` (dlt.current.source_state()) could not be stored: "
                              "TypeError: field `resources.things.seen`: a set is not JSON serializable"))
      << r.out;
  EXPECT_FALSE(Contains(r.out, "\nAt:")) << "no traceback inside the message\n" << r.out;
  EXPECT_TRUE(Contains(r.out, "pending False\n")) << r.out;
  EXPECT_FALSE(fs::exists(DevDb(w, "badstate")) &&
               SqlValue(DevDb(w, "badstate"),
                        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'things'") != "0");
}

TEST(PythonState, AnEndValueBackfillsARangeWithoutMovingTheCursorAndMinFollowsADecreasingOne) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "ranges.py", R"PY(
import dlt
from dlt.common.configuration.exceptions import ConfigurationValueError

ROWS = [{"id": i} for i in range(1, 11)]

@dlt.resource
def up(id=dlt.sources.incremental("id", initial_value=3)):
    print("up from", id.last_value, "to", id.end_value)
    yield ROWS

@dlt.resource
def down(id=dlt.sources.incremental("id", initial_value=6, last_value_func=min)):
    yield ROWS

p = dlt.pipeline(pipeline_name="ranges", destination="duckdb", dataset_name="ranges_data")
p.run([up(), down()])
p.run(up(dlt.sources.incremental("id", initial_value=1, end_value=3)))
st = p.state["sources"]["ranges"]["resources"]
print("cursors", st["up"]["incremental"]["id"]["last_value"], st["down"]["incremental"]["id"]["last_value"])
with p.sql_client() as c:
    print("up", [r[0] for r in c.execute_sql("SELECT id FROM up ORDER BY id")])
    print("down", [r[0] for r in c.execute_sql("SELECT id FROM down ORDER BY id")])
try:
    dlt.sources.incremental("id", initial_value=5, end_value=2)
except ConfigurationValueError as e:
    print("refused:", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "up from 3 to None\nup from 1 to 3\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "cursors 10 1\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "up [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "down [1, 2, 3, 4, 5, 6]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused: Incremental `initial_value=5` is higher than `end_value=2`.")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
