// The REST API source in-process: URL and header helpers, JSON paths and record detection, the
// pipeline-file parser's errors, the HTTP client's retries, timeouts and gzip, and every
// paginator against the tests' HTTP server on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>

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

TEST(HttpHelpers, LinkHeader) {
  std::string h = R"(<https://api.github.com/x?page=2&per_page=3>; rel="next", <https://api.github.com/x?page=4>; rel="last")";
  EXPECT_EQ(http::ParseLinkHeader(h).value_or(""), "https://api.github.com/x?page=2&per_page=3");
  EXPECT_EQ(http::ParseLinkHeader(h, "last").value_or(""), "https://api.github.com/x?page=4");
  EXPECT_FALSE(http::ParseLinkHeader(h, "prev"));
  EXPECT_FALSE(http::ParseLinkHeader(""));
}

TEST(HttpHelpers, ResolveAndJoinUrls) {
  EXPECT_EQ(http::ResolveUrl("http://h:1/a/b?x=1", "/c?p=2"), "http://h:1/c?p=2");
  EXPECT_EQ(http::ResolveUrl("http://h:1/a/b?x=1", "?p=2"), "http://h:1/a/b?p=2");
  EXPECT_EQ(http::ResolveUrl("http://h:1/a/b", "c"), "http://h:1/a/c");
  EXPECT_EQ(http::ResolveUrl("http://h:1/a/b", "https://o/x"), "https://o/x");
  EXPECT_EQ(rest_api::JoinUrl("https://pokeapi.co/api/v2", "pokemon"), "https://pokeapi.co/api/v2/pokemon");
  EXPECT_EQ(rest_api::JoinUrl("https://pokeapi.co/api/v2/", "/pokemon"), "https://pokeapi.co/api/v2/pokemon");
  EXPECT_EQ(rest_api::JoinUrl("https://a/", "https://b/c"), "https://b/c");
  EXPECT_EQ(http::AppendQuery("http://h/p?a=1", {{"b c", "x&y"}}), "http://h/p?a=1&b%20c=x%26y");
}

TEST(HttpHelpers, MaskHidesSecretsAndSecretQueryParams) {
  EXPECT_EQ(http::Mask("GET http://h/p?api_key=abc123&page=2 failed: abc123", {"abc123"}),
            "GET http://h/p?api_key=***&page=2 failed: ***");
  EXPECT_EQ(http::Mask("http://h/p?access_token=zzz&x=1", {}), "http://h/p?access_token=***&x=1");
  EXPECT_EQ(http::Mask("token a b/c", {"a b/c"}), "token ***");
  EXPECT_EQ(http::Mask("http://h/p?q=a%20b%2Fc", {"a b/c"}), "http://h/p?q=***");
}

