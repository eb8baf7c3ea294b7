// dlt's documented incremental and resource snippets (docs/website/docs/general-usage/incremental/
// cursor.md, resource.md), each a real script run by python3, its output what dlt 1.26 prints.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// Defect: list(resource) ignored the incremental. dlt filters rows iterated outside a pipeline as
// an extract does: on_cursor_value_missing exclude drops, include keeps, raise raises
// IncrementalCursorPathMissing; rows outside initial_value/end_value are dropped. The state is a
// copy of the active pipeline's (so after a run the rows already loaded are not yielded again).
TEST(PythonIncrementalDocs, IteratingAResourceAppliesItsIncrementalAsDltDoes) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "iterate.py", R"PY(
import dlt
from dlt.extract.incremental.exceptions import IncrementalCursorPathMissing

ROWS = [{"id": 1, "updated_at": 1}, {"id": 2}, {"id": 3, "updated_at": None},
        {"id": 4, "updated_at": 5}, {"id": 5, "updated_at": 9}]

@dlt.resource
def excluded(updated_at=dlt.sources.incremental("updated_at", on_cursor_value_missing="exclude")):
    yield ROWS

@dlt.resource
def included(updated_at=dlt.sources.incremental("updated_at", on_cursor_value_missing="include")):
    yield ROWS

@dlt.resource
def ranged(updated_at=dlt.sources.incremental("updated_at", initial_value=2, end_value=9,
                                              on_cursor_value_missing="exclude")):
    yield ROWS

@dlt.resource
def strict(updated_at=dlt.sources.incremental("updated_at")):
    yield ROWS

print("exclude", [r["id"] for r in excluded()])
print("include", [r["id"] for r in included()])
print("range", [r["id"] for r in ranged()])
try:
    list(strict())
    print("raise: nothing raised")
except IncrementalCursorPathMissing as e:
    print("raise", type(e).__name__, e.json_path)

# the run filters once (in the engine); iterating afterwards starts from the state it stored
p = dlt.pipeline("iter_inc", destination="duckdb", dataset_name="iter_inc")
p.run([excluded(), ranged()])
print("exclude again", [r["id"] for r in excluded()])
with p.sql_client() as c:
    print("loaded", c.execute_sql("SELECT (SELECT count(*) FROM excluded), (SELECT count(*) FROM ranged)"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "exclude [1, 4, 5]\n"
            "include [1, 2, 3, 4, 5]\n"
            "range [4]\n"
            "raise IncrementalCursorPathMissing updated_at\n"
            "exclude again []\n"
            "loaded [(3, 1)]\n")
      << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "iter_inc"), "SELECT count(*) FROM iter_inc.iter_inc.excluded"), "3");
  EXPECT_EQ(SqlValue(DevDb(w, "iter_inc"), "SELECT count(*) FROM iter_inc.iter_inc.ranged"), "1");
}

// Defect: incremental.last_value stayed at the start value during the run. cursor.md: last_value
// is updated with each yielded item or page; start_value stays; with an end_value it is the
// initial_value (a backfill keeps no state). The stored end state is unchanged.
TEST(PythonIncrementalDocs, LastValueMovesWithEachYieldedItemOrPage) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "live_last.py", R"PY(
import dlt

seen = []

@dlt.resource
def numbers(cursor=dlt.sources.incremental("v", initial_value=0)):
    seen.append(("before", cursor.start_value, cursor.last_value))
    for v in range(1, 4):
        yield {"v": v}
        seen.append((v, cursor.last_value))
    yield [{"v": 10}, {"v": 11}]
    seen.append(("page", cursor.start_value, cursor.last_value))

@dlt.resource
def backfill(cursor=dlt.sources.incremental("v", initial_value=0, end_value=5)):
    yield [{"v": 1}, {"v": 4}]
    seen.append(("backfill", cursor.last_value))

