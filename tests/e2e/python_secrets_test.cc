// Secrets from Python: a token read with dlt.secrets.value into a rest_api configuration, and the
// destination's password, never appear in output, tracebacks, reprs, state, trace, packages or
// the database; a wrong token fails naming the request with the token masked.
#include <gtest/gtest.h>

#include "http_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* kCanary = "canary-PY-TOKEN-41c7";


TEST(PythonSecrets, ATokenFromDltSecretsNeverShowsAndAWrongOneFailsMasked) {
  FixtureServer server;
  server.SetGithubToken("the-right-token");
  TempWorkspace w;
  ASSERT_EQ(w.Dlt({"init", "github_api", "duckdb"}).exit_code, 0);
  w.WriteConfig("[sources.github_api]\nbase_url = \"" + server.Url() +
                    "/repos/dlt-hub/dlt/\"\n[runtime]\nrequest_max_attempts = 1\n"
                    "http_show_error_body = true\n",  // the server echoes the token: it must show masked
                "dev");
  w.WriteSecrets(std::string("[sources.github_api]\ntoken = \"") + kCanary + "\"\n", "dev");
  // The script prints what a user might print while debugging.
  std::string script = w.Read("github_api_pipeline.py");
  script.replace(script.find("if __name__ == \"__main__\":"), 0,
                 "print(repr(pipeline), pipeline.destination, dlt.secrets, github_api_source)\n");
  w.Write("github_api_pipeline.py", script);

  auto r = RunPython(w, "github_api_pipeline.py");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "dlt.pipeline.exceptions.PipelineStepFailed: Pipeline execution failed at `step=extract`"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "failed with HTTP 401")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Bearer ***")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, kCanary)) << r.out << r.err;

  server.SetGithubToken(kCanary);
  r = RunPython(w, "github_api_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountRows(w.root() / "_local/dev/warehouse.duckdb", "github_api_data.issues"), 7);
  EXPECT_FALSE(Contains(r.out + r.err, kCanary)) << r.out << r.err;
  EXPECT_EQ(FilesContaining(w.root(), kCanary), std::vector<std::string>{});
}

