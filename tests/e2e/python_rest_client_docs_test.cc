// dlt.sources.helpers.requests and rest_client as dlt 1.26's docs (general-usage/http/requests.md,
// rest-client.md) describe them, each check guarding a defect a docs sweep found. The scripts run
// their own HTTP server on 127.0.0.1 (http.server in a thread), so each can answer as the check needs.
#include <gtest/gtest.h>

#include "support/python_http_server.h"

namespace dlt::testing {
namespace {

// Defect 1: requests.get() returned a 4xx/5xx response instead of raising (dlt's default client
// is made with raise_for_status=True), so a 404 body was loaded as a row. Defect 8: Response.links,
// requests.options, ChunkedEncodingError, Client(status_codes=, retry_condition=) and Client.session.
TEST(PythonRequestsDocs, TheDefaultClientRaisesHttpErrorAndClientRetriesAsConfigured) {
  TempWorkspace w;
  w.WriteConfig("[runtime]\nrequest_backoff_factor = 0\n");
  auto r = RunWithServer(w, R"PY(
import srv, dlt
from collections import Counter
CNT = Counter()
def h(r):
    p = r["path"]; CNT[p] += 1
    if p == "/missing": return 404, {}, {"message": "Not Found"}
    if p == "/403": return (403, {}, {}) if CNT[p] < 2 else (200, {}, {"ok": CNT[p]})
    if p == "/errkey": return 200, {}, ({"error": "x"} if CNT[p] < 3 else {"ok": CNT[p]})
    if p == "/links": return 200, {"Link": '<http://x/2>; rel="next", <http://x/9>; rel="last"'}, []
    return 200, {}, {"m": r["method"]}
s, base = srv.start(h)
from dlt.sources.helpers import requests
try:
    requests.get(base + "/missing"); print("no exception")
except requests.HTTPError as e:
    print("raised", e.response.status_code, str(e).startswith("404 Client Error: Not Found for url: "))
print("session raises", end=" ")
try:
    requests.Session().get(base + "/missing"); print("no")
except requests.HTTPError:
    print("yes")
print("no raise", requests.Client(raise_for_status=False).get(base + "/missing").status_code)
@dlt.resource
def res():
    yield requests.get(base + "/missing").json()
try:
    dlt.pipeline("ar", destination="duckdb", dataset_name="ar").run(res()); print("loaded")
except Exception as e:
    print("run failed", type(e).__name__)
print("links", requests.get(base + "/links").links["next"]["url"])
print("options", requests.options(base + "/x").json()["m"], requests.ChunkedEncodingError.__name__)
print("status_codes", requests.Client(status_codes=(403, 500)).get(base + "/403").json(), CNT["/403"])
cond = lambda resp, exc: resp is not None and "error" in resp.json()
print("retry_condition", requests.Client(retry_condition=cond).get(base + "/errkey").json(), CNT["/errkey"])
print("session", type(requests.Client(request_timeout=(1.0, 1.0)).session).__name__)
s.shutdown()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "raised 404 True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "session raises yes\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "no raise 404\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "run failed PipelineStepFailed\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "links http://x/2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "options OPTIONS ChunkedEncodingError\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "status_codes {'ok': 2} 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "retry_condition {'ok': 3} 3\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "session Session\n")) << r.out;
}

// Defect 4: error bodies were always in HTTPError messages (a server echoing the key leaked it);
// dlt shows the body only with [runtime] http_show_error_body = true, and then masked.
// Defect 5: RESTClient.paginate raised RESTClientError, not requests' HTTPError.
const char* kErrBody = R"PY(
import srv
s, base = srv.start(lambda r: (400, {}, {"error": "Invalid key " + r["q"].get("api_key", "") + " " + (r["headers"].get("Authorization") or "")}))
from dlt.sources.helpers import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import APIKeyAuth, BearerTokenAuth
from dlt.sources.helpers.rest_client.exceptions import RESTClientError
def noop(resp, *a): pass
for name, f in [
    ("requests", lambda: requests.get(base + "/data", params={"api_key": "s3cretKey", "page": 1})),
    ("rc-get", lambda: RESTClient(base_url=base, auth=APIKeyAuth(name="api_key", api_key="s3cretKey", location="query")).get("/data").raise_for_status()),
    ("rc-paginate", lambda: list(RESTClient(base_url=base, auth=BearerTokenAuth(token="t0kenXyz")).paginate("/data"))),
    ("rc-paginate-py", lambda: list(RESTClient(base_url=base, auth=BearerTokenAuth(token="t0kenXyz"), paginator=P()).paginate("/data"))),
]:
    try: f(); print(name, "no exc")
    except requests.HTTPError as e:
        print(name, "HTTPError", isinstance(e, RESTClientError) or name.startswith(("requests", "rc-get")), e.response.status_code, "body" if "Invalid key" in str(e) else "nobody")
s.shutdown()
)PY";

