// dlt's rest_api source as its docs (verified-sources/rest_api basic.md and advanced.md, dlt 1.26)
// and its code (dlt/sources/rest_api, dlt/sources/helpers/rest_client) describe it, from Python
// and from pipeline files, against an HTTP server on 127.0.0.1 that this file starts: which
// requests are made (paths, query parameters, headers, bodies) and which rows are loaded.
//
//   - children resolve only from the parent rows its incremental kept (the boundary row the API
//     serves again, and rows older than the cursor, resolve no child request)
//   - placeholders in endpoint headers ({incremental.start_value}, {resources.<parent>.<field>});
//     endpoint headers override the client's
//   - `{{` / `}}` are literal braces in path, params, json and headers (str.format, as dlt)
//   - paginator auto-detection: a "next" value that is no URL is a cursor
//   - auth {"token": ...} without a type is bearer; endpoint-level auth over the client's, from
//     Python and from pipeline files (secrets from sources.<source>.<resource>)
//   - secret-named params and headers from dlt.secrets are sent, and never shown
//   - rest_api_source(root_key=True)
//   - Python objects the engine cannot run are refused, each for what it is
#include <gtest/gtest.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/duckdb_query.h"
#include "support/python_script.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct Seen {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct Issue {
  int number;
  std::string updated_at;
};