TEST(HttpHelpers, RetryAfter) {
  EXPECT_EQ(http::ParseRetryAfter("3").value_or(-1), 3);
  EXPECT_EQ(http::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").value_or(-1), 0);  // in the past
  EXPECT_FALSE(http::ParseRetryAfter("soon"));
}

TEST(RestApiJson, SelectPathAndRecords) {
  Json j = Json::parse(R"({"a": {"b": [1, 2, {"c": 3}]}, "results": [{"id": 1}, {"id": 2}], "meta": {"items": []}})");
  EXPECT_EQ(rest_api::SelectPath(j, "a.b").size(), 1u);
  EXPECT_EQ(*rest_api::SelectPath(j, "$.a.b[2].c")[0], 3);
  EXPECT_EQ(rest_api::SelectPath(j, "results[*].id").size(), 2u);
  EXPECT_EQ(rest_api::SelectPath(j, "$").size(), 1u);
  EXPECT_TRUE(rest_api::SelectPath(j, "nope.x").empty());
  auto recs = rest_api::FindRecords(j);
  ASSERT_EQ(recs.size(), 2u);  // `results` is a well-known key, preferred over a.b
  EXPECT_EQ(recs[0]["id"], 1);
  EXPECT_EQ(rest_api::FindRecords(Json::parse(R"([{"x": 1}])")).size(), 1u);
  EXPECT_EQ(rest_api::FindRecords(Json::parse(R"({"id": 5, "name": "x"})")).size(), 1u);
  EXPECT_EQ(rest_api::FindRecords(Json::parse(R"({"page": {"list": [1, 2, 3]}})")).size(), 3u);
}

TEST(RestApiJson, NextUrlDetection) {
  EXPECT_EQ(rest_api::FindNextUrlPath(Json::parse(R"({"count": 3, "next": null, "results": []})")).value_or(""), "next");
  EXPECT_EQ(rest_api::FindNextUrlPath(Json::parse(R"({"pagination": {"next_page": "u"}})")).value_or(""),
            "pagination.next_page");
  EXPECT_EQ(rest_api::FindNextUrlPath(Json::parse(R"({"links": {"next": {"href": "u"}}})")).value_or(""), "links.next.href");
  EXPECT_FALSE(rest_api::FindNextUrlPath(Json::parse(R"({"data": []})")));
}

// --- the parser ---------------------------------------------------------------------------

StatusOr<PipelineFileSpec> ParseText(const TempWorkspace& ws, const std::string& body) {
  WriteRestApiPipeline(ws, body);
  return ParsePipelineFile(ws.root() / "api_pipeline.toml", "api_pipeline.toml");
}

TEST(RestApiConfig, ParsesDltShapedConfig) {
  TempWorkspace ws;
  auto spec = ParseText(ws, R"(
[source.client]
base_url = "https://api.example.com/v1/"
headers = { Accept = "application/json" }
auth = { type = "api_key", name = "api_key", location = "query" }
paginator = { type = "page_number", base_page = 1, total_path = "total_pages" }

[source.resource_defaults]
primary_key = "id"
write_disposition = "merge"
endpoint = { params = { per_page = 50 } }

[[resources]]
name = "issues"
endpoint = { path = "issues", params = { since = { type = "incremental", cursor_path = "updated_at", initial_value = "2024-01-01" } } }

[[resources]]
name = "comments"
write_disposition = "append"
endpoint = { path = "issues/{resources.issues.number}/comments" }
include_from_parent = ["id", "title"]

[[resources]]
name = "legacy"
selected = false
endpoint = { path = "issues/{issue}/events", params = { issue = { type = "resolve", resource = "issues", field = "number" } } }
)");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_TRUE(spec->rest_api);
  const auto& r = *spec->rest_api;
  EXPECT_EQ(r.source_name, "my_api");
  EXPECT_EQ(r.client.auth.type, "api_key");
  EXPECT_EQ(r.client.auth.location, "query");
  ASSERT_EQ(r.resources.size(), 3u);
  EXPECT_EQ(spec->resources.size(), 2u);  // `legacy` is not selected
  const auto* issues = r.Find("issues");
  ASSERT_TRUE(issues);
  EXPECT_EQ(issues->options.write_disposition, "merge");
  EXPECT_EQ(issues->options.primary_key, std::vector<std::string>{"id"});
  ASSERT_TRUE(issues->options.incremental);
  EXPECT_EQ(issues->options.incremental->cursor_path, "updated_at");
  EXPECT_EQ(issues->endpoint.params.size(), 2u);  // per_page from the defaults, and since
  const auto* comments = r.Find("comments");
  EXPECT_EQ(comments->options.write_disposition, "append");
  EXPECT_EQ(comments->parent, "issues");
  EXPECT_EQ(r.Find("legacy")->parent, "issues");
  EXPECT_TRUE(r.IsParent("issues"));
}

TEST(RestApiConfig, RefusesSecretsInTheFile) {
  TempWorkspace ws;
  auto spec = ParseText(ws, "[source.client]\nbase_url = \"https://x/\"\nauth = { type = \"bearer\", token = \"ghp_abc\" }\n[[resources]]\nname = \"a\"\n");
  ASSERT_FALSE(spec.ok());
  const std::string& m = spec.status().message();
  EXPECT_TRUE(Has(m, "api_pipeline.toml:11:")) << m;
  EXPECT_TRUE(Has(m, "`token` is a secret")) << m;
  EXPECT_TRUE(Has(m, "[sources.my_api]\n  token = \"...\"")) << m;
  EXPECT_TRUE(Has(m, "SOURCES__MY_API__TOKEN")) << m;
  EXPECT_FALSE(Has(m, "ghp_abc")) << m;

  spec = ParseText(ws, "[source.client]\nbase_url = \"https://x/\"\nheaders = { Authorization = \"Bearer x\" }\n[[resources]]\nname = \"a\"\n");
  ASSERT_FALSE(spec.ok());
  EXPECT_TRUE(Has(spec.status().message(), "header `Authorization` carries credentials")) << spec.status().message();

  spec = ParseText(ws, "[[resources]]\nname = \"a\"\nendpoint = { path = \"a\", params = { api_key = \"k123\" } }\n");
  ASSERT_FALSE(spec.ok());
  EXPECT_TRUE(Has(spec.status().message(), "query parameter `api_key` is a secret")) << spec.status().message();
}

TEST(RestApiConfig, ExplainsMistakes) {
  TempWorkspace ws;
  auto err = [&](const std::string& body) {
    auto s = ParseText(ws, body);
    return s.ok() ? std::string("(parsed)") : s.status().message();
  };
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nendpoint = { paginator = { type = \"json_lnk\" } }\n"),
                  "Did you mean `json_link`?"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nendpoint = \"a/{resources.b.id}\"\n"),
                  "depends on `b`, which is not a resource of this file"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nendpoint = \"a/{id}\"\n"), "unknown placeholder `{id}`"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nendpoint = \"a/{resources.b.id}\"\n[[resources]]\nname = \"b\"\n"
                      "endpoint = \"b/{resources.a.id}\"\n"),
                  "cycle"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\npath = \"a\"\n"), "belongs in its endpoint"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nendpoint = { paginator = { type = \"offset\" } }\n"), "needs `limit`"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nendpoint = { pth = \"a\" }\n"), "Did you mean `path`?"));
  EXPECT_TRUE(Has(err("[[resources]]\nname = \"a\"\nincluded_from_parent = [\"x\"]\n"), "include_from_parent"));
  EXPECT_TRUE(Has(err("[source.client]\nbase_url = \"ftp://x\"\n[[resources]]\nname = \"a\"\n"), "http:// or https://"));
}