std::string ErrBodyScript() {
  // a paginator of one's own: paged in Python
  return std::string(kErrBody).replace(std::string(kErrBody).find("def noop"), 0,
                                       "from dlt.sources.helpers.rest_client.paginators import BasePaginator\n"
                                       "class P(BasePaginator):\n"
                                       "    def update_state(self, response, data=None): self._has_next_page = False\n"
                                       "    def update_request(self, request): pass\n");
}

TEST(PythonRestClientDocs, HttpErrorsHoldNoResponseBodyUnlessShowErrorBodyIsSet) {
  TempWorkspace w;
  auto r = RunWithServer(w, ErrBodyScript(), {{"RUNTIME__HTTP_SHOW_ERROR_BODY", "false"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "requests HTTPError True 400 nobody\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rc-get HTTPError True 400 nobody\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rc-paginate HTTPError True 400 nobody\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rc-paginate-py HTTPError True 400 nobody\n")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "s3cretKey")) << r.out << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "t0kenXyz")) << r.out << r.err;
}

TEST(PythonRestClientDocs, ShowErrorBodyIncludesTheBodyMasked) {
  TempWorkspace w;
  auto r = RunWithServer(w, ErrBodyScript(), {{"RUNTIME__HTTP_SHOW_ERROR_BODY", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "requests HTTPError True 400 body\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rc-get HTTPError True 400 body\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rc-paginate HTTPError True 400 body\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rc-paginate-py HTTPError True 400 body\n")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "s3cretKey")) << r.out << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "t0kenXyz")) << r.out << r.err;
}

