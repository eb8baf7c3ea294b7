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

}  // namespace
}  // namespace dlt::testing
