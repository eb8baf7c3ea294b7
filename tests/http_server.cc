// The only file that includes httplib.h (cpp-httplib, header only).
#include "http_server.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

namespace dlt::testing {

using Json = nlohmann::ordered_json;

namespace {

int IntParam(const httplib::Request& req, const char* name, int def) {
  if (!req.has_param(name)) return def;
  return std::atoi(req.get_param_value(name).c_str());
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
    i += 3;
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

void SendJson(httplib::Response& res, const Json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json; charset=utf-8");
}

}  // namespace

struct FixtureServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::string base;

  mutable std::mutex mu;
  std::vector<RecordedRequest> requests;
  std::map<std::string, int> hits;  // per flaky/ratelimit key
  std::string github_token = "gh-test-token";
  std::vector<GithubIssue> issues;
  std::string api_key = "test-api-key";
  std::string basic_user = "user", basic_password = "pass";

  int Hit(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu);
    return ++hits[key];
  }

  // A PokeAPI-style list page with offset/limit and absolute next/previous links.
  void PokeList(const httplib::Request& req, httplib::Response& res, const std::string& what, int count,
                const std::function<std::string(int)>& name) {
    int offset = IntParam(req, "offset", 0), limit = IntParam(req, "limit", 20);
    Json results = Json::array();
    for (int i = offset; i < std::min(count, offset + limit); ++i) {
      results.push_back({{"name", name(i + 1)}, {"url", base + "/api/v2/" + what + "/" + std::to_string(i + 1) + "/"}});
    }
    Json page;
    page["count"] = count;
    page["next"] = offset + limit < count ? Json(base + "/api/v2/" + what + "?offset=" + std::to_string(offset + limit) +
                                                 "&limit=" + std::to_string(limit))
                                          : Json(nullptr);
    page["previous"] = offset > 0 ? Json(base + "/api/v2/" + what + "?offset=" + std::to_string(std::max(0, offset - limit)) +
                                         "&limit=" + std::to_string(limit))
                                  : Json(nullptr);
    page["results"] = results;
    SendJson(res, page);
  }

  bool GithubAuth(const httplib::Request& req, httplib::Response& res) {
    std::string want;
    {
      std::lock_guard<std::mutex> lock(mu);
      want = "Bearer " + github_token;
    }
    std::string got = req.get_header_value("Authorization");
    if (got == want) return true;
    // Like some APIs, echo what was received: the client must mask it in its error message.
    SendJson(res, {{"message", "Bad credentials (got: " + got + ")"}, {"documentation_url", "https://docs.github.com/rest"}}, 401);
    return false;
  }

