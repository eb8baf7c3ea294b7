// dlt's custom destination (@dlt.destination, "reverse ETL") from real Python scripts: the rows of
// every job reach the user's function in batches, as dlt hands them over (names kept by the
// `direct` convention, nested data as JSON, typed Python values, no _dlt columns or tables by
// default); configuration is injected from destination.<name>.<arg>; a function that fails is
// retried, the run fails with PipelineStepFailed, and the next run goes on from the batch that
// failed: every row reaches the function once; DestinationTerminalException gives the job up.
#include <gtest/gtest.h>

#include "support/python_script.h"
#include "test_util.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

#ifdef DLT_PYTHON

TEST(PythonCustomDestination, RowsReachTheFunctionInBatchesAsDltHandsThemOver) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "sink.py", R"PY(
import datetime, decimal
import dlt
from dlt.common.typing import TDataItems
from dlt.common.schema import TTableSchema

calls = []

@dlt.destination(batch_size=2)
def my_sink(items: TDataItems, table: TTableSchema) -> None:
    calls.append((table["name"], [dict(i) for i in items], sorted(table["columns"])))

rows = [
    {"id": i, "userName": f"u{i}", "createdAt": datetime.datetime(2024, 1, i, 8, 30, tzinfo=datetime.timezone.utc),
     "day": datetime.date(2024, 2, i), "price": decimal.Decimal(f"{i}.10"), "blob": bytes([0, 255, 92, i]),
     "address": {"city": "Berlin", "zip": [1, 2]}, "tags": ["a", "b"], "ratio": i / 4}
    for i in range(1, 6)
]
p = dlt.pipeline(pipeline_name="sink_pipe", destination=my_sink)
info = p.run(rows, table_name="Users")
print("failed jobs:", info.has_failed_jobs)
print("tables:", sorted({c[0] for c in calls}))
print("batches:", [len(c[1]) for c in calls])
print("columns:", calls[0][2])
first = calls[0][1][0]
print("keys:", sorted(first))
print("types:", {k: type(v).__name__ for k, v in sorted(first.items())})
# a decimal comes at the scale of its column (dlt's default decimal is (38, 9)), equal to what was given
print("created:", first["createdAt"].isoformat(), "price:", first["price"] == decimal.Decimal("1.10"),
      "blob:", first["blob"])