print("list", [r["v"] for r in numbers()], seen)
seen.clear()
p = dlt.pipeline("live_last", destination="duckdb", dataset_name="live_last")
p.run(numbers())
print("run 1", seen)
print("stored", p.state["sources"]["live_last"]["resources"]["numbers"]["incremental"]["v"]["last_value"])
seen.clear()
p.run(numbers())
print("run 2", seen)
seen.clear()
p.run(backfill())
print("backfill", seen)
with p.sql_client() as c:
    print("loaded", c.execute_sql("SELECT count(*) FROM numbers"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "list [1, 2, 3, 10, 11] [('before', 0, 0), (1, 1), (2, 2), (3, 3), ('page', 0, 11)]\n"
            "run 1 [('before', 0, 0), (1, 1), (2, 2), (3, 3), ('page', 0, 11)]\n"
            "stored 11\n"
            "run 2 [('before', 11, 11), (1, 11), (2, 11), (3, 11), ('page', 11, 11)]\n"
            "backfill [('backfill', 0)]\n"
            "loaded [(5,)]\n")
      << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "live_last"), "SELECT max(v) FROM live_last.live_last.numbers"), "11");
}

// Defect: repo_issues(updated_at=dlt.sources.incremental(initial_value=..., end_value=...))
// raised "the incremental has no cursor_path". dlt merges it with the argument's default
// (Incremental.merge): cursor_path from the default, the range from the one given (cursor.md backfill).
TEST(PythonIncrementalDocs, AnIncrementalWithoutCursorPathMergesWithTheDefault) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "backfill.py", R"PY(
import dlt

ISSUES = [{"id": 1, "updated_at": "2022-06-01T00:00:00Z"}, {"id": 2, "updated_at": "2022-07-15T00:00:00Z"},
          {"id": 3, "updated_at": "2022-08-15T00:00:00Z"}]

@dlt.resource(primary_key="id")
def repo_issues(updated_at=dlt.sources.incremental("updated_at", initial_value="1970-01-01T00:00:00Z")):
    print("cursor", updated_at.cursor_path, updated_at.initial_value, updated_at.end_value)
    yield ISSUES

july = repo_issues(updated_at=dlt.sources.incremental(initial_value="2022-07-01T00:00:00Z",
                                                      end_value="2022-08-01T00:00:00Z"))
print("july", [i["id"] for i in july])
p = dlt.pipeline("backfill_merge", destination="duckdb", dataset_name="backfill_merge")
p.run(repo_issues(updated_at=dlt.sources.incremental(initial_value="2022-08-01T00:00:00Z",
                                                     end_value="2022-09-01T00:00:00Z")))
with p.sql_client() as c:
    print("august", c.execute_sql("SELECT id FROM repo_issues ORDER BY id"))
# the backfill kept no state: a regular run starts at the default's initial_value
p.run(repo_issues())
with p.sql_client() as c:
    print("all", c.execute_sql("SELECT id FROM repo_issues ORDER BY id"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "cursor updated_at 2022-07-01T00:00:00Z 2022-08-01T00:00:00Z\n"
            "july [2]\n"
            "cursor updated_at 2022-08-01T00:00:00Z 2022-09-01T00:00:00Z\n"
            "august [(3,)]\n"
            "cursor updated_at 1970-01-01T00:00:00Z None\n"
            "all [(1,), (2,), (3,), (3,)]\n")
      << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "backfill_merge"), "SELECT count(*) FROM backfill_merge.backfill_merge.repo_issues WHERE id = 3"), "2");
}

// Defect: cursor path "$" (cursor.md by_event_type) raised IncrementalCursorPathMissing. The
// JSONPath root is the whole item: the custom last_value_func keeps a last value per event type.
TEST(PythonIncrementalDocs, TheJsonPathRootCursorGivesTheWholeItemToACustomLastValueFunc) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "root_cursor.py", R"PY(
import dlt

