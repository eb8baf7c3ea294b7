// dlt's RESTClient from Python: paginate() yields each page's rows, fetched by the engine's REST
// client (paginators, data selectors, auth, POST bodies), inside a resource as dlt's docs write
// it; a refused request raises RESTClientError naming the URL and never the token.
#include <gtest/gtest.h>

#include "http_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonRestClient, PaginateYieldsEachPageThroughEveryPaginatorAndLoadsFromAResource) {
  FixtureServer server;
  TempWorkspace w;
  w.WriteConfig("[sources]\nbase_url = \"http://127.0.0.1:1/unused\"   # RESTClient's own base_url wins\n");
  w.Write("client.py", R"PY(
import sys, dlt
from dlt.sources.helpers.rest_client import RESTClient, paginate
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import (
    HeaderLinkPaginator, JSONLinkPaginator, OffsetPaginator, SinglePagePaginator)

base = sys.argv[1]
client = RESTClient(base_url=base, paginator=JSONLinkPaginator(next_url_path="links.next"))
print("json_link", [[r["id"] for r in page] for page in client.paginate("/test/json_link", data_selector="data")])
pages = list(client.paginate("/test/offset", paginator=OffsetPaginator(limit=10, total_path="total"),
                             data_selector="items"))
print("offset", [len(p) for p in pages], type(pages[0]).__name__, isinstance(pages[0], list))
post = next(client.paginate("/test/search", method="POST", json={"q": "dlt"}, paginator=SinglePagePaginator()))
print("post", [(r["id"], r["q"]) for r in post])
print("function", sum(len(p) for p in paginate(base + "/test/header_link", paginator=HeaderLinkPaginator())))

github = RESTClient(base_url=base, auth=BearerTokenAuth(sys.argv[2]))

@dlt.resource(primary_key="id", write_disposition="merge")
def issues():
    for page in github.paginate("/repos/dlt-hub/dlt/issues", params={"per_page": 3}):
        yield page

p = dlt.pipeline(pipeline_name="gh", destination="duckdb", dataset_name="gh_data")
print("failed", p.run(issues()).has_failed_jobs)
)PY");
  auto r = RunPython(w, "client.py", {server.Url(), "gh-test-token"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "json_link [[2, 3], [4, 5], [6, 7]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "offset [10, 10, 3] PageData True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "post [(1, '\"dlt\"'), (2, '\"dlt\"')]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed False\n")) << r.out;
  std::vector<std::string> pages;
  for (const auto& req : server.RequestsTo("/repos/dlt-hub/dlt/issues")) {
    pages.push_back(req.params.count("page") ? req.params.at("page") : "1");
  }
  EXPECT_EQ(pages, (std::vector<std::string>{"1", "2", "3"})) << "the Link header was followed, 3 rows a page";
  const auto db = w.root() / "_local" / "dev" / "gh.duckdb";
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || ':' || min(number) || ':' || max(number) FROM gh_data.issues"), "7:1:7");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM gh_data.issues__labels"), "7");
  // paginate(url): the header_link fixture's four pages of one row
  EXPECT_TRUE(Contains(r.out, "function 4\n")) << r.out;
}

