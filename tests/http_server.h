// The tests' HTTP server on 127.0.0.1 (a free port), serving fixture pages shaped like the
// PokeAPI and the GitHub API, and endpoints for every paginator and failure the REST API source
// handles. Started and stopped by the tests; no other network is used.
//
//   /api/v2/pokemon?offset=&limit=       {"count": 45, "next": ..., "results": [{name, url}]}
//   /api/v2/pokemon/<name>               one pokemon (404 {"detail": "Not found."} for others)
//   /api/v2/berry?offset=&limit=         {"count": 25, "next": ..., "results": [...]}
//   /repos/dlt-hub/dlt/issues            GitHub issues: Bearer token required, at most 3 per
//                                        page (per_page, page), Link header, `since` filter
//   /repos/dlt-hub/dlt/issues/<n>/comments
//   /generic/items                       {"data": [5 items]} (the blank rest_api template)
//   /test/offset?offset=&limit=          {"items": [...], "total": 23}
//   /test/page?page=                     {"data": [...], "total_pages": 3} (pages 1..3)
//   /test/cursor?after=                  {"records": [...], "cursors": {"next": ...}}
//   /test/json_link?p=                   {"data": [...], "links": {"next": "/test/json_link?p=2"}}
//   /test/header_link?p=                 [...] with Link: <...>; rel="next"
//   /test/header_cursor?cursor=          [2 rows] with NextPageToken: tok-2, tok-3 (pages 1..3)
//   /test/redirect?to=URL&code=302      redirects to URL (keep_query=1: with the other parameters)
//   /test/link?next=URL                  {"data": [{"id": 1}], "next": URL}
//   /test/link_header?next=URL           [{"id": 1}] with Link: <URL>; rel="next"
//   /test/cycle?p=a|b                    json links a -> b -> a -> ...
//   /test/cycle_header?p=a|b             Link headers a -> b -> a -> ...
//   /test/endless?page=|offset=          one row on every page, no total: never ends by itself
//   /test/flaky500?case=K                500 on the first request per K, then 200
//   /test/ratelimit?case=K               429 + Retry-After: 1 on the first request per K, then 200
//   /test/slow?ms=N                      answers after N ms
//   /test/gzip                           a gzip-encoded body when the client accepts gzip
//   /test/apikey                         needs api_key=<key> in the query or X-API-Key
//   /test/basic                          needs HTTP basic auth
//   /test/search (POST)                  echoes the JSON body's "q" in each row
//   /test/body_pages (POST)              pages chosen by the JSON body: "kind" offset (paging.offset,
//                                        paging.limit; 7 items, "total"), page ("page" 1..3,
//                                        "has_more") or cursor ("start_cursor"; "next_cursor" and
//                                        "has_more", false on the third page)
//   /test/notjson                        an HTML page
//   /test/status?code=N                  answers with status N
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dlt::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;  // recorded by the handlers that read it (/test/body_pages)
};

struct GithubIssue {
  int number;
  long long id;
  std::string title;
  std::string updated_at;
};

class FixtureServer {
 public:
  FixtureServer();
  ~FixtureServer();
  FixtureServer(const FixtureServer&) = delete;

  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The same server as another origin (another host name), for credentials that must not follow.
  std::string OtherOriginUrl() const { return "http://localhost:" + std::to_string(port_); }

  // Everything received so far, in order.
  std::vector<RecordedRequest> Requests() const;
  std::vector<RecordedRequest> RequestsTo(const std::string& path_prefix) const;

  // The GitHub fixture: the token it accepts and its issues (tests change them between runs).
  void SetGithubToken(const std::string& token);
  void SetGithubIssues(std::vector<GithubIssue> issues);
  std::vector<GithubIssue> GithubIssues() const;
  // The key /test/apikey accepts and the user/password of /test/basic.
  void SetApiKey(const std::string& key);
  void SetBasic(const std::string& user, const std::string& password);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace dlt::testing