  void Routes() {
    auto& s = server;
    s.Get(R"(/api/v2/pokemon/?)", [this](const httplib::Request& req, httplib::Response& res) {
      PokeList(req, res, "pokemon", 45, [](int i) { return "poke" + std::to_string(i); });
    });
    s.Get(R"(/api/v2/pokemon/([^/]+)/?)", [](const httplib::Request& req, httplib::Response& res) {
      std::string name = req.matches[1];
      if (!name.starts_with("poke")) {
        SendJson(res, {{"detail", "Not found."}}, 404);
        return;
      }
      int id = std::atoi(name.c_str() + 4);
      Json p;
      p["id"] = id;
      p["name"] = name;
      p["height"] = 3 + id % 7;
      p["weight"] = 40 + id;
      p["is_default"] = true;
      p["types"] = Json::array({{{"slot", 1}, {"type", {{"name", id % 2 ? "grass" : "fire"}, {"url", "x"}}}}});
      if (id % 3 == 0) p["types"].push_back({{"slot", 2}, {"type", {{"name", "poison"}, {"url", "y"}}}});
      p["stats"] = Json::array({{{"base_stat", 45}, {"stat", {{"name", "hp"}}}}});
      SendJson(res, p);
    });
    s.Get(R"(/api/v2/berry/?)", [this](const httplib::Request& req, httplib::Response& res) {
      static const char* kNames[] = {"cheri", "chesto", "pecha", "rawst", "aspear"};
      PokeList(req, res, "berry", 25, [](int i) { return std::string(kNames[i % 5]) + std::to_string(i); });
    });

    // GitHub
    s.Get(R"(/repos/dlt-hub/dlt/issues)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!GithubAuth(req, res)) return;
      std::vector<GithubIssue> all;
      {
        std::lock_guard<std::mutex> lock(mu);
        all = issues;
      }
      std::string since = req.has_param("since") ? req.get_param_value("since") : "";
      std::vector<GithubIssue> sel;
      for (const auto& i : all) {
        if (since.empty() || i.updated_at >= since) sel.push_back(i);
      }
      std::sort(sel.begin(), sel.end(), [](const auto& a, const auto& b) { return a.updated_at > b.updated_at; });
      int per_page = std::min(3, IntParam(req, "per_page", 30));  // a server-side maximum
      int page = IntParam(req, "page", 1);
      Json out = Json::array();
      for (int k = (page - 1) * per_page; k < std::min<int>(sel.size(), page * per_page); ++k) {
        const auto& i = sel[k];
        out.push_back({{"id", i.id},
                       {"number", i.number},
                       {"title", i.title},
                       {"state", "open"},
                       {"user", {{"login", "user" + std::to_string(i.number % 2)}}},
                       {"labels", Json::array({{{"name", "bug"}}})},
                       {"updated_at", i.updated_at}});
      }
      if (page * per_page < static_cast<int>(sel.size())) {
        // The next link keeps every parameter, as GitHub's do.
        std::string q;
        for (const auto& [k, v] : req.params) {
          if (k == "page") continue;
          q += (q.empty() ? "" : "&") + k + "=" + httplib::detail::encode_query_param(v);
        }
        std::string next = base + "/repos/dlt-hub/dlt/issues?" + q + "&page=" + std::to_string(page + 1);
        std::string last = base + "/repos/dlt-hub/dlt/issues?" + q + "&page=" + std::to_string((sel.size() + per_page - 1) / per_page);
        res.set_header("Link", "<" + next + ">; rel=\"next\", <" + last + ">; rel=\"last\"");
      }
      SendJson(res, out);
    });
    s.Get(R"(/repos/dlt-hub/dlt/issues/(\d+)/comments)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!GithubAuth(req, res)) return;
      int n = std::atoi(std::string(req.matches[1]).c_str());
      Json out = Json::array();
      for (int c = 0; c < n % 3; ++c) {
        out.push_back({{"id", n * 100 + c}, {"body", "comment " + std::to_string(c) + " on " + std::to_string(n)},
                       {"user", {{"login", "user" + std::to_string(c)}}}, {"updated_at", "2024-05-01T00:00:00Z"}});
      }
      SendJson(res, out);
    });

    s.Get("/generic/items", [](const httplib::Request&, httplib::Response& res) {
      Json data = Json::array();
      for (int i = 1; i <= 5; ++i) data.push_back({{"id", i}, {"name", "item" + std::to_string(i)}});
      SendJson(res, {{"data", data}, {"meta", {{"count", 5}}}});
    });

    // Paginators
    s.Get("/test/offset", [](const httplib::Request& req, httplib::Response& res) {
      int offset = IntParam(req, "offset", 0), limit = IntParam(req, "limit", 10);
      Json items = Json::array();
      for (int i = offset; i < std::min(23, offset + limit); ++i) items.push_back({{"id", i}});
      SendJson(res, {{"items", items}, {"total", 23}});
    });
    s.Get("/test/page", [](const httplib::Request& req, httplib::Response& res) {
      int page = IntParam(req, "page", 1);
      Json data = Json::array();
      if (page >= 1 && page <= 3) {
        for (int i = 0; i < 4; ++i) data.push_back({{"id", page * 10 + i}, {"page", page}});
      }
      SendJson(res, {{"data", data}, {"total_pages", 3}});
    });
    s.Get("/test/cursor", [](const httplib::Request& req, httplib::Response& res) {
      std::string after = req.has_param("after") ? req.get_param_value("after") : "";
      int page = after.empty() ? 0 : std::atoi(after.c_str() + 1);
      Json recs = Json::array();
      for (int i = 0; i < 2; ++i) recs.push_back({{"id", page * 2 + i}});
      Json next = page < 2 ? Json("c" + std::to_string(page + 1)) : Json(nullptr);
      SendJson(res, {{"records", recs}, {"cursors", {{"next", next}}}});
    });
    s.Get("/test/json_link", [](const httplib::Request& req, httplib::Response& res) {
      int p = IntParam(req, "p", 1);
      Json data = Json::array({{{"id", p * 2}}, {{"id", p * 2 + 1}}});
      Json links = {{"next", p < 3 ? Json("/test/json_link?p=" + std::to_string(p + 1)) : Json(nullptr)}};
      SendJson(res, {{"data", data}, {"links", links}});
    });
    s.Get("/test/header_cursor", [](const httplib::Request& req, httplib::Response& res) {
      // pages 1..3: the cursor of the next page in the NextPageToken header, none on the last
      std::string cursor = req.has_param("cursor") ? req.get_param_value("cursor") : "";
      int p = cursor.empty() ? 1 : cursor == "tok-2" ? 2 : cursor == "tok-3" ? 3 : 0;
      if (p == 0) {
        SendJson(res, {{"error", "unknown cursor " + cursor}}, 400);
        return;
      }
      if (p < 3) res.set_header("NextPageToken", "tok-" + std::to_string(p + 1));
      SendJson(res, Json::array({{{"id", p * 10 + 1}}, {{"id", p * 10 + 2}}}));
    });
    s.Get("/test/header_link", [this](const httplib::Request& req, httplib::Response& res) {
      int p = IntParam(req, "p", 1);
      if (p < 4) res.set_header("Link", "<" + base + "/test/header_link?p=" + std::to_string(p + 1) + ">; rel=\"next\"");
      SendJson(res, Json::array({{{"id", p}}}));
    });

    // Redirects and links chosen by the test (to another origin: http://localhost:<port>)
    s.Get("/test/redirect", [](const httplib::Request& req, httplib::Response& res) {
      std::string to = req.get_param_value("to");
      if (req.has_param("keep_query")) {  // as a server that passes the query on (api_key included)
        std::string q;
        for (const auto& [k, v] : req.params) {
          if (k == "to" || k == "code") continue;
          q += (q.empty() ? "" : "&") + k + "=" + httplib::detail::encode_query_param(v);
        }
        if (!q.empty()) to += (to.find('?') == std::string::npos ? "?" : "&") + q;
      }
      res.status = IntParam(req, "code", 302);
      res.set_header("Location", to);
    });
    s.Get("/test/link", [](const httplib::Request& req, httplib::Response& res) {
      SendJson(res, {{"data", Json::array({{{"id", 1}}})}, {"next", req.get_param_value("next")}});
    });
    s.Get("/test/link_header", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Link", "<" + req.get_param_value("next") + ">; rel=\"next\"");
      SendJson(res, Json::array({{{"id", 1}}}));
    });
    s.Get("/test/cycle", [](const httplib::Request& req, httplib::Response& res) {
      std::string p = req.get_param_value("p");
      SendJson(res, {{"data", Json::array({{{"id", p}}})}, {"next", "/test/cycle?p=" + std::string(p == "a" ? "b" : "a")}});
    });
    s.Get("/test/cycle_header", [this](const httplib::Request& req, httplib::Response& res) {
      std::string p = req.get_param_value("p");
      res.set_header("Link", "<" + base + "/test/cycle_header?p=" + (p == "a" ? "b" : "a") + ">; rel=\"next\"");
      SendJson(res, Json::array({{{"id", p}}}));
    });
    s.Get("/test/endless", [](const httplib::Request& req, httplib::Response& res) {
      int at = IntParam(req, "page", IntParam(req, "offset", 0));
      SendJson(res, {{"data", Json::array({{{"id", at}}})}});
    });

    // Failures
    s.Get("/test/flaky500", [this](const httplib::Request& req, httplib::Response& res) {
      if (Hit("500:" + req.get_param_value("case")) == 1) {
        SendJson(res, {{"error", "temporary failure"}}, 500);
        return;
      }
      SendJson(res, Json::array({{{"id", 1}, {"ok", true}}}));
    });
    s.Get("/test/ratelimit", [this](const httplib::Request& req, httplib::Response& res) {
      if (Hit("429:" + req.get_param_value("case")) == 1) {
        res.set_header("Retry-After", "1");
        SendJson(res, {{"error", "slow down"}}, 429);
        return;
      }
      SendJson(res, Json::array({{{"id", 1}, {"ok", true}}}));
    });
    s.Get("/test/slow", [this](const httplib::Request& req, httplib::Response& res) {
      int ms = IntParam(req, "ms", 1000);
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (std::chrono::steady_clock::now() < until && !stopping) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      SendJson(res, Json::array({{{"id", 1}}}));
    });
    s.Get("/test/gzip", [](const httplib::Request& req, httplib::Response& res) {
      Json data = Json::array();
      for (int i = 0; i < 50; ++i) data.push_back({{"id", i}, {"text", "compressible compressible compressible"}});
      std::string body = Json({{"data", data}}).dump();
      if (req.get_header_value("Accept-Encoding").find("gzip") == std::string::npos) {
        SendJson(res, {{"error", "this fixture only answers clients that accept gzip"}}, 406);
        return;
      }
      // A media type the server library does not compress by itself: the body is ours.
      res.set_header("Content-Encoding", "gzip");
      res.set_content(Gzip(body), "application/vnd.api+json");
    });
    s.Get("/test/apikey", [this](const httplib::Request& req, httplib::Response& res) {
      std::string key;
      {
        std::lock_guard<std::mutex> lock(mu);
        key = api_key;
      }
      bool ok = (req.has_param("api_key") && req.get_param_value("api_key") == key) ||
                req.get_header_value("X-API-Key") == key;
      if (!ok) {
        SendJson(res, {{"error", "invalid api key"}}, 403);
        return;
      }
      SendJson(res, {{"data", Json::array({{{"id", 1}}, {{"id", 2}}})}});
    });
    s.Get("/test/basic", [this](const httplib::Request& req, httplib::Response& res) {
      std::string want;
      {
        std::lock_guard<std::mutex> lock(mu);
        want = "Basic " + Base64(basic_user + ":" + basic_password);
      }
      if (req.get_header_value("Authorization") != want) {
        res.set_header("WWW-Authenticate", "Basic realm=\"fixture\"");
        SendJson(res, {{"error", "unauthorized"}}, 401);
        return;
      }
      SendJson(res, Json::array({{{"id", 7}}}));
    });
    s.Post("/test/search", [](const httplib::Request& req, httplib::Response& res) {
      Json body = Json::parse(req.body, nullptr, false);
      std::string q = body.is_object() && body.contains("q") ? body["q"].dump() : "null";
      SendJson(res, {{"results", Json::array({{{"id", 1}, {"q", q}}, {{"id", 2}, {"q", q}}})}});
    });
    s.Post("/test/body_pages", [this](const httplib::Request& req, httplib::Response& res) {
      {
        // The body is read after the pre-routing handler recorded the request: add it to the record.
        std::lock_guard<std::mutex> lock(mu);
        for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
          if (it->path == req.path && it->body.empty()) {
            it->body = req.body;
            break;
          }
        }
      }
      Json body = Json::parse(req.body, nullptr, false);
      if (!body.is_object()) {
        SendJson(res, {{"error", "a JSON body is expected"}}, 400);
        return;
      }
      const std::string kind = body.value("kind", "");
      if (kind == "offset") {
        Json paging = body.value("paging", Json::object());
        int offset = paging.value("offset", -1), limit = paging.value("limit", 0);
        Json items = Json::array();
        for (int i = offset; offset >= 0 && i < std::min(offset + limit, 7); ++i) items.push_back({{"id", i}});
        SendJson(res, {{"items", items}, {"total", 7}});
      } else if (kind == "page" || kind == "cursor") {
        int page = 0;
        if (kind == "page") {
          page = body.value("page", 0);
        } else {
          const Json c = body.value("start_cursor", Json());
          page = c.is_null() ? 1 : c == "c2" ? 2 : c == "c3" ? 3 : 0;
        }
        Json items = Json::array();
        if (page >= 1 && page <= 3) items = Json::array({{{"id", page * 10 + 1}}, {{"id", page * 10 + 2}}});
        SendJson(res, {{"results", items}, {"next_cursor", "c" + std::to_string(page + 1)}, {"has_more", page < 3}});
      } else {
        SendJson(res, {{"error", "unknown kind"}}, 400);
      }
    });
    s.Get("/test/notjson", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html><body>maintenance</body></html>", "text/html");
    });
    s.Get("/test/status", [](const httplib::Request& req, httplib::Response& res) {
      SendJson(res, {{"status", IntParam(req, "code", 200)}}, IntParam(req, "code", 200));
    });

    // Recorded before the handler runs: a client that has its response finds its request here.
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      RecordedRequest r;
      r.method = req.method;
      r.path = req.path;
      for (const auto& [k, v] : req.params) r.params[k] = v;
      for (const auto& [k, v] : req.headers) {
        std::string lower = k;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        r.headers[lower] = v;
      }
      std::lock_guard<std::mutex> lock(mu);
      requests.push_back(std::move(r));
      return httplib::Server::HandlerResponse::Unhandled;
    });
  }
};