EVENTS = [{"id": i, "type": "WatchEvent" if i % 2 else "PushEvent", "created_at": f"2024-01-{10 - i:02d}T00:00:00Z"}
          for i in range(1, 9)]

def by_event_type(event):
    last_value = None
    if len(event) == 1:
        item, = event
    else:
        item, last_value = event
    if last_value is None:
        last_value = {}
    else:
        last_value = dict(last_value)
    item_type = item["type"]
    last_value[item_type] = max(item["created_at"], last_value.get(item_type, "1970-01-01T00:00:00Z"))
    return last_value

@dlt.resource(primary_key="id", table_name="events")
def get_events(last_created_at=dlt.sources.incremental("$", last_value_func=by_event_type)):
    yield EVENTS

print("list", len(list(get_events())))
p = dlt.pipeline("root_cursor", destination="duckdb", dataset_name="root_cursor")
p.run(get_events())
state = p.state["sources"]["root_cursor"]["resources"]["get_events"]["incremental"]["$"]
print("last_value", state["last_value"])
EVENTS.append({"id": 9, "type": "PushEvent", "created_at": "2024-01-11T00:00:00Z"})
p.run(get_events())
with p.sql_client() as c:
    print("loaded", c.execute_sql("SELECT count(*), max(id) FROM events"))
print("last_value", p.state["sources"]["root_cursor"]["resources"]["get_events"]["incremental"]["$"]["last_value"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "list 8\n"
            "last_value {'WatchEvent': '2024-01-09T00:00:00Z', 'PushEvent': '2024-01-08T00:00:00Z'}\n"
            "loaded [(9, 9)]\n"
            "last_value {'WatchEvent': '2024-01-09T00:00:00Z', 'PushEvent': '2024-01-11T00:00:00Z'}\n")
      << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "root_cursor"), "SELECT count(*) FROM root_cursor.root_cursor.events"), "9");
}

// Defects: `resource.max_table_nesting = 0` was kept as a plain attribute (nested tables were still
// made), `resource.table_name = ...` raised AttributeError. Both are hints in dlt.
TEST(PythonIncrementalDocs, MaxTableNestingAndTableNameSettersAreHints) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "setters.py", R"PY(
import dlt

@dlt.resource
def data():
    yield {"id": 1, "props": [{"a": 1}], "d": {"x": 1}}

p = dlt.pipeline("setters", destination="duckdb", dataset_name="setters")
flat = data()
flat.max_table_nesting = 0
print("max_table_nesting", flat.max_table_nesting)
p.run(flat)
renamed = data().with_name("renamed")
renamed.table_name = "custom_table"
print("table_name", renamed.table_name)
p.run(renamed)
for name in sorted(t for t in p.default_schema.tables if not t.startswith("_dlt")):
    print(name, [c for c in p.default_schema.tables[name]["columns"] if not c.startswith("_dlt")])
with p.sql_client() as c:
    print("props", c.execute_sql("SELECT count(*) FROM custom_table__props"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "max_table_nesting 0\n"
            "table_name custom_table\n"
            "custom_table ['id', 'd__x']\n"
            "custom_table__props ['a']\n"
            "data ['id', 'props', 'd']\n"
            "props [(1,)]\n")
      << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "setters"), "SELECT count(*) FROM setters.setters.custom_table__props"), "1");
}

// Defect: add_limit(-1) yielded nothing. dlt: None or a negative max_items disable the limit.
TEST(PythonIncrementalDocs, AddLimitMinusOneMeansUnlimited) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "no_limit.py", R"PY(
import dlt

@dlt.resource
def pages():
    for i in range(4):
        yield [{"n": i * 3 + j} for j in range(3)]

print("rows", len(list(pages().add_limit(-1))), len(list(pages().add_limit(None))),
      len(list(pages().add_limit(2))), len(list(pages().add_limit(0))), len(list(pages().add_limit(2).add_limit(-1))))