TEST(PythonRestClient, ARefusedRequestRaisesRestClientErrorNamingTheUrlAndNeverTheToken) {
  FixtureServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.exceptions import RESTClientError

client = RESTClient(base_url=")PY" + server.Url() + R"PY(", auth=BearerTokenAuth("wrong-s3cr3t-token"))
print(repr(client))
try:
    list(client.paginate("/repos/dlt-hub/dlt/issues"))
except RESTClientError as e:
    print("error:", e)
resp = client.get("/repos/dlt-hub/dlt/issues")
print("get:", resp.status_code, resp.json()["message"].startswith("Bad credentials"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "error: ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "/repos/dlt-hub/dlt/issues")) << r.out;
  EXPECT_TRUE(Contains(r.out, "401")) << r.out;
  // RESTClient.get gives the response as it came (the script prints no part of the body that
  // echoes the header, which is the server's text, not ours)
  EXPECT_TRUE(Contains(r.out, "get: 401 True\n")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "wrong-s3cr3t-token")) << r.out << r.err;
}

// dlt's docs: a paginator of one's own (BasePaginator: init_request, update_state,
// update_request), an auth class of one's own (AuthConfigBase.__call__) and response hooks, all
// paged in Python with each request sent by the engine; the token of the custom auth is never shown.
TEST(PythonRestClient, APaginatorAndAnAuthOfOnesOwnAndResponseHooksPageAsDltsDocsWriteThem) {
  FixtureServer server;
  TempWorkspace w;
  w.Write("custom.py", R"PY(
import sys, dlt
from typing import Any, List, Optional
from dlt.sources.helpers.requests import Request, Response
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import AuthConfigBase
from dlt.sources.helpers.rest_client.exceptions import IgnoreResponseException, RESTClientError
from dlt.sources.helpers.rest_client.paginators import BasePaginator, JSONLinkPaginator

class QueryParamPaginator(BasePaginator):
    def __init__(self, page_param: str = "page", initial_page: int = 1):
        super().__init__()
        self.page_param = page_param
        self.page = initial_page

    def init_request(self, request: Request) -> None:
        self.update_request(request)

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        if self.page >= response.json()["total_pages"]:
            self._has_next_page = False
        else:
            self.page += 1

    def update_request(self, request: Request) -> None:
        if request.params is None:
            request.params = {}
        request.params[self.page_param] = self.page

class GithubTokenAuth(AuthConfigBase):
    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

base, token = sys.argv[1], sys.argv[2]
client = RESTClient(base_url=base)
pages = list(client.paginate("/test/page", paginator=QueryParamPaginator(), data_selector="data"))
print("custom paginator", [len(p) for p in pages], pages[0].response.status_code,
      type(pages[0].paginator).__name__)

gh = RESTClient(base_url=base, auth=GithubTokenAuth(token))
print(repr(gh.auth))
numbers = [r["number"] for page in gh.paginate("/repos/dlt-hub/dlt/issues", params={"per_page": 3}) for r in page]
print("custom auth", sorted(numbers))
print("custom auth get", gh.get("/repos/dlt-hub/dlt/issues").status_code)

seen = []
def log_status(response, *args, **kwargs):
    seen.append(response.status_code)

def skip_missing(response, *args, **kwargs):
    if response.status_code == 404:
        raise IgnoreResponseException
    response.raise_for_status()

rows = [r["id"] for p in client.paginate("/test/json_link", paginator=JSONLinkPaginator(next_url_path="links.next"),
                                        hooks={"response": [log_status, skip_missing]}) for r in p]
print("hooks", rows, seen)
print("ignored", list(client.paginate("/test/status?code=404", hooks={"response": [skip_missing]})))
try:
    list(GithubTokenAuth and RESTClient(base_url=base, auth=GithubTokenAuth("wr0ng-" + token)).paginate(
        "/repos/dlt-hub/dlt/issues"))
except RESTClientError as e:
    print("refused:", e)

@dlt.resource(primary_key="id", write_disposition="merge")
def issues():
    yield from gh.paginate("/repos/dlt-hub/dlt/issues", params={"per_page": 3})

p = dlt.pipeline(pipeline_name="gh_custom", destination="duckdb", dataset_name="gh_data")
print("failed", p.run(issues()).has_failed_jobs)
)PY");
  const std::string token = "gh-test-token";
  auto r = RunPython(w, "custom.py", {server.Url(), token});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "custom paginator [")) << r.out;
  std::vector<std::string> pages;
  for (const auto& req : server.RequestsTo("/test/page")) pages.push_back(req.params.count("page") ? req.params.at("page") : "-");
  EXPECT_EQ(pages, (std::vector<std::string>{"1", "2", "3"})) << "the paginator set page=1..3 and stopped at total_pages";
  EXPECT_TRUE(Contains(r.out, " 200 QueryParamPaginator\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "custom auth [1, 2, 3, 4, 5, 6, 7]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "custom auth get 200\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "hooks [2, 3, 4, 5, 6, 7] [200, 200, 200]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "ignored []\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "failed False\n")) << r.out;
  for (const auto& req : server.RequestsTo("/repos/dlt-hub/dlt/issues")) {
    if (req.headers.count("authorization") && Contains(req.headers.at("authorization"), "wr0ng")) continue;
    EXPECT_EQ(req.headers.count("authorization") ? req.headers.at("authorization") : "", "Bearer " + token);
  }
  EXPECT_FALSE(Contains(r.out + r.err, "wr0ng-" + token)) << "a custom auth's token is never shown";
  EXPECT_FALSE(Contains(r.out + r.err, token)) << "nor the right one";
  const auto db = w.root() / "_local" / "dev" / "gh_custom.duckdb";
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM gh_data.issues"), "7");
}

}  // namespace
}  // namespace dlt::testing