// --- HTTP ---------------------------------------------------------------------------------

http::RetryPolicy FastPolicy() {
  http::RetryPolicy p;
  p.timeout_s = 5;
  p.max_attempts = 3;
  p.backoff_factor = 0.01;
  return p;
}

TEST(HttpClient, RetriesA500ThenSucceeds) {
  FixtureServer server;
  auto client = http::Client::Create();
  ASSERT_TRUE(client.ok()) << client.status().message();
  http::Request req;
  req.url = server.Url() + "/test/flaky500?case=unit";
  int retries = 0;
  client->on_retry = [&](int, double, const std::string& why) {
    ++retries;
    EXPECT_TRUE(Has(why, "HTTP 500")) << why;
  };
  auto resp = client->Send(req, FastPolicy());
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->attempts, 2);
  EXPECT_EQ(retries, 1);
}

TEST(HttpClient, HonoursRetryAfter) {
  FixtureServer server;
  auto client = http::Client::Create();
  ASSERT_TRUE(client.ok());
  http::Request req;
  req.url = server.Url() + "/test/ratelimit?case=unit";
  auto t0 = std::chrono::steady_clock::now();
  auto resp = client->Send(req, FastPolicy());
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(resp.ok()) << resp.status().message();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->attempts, 2);
  EXPECT_GE(s, 0.95);  // Retry-After: 1, not the 0.01 s backoff
  EXPECT_LT(s, 5);
}

TEST(HttpClient, TimesOutWithAClearMessage) {
  FixtureServer server;
  auto client = http::Client::Create();
  ASSERT_TRUE(client.ok());
  http::Request req;
  req.url = server.Url() + "/test/slow?ms=3000&api_key=sekrit";
  req.secrets = {"sekrit"};
  http::RetryPolicy p = FastPolicy();
  p.timeout_s = 0.3;
  p.max_attempts = 2;
  auto t0 = std::chrono::steady_clock::now();
  auto resp = client->Send(req, p);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
  const std::string& m = resp.status().message();
  EXPECT_TRUE(Has(m, "GET " + server.Url() + "/test/slow?ms=3000&api_key=*** failed after 2 attempts")) << m;
  EXPECT_TRUE(Has(m, "timed out after 0.3 s")) << m;
  EXPECT_TRUE(Has(m, "request_timeout")) << m;
  EXPECT_FALSE(Has(m, "sekrit")) << m;
  EXPECT_LT(s, 2.5);
}