// The API of this file's tests; every request is recorded.
class DocsServer {
 public:
  DocsServer() {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
    server_.Get(".*", handle);
    server_.Post(".*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~DocsServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<Seen> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.clear();
  }
  // Paths (with their query strings, sorted by name) of the requests whose path starts with `prefix`.
  std::vector<std::string> Paths(const std::string& prefix = "/") const {
    std::vector<std::string> out;
    for (const auto& s : Requests()) {
      if (!s.path.starts_with(prefix)) continue;
      std::string p = s.path;
      char sep = '?';
      for (const auto& [k, v] : s.params) {
        p += sep + k + "=" + v;
        sep = '&';
      }
      out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  void SetIssues(std::vector<Issue> issues) {
    std::lock_guard<std::mutex> lock(mu_);
    issues_ = std::move(issues);
  }

 private:
  static void Send(httplib::Response& res, const Json& j, int status = 200) {
    res.status = status;
    res.set_content(j.dump(), "application/json");
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    Seen s{req.method, req.path, {}, {}, req.body};
    for (const auto& [k, v] : req.params) s.params[k] = v;
    for (const auto& [k, v] : req.headers) {
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      s.headers[lower] = v;
    }
    std::vector<Issue> issues;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(s);
      issues = issues_;
    }
    const std::string& p = req.path;
    std::smatch m;
    static const std::regex kComments(R"(/(issues|all_issues|posts)/(\d+)/comments)");
    if (p == "/issues" || p == "/all_issues") {
      // /issues filters by `since` as GitHub does (updated at or after it, so the last issue of
      // the previous run comes again); /all_issues ignores it.
      std::string since = p == "/issues" && req.has_param("since") ? req.get_param_value("since") : "";
      Json out = Json::array();
      for (const auto& i : issues) {
        if (i.updated_at >= since) out.push_back({{"number", i.number}, {"updated_at", i.updated_at}});
      }
      return Send(res, out);
    }
    if (std::regex_match(p, m, kComments)) {
      int n = std::stoi(m[2].str());
      Json out = Json::array();
      for (int k = 0; k < 2; ++k) out.push_back({{"id", n * 10 + k}, {"body", "c" + std::to_string(k)}});
      return Send(res, out);
    }
    if (p == "/posts") {
      return Send(res, Json::array({{{"id", 1}, {"title", "one"}, {"reactions", {"like", "heart"}}},
                                    {{"id", 2}, {"title", "two"}, {"reactions", {"like"}}}}));
    }
    if (p == "/cur/posts") {
      // {"items": [...], "cursors": {"next": "1"}}: 5 items, 2 a page, the page number as cursor
      int n = req.has_param("cursor") ? std::stoi(req.get_param_value("cursor")) : 0;
      Json items = Json::array();
      for (int i = n * 2; i < std::min(5, n * 2 + 2); ++i) items.push_back({{"id", i + 1}});
      Json next = (n + 1) * 2 < 5 ? Json(std::to_string(n + 1)) : Json(nullptr);
      return Send(res, {{"items", items}, {"cursors", {{"next", next}}}});
    }
    if (p == "/odata") {
      // a link under a key that is not "next...": {"value": [...], "@odata.nextLink": "/odata?page=1"}
      int n = req.has_param("page") ? std::stoi(req.get_param_value("page")) : 0;
      Json out = {{"value", Json::array({{{"id", n + 1}}})}};
      if (n < 1) out["@odata.nextLink"] = "/odata?page=" + std::to_string(n + 1);
      return Send(res, out);
    }
    if (p == "/groups") return Send(res, Json::array({{{"id", 1}}, {{"id", 2}}}));
    if (p == "/graphql") {
      Json b = Json::parse(req.body, nullptr, false);
      return Send(res, {{"data", Json::array({{{"query", b.is_object() ? b.value("query", "") : ""}}})}});
    }
    if (p == "/fail") {
      // Like some APIs: the refusal echoes what it got.
      res.status = 400;
      std::string q;
      for (const auto& [k, v] : req.params) q += k + "=" + v + ";";
      for (const auto& [k, v] : req.headers) q += k + ": " + v + ";";
      res.set_content("{\"error\": \"rejected " + q + "\"}", "application/json");
      return;
    }
    // /echo, /auth/...: one row
    return Send(res, {{"data", Json::array({{{"id", 1}}})}});
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<Issue> issues_;
};

// The script with @BASE@ replaced by the server's URL.
std::string Script(const DocsServer& server, std::string text) {
  const std::string key = "@BASE@";
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
    text.replace(at, key.size(), server.Url());
  }
  return text;
}

std::vector<std::string> Strings(std::initializer_list<std::string> l) { return l; }

TEST(PythonRestApiDocs, ChildrenResolveOnlyFromTheParentRowsItsIncrementalKept) {
  DocsServer server;
  server.SetIssues({{1, "2024-01-01T00:00:00Z"}, {2, "2024-01-02T00:00:00Z"}, {3, "2024-01-03T00:00:00Z"}});
  TempWorkspace w;
  w.Write("incr.py", Script(server, R"PY(
import sys
import dlt
from dlt.sources.rest_api import rest_api_source

def src():
    return rest_api_source({
        "client": {"base_url": "@BASE@"},
        "resources": [
            {"name": "issues", "endpoint": {"path": "issues", "params": {
                "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-01T00:00:00Z"}}}},
            {"name": "issue_comments", "endpoint": {"path": "issues/{resources.issues.number}/comments"},
             "include_from_parent": ["number"]},
            {"name": "all_issues", "endpoint": {"path": "all_issues", "incremental": {
                "cursor_path": "updated_at", "initial_value": "2024-01-01T00:00:00Z"}}},
            {"name": "all_issue_comments", "endpoint": {"path": "all_issues/{resources.all_issues.number}/comments"}},
        ]})

s = src()
if len(sys.argv) > 1:
    s = s.with_resources(*sys.argv[1:])
p = dlt.pipeline(pipeline_name="incr", destination="duckdb", dataset_name="d")
p.run(s)
)PY"));
  auto r = RunPython(w, "incr.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.Paths("/issues/").size(), 3u);
  EXPECT_EQ(server.Paths("/all_issues/").size(), 3u);

  // The next run: the API serves issue 3 again (updated_at == the cursor's last value) and a
  // new issue 4; /all_issues serves every issue. dlt's Incremental drops 3 (seen at the boundary)
  // and 1, 2 (older), and the children only read the rows it kept.
  server.SetIssues({{1, "2024-01-01T00:00:00Z"}, {2, "2024-01-02T00:00:00Z"}, {3, "2024-01-03T00:00:00Z"},
                    {4, "2024-01-04T00:00:00Z"}});
  server.Clear();
  r = RunPython(w, "incr.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.Paths("/issues"), Strings({"/issues/4/comments", "/issues?since=2024-01-03T00:00:00Z"}));
  EXPECT_EQ(server.Paths("/all_issues"), Strings({"/all_issues", "/all_issues/4/comments"}));

  const fs::path db = DevDb(w, "incr");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM d.issues"), "4");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM d.issue_comments"), "8");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM (SELECT id FROM d.issue_comments GROUP BY id HAVING count(*) > 1)"), "0");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM d.all_issue_comments"), "8");
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(DISTINCT CAST(_issues_number AS VARCHAR), ',' ORDER BY CAST(_issues_number AS VARCHAR)) FROM d.issue_comments"),
            "1,2,3,4");

  // The parent fetched only for its child (not selected): the rows older than its cursor resolve
  // no child request either.
  server.Clear();
  r = RunPython(w, "incr.py", {"all_issue_comments"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& path : server.Paths("/all_issues/")) {
    EXPECT_EQ(path, "/all_issues/4/comments") << "a row older than the cursor resolved a child request";
  }
}