// dlt's documentation configures paginators and auth with objects as often as with dicts: the
// objects stand for their dicts, and an auth object's repr masks its secret.
TEST(PythonSecrets, PaginatorAndAuthObjectsConfigureRestApiAsTheirDictsDo) {
  FixtureServer server;
  server.SetGithubToken(kCanary);
  TempWorkspace w;
  ASSERT_EQ(w.Dlt({"init", "github_api", "duckdb"}).exit_code, 0);
  w.WriteConfig("[sources.github_api]\nbase_url = \"" + server.Url() + "/repos/dlt-hub/dlt/\"\n", "dev");
  w.WriteSecrets(std::string("[sources.github_api]\ntoken = \"") + kCanary + "\"\n", "dev");
  std::string script = w.Read("github_api_pipeline.py");
  auto swap = [&](const std::string& from, const std::string& to) {
    size_t at = script.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    script.replace(at, from.size(), to);
  };
  swap("\"paginator\": {\"type\": \"header_link\"},", "\"paginator\": HeaderLinkPaginator(),");
  swap("\"auth\": {\"type\": \"bearer\", \"token\": token},", "\"auth\": BearerTokenAuth(token),");
  swap("import dlt\n", "import dlt\nfrom dlt.sources.helpers.rest_client.auth import BearerTokenAuth\n"
                       "from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator\n"
                       "print(BearerTokenAuth(dlt.secrets['sources.github_api.token']), HeaderLinkPaginator())\n");
  w.Write("github_api_pipeline.py", script);

  auto r = RunPython(w, "github_api_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "BearerTokenAuth(token=***) HeaderLinkPaginator(links_next_key='next')\n")) << r.out;
  EXPECT_EQ(CountRows(w.root() / "_local/dev/warehouse.duckdb", "github_api_data.issues"), 7);
  EXPECT_FALSE(Contains(r.out + r.err, kCanary)) << r.out << r.err;
}

// A secret in config.toml is refused with dlt's ValueNotSecretException (a ConfigurationException),
// naming the key, the file and line and where to put it, never the value: for a
// `dlt.secrets.value` argument, a `TSecretStrValue` field of a spec, and `dlt.config[...]` of a
// key named as a secret. dlt.secrets[...] does not read config.toml at all (a KeyError).
TEST(PythonSecrets, ASecretInConfigTomlRaisesValueNotSecretException) {
  TempWorkspace w;
  w.WriteConfig(std::string("[sources.mysrc]\napi_key = \"") + kCanary + "\"\nhost = \"h\"\n"
                "[sources.spec_src.creds]\nsecret = \"" + kCanary + "\"\n", "dev");
  w.Write("s.py", R"(import dlt
from dlt.common.configuration import configspec
from dlt.common.configuration.exceptions import ConfigurationException, ValueNotSecretException
from dlt.common.configuration.specs import BaseConfiguration
from dlt.common.typing import TSecretStrValue

@configspec
class Creds(BaseConfiguration):
    secret: TSecretStrValue = None

@dlt.source
def mysrc(api_key=dlt.secrets.value, host=dlt.config.value):
    return dlt.resource([{"k": 1}], name="r")

@dlt.source
def spec_src(creds: Creds = dlt.secrets.value):
    return dlt.resource([{"k": 1}], name="r")

for label, call in [("argument", lambda: list(mysrc())), ("spec", lambda: list(spec_src())),
                    ("config", lambda: dlt.config["sources.mysrc.api_key"])]:
    try:
        call()
        print(label, "no error")
    except ValueNotSecretException as e:
        assert isinstance(e, ConfigurationException)
        print(label, e.provider_name, e.key, "|", e)
try:
    dlt.secrets["sources.mysrc.api_key"]
except KeyError as e:
    print("secrets KeyError", e)
print("host", dlt.config["sources.mysrc.host"])
)");
  auto r = RunPython(w, "s.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string where = "with secret value is present (.dlt/dev.config.toml:";
  EXPECT_TRUE(Contains(r.out, "argument config.toml sources.mysrc.api_key | Provider `config.toml` cannot hold "
                              "secret values but key `sources.mysrc.api_key` " + where + "2:11 (profile: dev)). Move it to "
                              ".dlt/secrets.toml (or .dlt/<profile>.secrets.toml) or set the environment variable "
                              "SOURCES__MYSRC__API_KEY.\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "spec config.toml sources.spec_src.creds.secret | ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "config config.toml sources.mysrc.api_key | ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "secrets KeyError 'sources.mysrc.api_key'\nhost h\n")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, kCanary)) << r.out << r.err;

  // Destination credentials in config.toml: refused when the pipeline is made, the password
  // nowhere in the output.
  TempWorkspace d;
  d.WriteSecrets("[destination.warehouse]\ndestination_type = \"postgres\"\n", "dev");
  d.WriteConfig(std::string("[destination.warehouse]\ncredentials = \"postgresql://u:") + kCanary +
                    "@127.0.0.1:1/db\"\n", "dev");
  d.Write("c.py", R"(import dlt
from dlt.common.configuration.exceptions import ValueNotSecretException
try:
    dlt.pipeline(pipeline_name="c", destination="warehouse", dataset_name="c")
except ValueNotSecretException as e:
    print("refused", e.key, "|", e)
)");
  auto c = RunPython(d, "c.py");
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_TRUE(Contains(c.out, "refused destination.warehouse.credentials | Provider `config.toml` cannot hold secret "
                              "values but key `destination.warehouse.credentials` with secret value is present "
                              "(.dlt/dev.config.toml:2:15"))
      << c.out;
  EXPECT_FALSE(Contains(c.out + c.err, kCanary)) << c.out << c.err;

  // The same key in a secrets file: read from there.
  w.WriteSecrets(std::string("[sources.mysrc]\napi_key = \"s3cr3t\"\n"), "dev");
  w.Write("t.py", "import dlt\nprint(dlt.secrets['sources.mysrc.api_key'] == 's3cr3t')\n");
  r = RunPython(w, "t.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "True\n");
}

}  // namespace
}  // namespace dlt::testing
