// The REST API source's safety rules against the tests' HTTP server: credentials go only to the
// origin of base_url (redirects and next-page links to another origin get none), paginations
// that come back to a page end with a warning, maximum_page / maximum_offset cap endless APIs,
// and failed requests say where base_url came from.
//
// The server listens on 127.0.0.1; http://localhost:<port> reaches the same server as another
// origin, and its requests are told apart by their Host header.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>

#include "extract/extractor.h"
#include "extract/http_client.h"
#include "extract/rest_api_source.h"
#include "extract/resource_access.h"
#include "http_server.h"
#include "pipeline/pipeline_file.h"
#include "support/rest_api_pipeline.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

using rest_api::Json;

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Loaded {
  std::map<std::string, std::vector<Json>> rows;
  std::map<std::string, std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, std::string>> origins;
};

Loaded LoadNow(TempWorkspace& ws, const std::string& body) {
  Loaded out;
  WriteRestApiPipeline(ws, body);
  auto spec = ParsePipelineFile(ws.root() / "api_pipeline.toml", "api_pipeline.toml");
  if (!spec.ok()) {
    out.errors["parse"] = spec.status().message();
    return out;
  }
  Workspace w = ws.OpenLoaded();
  rest_api::RunOptions o;
  o.pipeline_name = "api_pipeline";
  auto mu = std::make_shared<std::mutex>();
  o.on_warning = [&out, mu](const std::string& m) {
    std::lock_guard<std::mutex> lock(*mu);
    out.warnings.push_back(m);
  };
  auto resources = rest_api::MakeResources(w, *spec->rest_api, o, &out.origins);
  if (!resources.ok()) {
    out.errors["make"] = resources.status().message();
    return out;
  }
  for (const auto& r : *resources) {
    auto src = ResourceAccess::OpenSource(r, ExtractContext{});
    if (!src.ok()) {
      out.errors[r.options().name] = src.status().message();
      continue;
    }
    std::string_view json;
    std::string where;
    for (;;) {
      auto more = (*src)->Next(&json, &where);
      if (!more.ok()) {
        out.errors[r.options().name] = more.status().message();
        break;
      }
      if (!*more) break;
      out.rows[r.options().name].push_back(Json::parse(json));
    }
  }
  return out;
}

// Loads within 60 s, or fails the whole test binary: a pagination that never ends must not hang
// the suite.
Loaded Load(TempWorkspace& ws, const std::string& body) {
  auto f = std::async(std::launch::async, [&] { return LoadNow(ws, body); });
  if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    std::fprintf(stderr, "FATAL: the REST API source did not finish within 60 s (an endless pagination)\n");
    std::fflush(stderr);
    std::_Exit(1);
  }
  return f.get();
}

std::string Client(const FixtureServer& server, const std::string& auth) {
  return "[source.client]\nbase_url = \"" + server.Url() + "/\"\nauth = " + auth + "\n";
}

// Requests the server received under `path` from the other origin (Host: localhost:<port>).
std::vector<RecordedRequest> FromOtherOrigin(const FixtureServer& server, const std::string& path) {
  std::vector<RecordedRequest> out;
  for (const auto& r : server.RequestsTo(path)) {
    if (r.headers.count("host") && r.headers.at("host").starts_with("localhost:")) out.push_back(r);
  }
  return out;
}

TEST(HttpHelpers, OriginIsSchemeHostAndPort) {
  EXPECT_EQ(http::Origin("https://API.example.com/v1/x?y=1"), "https://api.example.com:443");
  EXPECT_EQ(http::Origin("http://example.com"), "http://example.com:80");
  EXPECT_EQ(http::Origin("http://user:pw@example.com:8080/x"), "http://example.com:8080");
  EXPECT_EQ(http::Origin("http://[::1]:81/x"), "http://[::1]:81");
  EXPECT_NE(http::Origin("http://127.0.0.1:81/"), http::Origin("http://localhost:81/"));
  EXPECT_NE(http::Origin("http://example.com/"), http::Origin("https://example.com/"));
  EXPECT_EQ(http::Origin("file:///etc/passwd"), "");
  EXPECT_EQ(http::RemoveQueryParams("http://x/a?api_key=1&b=2&api%5Fkey=3#f", {"api_key"}), "http://x/a?b=2#f");
  EXPECT_EQ(http::RemoveQueryParams("http://x/a?api_key=1", {"api_key"}), "http://x/a");
}