print("address:", first["address"], "tags:", first["tags"])
print("ids:", sorted(i["id"] for c in calls for i in c[1]))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("failed jobs: False\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tables: ['Users']\n"), std::string::npos) << r.out;  // no _dlt tables
  EXPECT_NE(r.out.find("batches: [2, 2, 1]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("columns: ['address', 'blob', 'createdAt', 'day', 'id', 'price', 'ratio', 'tags', "
                       "'userName']\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("keys: ['address', 'blob', 'createdAt', 'day', 'id', 'price', 'ratio', 'tags', 'userName']\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("types: {'address': 'dict', 'blob': 'bytes', 'createdAt': 'datetime', 'day': 'date', "
                       "'id': 'int', 'price': 'Decimal', 'ratio': 'float', 'tags': 'list', 'userName': 'str'}\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("created: 2024-01-01T08:30:00+00:00 price: True blob: b'\\x00\\xff\\\\\\x01'\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("address: {'city': 'Berlin', 'zip': [1, 2]} tags: ['a', 'b']\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ids: [1, 2, 3, 4, 5]\n"), std::string::npos) << r.out;
}

TEST(PythonCustomDestination, SettingsOfTheDecoratorAndInjectedSecrets) {
  TempWorkspace w;
  w.WriteSecrets("[destination.crm]\napi_key = \"sk-canary-5f1e\"\n");
  w.Write("crm_module.py", R"PY(
received = []
def push(items, table, api_key="unset"):
    received.append((table["name"], api_key == "sk-canary-5f1e", len(items)))
)PY");
  auto r = RunPythonSource(w, "settings.py", R"PY(
import json, os
import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.pipeline.exceptions import PipelineStepFailed

seen = []

@dlt.destination(name="crm", batch_size=10, naming_convention="snake_case", skip_dlt_columns_and_tables=False)
def crm_sink(items, table, api_key: str = dlt.secrets.value, region: str = "eu") -> None:
    seen.append((table["name"], api_key, region, sorted(items[0]) if items else None))

p = dlt.pipeline(pipeline_name="crm_pipe", destination=crm_sink)
p.run([{"Id": 1, "FirstName": "Ada"}], table_name="Contacts")
for name, key, region, cols in seen:
    print(name, key == "sk-canary-5f1e", region, cols)

# explicit arguments win over the configuration
seen.clear()
p2 = dlt.pipeline(pipeline_name="crm_pipe2", destination=crm_sink(api_key="given", region="us"))
p2.run([{"id": 2}], table_name="contacts")
print([(n, k, r) for n, k, r, _ in seen if n == "contacts"])

# batch_size=0: the path of the job's file
paths = []
@dlt.destination(batch_size=0)
def files_sink(items, table):
    with open(items) as f:  # read while the job runs, as in dlt (the file is the package's)
        paths.append((table["name"], isinstance(items, str), sorted(json.loads(line)["a"] for line in f)))
dlt.pipeline(pipeline_name="files_pipe", destination=files_sink).run([{"a": 1}, {"a": 2}], table_name="t")
print(*paths[0])

# dlt.destination(name, destination_callable="module.function")
import crm_module
p3 = dlt.pipeline(pipeline_name="ref_pipe",
                  destination=dlt.destination("crm", destination_callable="crm_module.push", batch_size=1))
p3.run([{"x": 1}, {"x": 2}], table_name="refs")
print(crm_module.received)

# loader_file_format="parquet" with batch_size=0: the path of a Parquet file
@dlt.destination(batch_size=0, loader_file_format="parquet")
def parquet_sink(items, table):
    with open(items, "rb") as f:
        print("parquet:", table["name"], items.endswith(".parquet"), f.read(4) == b"PAR1")
dlt.pipeline(pipeline_name="parquet_pipe", destination=parquet_sink).run([{"a": 1}], table_name="pq")

# an error of the function that shows the injected secret: the run's message masks it
@dlt.destination(name="crm", batch_size=10)
def leaky_sink(items, table, api_key: str = dlt.secrets.value):
    raise RuntimeError(f"request with key {api_key} was refused")
try:
    dlt.pipeline(pipeline_name="leaky_pipe", destination=leaky_sink).run([{"a": 1}], table_name="t")
except PipelineStepFailed as e:
    print("leak:", "***" in str(e), e.step, type(e.__context__).__name__)

# a missing secret: the run fails naming the key, never a value
@dlt.destination(name="nokey")
def nokey_sink(items, table, token: str = dlt.secrets.value):
    pass
try:
    dlt.pipeline(pipeline_name="nokey_pipe", destination=nokey_sink).run([{"a": 1}], table_name="t")
except PipelineStepFailed as e:
    print("step:", e.step, type(e.exception).__name__, "token" in str(e.exception))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // snake_case names, dlt's tables and columns handed over when asked for
  EXPECT_NE(r.out.find("contacts True eu ['_dlt_id', '_dlt_load_id', 'first_name', 'id']\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("_dlt_pipeline_state True eu "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[('contacts', 'given', 'us')]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("t True [1, 2]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[('refs', True, 1), ('refs', True, 1)]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step: load ConfigFieldMissingException True\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parquet: pq True True\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("leak: True load LoadClientJobRetry\n"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find("sk-canary-5f1e"), std::string::npos) << "the secret was printed";
}

TEST(PythonCustomDestination, AFailedRunGoesOnFromTheBatchThatFailedAndEveryRowArrivesOnce) {
  TempWorkspace w;
  const std::string script = R"PY(
import json, os, sys
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

FAIL_AT = int(sys.argv[1])  # the call that fails (every time) in this process; 0: none
calls = {"n": 0}

@dlt.destination(batch_size=3)
def api(items, table):
    calls["n"] += 1
    if FAIL_AT and calls["n"] >= FAIL_AT:
        raise ConnectionError("api is down")
    with open("delivered.jsonl", "a") as f:
        for i in items:
            f.write(json.dumps(i["id"]) + "\n")

p = dlt.pipeline(pipeline_name="api_pipe", destination=api)
try:
    data = [{"id": i} for i in range(10)] if sys.argv[2] == "extract" else None
    info = p.run(data, table_name="events") if data else p.run()
    print("loaded", len(info.loads_ids) if info is not None else None, "calls", calls["n"])
except PipelineStepFailed as e:
    ctx = e.__context__
    print("failed at", e.step, type(ctx).__name__, getattr(ctx, "retry_count", None),
          type(ctx.__cause__).__name__, "pending", p.has_pending_data, "calls", calls["n"])
)PY";
  w.Write("api.py", script);
  // 10 rows in batches of 3: the second call fails, and each of its 5 retries too.
  auto r1 = RunPython(w, "api.py", {"2", "extract"});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_EQ(r1.out, "failed at load LoadClientJobRetry 5 ConnectionError pending True calls 6\n") << r1.err;
  EXPECT_EQ(w.Read("delivered.jsonl"), "0\n1\n2\n");
  // The next run loads the pending package from the failed batch on, before extracting anything new.
  auto r2 = RunPython(w, "api.py", {"0", "resume"});
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  EXPECT_EQ(r2.out, "loaded 1 calls 3\n") << r2.err;
  EXPECT_EQ(w.Read("delivered.jsonl"), "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n");
  // Nothing is left pending: a later run hands over nothing again (and returns None, as dlt's).
  auto r3 = RunPython(w, "api.py", {"0", "resume"});
  ASSERT_EQ(r3.exit_code, 0) << r3.out << r3.err;
  EXPECT_EQ(r3.out, "loaded None calls 0\n") << r3.err;
}

TEST(PythonCustomDestination, ATerminalExceptionGivesTheJobUpWithoutRetries) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "terminal.py", R"PY(
import dlt
from dlt.common.destination.exceptions import DestinationTerminalException
from dlt.pipeline.exceptions import PipelineStepFailed

calls = []

@dlt.destination(batch_size=5)
def strict(items, table):
    calls.append(table["name"])
    if table["name"] == "bad":
        raise DestinationTerminalException("rejected by the api")

p = dlt.pipeline(pipeline_name="strict_pipe", destination=strict)
try:
    p.run([{"id": 1}], table_name="bad")
except PipelineStepFailed as e:
    print(e.step, type(e.__context__).__name__, "rejected by the api" in str(e), "pending", p.has_pending_data)
print(calls)
p.run([{"id": 2}], table_name="good")
print(calls)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "load LoadClientJobFailed True pending False\n['bad']\n['bad', 'good']\n") << r.err;
}

TEST(PythonCustomDestination, ThePipelineKeepsItsNamingConvention) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "naming.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.destination
def sink(items, table):
    print(table["name"], sorted(items[0]))

p = dlt.pipeline(pipeline_name="named", destination=sink)
p.run([{"Some Key": 1, "nested": {"Inner": 2}}], table_name="My Table")
try:
    dlt.pipeline(pipeline_name="named", destination="duckdb").run([{"a": 1}], table_name="My Table")
except Exception as e:
    print(type(e).__name__, "naming convention `direct`" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("My Table ['Some Key', 'nested']\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" True\n"), std::string::npos) << r.out;
}

#endif

}  // namespace
}  // namespace dlt::testing
