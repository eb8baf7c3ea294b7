// dlt's dynamic table names from Python: a table_name function of the item (on @dlt.resource,
// apply_hints or pipeline.run) sends each row to the table it names, with the resource's other
// hints (write disposition, keys, columns) on every such table and nested tables under each.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(PythonDynamicTables, EachEventGoesToTheTableItsTypeNamesWithTheResourcesHintsOverTwoMergeRuns) {
  TempWorkspace w;
  w.Write("events.py", R"PY(
import sys, dlt

run = int(sys.argv[1])
EVENTS = [
    {"id": 1, "type": "issue", "amount": "1.50", "tags": ["a", "b"], "v": run},
    {"id": 2, "type": "push", "amount": "2.00", "tags": ["c"], "v": run},
    {"id": 3, "type": "fork", "amount": "3.25", "tags": [], "v": run},
    {"id": 4, "type": "issue", "amount": "4.00", "tags": ["d"], "v": run},
]
if run == 2:  # 1 and 2 change, 5 is new
    EVENTS = EVENTS[:2] + [{"id": 5, "type": "push", "amount": "5.00", "tags": ["e"], "v": run}]

@dlt.resource(table_name=lambda e: e["type"] + "_events", primary_key="id", write_disposition="merge",
              columns={"amount": {"data_type": "decimal"}})
def events():
    yield EVENTS[:2]          # a page: each of its rows is routed on its own
    for e in EVENTS[2:]:
        yield e

p = dlt.pipeline(pipeline_name="gh", destination="duckdb", dataset_name="gh_data")
print(p.run(events()).has_failed_jobs)
print("dynamic:", callable(events().table_name), events().compute_table_schema(EVENTS[1])["name"])

# apply_hints(table_name=function) on a resource made from data; replace on every table
things = dlt.resource([{"kind": "x", "n": run}, {"kind": "y", "n": run}], name="things")
things.apply_hints(table_name=lambda r: "thing_" + r["kind"], write_disposition="replace")
p.run(things)

# run(data, table_name=function) over a resource
p.run(dlt.resource([{"k": "a"}, {"k": "b"}, {"k": "a"}], name="letters"), table_name=lambda r: "letter_" + r["k"])
)PY");
  auto r = RunPython(w, "events.py", {"1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "dynamic: True push_events\n")) << r.out;
  const fs::path db = DevDb(w, "gh");
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM gh_data.issue_events ORDER BY id"), (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM gh_data.push_events ORDER BY id"), (std::vector<std::string>{"2"}));
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM gh_data.fork_events ORDER BY id"), (std::vector<std::string>{"3"}));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'gh_data' "
                         "AND table_name = 'events'"),
            "0")
      << "the resource's own name is no table: every row went where its function said";
  // columns={"amount": decimal} holds on every routed table; nested lists are tables under each
  for (const char* t : {"issue_events", "push_events", "fork_events"}) {
    EXPECT_TRUE(SqlValue(db, std::string("SELECT data_type FROM information_schema.columns WHERE table_schema = "
                                         "'gh_data' AND table_name = '") + t + "' AND column_name = 'amount'")
                    .starts_with("DECIMAL"))
        << t;
  }
  EXPECT_EQ(SqlColumn(db, "SELECT value FROM gh_data.issue_events__tags ORDER BY value"),
            (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(SqlColumn(db, "SELECT n FROM gh_data.thing_x"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(SqlColumn(db, "SELECT n FROM gh_data.thing_y"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM gh_data.letter_a"), "2");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM gh_data.letter_b"), "1");

  r = RunPython(w, "events.py", {"2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // merge on the primary key in each table: 1 and 2 updated, 4 and 3 kept, 5 added
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || v FROM gh_data.issue_events ORDER BY id"),
            (std::vector<std::string>{"1:2", "4:1"}));
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || v FROM gh_data.push_events ORDER BY id"),
            (std::vector<std::string>{"2:2", "5:2"}));
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || v FROM gh_data.fork_events ORDER BY id"),
            (std::vector<std::string>{"3:1"}));
  EXPECT_EQ(SqlColumn(db, "SELECT value FROM gh_data.issue_events__tags ORDER BY value"),
            (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(SqlColumn(db, "SELECT value FROM gh_data.push_events__tags ORDER BY value"),
            (std::vector<std::string>{"c", "e"}));
  // replace empties each routed table before its new rows
  EXPECT_EQ(SqlColumn(db, "SELECT n FROM gh_data.thing_x"), (std::vector<std::string>{"2"}));
  EXPECT_EQ(SqlColumn(db, "SELECT n FROM gh_data.thing_y"), (std::vector<std::string>{"2"}));
}

TEST(PythonDynamicTables, ATableNameFunctionThatReturnsNoNameFailsTheExtractNamingTheResourceAndLoadsNothing) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.resource(table_name=lambda e: e.get("type"))
def events():
    yield [{"id": 1, "type": "issue"}, {"id": 2}]

p = dlt.pipeline(pipeline_name="bad", destination="duckdb", dataset_name="bad_data")
try:
    p.run(events())
except PipelineStepFailed as e:
    print("step", e.step)
    print("cause", e.__cause__)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "step extract\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "resource `events`: its table_name function returned None for item 2")) << r.out;
  EXPECT_FALSE(fs::exists(DevDb(w, "bad")) &&
               SqlValue(DevDb(w, "bad"), "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                                         "'bad_data' AND table_name = 'issue'") != "0");
}

}  // namespace
}  // namespace dlt::testing