TEST(RestApiCredentials, ARedirectToAnotherOriginGoesWithoutTheApiKeyHeader) {
  FixtureServer server;
  server.SetApiKey("k-555");
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\napi_key = \"k-555\"\n");
  Loaded l = Load(ws, Client(server, R"({ type = "api_key", name = "X-API-Key" })") + R"(
[[resources]]
name = "away"
endpoint = { path = "test/redirect", params = { to = ")" + server.OtherOriginUrl() + R"(/test/status?code=200" } }
[[resources]]
name = "home"
endpoint = { path = "test/redirect", params = { to = ")" + server.Url() + R"(/test/apikey" } }
)");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->first << ": " << l.errors.begin()->second;
  EXPECT_EQ(l.rows["away"].size(), 1u);
  auto away = FromOtherOrigin(server, "/test/status");
  ASSERT_EQ(away.size(), 1u);
  EXPECT_EQ(away[0].headers.count("x-api-key"), 0u);
  // the redirect itself came from base_url's origin, with the key; a redirect within it keeps it
  for (const auto& r : server.RequestsTo("/test/redirect")) EXPECT_EQ(r.headers.at("x-api-key"), "k-555");
  EXPECT_EQ(l.rows["home"].size(), 2u);
}

TEST(RestApiCredentials, ARedirectToAnotherOriginGoesWithoutTheTokenOrTheQueryKey) {
  FixtureServer server;
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\ntoken = \"tok-777\"\napi_key = \"k-888\"\n");
  std::string to = server.OtherOriginUrl() + "/test/status?code=200";
  Loaded l = Load(ws, Client(server, R"({ type = "bearer" })") +
                          "[[resources]]\nname = \"r\"\nendpoint = { path = \"test/redirect\", params = { code = 307, "
                          "to = \"" + to + "\" } }\n");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  auto away = FromOtherOrigin(server, "/test/status");
  ASSERT_EQ(away.size(), 1u);
  EXPECT_EQ(away[0].headers.count("authorization"), 0u);

  // a server that passes its query on: the api_key parameter is taken off the other origin's URL
  l = Load(ws, Client(server, R"({ type = "api_key", name = "api_key", location = "query" })") +
                   "[[resources]]\nname = \"r\"\nendpoint = { path = \"test/redirect\", params = { keep_query = 1, "
                   "to = \"" + to + "\" } }\n");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  away = FromOtherOrigin(server, "/test/status");
  ASSERT_EQ(away.size(), 2u);
  EXPECT_EQ(away[1].params.count("api_key"), 0u);
  EXPECT_EQ(away[1].params.at("keep_query"), "1");  // the other parameters are passed on
}

TEST(RestApiCredentials, NextPageLinksToAnotherOriginGoWithoutCredentials) {
  FixtureServer server;
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\ntoken = \"tok-777\"\napi_key = \"k-888\"\n");
  std::string next = server.OtherOriginUrl() + "/test/status?code=200";
  Loaded l = Load(ws, Client(server, R"({ type = "bearer" })") +
                          "[[resources]]\nname = \"r\"\nendpoint = { path = \"test/link\", params = { next = \"" + next +
                          "\" }, paginator = { type = \"json_link\", next_url_path = \"next\" } }\n");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  EXPECT_EQ(l.rows["r"].size(), 2u);  // both pages: the link is followed
  EXPECT_EQ(server.RequestsTo("/test/link").at(0).headers.at("authorization"), "Bearer tok-777");
  auto away = FromOtherOrigin(server, "/test/status");
  ASSERT_EQ(away.size(), 1u);
  EXPECT_EQ(away[0].headers.count("authorization"), 0u);

  l = Load(ws, Client(server, R"({ type = "api_key", name = "X-API-Key" })") +
                   "[[resources]]\nname = \"r\"\nendpoint = { path = \"test/link_header\", params = { next = \"" + next +
                   "\" }, paginator = \"header_link\" }\n");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  away = FromOtherOrigin(server, "/test/status");
  ASSERT_EQ(away.size(), 2u);
  EXPECT_EQ(away[1].headers.count("x-api-key"), 0u);

  l = Load(ws, Client(server, R"({ type = "api_key", name = "api_key", location = "query" })") +
                   "[[resources]]\nname = \"r\"\nendpoint = { path = \"test/link\", params = { next = \"" + next +
                   "&api_key=k-888\" }, paginator = \"json_link\" }\n");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  away = FromOtherOrigin(server, "/test/status");
  ASSERT_EQ(away.size(), 3u);
  EXPECT_EQ(away[2].params.count("api_key"), 0u);  // not even when the link itself echoes it
}