FixtureServer::FixtureServer() : impl_(std::make_unique<Impl>()) {
  impl_->Routes();
  impl_->server.set_tcp_nodelay(true);  // no Nagle stalls between headers and body
  port_ = impl_->server.bind_to_any_port("127.0.0.1");
  impl_->base = "http://127.0.0.1:" + std::to_string(port_);
  std::vector<GithubIssue> issues;
  for (int n = 1; n <= 7; ++n) {
    issues.push_back({n, 1000 + n, "issue " + std::to_string(n),
                      "2024-04-0" + std::to_string(n) + "T12:00:00Z"});
  }
  impl_->issues = issues;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  for (int i = 0; i < 500 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

FixtureServer::~FixtureServer() {
  impl_->stopping = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::vector<RecordedRequest> FixtureServer::Requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

std::vector<RecordedRequest> FixtureServer::RequestsTo(const std::string& prefix) const {
  std::vector<RecordedRequest> out;
  for (auto& r : Requests()) {
    if (r.path.starts_with(prefix)) out.push_back(r);
  }
  return out;
}

void FixtureServer::SetGithubToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->github_token = token;
}

void FixtureServer::SetGithubIssues(std::vector<GithubIssue> issues) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->issues = std::move(issues);
}

std::vector<GithubIssue> FixtureServer::GithubIssues() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->issues;
}

void FixtureServer::SetApiKey(const std::string& key) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->api_key = key;
}

void FixtureServer::SetBasic(const std::string& user, const std::string& password) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->basic_user = user;
  impl_->basic_password = password;
}

}  // namespace dlt::testing