p = dlt.pipeline("no_limit", destination="duckdb", dataset_name="no_limit")
p.run(pages().add_limit(-1))
with p.sql_client() as c:
    print("loaded", c.execute_sql("SELECT count(*), max(n) FROM pages"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "rows 12 12 6 0 12\n"
            "loaded [(12, 11)]\n")
      << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "no_limit"), "SELECT count(*) FROM no_limit.no_limit.pages"), "12");
}

}  // namespace
}  // namespace dlt::testing

namespace dlt::testing {
namespace {

// Defect: a transformer got every row of its parent, whatever the parent's incremental said, so
// each run transformed (and loaded) the old rows again. As dlt, where the Incremental step sits in
// the parent's pipe: the transformer reads only the rows the cursor keeps, when iterated, when
// run alone (the parent's cursor then moves in its state) and when run beside its parent.
TEST(PythonIncrementalDocs, ATransformerReadsOnlyTheRowsItsParentsIncrementalKeeps) {
  TempWorkspace w;
  const std::string script = R"PY(
import sys, dlt
N, mode = int(sys.argv[1]), sys.argv[2]
@dlt.resource
def items(updated_at=dlt.sources.incremental("updated_at", initial_value=5)):
    yield [{"id": i, "updated_at": i} for i in range(N)]
@dlt.transformer(data_from=items)
def details(page):
    for item in page:
        yield {"id": item["id"], "d": item["updated_at"] * 10}
@dlt.source
def both():
    return items, details
p = dlt.pipeline(pipeline_name="tr_" + mode, destination="duckdb", dataset_name="tr_data")
print("iterated", [r["id"] for r in details])
p.run(details if mode == "alone" else both())
with p.sql_client() as c:
    print("loaded", c.execute_sql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM details")[0])
print("last_value", p.state["sources"][p.default_schema_name]["resources"]["items"]["incremental"]["updated_at"]["last_value"])
)PY";
  w.Write("tr.py", script);
  for (const char* mode : {"alone", "both"}) {
    auto first = RunPython(w, "tr.py", {"8", mode});
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    EXPECT_EQ(first.out, "iterated [5, 6, 7]\nloaded (3, 3, 5, 7)\nlast_value 7\n") << mode;
    auto second = RunPython(w, "tr.py", {"10", mode});
    ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
    EXPECT_EQ(second.out, "iterated [8, 9]\nloaded (5, 5, 5, 9)\nlast_value 9\n") << mode;
  }
}

}  // namespace
}  // namespace dlt::testing

namespace dlt::testing {
namespace {

// Defect: with add_limit, a Python resource's limit counted the pages its incremental would drop,
// so the second run of dlt's split-loading loop spent its page on rows already loaded, loaded
// nothing and ended the loop with 1500 rows never loaded. dlt counts the pages after the cursor.
TEST(PythonIncrementalDocs, SplitLoadingAPythonResourceWithAddLimitMovesOnEveryRun) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "split.py", R"PY(
import dlt
@dlt.resource
def chat(id=dlt.sources.incremental("id", row_order="asc", range_start="open")):
    for start in range(0, 2500, 1000):
        yield [{"id": i} for i in range(start + 1, min(start + 1000, 2500) + 1)]
p = dlt.pipeline(pipeline_name="split", destination="duckdb", dataset_name="split_data")
runs = 0
while not p.run(chat().add_limit(1)).is_empty:
    runs += 1
    assert runs < 10
    with p.sql_client() as c:
        print(c.execute_sql("SELECT count(*), count(DISTINCT id), max(id) FROM chat")[0])
# an open range start keeps no boundary hashes (dlt's compute_deduplication_disabled)
print(p.state["sources"]["split"]["resources"]["chat"]["incremental"]["id"]["unique_hashes"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "(1000, 1000, 1000)\n(2000, 2000, 2000)\n(2500, 2500, 2500)\n[]\n") << r.out;
}

}  // namespace
}  // namespace dlt::testing