TEST(PythonRestApiDocs, EndpointHeadersTakePlaceholdersAndOverrideTheClientsHeaders) {
  DocsServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "headers.py", Script(server, R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source

p = dlt.pipeline(pipeline_name="headers", destination="duckdb", dataset_name="d")
p.run(rest_api_source({
    "client": {"base_url": "@BASE@", "headers": {"User-Agent": "MyApp/1.0", "X-Api-Version": "v1"}},
    "resources": [
        {"name": "since", "endpoint": {"path": "echo",
            "headers": {"X-Since-Timestamp": "{incremental.start_value}", "X-Initial": "{incremental.initial_value}",
                        "X-Api-Version": "v2"},
            "incremental": {"cursor_path": "id", "initial_value": 0}}},
        "posts",
        {"name": "comments", "endpoint": {"path": "posts/{resources.posts.id}/comments",
            "headers": {"X-Post-ID": "{resources.posts.id}", "X-Post-Title": "{resources.posts.title}"}}},
    ]}))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::map<std::string, std::string>> by_path;
  int api_versions = 0;
  for (const auto& s : server.Requests()) {
    by_path[s.path] = s.headers;
    if (s.path == "/echo") api_versions += static_cast<int>(s.headers.count("x-api-version"));
  }
  ASSERT_TRUE(by_path.count("/echo"));
  EXPECT_EQ(by_path["/echo"]["x-since-timestamp"], "0");
  EXPECT_EQ(by_path["/echo"]["x-initial"], "0");
  EXPECT_EQ(by_path["/echo"]["x-api-version"], "v2");
  EXPECT_EQ(api_versions, 1) << "the endpoint's header replaces the client's of the same name";
  EXPECT_EQ(by_path["/echo"]["user-agent"], "MyApp/1.0");
  EXPECT_EQ(by_path["/posts/1/comments"]["x-post-id"], "1");
  EXPECT_EQ(by_path["/posts/1/comments"]["x-post-title"], "one");
  EXPECT_EQ(by_path["/posts/2/comments"]["x-post-id"], "2");
  EXPECT_EQ(by_path["/posts/2/comments"]["x-post-title"], "two");
  EXPECT_EQ(by_path["/posts"].count("x-post-id"), 0u);

  // The next run sends the cursor's last value.
  server.Clear();
  r = RunPython(w, "headers.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& s : server.Requests()) {
    if (s.path == "/echo") {
      EXPECT_EQ(s.headers.at("x-since-timestamp"), "1");
      EXPECT_EQ(s.headers.at("x-initial"), "0");
    }
  }
}

TEST(PythonRestApiDocs, DoubledBracesAreLiteralBracesInJsonParamsHeadersAndPath) {
  DocsServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "braces.py", Script(server, R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source

p = dlt.pipeline(pipeline_name="braces", destination="duckdb", dataset_name="d")
p.run(rest_api_source({"client": {"base_url": "@BASE@"}, "resources": [
    {"name": "artist_list", "endpoint": {"path": "groups"}},
    {"name": "q", "endpoint": {"path": "graphql", "method": "POST",
        "json": {"query": 'query {{ artist(id: "{resources.artist_list.id}") {{ id }} }}'}}},
    {"name": "e", "endpoint": {"path": "echo", "params": {"search": "{{'filters': [{{'id': 42}}]}}"},
        "headers": {"X-Filter": "{{a}}"}}},
    {"name": "literal", "endpoint": {"path": "echo", "params": {"f": "{{resources.artist_list.id}}"}}},
]}))
print(sorted(r[0] for r in p.dataset().q.select("query").fetchall()))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> bodies;
  for (const auto& s : server.Requests()) {
    if (s.path == "/graphql") bodies.push_back(s.body);
    if (s.path == "/echo" && s.params.count("search")) {
      EXPECT_EQ(s.params.at("search"), "{'filters': [{'id': 42}]}");
      EXPECT_EQ(s.headers.at("x-filter"), "{a}");
    }
    if (s.path == "/echo" && s.params.count("f")) {
      EXPECT_EQ(s.params.at("f"), "{resources.artist_list.id}") << "an escaped placeholder is text";
    }
  }
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, Strings({R"({"query":"query { artist(id: \"1\") { id } }"})",
                             R"({"query":"query { artist(id: \"2\") { id } }"})"}));
  EXPECT_TRUE(Contains(r.out, R"(['query { artist(id: "1") { id } }', 'query { artist(id: "2") { id } }'])")) << r.out;
  // `literal` reads no parent: it ran once
  int literal = 0;
  for (const auto& s : server.Requests()) literal += s.path == "/echo" && s.params.count("f");
  EXPECT_EQ(literal, 1);
}

TEST(PythonRestApiDocs, AutoDetectionTakesANextValueThatIsNoUrlForACursor) {
  DocsServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "cursor.py", Script(server, R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source

p = dlt.pipeline(pipeline_name="cursor", destination="duckdb", dataset_name="d")
p.run(rest_api_source({"client": {"base_url": "@BASE@"}, "resources": [{"name": "r", "endpoint": {"path": "cur/posts"}}]}))
# a link the engine also follows (dlt's detector only looks at keys that start with "next")
p.run(rest_api_source({"client": {"base_url": "@BASE@"}, "resources": [{"name": "o", "endpoint": {"path": "odata"}}]}))
# the dict form's cursor_param defaults to `cursor` too (dlt 1.26)
p.run(rest_api_source({"client": {"base_url": "@BASE@"}, "resources": [{"name": "d", "endpoint": {"path": "cur/posts",
    "paginator": {"type": "cursor", "cursor_path": "cursors.next"}}}]}))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // dlt's detector: {"cursors": {"next": "1"}} is no link (neither http... nor /...), so a
  // JSONResponseCursorPaginator(cursor_path="cursors.next"), whose parameter is `cursor`.
  EXPECT_EQ(server.Paths("/cur/"), Strings({"/cur/posts", "/cur/posts", "/cur/posts?cursor=1", "/cur/posts?cursor=1",
                                           "/cur/posts?cursor=2", "/cur/posts?cursor=2"}));
  EXPECT_EQ(server.Paths("/odata"), Strings({"/odata", "/odata?page=1"}));
  EXPECT_EQ(SqlValue(DevDb(w, "cursor"), "SELECT count(*) FROM d.d"), "5");
  EXPECT_EQ(SqlColumn(DevDb(w, "cursor"), "SELECT id FROM d.r ORDER BY id"), Strings({"1", "2", "3", "4", "5"}));
}

TEST(PythonRestApiDocs, AuthWithoutATypeIsBearerAndEndpointAuthIsUsedOverTheClients) {
  DocsServer server;
  TempWorkspace w;
  w.WriteSecrets("tok = \"tok-AAA\"\npw = \"pw-BBB\"\nkey = \"key-CCC\"\n[sources.named]\ntoken = \"tok-DDD\"\n");
  auto r = RunPythonSource(w, "auth.py", Script(server, R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client.auth import HttpBasicAuth

p = dlt.pipeline(pipeline_name="auth", destination="duckdb", dataset_name="d")
# basic.md "Authentication": {"token": ...} alone is bearer (dlt's create_auth defaults the type)
p.run(rest_api_source({"client": {"base_url": "@BASE@/auth/", "auth": {"token": dlt.secrets["tok"]}},
                       "resources": ["shortcut"]}))
# endpoint auth over the client's (dlt: endpoint_config.get("auth", client_config.get("auth")))
p.run(rest_api_source({"client": {"base_url": "@BASE@/auth/", "auth": {"type": "bearer", "token": dlt.secrets["tok"]}},
    "resources": [
        "plain",
        {"name": "basic", "endpoint": {"path": "basic", "auth": HttpBasicAuth("user", dlt.secrets["pw"])}},
        {"name": "keyed", "endpoint": {"path": "keyed",
            "auth": {"type": "api_key", "name": "key", "location": "query", "api_key": dlt.secrets["key"]}}},
    ]}))
# resource_defaults' endpoint auth, replaced (not merged key by key) by a resource's own, as dlt's
# _merge_resource_endpoints does; params are merged
p.run(rest_api_source({"client": {"base_url": "@BASE@/auth/"},
    "resource_defaults": {"endpoint": {"params": {"a": "1"},
        "auth": {"type": "api_key", "name": "key", "location": "query", "api_key": dlt.secrets["key"]}}},
    "resources": [{"name": "dflt", "endpoint": {"path": "dflt", "params": {"b": "2"}}},
                  {"name": "own", "endpoint": {"path": "own", "params": {"b": "3"}, "auth": {"token": dlt.secrets["tok"]}}}]}))
# the type alone, its token from the source's secrets
p.run(rest_api_source({"client": {"base_url": "@BASE@/auth/", "auth": "bearer"}, "resources": ["named"]}, name="named"))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, Seen> by_path;
  for (const auto& s : server.Requests()) by_path[s.path] = s;
  EXPECT_EQ(by_path["/auth/shortcut"].headers["authorization"], "Bearer tok-AAA");
  EXPECT_EQ(by_path["/auth/plain"].headers["authorization"], "Bearer tok-AAA");
  EXPECT_EQ(by_path["/auth/basic"].headers["authorization"], "Basic dXNlcjpwdy1CQkI=");  // user:pw-BBB
  EXPECT_EQ(by_path["/auth/keyed"].headers.count("authorization"), 0u);
  EXPECT_EQ(by_path["/auth/keyed"].params["key"], "key-CCC");
  EXPECT_EQ(by_path["/auth/named"].headers["authorization"], "Bearer tok-DDD");
  EXPECT_EQ(by_path["/auth/dflt"].params, (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}, {"key", "key-CCC"}}));
  EXPECT_EQ(by_path["/auth/dflt"].headers.count("authorization"), 0u);
  EXPECT_EQ(by_path["/auth/own"].params, (std::map<std::string, std::string>{{"a", "1"}, {"b", "3"}}));
  EXPECT_EQ(by_path["/auth/own"].headers["authorization"], "Bearer tok-AAA");
  for (const char* secret : {"tok-AAA", "pw-BBB", "key-CCC", "tok-DDD"}) {
    EXPECT_FALSE(Contains(r.out + r.err, secret)) << secret;
  }
}

TEST(RestApiDocsCli, EndpointAuthInAPipelineFileReadsItsSecretsFromTheResourcesSection) {
  DocsServer server;
  TempWorkspace w;
  w.WriteConfig("[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  w.WriteSecrets("[sources.my_api]\ntoken = \"tok-client\"\n[sources.my_api.special]\ntoken = \"tok-special\"\n");
  const std::string header = "[pipeline]\nname = \"api_pipeline\"\ndestination = \"warehouse\"\ndataset_name = \"api_data\"\n\n"
                             "[source]\ntype = \"rest_api\"\nname = \"my_api\"\n\n[source.client]\nbase_url = \"" +
                             server.Url() + "/auth/\"\nauth = { type = \"bearer\" }\n\n";
  w.Write("api_pipeline.toml", header +
                                   "[[resources]]\nname = \"plain\"\n\n"
                                   "[[resources]]\nname = \"special\"\nendpoint = { path = \"special\", auth = { type = \"bearer\" } }\n\n"
                                   "[[resources]]\nname = \"untyped\"\nendpoint = { path = \"untyped\", auth = {} }\n");
  auto r = w.Dlt({"run", "api_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> auth;
  for (const auto& s : server.Requests()) auth[s.path] = s.headers.count("authorization") ? s.headers.at("authorization") : "-";
  EXPECT_EQ(auth["/auth/plain"], "Bearer tok-client");
  EXPECT_EQ(auth["/auth/special"], "Bearer tok-special");
  EXPECT_EQ(auth["/auth/untyped"], "Bearer tok-client") << "an auth without a type is bearer";

  // The secret itself still does not belong in the pipeline file, at the endpoint either.
  w.Write("api_pipeline.toml", header +
                                   "[[resources]]\nname = \"special\"\nendpoint = { path = \"special\", auth = { type = "
                                   "\"bearer\", token = \"tok-in-file\" } }\n");
  r = w.Dlt({"run", "api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "`token` is a secret and does not belong in the pipeline file")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "tok-in-file")) << r.err;
  // ... nor does a literal secret query parameter.
  w.Write("api_pipeline.toml", header +
                                   "[[resources]]\nname = \"p\"\nendpoint = { path = \"p\", params = { api_key = \"k-in-file\" } }\n");
  r = w.Dlt({"run", "api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "query parameter `api_key` is a secret")) << r.err;
}

TEST(PythonRestApiDocs, SecretParamsAndHeadersFromDltSecretsAreSentAndNeverShown) {
  DocsServer server;
  TempWorkspace w;
  const std::string canary = "QSECRET-7d1e";
  const std::string canary2 = "HSECRET-c0ff";
  w.WriteSecrets("my_key = \"" + canary + "\"\nmy_header = \"" + canary2 + "\"\n");
  auto r = RunPythonSource(w, "secrets.py", Script(server, R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source

def source(path, **more):
    return rest_api_source({"client": {"base_url": "@BASE@", "headers": {"X-Client-Token": dlt.secrets["my_header"]}},
        "resources": [{"name": "x", "endpoint": {"path": path,
            "params": {"api_key": dlt.secrets["my_key"], "q": "1", **more},
            "headers": {"X-Api-Key": dlt.secrets["my_key"]}}}]})

p = dlt.pipeline(pipeline_name="secrets", destination="duckdb", dataset_name="d")
s = source("echo")
print(repr(s), repr(s.resources["x"]), s.resources["x"].compute_table_schema())
p.run(s)
print(p.last_trace)
try:
    p.run(source("fail", username="QUSER-9"))
except Exception as e:
    print("FAILED:", type(e).__name__, e)
print(p.last_trace)
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<Seen> echo;
  for (const auto& s : server.Requests()) {
    if (s.path == "/echo") echo.push_back(s);
  }
  ASSERT_EQ(echo.size(), 1u);
  EXPECT_EQ(echo[0].params["api_key"], canary);
  EXPECT_EQ(echo[0].headers["x-api-key"], canary);
  EXPECT_EQ(echo[0].headers["x-client-token"], canary2);
  EXPECT_TRUE(Contains(r.out, "FAILED:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "HTTP 400")) << r.out;
  // dlt's list of names redacted in URLs also holds username and client_id
  EXPECT_TRUE(Contains(r.out, "/fail?api_key=***&q=1&username=*** failed with HTTP 400")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, canary)) << r.out << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, canary2)) << r.out << r.err;
  // Nor anywhere in the pipeline's files, its packages or its database.
  for (const auto& e : fs::recursive_directory_iterator(w.root())) {
    if (!e.is_regular_file() || e.path().filename() == "secrets.toml") continue;
    std::string content = ReadFile(e.path());
    EXPECT_FALSE(Contains(content, canary)) << e.path();
    EXPECT_FALSE(Contains(content, canary2)) << e.path();
  }
}

TEST(PythonRestApiDocs, RootKeyOfTheSourceGivesNestedTablesTheRootId) {
  DocsServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "root.py", Script(server, R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source

p = dlt.pipeline(pipeline_name="root", destination="duckdb", dataset_name="d")
p.run(rest_api_source({"client": {"base_url": "@BASE@"}, "resources": ["posts"]}, root_key=True))
print("columns:", list(p.default_schema.tables["posts__reactions"]["columns"]))
p2 = dlt.pipeline(pipeline_name="plain", destination="duckdb", dataset_name="d")
p2.run(rest_api_source({"client": {"base_url": "@BASE@"}, "resources": ["posts"]}))
print("plain:", list(p2.default_schema.tables["posts__reactions"]["columns"]))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "columns: ['value', '_dlt_root_id', '_dlt_parent_id', '_dlt_list_idx', '_dlt_id']")) << r.out;
  EXPECT_TRUE(Contains(r.out, "plain: ['value', '_dlt_parent_id', '_dlt_list_idx', '_dlt_id']")) << r.out;
  const fs::path db = DevDb(w, "root");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM d.posts__reactions r JOIN d.posts p ON r._dlt_root_id = p._dlt_id"), "3");
}

TEST(PythonRestApiDocs, PythonObjectsTheEngineCannotRunAreRefusedForWhatTheyAre) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "refused.py", R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client.auth import AuthConfigBase
from dlt.sources.helpers.rest_client.paginators import BasePaginator

class MyPaginator(BasePaginator):
    def update_state(self, response, data=None): pass
    def update_request(self, request): pass

class MyAuth(AuthConfigBase):
    def __call__(self, request): return request

@dlt.resource
def users():
    yield {"id": 1}

base = {"base_url": "https://api.example.com"}
cases = {
    "convert": {"client": base, "resources": [{"name": "r", "endpoint": {"path": "r", "incremental": {
        "start_param": "since", "cursor_path": "ts", "initial_value": 0, "convert": lambda v: v}}}]},
    "response_actions": {"client": base, "resources": [{"name": "r", "endpoint": {"path": "r",
        "response_actions": [lambda response, *a, **k: response]}}]},
    "action": {"client": base, "resources": [{"name": "r", "endpoint": {"path": "r",
        "response_actions": [{"status_code": 200, "action": lambda response, *a, **k: response}]}}]},
    "resource": {"client": base, "resources": [users, {"name": "r", "endpoint": "r"}]},
    "paginator": {"client": {**base, "paginator": MyPaginator()}, "resources": ["r"]},
    "auth": {"client": {**base, "auth": MyAuth()}, "resources": ["r"]},
}
for name, config in cases.items():
    try:
        rest_api_source(config)
        print(name, "accepted")
    except NotImplementedError as e:
        print(name, "|", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto line = [&](const std::string& name) {
    size_t at = r.out.find(name + " |");
    return at == std::string::npos ? std::string("(none)") : r.out.substr(at, r.out.find('\n', at) - at);
  };
  EXPECT_TRUE(Contains(line("convert"), "`resources[0].endpoint.incremental.convert` is a Python callable (the incremental's `convert`)")) << r.out;
  EXPECT_TRUE(Contains(line("response_actions"), "`resources[0].endpoint.response_actions[0]` is a Python callable (a response action")) << r.out;
  EXPECT_TRUE(Contains(line("action"), "`resources[0].endpoint.response_actions[0].action` is a Python callable (a response action")) << r.out;
  EXPECT_TRUE(Contains(line("resource"), "`resources[0]` is a dlt resource (`users`)")) << r.out;
  EXPECT_TRUE(Contains(line("paginator"), "`client.paginator` is MyPaginator, a paginator class of one's own")) << r.out;
  EXPECT_TRUE(Contains(line("auth"), "`client.auth` is MyAuth, an auth class of one's own")) << r.out;
  for (const char* name : {"convert", "response_actions", "action", "resource"}) {
    EXPECT_FALSE(Contains(line(name), "paginator or auth")) << line(name);
  }
}

}  // namespace
}  // namespace dlt::testing
