// dlt.mark from Python: items a resource yields marked with `with_table_name` go to that table
// with the resource's hints, `with_hints(..., create_table_variant=True)` gives the table it
// names its own hints, and `with_hints` without a variant changes the resource's hints (and,
// with a table_name, where its later items go), as dlt's extract does.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(PythonMarks, WithTableNameSendsPagesAndRowsToTheirTablesWithTheResourcesMergeHintsOverTwoRuns) {
  TempWorkspace w;
  w.Write("gh.py", R"PY(
import sys, dlt

run = int(sys.argv[1])

@dlt.resource(primary_key="id", write_disposition="merge")
def github():
    yield dlt.mark.with_table_name([{"id": 1, "title": "bug", "labels": ["x", "y"], "v": run}], "issues")
    yield dlt.mark.with_table_name({"id": 2, "sha": "abc", "v": run}, "commits")
    yield {"id": 3, "v": run}  # unmarked: the resource's own table
    if run == 2:
        yield dlt.mark.with_table_name({"id": 4, "title": "new", "labels": [], "v": run}, "issues")

def times_ten(row):
    row["v"] = row["v"] * 10
    return row

@dlt.transformer(data_from=github)
def sizes(item, meta=None):
    # a transformer gets the data and, when it takes one, the mark; what it marks goes where it says
    rows = item if isinstance(item, list) else [item]
    for r in rows:
        yield dlt.mark.with_table_name({"id": r["id"], "parent": meta.table_name if meta else "github"}, "sizes")

p = dlt.pipeline(pipeline_name="marks", destination="duckdb", dataset_name="m")
info = p.run([github().add_map(times_ten), sizes])
print("failed", info.has_failed_jobs)
print("python", sorted(r["id"] for r in github()))
)PY");
  const fs::path db = DevDb(w, "marks");
  for (int run = 1; run <= 2; ++run) {
    auto r = RunPython(w, "gh.py", {std::to_string(run)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, "failed False\n")) << r.out;
    EXPECT_TRUE(Contains(r.out, run == 1 ? "python [1, 2, 3]\n" : "python [1, 2, 3, 4]\n")) << r.out;
  }
  // merge on the resource's primary key in every table the marks named: no row twice
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || v FROM m.issues ORDER BY id"), (std::vector<std::string>{"1:20", "4:20"}));
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || sha || ':' || v FROM m.commits"), (std::vector<std::string>{"2:abc:20"}));
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || v FROM m.github"), (std::vector<std::string>{"3:20"}));
  EXPECT_EQ(SqlColumn(db, "SELECT value FROM m.issues__labels ORDER BY value"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'm' "
                         "AND table_name = 'github' AND column_name IN ('title', 'sha')"),
            "0")
      << "the marked rows' columns are not in the resource's own table";
  // the transformer saw each parent item's mark; its own rows are appended (its hints) each run
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || parent FROM m.sizes ORDER BY id, _dlt_load_id"),
            (std::vector<std::string>{"1:issues", "1:issues", "2:commits", "2:commits", "3:github", "3:github",
                                      "4:issues"}));
}

TEST(PythonMarks, WithHintsMakesATableVariantOrChangesTheResourcesHintsFromThatItemOn) {
  TempWorkspace w;
  w.Write("ev.py", R"PY(
import dlt

@dlt.resource(name="events")
def events():
    yield dlt.mark.with_hints(
        {"id": 1, "amount": "1.50"},
        dlt.mark.make_hints(table_name="payments", primary_key="id", write_disposition="merge",
                            columns={"amount": {"data_type": "decimal"}}),
        create_table_variant=True)
    yield dlt.mark.with_table_name([{"id": 2, "amount": "2.50"}], "payments")  # the variant's hints hold here too
    yield {"id": 10, "note": "plain"}  # the resource's own table, appended
    yield dlt.mark.with_hints({"id": 11, "note": "moved"}, dlt.mark.make_hints(table_name="notes", write_disposition="replace"))
    yield {"id": 12, "note": "after"}  # later items follow the resource to its new table

p = dlt.pipeline(pipeline_name="hints", destination="duckdb", dataset_name="h")
print("before", p.default_schema.name, len(p.default_schema.tables))
for _ in range(2):
    p.run(events())
s = p.default_schema
print("dispositions", [s.get_table(t)["write_disposition"] for t in ("payments", "events", "notes")])
print("payments key", [c for c, h in s.get_table_columns("payments").items() if h.get("primary_key")])
print("data tables", sorted(s.data_table_names()), s.name, list(p.schemas), s.version >= 1)
print("yaml", "  payments:\n" in s.to_pretty_yaml(), s.to_dict()["tables"]["notes"]["resource"])
)PY");
  auto r = RunPython(w, "ev.py", {});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // pipeline.default_schema: the tables as the marks made them
  EXPECT_TRUE(Contains(r.out, "before hints 0\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "dispositions ['merge', 'append', 'replace']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "payments key ['id']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "data tables ['events', 'notes', 'payments'] hints ['hints'] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "yaml True events\n")) << r.out;
  const fs::path db = DevDb(w, "hints");
  EXPECT_EQ(SqlColumn(db, "SELECT id || ':' || CAST(amount AS DOUBLE) FROM h.payments ORDER BY id"),
            (std::vector<std::string>{"1:1.5", "2:2.5"}))
      << "merge on the variant's primary key: two runs, each row once";
  EXPECT_TRUE(SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'h' "
                           "AND table_name = 'payments' AND column_name = 'amount'")
                  .starts_with("DECIMAL"));
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM h.events ORDER BY id"), (std::vector<std::string>{"10", "10"}))
      << "the resource's own table keeps its append";
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM h.notes ORDER BY id"), (std::vector<std::string>{"11", "12"}))
      << "replace: the second run's rows only";
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'h' "
                         "AND table_name = 'events' AND column_name = 'amount'"),
            "0");
}

TEST(PythonMarks, AVariantWithoutATableNameFailsTheExtractWithDltsErrorAndLoadsNothing) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.resource
def things():
    yield {"id": 1}
    yield dlt.mark.with_hints({"id": 2}, dlt.mark.make_hints(primary_key="id"), create_table_variant=True)

try:
    dlt.mark.make_hints(table_name=lambda r: r["t"])
except ValueError as e:
    print("make_hints:", e)
p = dlt.pipeline(pipeline_name="bad", destination="duckdb", dataset_name="bad_data")
try:
    p.run(things())
except PipelineStepFailed as e:
    print("step", e.step)
    print("cause", type(e.__cause__).__name__, e.__cause__)
    print("original", type(e.__cause__.__cause__).__name__)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "make_hints: make_hints: `table_name` must be a value")) << r.out;
  EXPECT_TRUE(Contains(r.out, "step extract\n")) << r.out;
  // as dlt: the resource's exception is the cause of a ResourceExtractionError
  EXPECT_TRUE(Contains(r.out, "cause ResourceExtractionError ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "resource `things`: dlt.mark.with_hints(..., create_table_variant=True) "
                              "needs a table_name (a str) in its hints"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "original ValueError\n")) << r.out;
  EXPECT_FALSE(fs::exists(DevDb(w, "bad")) &&
               SqlValue(DevDb(w, "bad"), "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                                         "'bad_data' AND table_name = 'things'") != "0");
}

}  // namespace
}  // namespace dlt::testing
