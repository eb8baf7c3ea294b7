// dlt's requests helper (`from dlt.sources.helpers import requests`) and RESTClient.get/post from
// Python: requests go through the engine's HTTP client with dlt's retries (a 500 is retried),
// responses read as requests' do, raise_for_status raises HTTPError naming the URL and never a
// secret (nor sends one to another origin on a redirect), and a resource that calls the API in a
// loop loads as in dlt's docs.
#include <gtest/gtest.h>

#include "http_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonRequests, GetPostRetriesAndRaiseForStatusAsDltsHelperDoes) {
  FixtureServer server;
  TempWorkspace w;
  w.WriteConfig("[runtime]\nrequest_backoff_factor = 0\n");
  w.Write("req.py", R"PY(
import sys, dlt
from dlt.sources.helpers import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth, APIKeyAuth, HttpBasicAuth

base = sys.argv[1]
r = requests.get(base + "/api/v2/pokemon", params={"limit": 2, "offset": 0})
print("get", r.status_code, r.ok, r.headers["content-type"].split(";")[0], [p["name"] for p in r.json()["results"]])
r = requests.get(base + "/test/flaky500", params={"case": "py"})
print("retried", r.status_code, r.json())
r = requests.post(base + "/test/search", json={"q": "dlt"})
print("post", [row["q"] for row in r.json()["results"]])
try:
    requests.get(base + "/api/v2/pokemon/nosuch")
except requests.HTTPError as e:
    print("raised", e.response.status_code)  # dlt's default client raises on 4xx/5xx
r = requests.Client(raise_for_status=False).get(base + "/api/v2/pokemon/nosuch")
print("missing", r.status_code, bool(r))
try:
    r.raise_for_status()
except requests.HTTPError as e:
    print("http error", e.response.status_code, "/api/v2/pokemon/nosuch" in str(e))
try:
    requests.get("http://127.0.0.1:1/none", timeout=2)
except requests.ConnectionError as e:
    print("connection error", type(e).__name__)
# credentials go only to the origin asked for: a redirect to another origin goes without them
same = requests.get(base + "/test/redirect", params={"to": base + "/test/apikey"}, headers={"X-API-Key": "test-api-key"})
other = requests.Client(raise_for_status=False).get(base + "/test/redirect", params={"to": sys.argv[2] + "/test/apikey"},
                     headers={"X-API-Key": "test-api-key"})
print("redirects", same.status_code, other.status_code)
s = requests.Session()
s.headers["X-API-Key"] = "test-api-key"
print("session", s.get(base + "/test/apikey").json()["data"])
print("basic", requests.get(base + "/test/basic", auth=("user", "pass")).json())

client = RESTClient(base_url=base)
print("client get", client.get("/test/apikey", auth=APIKeyAuth(name="api_key", api_key="test-api-key", location="query")).status_code)
print("client basic", client.get("test/basic", auth=HttpBasicAuth("user", "pass")).json())
print("client post", client.post("/test/search", json={"q": 7}).json()["results"][0]["q"])
bad = RESTClient(base_url=base, auth=BearerTokenAuth("s3cr3t-wrong-token")).get("/repos/dlt-hub/dlt/issues")
try:
    bad.raise_for_status()
except requests.HTTPError as e:
    print("bad token", e.response.status_code, str(e))

@dlt.resource(primary_key="name", write_disposition="merge")
def pokemon():
    url = base + "/api/v2/pokemon?limit=20"
    while url:
        page = requests.get(url)
        page.raise_for_status()
        body = page.json()
        yield body["results"]
        url = body["next"]

p = dlt.pipeline(pipeline_name="poke", destination="duckdb", dataset_name="poke_data")
print("failed", p.run(pokemon()).has_failed_jobs)
)PY");
  auto r = RunPython(w, "req.py", {server.Url(), server.OtherOriginUrl()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "get 200 True application/json ['poke1', 'poke2']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "retried 200 [{'id': 1, 'ok': True}]\n")) << r.out;
  EXPECT_EQ(server.RequestsTo("/test/flaky500").size(), 2u) << "the 500 was retried once";
  EXPECT_TRUE(Contains(r.out, "post ['\"dlt\"', '\"dlt\"']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "raised 404\nmissing 404 False\nhttp error 404 True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "connection error ConnectionError\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "redirects 200 403\n")) << r.out << "the key followed the redirect to another origin";
  EXPECT_TRUE(Contains(r.out, "session [{'id': 1}, {'id': 2}]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "basic [{'id': 7}]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "client get 200\nclient basic [{'id': 7}]\nclient post 7\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "bad token 401 ")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "s3cr3t-wrong-token")) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "failed False\n")) << r.out;
  const auto db = DevDb(w, "poke");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM poke_data.pokemon"), "45");
}

}  // namespace
}  // namespace dlt::testing
