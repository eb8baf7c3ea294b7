// dlt's helpers for pipelines in production, as its "Running in production" and "Alerting" pages
// use them: `pipeline.runtime_config` (the [runtime] settings, the Slack hook a secret),
// `send_slack_message` (a JSON post to an incoming webhook whose URL never appears in an error)
// and `retry_load` (tenacity's condition: retry the load, not the other steps or terminal errors).
#include "pipeline_fixture.h"
#include "support/python_http_server.h"

namespace dlt::testing {
namespace {

#ifdef DLT_PYTHON

// Defect: `from dlt.common.runtime.slack import send_slack_message` and
// `pipeline.runtime_config` did not exist, so the docs' alerting snippet failed at its import.
TEST(PythonRuntimeHelpers, TheAlertingSnippetPostsEachNewColumnToTheSlackHook) {
  PipelineWorkspace w;
  w.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                 "[runtime]\nslack_incoming_hook = \"http://127.0.0.1:9/services/FROM/SECRETS/TOML\"\n",
                 "dev");
  w.WriteConfig("[alerts.runtime]\nlog_level = \"INFO\"\nrequest_timeout = 5\n", "dev");
  auto r = RunWithServer(w, R"PY(
import json, os
import dlt, srv
from dlt.common.runtime.slack import send_slack_message

def h(rec):
    if rec["path"].endswith("/GONE"):
        return 404, {"Content-Type": "text/plain"}, "no_service"
    return 200, {"Content-Type": "text/plain"}, "ok"
s, base = srv.start(h)

pipeline = dlt.pipeline(pipeline_name="alerts", destination="warehouse", dataset_name="alerts_data")
rc = pipeline.runtime_config
print("runtime", rc.slack_incoming_hook, rc.log_level, rc.request_timeout, rc.pipeline_name, repr(rc).startswith("<"))

os.environ["RUNTIME__SLACK_INCOMING_HOOK"] = base + "/services/T0/B0/SECRETPART"
load_info = pipeline.run([{"id": 1, "name": "a"}], table_name="users")
hook = pipeline.runtime_config.slack_incoming_hook
for package in load_info.load_packages:
    for table_name, table in package.schema_update.items():
        for column_name, column in table["columns"].items():
            send_slack_message(
                hook,
                message=(
                    f"\tTable updated: {table_name}: "
                    f"Column changed: {column_name}: "
                    f"{column['data_type']}"
                )
            )
bodies = [json.loads(x["body"]) for x in srv.LOG]
print("posted", len(bodies), {x["path"] for x in srv.LOG}, srv.LOG[0]["headers"]["Content-Type"])
print([b["text"] for b in bodies if "users" in b["text"]][:2], bodies[0]["mrkdwn"])
send_slack_message(hook, "plain", is_markdown=False)
print("plain", json.loads(srv.LOG[-1]["body"]))
try:
    send_slack_message(base + "/services/T0/B0/GONE", "HOORAY")
except Exception as e:
    print("error", type(e).__name__, str(e))
import socket
free = socket.socket(); free.bind(("127.0.0.1", 0)); port = free.getsockname()[1]; free.close()
try:
    send_slack_message(f"http://127.0.0.1:{port}/services/T0/B0/UNREACHABLE", "BOOO")
except Exception as e:
    print("unreachable", type(e).__name__, str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "runtime http://127.0.0.1:9/services/FROM/SECRETS/TOML INFO 5.0 alerts True\n")) << r.out;
  // one post per new column of the first load, as dlt's schema_update lists them: users (id, name,
  // _dlt_load_id, _dlt_id) and the dlt tables (_dlt_version 6, _dlt_loads 5, _dlt_pipeline_state 8)
  EXPECT_TRUE(Contains(r.out, "posted 23 {'/services/T0/B0/SECRETPART'} application/json;charset=utf-8\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "['\\tTable updated: users: Column changed: id: bigint', "
                              "'\\tTable updated: users: Column changed: name: text'] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "plain {'text': 'plain', 'mrkdwn': False}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "error HTTPError 404 Error: Not Found posting to the Slack incoming hook")) << r.out;
  EXPECT_TRUE(Contains(r.out, "unreachable ConnectionError could not reach the Slack incoming hook (ConnectionRefusedError;")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "GONE")) << r.out << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "UNREACHABLE")) << r.out << r.err;
  EXPECT_FALSE(Contains(r.err, "SECRETPART")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Could not post the notification to slack: 404")) << r.err;
}