// Defect 2: a custom paginator given to RESTClient was reused, so a second paginate() got nothing.
// Defect 3: JSONPath data selectors on the Python path. Defect 6: dlt's data detection.
// Defect 7: request building (raw data, json+data, headers=, paginate(headers=, data=)).
// Defects 9, 10: paginators without a stop condition, repr of an auth without super().__init__.
TEST(PythonRestClientDocs, PaginateAndRequestsBehaveAsDltsRestClient) {
  TempWorkspace w;
  auto r = RunWithServer(w, R"PY(
import json, srv
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import AuthConfigBase
from dlt.sources.helpers.rest_client.paginators import BasePaginator, OffsetPaginator, PageNumberPaginator
def h(r):
    p, q = r["path"], r["q"]
    if p == "/values": return 200, {}, {"other": [{"o": 1}], "values": [{"v": 1}]}
    if p == "/nested": return 200, {}, {"results": {"posts": [{"id": 1}, {"id": 2}]}, "meta": [9]}
    if p == "/scalars": return 200, {}, {"items": ["one", "two"]}
    if p == "/echo": return 200, {}, [{"ct": r["headers"].get("Content-Type"), "body": r["body"], "x": r["headers"].get("X-Extra")}]
    if p == "/data":
        pg = int(q.get("page", 0))
        return 200, {}, ({"items": [{"p": pg}]} if pg < 3 else {})
    return 404, {}, {}
s, base = srv.start(h)
def t(name, f):
    try: print(name, f())
    except Exception as e: print(name, "EXC", type(e).__name__, str(e)[:120])
noop = {"response": [lambda resp, *a: None]}
class Pages(BasePaginator):
    def __init__(self):
        super().__init__(); self.page = 1
    def init_request(self, request): self.update_request(request)
    def update_state(self, response, data=None):
        if not response.json(): self._has_next_page = False
        else: self.page += 1
    def update_request(self, request): request.params["page"] = self.page
class MyAuth(AuthConfigBase):
    def __init__(self, token): self.token = token
    def __call__(self, request):
        request.headers["Authorization"] = "Custom " + self.token; return request
c = RESTClient(base_url=base, paginator=Pages())
t("custom-pag 1st", lambda: [list(p) for p in c.paginate("/data")])
t("custom-pag 2nd", lambda: [list(p) for p in c.paginate("/data")])
rc = RESTClient(base_url=base)
for sel in ["results.posts", "results.posts[*]", "$.results.posts[*].id", "results.posts[0]"]:
    t("sel " + sel, lambda: [list(p) for p in rc.paginate("/nested", data_selector=sel, hooks=noop)])
t("values-key", lambda: [list(p) for p in rc.paginate("/values")])
t("values-key-py", lambda: [list(p) for p in rc.paginate("/values", hooks=noop)])
t("nested-auto", lambda: [list(p) for p in rc.paginate("/nested")])
t("nested-auto-py", lambda: [list(p) for p in rc.paginate("/nested", hooks=noop)])
t("scalars-py", lambda: [list(p) for p in rc.paginate("/scalars", hooks=noop)])
t("post-raw", lambda: rc.post("/echo", data="raw text").json())
t("post-both", lambda: rc.post("/echo", json={"a": 1}, data="x"))
t("get-headers", lambda: rc.get("/echo", headers={"X-Extra": "1"}).json()[0]["x"])
t("pag-headers", lambda: [list(p) for p in rc.paginate("/echo", headers={"X-Extra": "2"})][0][0]["x"])
t("pag-form", lambda: [list(p) for p in rc.paginate("/echo", method="POST", data={"q": "py"})][0][0]["body"])
t("offset-nostop", lambda: OffsetPaginator(limit=10, total_path=None, stop_after_empty_page=False))
t("page-nostop", lambda: PageNumberPaginator(total_path=None, stop_after_empty_page=False))
t("repr", lambda: repr(MyAuth("sekretTok")))
s.shutdown()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "custom-pag 1st [[{'p': 1}], [{'p': 2}], []]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "custom-pag 2nd [[{'p': 1}], [{'p': 2}], []]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sel results.posts [[{'id': 1}, {'id': 2}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sel results.posts[*] [[{'id': 1}, {'id': 2}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sel $.results.posts[*].id [[1, 2]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sel results.posts[0] [[{'id': 1}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "values-key [[{'v': 1}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "values-key-py [[{'v': 1}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "nested-auto [[{'id': 1}, {'id': 2}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "nested-auto-py [[{'id': 1}, {'id': 2}]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "scalars-py [['one', 'two']]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "post-raw [{'ct': None, 'body': 'raw text', 'x': None}]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "post-both EXC ValueError")) << r.out;
  EXPECT_TRUE(Contains(r.out, "get-headers 1\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "pag-headers 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "pag-form q=py\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "offset-nostop EXC ValueError")) << r.out;
  EXPECT_TRUE(Contains(r.out, "page-nostop EXC ValueError")) << r.out;
  EXPECT_TRUE(Contains(r.out, "repr MyAuth()\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "sekretTok")) << r.out;
}

// Defect: pages the engine fetched had PageData.request and .response None, so rest-client.md's
// debugging recipe (`print(page.request)`, `print(page.response)`) and code reading a page's
// response headers or status failed with AttributeError on None. dlt keeps both on every page.
// The credentials the engine adds are not among the request's headers (nor in its URL).
TEST(PythonRestClientDocs, EveryPageKeepsItsRequestAndResponse) {
  TempWorkspace w;
  auto r = RunWithServer(w, R"PY(
import srv
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import APIKeyAuth
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator
def h(r):
    if r["path"] == "/scalars":
        return 200, {}, {"values": [1, "a", None, [2]]}
    n = int(r["q"].get("n", "1"))
    nxt = f"/posts?n={n + 1}" if n < 2 else None
    return 200, {"X-Page": str(n)}, {"data": [{"id": n}], "pagination": {"next": nxt}}
s, base = srv.start(h)
client = RESTClient(base_url=base, headers={"Accept": "application/json"},
                    auth=APIKeyAuth(name="api_key", api_key="k3y-s3cret", location="query"),
                    paginator=JSONLinkPaginator(next_url_path="pagination.next"))
for page in client.paginate("/posts", params={"q": "x"}):
    print(page.request, page.response, page.request.method, page.request.url.replace(base, ""),
          page.request.headers.get("Accept"), page.response.status_code, page.response.headers["x-page"],
          page.response.json()["data"], page.response.request is page.request)
for page in client.paginate("/posts", method="POST", json={"q": 1}):
    print(page.request.body)
    break
# a page of scalars is yielded as the API sent it (dlt wraps them as {"value": ...} only when it
# loads them)
print("scalars", list(RESTClient(base_url=base).paginate("/scalars", paginator=None, data_selector="values")))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "<Request [GET]> <Response [200]> GET /posts?q=x application/json 200 1 [{'id': 1}] True"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "<Request [GET]> <Response [200]> GET /posts?n=2 application/json 200 2 [{'id': 2}] True"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "b'{\"q\":1}'")) << r.out;
  EXPECT_TRUE(Contains(r.out, "scalars [[1, 'a', None, [2]]]")) << r.out;
  EXPECT_FALSE(Contains(r.out, "k3y-s3cret")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