TEST(RestApiCredentials, AFailureOnAnotherOriginSaysTheCredentialsWereNotSent) {
  FixtureServer server;
  server.SetApiKey("k-555");
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\napi_key = \"k-555\"\n");
  Loaded l = Load(ws, Client(server, R"({ type = "api_key", name = "X-API-Key" })") +
                          "[[resources]]\nname = \"r\"\nendpoint = { path = \"test/redirect\", params = { to = \"" +
                          server.OtherOriginUrl() + "/test/apikey\" } }\n");
  ASSERT_EQ(l.errors.count("r"), 1u);
  EXPECT_TRUE(Has(l.errors["r"], "failed with HTTP 403")) << l.errors["r"];
  EXPECT_TRUE(Has(l.errors["r"], "(redirected to " + server.OtherOriginUrl() + "/test/apikey)")) << l.errors["r"];
  EXPECT_TRUE(Has(l.errors["r"], "The credentials were not sent: they go only to " + server.Url())) << l.errors["r"];
  EXPECT_FALSE(Has(l.errors["r"], "k-555"));
}

TEST(RestApiPagination, LinksThatComeBackToAPageEndWithAWarning) {
  FixtureServer server;
  TempWorkspace ws;
  Loaded l = Load(ws, "[source.client]\nbase_url = \"" + server.Url() + "/\"\n" + R"(
[[resources]]
name = "json_cycle"
endpoint = { path = "test/cycle", params = { p = "a" }, paginator = "json_link" }
[[resources]]
name = "header_cycle"
endpoint = { path = "test/cycle_header", params = { p = "a" } }
)");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  ASSERT_EQ(l.rows["json_cycle"].size(), 2u);  // a and b once each: no duplicates
  EXPECT_EQ(l.rows["json_cycle"][1]["id"], "b");
  EXPECT_EQ(l.rows["header_cycle"].size(), 2u);
  EXPECT_EQ(server.RequestsTo("/test/cycle_header").size(), 2u);
  ASSERT_EQ(l.warnings.size(), 2u);
  EXPECT_TRUE(Has(l.warnings[0], "resource `json_cycle`: stopped paginating after 2 page(s): the json_link paginator "
                                 "leads back to GET " + server.Url() + "/test/cycle?p=a, which was requested before"))
      << l.warnings[0];
  EXPECT_TRUE(Has(l.warnings[1], "resource `header_cycle`: stopped paginating after 2 page(s): the header_link"))
      << l.warnings[1];
}

TEST(RestApiPagination, MaximumPageAndMaximumOffsetEndAnEndlessApi) {
  FixtureServer server;
  TempWorkspace ws;
  Loaded l = Load(ws, "[source.client]\nbase_url = \"" + server.Url() + "/\"\n" + R"(
[[resources]]
name = "pages"
endpoint = { path = "test/endless", paginator = { type = "page_number", base_page = 1, maximum_page = 4 } }
[[resources]]
name = "offsets"
endpoint = { path = "test/endless", paginator = { type = "offset", limit = 5, maximum_offset = 20 } }
)");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->second;
  // As dlt: the pagination stops once the next value would reach the maximum.
  ASSERT_EQ(l.rows["pages"].size(), 3u);
  EXPECT_EQ(l.rows["pages"][2]["id"], 3);
  ASSERT_EQ(l.rows["offsets"].size(), 4u);
  EXPECT_EQ(l.rows["offsets"][3]["id"], 15);
}

TEST(RestApiErrors, AFailedRequestSaysWhereBaseUrlCameFrom) {
  FixtureServer server;
  TempWorkspace ws;
  std::string resources = "[[resources]]\nname = \"gone\"\nendpoint = { path = \"status\", params = { code = 404 } }\n";
  Loaded l = Load(ws, "[source.client]\nbase_url = \"" + server.Url() + "/test/\"\n" + resources);
  EXPECT_TRUE(Has(l.errors["gone"], "failed with HTTP 404 Not Found")) << l.errors["gone"];
  EXPECT_TRUE(Has(l.errors["gone"], "(base_url " + server.Url() + "/test/ from [source.client] in api_pipeline.toml:10:12)"))
      << l.errors["gone"];
  ASSERT_EQ(l.origins.size(), 1u);
  EXPECT_EQ(l.origins[0].first, "source.client.base_url");

  // the profile's config wins over the file, and the message names the key and the file
  ws.Write(".dlt/config.toml", "[sources.my_api]\nbase_url = \"" + server.Url() + "/test/\"\n");
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\ntoken = \"tok-777\"\n");
  l = Load(ws, "[source.client]\nbase_url = \"https://api.example.com/\"\nauth = { type = \"bearer\" }\n" + resources);
  EXPECT_TRUE(Has(l.errors["gone"], "(base_url " + server.Url() + "/test/ from sources.my_api.base_url in .dlt/config.toml:2:12)"))
      << l.errors["gone"];
  ASSERT_EQ(l.origins.size(), 2u);
  EXPECT_EQ(l.origins[0].first, "sources.my_api.base_url");
  EXPECT_EQ(l.origins[1].first, "sources.my_api.token");
  EXPECT_TRUE(Has(l.origins[1].second, ".dlt/secrets.toml:2:9")) << l.origins[1].second;
}

}  // namespace
}  // namespace dlt::testing