// The hook is a secret: a value in config.toml is refused with dlt's ValueNotSecretException,
// which names the file but not the hook; from secrets.toml it is read.
TEST(PythonRuntimeHelpers, TheSlackHookInConfigTomlIsRefused) {
  PipelineWorkspace w;
  w.WriteConfig("[runtime]\nslack_incoming_hook = \"http://127.0.0.1:9/services/IN/CONFIG/TOML\"\nlog_level = \"DEBUG\"\n",
                "dev");
  const char* script = R"PY(
import dlt
from dlt.common.configuration.exceptions import ValueNotSecretException
p = dlt.pipeline(pipeline_name="cfg", destination="warehouse", dataset_name="cfg_data")
try:
    print("hook", p.runtime_config.slack_incoming_hook, p.runtime_config.log_level)
except ValueNotSecretException as e:
    print("refused", e.key, e)
)PY";
  auto r = RunPythonSource(w, "p.py", script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "refused runtime.slack_incoming_hook Provider `config.toml` cannot hold secret values but "
                              "key `runtime.slack_incoming_hook` with secret value is present (.dlt/dev.config.toml:2:23"))
      << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "CONFIG/TOML")) << r.out << r.err;

  w.WriteConfig("[runtime]\nlog_level = \"DEBUG\"\n", "dev");
  w.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\n"
                 "[runtime]\nslack_incoming_hook = \"http://127.0.0.1:9/services/IN/SECRETS\"\n", "dev");
  r = RunPythonSource(w, "p.py", script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "hook http://127.0.0.1:9/services/IN/SECRETS DEBUG\n")) << r.out;
}

// Defect: `from dlt.pipeline.helpers import retry_load` failed. As dlt's: a failed load is
// retried, a failed extract or normalize is not (unless listed), nor a terminal error such as a
// missing secret.
TEST(PythonRuntimeHelpers, RetryLoadRetriesTheLoadOnlyAndNeverATerminalError) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "retry.py", R"PY(
import dlt
from dlt.pipeline.helpers import retry_load
from dlt.pipeline.exceptions import PipelineStepFailed

p = dlt.pipeline(pipeline_name="retry", destination="warehouse", dataset_name="retry_data")
def failed(step, cause):
    try:
        try:
            raise cause
        except BaseException as e:
            raise PipelineStepFailed(p, step, None, e)
    except PipelineStepFailed as f:
        return f
cond = retry_load()
print("load", cond(failed("load", RuntimeError("connection reset"))))
print("extract", cond(failed("extract", RuntimeError("x"))), retry_load(("extract", "load"))(failed("extract", RuntimeError("x"))))
print("other", cond(RuntimeError("x")))

@dlt.resource
def needs_key(api_key: str = dlt.secrets.value):
    yield {"id": 1}
try:
    p.run(needs_key())
except Exception as e:
    print("failed extract", type(e).__name__, e.step, cond(e))
from dlt.common.configuration.exceptions import ConfigFieldMissingException
print("terminal", cond(failed("load", ConfigFieldMissingException("KeyCredentials", {"api_key": []}))))
# the docs' main case: a load that failed for good (the destination refused it) is not retried
from dlt.common.destination.exceptions import DestinationTerminalException
print("destination terminal", cond(failed("load", DestinationTerminalException("relation refused"))))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "load True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "extract False True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "other True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed extract PipelineStepFailed extract False\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "terminal False\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "destination terminal False\n")) << r.out;
}

#endif

}  // namespace
}  // namespace dlt::testing