TEST(HttpClient, ConnectionRefused) {
  int port;
  {
    FixtureServer gone;
    port = gone.port();
  }
  auto client = http::Client::Create();
  ASSERT_TRUE(client.ok());
  http::Request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  http::RetryPolicy p = FastPolicy();
  p.max_attempts = 2;
  auto resp = client->Send(req, p);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Has(resp.status().message(), "failed after 2 attempts")) << resp.status().message();
}

TEST(HttpClient, DecodesGzip) {
  FixtureServer server;
  auto client = http::Client::Create();
  ASSERT_TRUE(client.ok());
  http::Request req;
  req.url = server.Url() + "/test/gzip";
  auto resp = client->Send(req, FastPolicy());
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->status, 200) << resp->body;
  EXPECT_EQ(resp->Header("content-encoding").value_or(""), "gzip");
  auto j = Json::parse(resp->body);
  EXPECT_EQ(j["data"].size(), 50u);
}

// --- resources against the server ----------------------------------------------------------

std::vector<Json> Drain(const Resource& r, std::string* error = nullptr) {
  std::vector<Json> rows;
  auto src = ResourceAccess::OpenSource(r, ExtractContext{});
  if (!src.ok()) {
    if (error) *error = src.status().message();
    return rows;
  }
  std::string_view json;
  std::string where;
  for (;;) {
    auto more = (*src)->Next(&json, &where);
    if (!more.ok()) {
      if (error) *error = more.status().message();
      break;
    }
    if (!*more) break;
    rows.push_back(Json::parse(json));
  }
  return rows;
}

struct Loaded {
  std::map<std::string, std::vector<Json>> rows;
  std::map<std::string, std::string> errors;
};

Loaded Load(TempWorkspace& ws, const std::string& body) {
  Loaded out;
  auto spec = ParseText(ws, body);
  if (!spec.ok()) {
    out.errors["parse"] = spec.status().message();
    return out;
  }
  Workspace w = ws.OpenLoaded();
  rest_api::RunOptions o;
  o.pipeline_name = "api_pipeline";
  auto resources = rest_api::MakeResources(w, *spec->rest_api, o);
  if (!resources.ok()) {
    out.errors["make"] = resources.status().message();
    return out;
  }
  for (const auto& r : *resources) {
    std::string err;
    out.rows[r.options().name] = Drain(r, &err);
    if (!err.empty()) out.errors[r.options().name] = err;
  }
  return out;
}

std::vector<int> Ids(const std::vector<Json>& rows) {
  std::vector<int> ids;
  for (const auto& r : rows) ids.push_back(r["id"].get<int>());
  return ids;
}

