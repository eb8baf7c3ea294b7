// dlt's external scheduler interval: `dlt.current.interval()` and an incremental with
// `allow_external_schedulers=True`, as dlt 1.26 joins them (extract/incremental/context.py): the
// interval from DLT_INTERVAL_START / DLT_INTERVAL_END (or Airflow's task context) becomes the
// incremental's initial_value and end_value, in the cursor's type and clipped by the configured
// bounds. Before, the flag was accepted and ignored, so a scheduled backfill loaded everything.
#include <gtest/gtest.h>

#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

#ifdef DLT_PYTHON

const char* kScript = R"PY(
import sys
from datetime import date, datetime, timezone, timedelta
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

ROWS = [{"id": i, "ts": datetime(2023, 12, 1, tzinfo=timezone.utc) + timedelta(days=10 * i),
         "epoch": 1701388800 + 864000 * i, "day": date(2023, 12, 1) + timedelta(days=10 * i), "text": "x"}
        for i in range(10)]

@dlt.resource(primary_key="id")
def by_datetime(updated=dlt.sources.incremental("ts", initial_value=datetime(2020, 1, 1, tzinfo=timezone.utc),
                                                 allow_external_schedulers=True)):
    print("range", updated.start_value, updated.end_value)
    yield ROWS

@dlt.resource(primary_key="id")
def by_epoch(updated=dlt.sources.incremental("epoch", initial_value=1705276800, allow_external_schedulers=True)):
    print("range", updated.start_value, updated.end_value)  # the configured start (2024-01-15) wins
    yield ROWS

@dlt.resource(primary_key="id")
def by_typed_int(updated=dlt.sources.incremental[int]("epoch", allow_external_schedulers=True)):
    print("range", updated.start_value, updated.end_value)  # the type from Incremental[int]
    yield ROWS

@dlt.resource(primary_key="id")
def by_annotated(updated: dlt.sources.incremental[datetime] = dlt.sources.incremental("ts", allow_external_schedulers=True)):
    print("range", updated.start_value, updated.end_value)  # the type from the annotation
    yield ROWS

@dlt.resource(primary_key="id")
def by_date(updated=dlt.sources.incremental("day", initial_value=date(2020, 1, 1), allow_external_schedulers=True)):
    print("range", updated.start_value, updated.end_value)  # the UTC dates of the interval
    yield ROWS

@dlt.resource(primary_key="id")
def by_text(updated=dlt.sources.incremental("text", initial_value="a", allow_external_schedulers=True)):
    yield ROWS

try:
    print("interval", dlt.current.interval())
except ValueError as e:  # a malformed DLT_INTERVAL_START / _END
    print("interval error", e)
p = dlt.pipeline(pipeline_name="sched", destination="warehouse", dataset_name="sched_data")
try:
    p.run(globals()[sys.argv[1]]())
    with p.sql_client() as c:
        print("loaded", c.execute_sql(f"SELECT min(id), max(id), count(*) FROM {sys.argv[1]}"))
except PipelineStepFailed as e:
    print("failed at", e.step, type(e.exception).__name__, "|", e.exception)
)PY";

TEST(PythonExternalScheduler, TheIntervalBecomesTheIncrementalsRangeInItsType) {
  PipelineWorkspace w;
  // No interval: dlt's ExternalSchedulerNotAvailable, in the extract step.
  auto r = RunPythonSource(w, "sched.py", kScript, {"by_datetime"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "interval None\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed at extract ExternalSchedulerNotAvailable | In processing pipe `by_datetime`: "
                              "External scheduler interval is not available."))
      << r.out;

  w.env()["DLT_INTERVAL_START"] = "2024-01-01T00:00:00Z";
  w.env()["DLT_INTERVAL_END"] = "2024-02-01T00:00:00Z";
  r = RunPythonSource(w, "sched.py", kScript, {"by_datetime"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "interval (datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), "
                              "datetime.datetime(2024, 2, 1, 0, 0, tzinfo=datetime.timezone.utc))\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "range 2024-01-01 00:00:00+00:00 2024-02-01 00:00:00+00:00\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded [(4, 6, 3)]\n")) << r.out;  // Jan 10, 20, 30: [start, end)

  // An epoch-seconds cursor: the interval in seconds, its start clipped by the configured one.
  r = RunPythonSource(w, "sched.py", kScript, {"by_epoch"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "range 1705276800 1706745600\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded [(5, 6, 2)]\n")) << r.out;

  // Without initial_value, the type comes from Incremental[int] or the argument's annotation.
  r = RunPythonSource(w, "sched.py", kScript, {"by_typed_int"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "range 1704067200 1706745600\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded [(4, 6, 3)]\n")) << r.out;
  r = RunPythonSource(w, "sched.py", kScript, {"by_annotated"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "range 2024-01-01 00:00:00+00:00 2024-02-01 00:00:00+00:00\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded [(4, 6, 3)]\n")) << r.out;

  // A text cursor cannot be compared with the interval's datetimes.
  r = RunPythonSource(w, "sched.py", kScript, {"by_text"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "failed at extract JoinSchedulerError | In processing pipe `by_text`: Declared data type "
                              "of Incremental class must be safely coercable to datetime"))
      << r.out;

  // DLT_INTERVAL_TIMEZONE gives the datetimes that zone; a date cursor still gets the UTC dates.
  w.env()["DLT_INTERVAL_TIMEZONE"] = "America/New_York";
  w.Write("tz.py", "import dlt\nprint([d.isoformat() for d in dlt.current.interval()])\n");
  r = RunPython(w, "tz.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "['2023-12-31T19:00:00-05:00', '2024-01-31T19:00:00-05:00']\n");
  r = RunPythonSource(w, "sched.py", kScript, {"by_date"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "range 2024-01-01 2024-02-01\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loaded [(4, 6, 3)]\n")) << r.out;

  // A malformed interval fails the extract step, naming it.
  w.env()["DLT_INTERVAL_START"] = "garbage";
  r = RunPythonSource(w, "sched.py", kScript, {"by_datetime"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "failed at extract JoinSchedulerError | In processing pipe `by_datetime`: Could not read "
                              "the external scheduler's interval: DLT_INTERVAL_START / DLT_INTERVAL_END must be ISO "
                              "8601 datetimes"))
      << r.out;
}

#endif

}  // namespace
}  // namespace dlt::testing
