// `dlt run` of a REST API source whose API misbehaves: next-page links to another origin (the
// credentials stay home), pages that link back (a warning, the rows kept, exit 0), and a failure
// that names where base_url came from; the run record lists the source's configuration keys.
#include <gtest/gtest.h>

#include "http_server.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

const char* kToken = "canary-TOKEN-b71c04";

std::string PipelineFile(const std::string& base_url, const std::string& resources) {
  return "[pipeline]\nname = \"rest_api_pipeline\"\ndestination = \"warehouse\"\ndataset_name = \"rest_api_data\"\n\n"
         "[source]\ntype = \"rest_api\"\nname = \"rest_api\"\n\n[source.client]\nbase_url = \"" + base_url +
         "\"\nauth = { type = \"bearer\" }\n\n" + resources;
}

TEST(RestApiSafetyCli, CyclingPagesWarnAndTheTokenStaysWithBaseUrlsOrigin) {
  FixtureServer server;
  TempWorkspace ws;
  ASSERT_EQ(ws.Dlt({"init", "rest_api", "duckdb", "--toml"}).exit_code, 0);
  ws.Write(".dlt/secrets.toml", "[sources.rest_api]\ntoken = \"" + std::string(kToken) + "\"\n");
  ws.Write("rest_api_pipeline.toml",
           PipelineFile(server.Url() + "/",
                        "[[resources]]\nname = \"cycle\"\nendpoint = { path = \"test/cycle\", params = { p = \"a\" } }\n"
                        "[[resources]]\nname = \"away\"\nendpoint = { path = \"test/link\", params = { next = \"" +
                            server.OtherOriginUrl() + "/test/status?code=200\" }, paginator = \"json_link\" }\n"));
  RunResult r = ws.Dlt({"run", "rest_api_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "WARNING: resource `cycle`: stopped paginating after 2 page(s)")) << r.err;
  EXPECT_TRUE(Contains(r.err, "the API's pages form a cycle")) << r.err;
  for (const auto& q : server.Requests()) {
    bool home = q.headers.at("host").starts_with("127.0.0.1:");
    EXPECT_EQ(q.headers.count("authorization"), home ? 1u : 0u) << q.headers.at("host") << q.path;
  }
  EXPECT_EQ(server.RequestsTo("/test/status").size(), 1u);  // the link was followed, without the token

  r = ws.Dlt({"pipeline", "rest_api_pipeline", "trace"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "config: source.client.base_url from rest_api_pipeline.toml:11:12")) << r.out;
  EXPECT_TRUE(Contains(r.out, "config: sources.rest_api.token from .dlt/secrets.toml:2:9")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, kToken));
}

TEST(RestApiSafetyCli, AFailedRequestNamesTheProfileFileThatSetBaseUrl) {
  FixtureServer server;
  TempWorkspace ws;
  ASSERT_EQ(ws.Dlt({"init", "rest_api", "duckdb", "--toml"}).exit_code, 0);
  ws.Write(".dlt/secrets.toml", "[sources.rest_api]\ntoken = \"" + std::string(kToken) + "\"\n");
  ws.Write(".dlt/dev.config.toml", "[sources.rest_api]\nbase_url = \"" + server.Url() + "/nowhere/\"\n"
                                   "[runtime]\nrequest_max_attempts = 1\n");
  ws.Write("rest_api_pipeline.toml",
           PipelineFile("https://api.example.com/", "[[resources]]\nname = \"items\"\nendpoint = \"items\"\n"));
  RunResult r = ws.Dlt({"run", "rest_api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "GET " + server.Url() + "/nowhere/items failed with HTTP 404")) << r.err;
  EXPECT_TRUE(Contains(r.err, "(base_url " + server.Url() + "/nowhere/ from sources.rest_api.base_url in "
                              ".dlt/dev.config.toml:2:12 (profile: dev))"))
      << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, kToken));

  r = ws.Dlt({"pipeline", "rest_api_pipeline", "trace"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "config: sources.rest_api.base_url from .dlt/dev.config.toml:2:12 (profile: dev)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "config: sources.rest_api.token from .dlt/secrets.toml:2:9")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