TEST(RestApiResources, EveryPaginator) {
  FixtureServer server;
  TempWorkspace ws;
  Loaded l = Load(ws, "[source.client]\nbase_url = \"" + server.Url() + "/test/\"\n" + R"(
[[resources]]
name = "offset"
endpoint = { path = "offset", paginator = { type = "offset", limit = 10, total_path = "total" } }
[[resources]]
name = "page"
endpoint = { path = "page", data_selector = "data", paginator = { type = "page_number", base_page = 1, total_path = "total_pages" } }
[[resources]]
name = "cursor"
endpoint = { path = "cursor", paginator = { type = "cursor", cursor_path = "cursors.next", cursor_param = "after" } }
[[resources]]
name = "json_link"
endpoint = { path = "json_link", paginator = { type = "json_link", next_url_path = "links.next" } }
[[resources]]
name = "header_link"
endpoint = { path = "header_link", paginator = "header_link" }
[[resources]]
name = "header_cursor"
endpoint = { path = "header_cursor", paginator = { type = "header_cursor", cursor_key = "NextPageToken" } }
[[resources]]
name = "auto_header"
endpoint = "header_link"
[[resources]]
name = "auto_json"
endpoint = "json_link"
[[resources]]
name = "single"
endpoint = { path = "json_link", paginator = "single_page" }
[[resources]]
name = "empty_page_stop"
endpoint = { path = "page", paginator = { type = "page_number", base_page = 1 } }
)");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->first << ": " << l.errors.begin()->second;
  EXPECT_EQ(l.rows["offset"].size(), 23u);
  EXPECT_EQ(Ids(l.rows["page"]), (std::vector<int>{10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33}));
  EXPECT_EQ(Ids(l.rows["cursor"]), (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(Ids(l.rows["json_link"]), (std::vector<int>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Ids(l.rows["header_link"]), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(Ids(l.rows["header_cursor"]), (std::vector<int>{11, 12, 21, 22, 31, 32}));
  EXPECT_EQ(Ids(l.rows["auto_header"]), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(Ids(l.rows["auto_json"]), (std::vector<int>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Ids(l.rows["single"]), (std::vector<int>{2, 3}));
  EXPECT_EQ(l.rows["empty_page_stop"].size(), 12u);  // no total_pages key read: stops at the empty page 4
  auto offsets = server.RequestsTo("/test/offset");
  ASSERT_EQ(offsets.size(), 3u);
  EXPECT_EQ(offsets[2].params["offset"], "20");
  EXPECT_EQ(offsets[2].params["limit"], "10");
  EXPECT_EQ(server.RequestsTo("/test/page").size(), 3u + 4u);
  auto cursors = server.RequestsTo("/test/header_cursor");
  ASSERT_EQ(cursors.size(), 3u);
  EXPECT_EQ(cursors[0].params.count("cursor"), 0u);
  EXPECT_EQ(cursors[2].params["cursor"], "tok-3");  // the NextPageToken header of page 2, as `cursor`
}

TEST(RestApiResources, AuthDependentResourcesPostAndActions) {
  FixtureServer server;
  server.SetApiKey("k-987654");
  server.SetBasic("ann", "pw-123456");
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\napi_key = \"k-987654\"\n");
  Loaded l = Load(ws, "[source.client]\nbase_url = \"" + server.Url() + "/\"\n" + R"(
auth = { type = "api_key", name = "api_key", location = "query" }
concurrency = 3

[[resources]]
name = "keys"
endpoint = "test/apikey"

[[resources]]
name = "per_key"
endpoint = { path = "test/status", params = { code = "200", id = "{resources.keys.id}" } }
include_from_parent = ["id"]

[[resources]]
name = "search"
endpoint = { path = "test/search", method = "POST", json = { q = "{resources.keys.id}", size = 2 } }

[[resources]]
name = "missing"
endpoint = { path = "test/status", params = { code = 404 }, response_actions = [{ status_code = 404, action = "ignore" }] }

[[resources]]
name = "pokemon"
endpoint = { path = "api/v2/pokemon", params = { limit = 20 } }

[[resources]]
name = "details"
endpoint = { path = "api/v2/pokemon/{resources.pokemon.name}" }
include_from_parent = ["name", "url"]
)");
  EXPECT_TRUE(l.errors.empty()) << l.errors.begin()->first << ": " << l.errors.begin()->second;
  EXPECT_EQ(l.rows["keys"].size(), 2u);
  ASSERT_EQ(l.rows["per_key"].size(), 2u);
  EXPECT_EQ(l.rows["per_key"][0]["_keys_id"], 1);
  EXPECT_EQ(l.rows["per_key"][1]["_keys_id"], 2);
  ASSERT_EQ(l.rows["search"].size(), 4u);
  EXPECT_EQ(l.rows["search"][0]["q"], "1");  // the parent's value kept its JSON type (a number)
  EXPECT_TRUE(l.rows["missing"].empty());
  EXPECT_EQ(l.rows["pokemon"].size(), 45u);
  ASSERT_EQ(l.rows["details"].size(), 45u);
  for (size_t i = 0; i < 45; ++i) {  // in the parents' order, although fetched in parallel
    EXPECT_EQ(l.rows["details"][i]["id"], static_cast<int>(i) + 1);
    EXPECT_EQ(l.rows["details"][i]["_pokemon_name"], "poke" + std::to_string(i + 1));
  }
  for (const auto& r : server.RequestsTo("/test/apikey")) EXPECT_EQ(r.params.at("api_key"), "k-987654");
  // The parent was fetched once: the children read its rows from this run.
  EXPECT_EQ(server.RequestsTo("/test/apikey").size(), 1u);

  // http basic; a wrong password names the URL and the status, never the password
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\npassword = \"pw-123456\"\n");
  std::string basic = "[source.client]\nbase_url = \"" + server.Url() + "/\"\nauth = { type = \"http_basic\", username = \"ann\" }\n"
                      "[[resources]]\nname = \"b\"\nendpoint = \"test/basic\"\n";
  l = Load(ws, basic);
  EXPECT_TRUE(l.errors.empty());
  EXPECT_EQ(Ids(l.rows["b"]), std::vector<int>{7});
  ws.Write(".dlt/secrets.toml", "[sources.my_api]\npassword = \"wrong-pw-42\"\n");
  l = Load(ws, basic);
  ASSERT_EQ(l.errors.count("b"), 1u);
  EXPECT_TRUE(Has(l.errors["b"], "resource `b`: GET " + server.Url() + "/test/basic failed with HTTP 401")) << l.errors["b"];
  EXPECT_FALSE(Has(l.errors["b"], "wrong-pw-42"));

  // a missing secret says where it goes
  ws.Write(".dlt/secrets.toml", "");
  l = Load(ws, basic);
  ASSERT_EQ(l.errors.count("make"), 1u);
  EXPECT_TRUE(Has(l.errors["make"], "[sources.my_api]\n  password = \"...\"")) << l.errors["make"];
  EXPECT_TRUE(Has(l.errors["make"], "SOURCES__MY_API__PASSWORD")) << l.errors["make"];
}

TEST(RestApiResources, StringResourcesAndIncrementalPlaceholders) {
  FixtureServer server;
  TempWorkspace ws;
  // A top-level array must come before the first [table] in TOML.
  WriteFile(ws.root() / "api_pipeline.toml",
            R"(resources = ["offset", { name = "inc", endpoint = { path = "status", params = { code = 200, from = "{incremental.start_value}" }, incremental = { end_param = "until", cursor_path = "id", initial_value = 5, end_value = 9 } } }]
)" + std::string(kRestApiPipelineHeader) + "[source.client]\nbase_url = \"" + server.Url() + "/test/\"\n" + R"(
[source.resource_defaults]
endpoint = { paginator = "single_page" }
)");
  auto spec = ParsePipelineFile(ws.root() / "api_pipeline.toml", "api_pipeline.toml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  Workspace w = ws.OpenLoaded();
  rest_api::RunOptions o;
  o.pipeline_name = "api_pipeline";
  auto resources = rest_api::MakeResources(w, *spec->rest_api, o);
  ASSERT_TRUE(resources.ok()) << resources.status().message();
  ASSERT_EQ(resources->size(), 2u);
  EXPECT_EQ(Drain((*resources)[0]).size(), 10u);  // one page of the default limit
  std::string err;
  Drain((*resources)[1], &err);
  EXPECT_EQ(err, "");
  auto reqs = server.RequestsTo("/test/status");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].params["from"], "5");
  EXPECT_EQ(reqs[0].params["until"], "9");
}

TEST(RestApiResources, NotJsonAndHttpErrors) {
  FixtureServer server;
  TempWorkspace ws;
  Loaded l = Load(ws, "[source.client]\nbase_url = \"" + server.Url() + "/test/\"\n" + R"(
[[resources]]
name = "html"
endpoint = "notjson"
[[resources]]
name = "gone"
endpoint = { path = "status", params = { code = 404 } }
)");
  EXPECT_TRUE(Has(l.errors["html"], "is not JSON (text/html): <html>")) << l.errors["html"];
  EXPECT_TRUE(Has(l.errors["gone"], "GET " + server.Url() + "/test/status?code=404 failed with HTTP 404 Not Found"))
      << l.errors["gone"];
}

}  // namespace
}  // namespace dlt::testing
