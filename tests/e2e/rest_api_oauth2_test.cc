// dlt's `oauth2_client_credentials` auth (dlt.sources.helpers.rest_client.auth.OAuth2ClientCredentials)
// in the REST API source, RESTClient and TOML pipelines. Defect guarded: the auth type was refused
// ("unsupported auth type") and OAuth2ClientCredentials could not be imported, so machine-to-machine
// APIs (Zoom, Salesforce, Auth0 ...) could not be loaded at all. dlt posts client_id, client_secret
// and grant_type=client_credentials (plus access_token_request_data) form-encoded to
// access_token_url, sends the reply's access_token as a bearer token and obtains a new one once
// expires_in (default_token_expiration) seconds have passed.
#include <gtest/gtest.h>

#include "support/python_http_server.h"

namespace dlt::testing {
namespace {

// The API: POST /token checks the form and hands out tok-1, tok-2, ... (expires_in from the
// EXPIRES variable); /items has 3 pages and needs a bearer token that was handed out.
const char* kApi = R"PY(
import srv, json
from urllib.parse import parse_qs
TOKENS = []
EXPIRES = {"value": 3600}
def h(r):
    if r["path"] == "/token":
        form = {k: v[0] for k, v in parse_qs(r["body"]).items()}
        basic = r["headers"].get("Authorization", "")
        ok = (form.get("client_id") == "cid" and form.get("client_secret") == "s3cr3t-value") or \
             basic == "Basic Y2lkOnMzY3IzdC12YWx1ZQ=="
        if not ok or form.get("grant_type") not in ("client_credentials", "account_credentials"):
            return 401, {}, {"error": "invalid_client", "echo": r["body"]}
        TOKENS.append("tok-%d" % (len(TOKENS) + 1))
        out = {"access_token": TOKENS[-1], "token_type": "bearer"}
        if EXPIRES["value"] is not None: out["expires_in"] = EXPIRES["value"]
        return 200, {}, out
    if r["path"] == "/items":
        auth = r["headers"].get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in TOKENS:
            return 401, {}, {"error": "no token"}
        p = int(r["q"].get("page", "1"))
        return 200, {}, {"data": [{"id": p * 10 + i, "token": auth[7:]} for i in range(2)], "total_pages": 3}
    return 404, {}, {}
)PY";

std::string Script(const std::string& body) { return std::string(kApi) + body; }

// rest_api_source with the dict form: one token for the whole run, the form as dlt sends it, the
// rows of every page loaded, and the secret nowhere in the output.
TEST(RestApiOAuth2, RestApiSourceObtainsOneTokenAndLoadsEveryPage) {
  TempWorkspace w;
  auto r = RunWithServer(w, Script(R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
s, base = srv.start(h)
src = rest_api_source({
    "client": {"base_url": base, "auth": {"type": "oauth2_client_credentials", "access_token_url": base + "/token",
               "client_id": "cid", "client_secret": "s3cr3t-value", "access_token_request_data": {"scope": "read write"}},
               "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}},
    "resources": ["items"],
})
p = dlt.pipeline("oa", destination="duckdb", dataset_name="oa_data")
p.run(src)
with p.sql_client() as c:
    print(c.execute_sql("SELECT count(*), min(id), max(id), count(DISTINCT token), min(token) FROM items"))
token_reqs = [x for x in srv.LOG if x["path"] == "/token"]
print(len(token_reqs), token_reqs[0]["method"], token_reqs[0]["headers"].get("Content-Type"))
print(sorted(token_reqs[0]["body"].split("&")))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "[(6, 10, 31, 1, 'tok-1')]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1 POST application/x-www-form-urlencoded")) << r.out;
  EXPECT_TRUE(Contains(r.out, "['client_id=cid', 'client_secret=s3cr3t-value', 'grant_type=client_credentials', "
                              "'scope=read%20write']")) << r.out;
}

// expires_in: 0 means the token is stale at once: a new one before each request, as dlt's
// is_token_expired() says. A string expires_in is read as dlt's int() reads it.
TEST(RestApiOAuth2, AnExpiredTokenIsObtainedAgainBeforeTheNextRequest) {
  TempWorkspace w;
  auto r = RunWithServer(w, Script(R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
EXPIRES["value"] = "0"
s, base = srv.start(h)
auth = OAuth2ClientCredentials(access_token_url=base + "/token", client_id="cid", client_secret="s3cr3t-value")
src = rest_api_source({
    "client": {"base_url": base, "auth": auth,
               "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}},
    "resources": ["items"],
})
p = dlt.pipeline("oe", destination="duckdb", dataset_name="oe_data")
p.run(src)
with p.sql_client() as c:
    print(c.execute_sql("SELECT id, token FROM items ORDER BY id"))
print(len([x for x in srv.LOG if x["path"] == "/token"]))
print(repr(auth))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "[(10, 'tok-1'), (11, 'tok-1'), (20, 'tok-2'), (21, 'tok-2'), (30, 'tok-3'), (31, 'tok-3')]"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "\n3\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "client_id=***, client_secret=***")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "s3cr3t-value")) << r.out << r.err;
}

// A token endpoint that refuses the client: the run fails naming the token URL, the status and
// what to check; the package stays pending; the client secret is in no output (even with the
// error body shown, which echoes the form).
TEST(RestApiOAuth2, ARefusedTokenRequestFailsTheExtractWithoutTheSecret) {
  TempWorkspace w;
  w.WriteConfig("[runtime]\nhttp_show_error_body = true\n");
  auto r = RunWithServer(w, Script(R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.sources.rest_api import rest_api_source
s, base = srv.start(h)
src = rest_api_source({
    "client": {"base_url": base, "auth": {"type": "oauth2_client_credentials", "access_token_url": base + "/token",
               "client_id": "cid", "client_secret": "wr+ng/s3cr=t"}},
    "resources": ["items"],
})
try:
    dlt.pipeline("of", destination="duckdb", dataset_name="of_data").run(src)
    print("loaded")
except PipelineStepFailed as e:
    print("failed at", e.step)
    print(str(e))
print([x["path"] for x in srv.LOG])
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "failed at extract")) << r.out;
  EXPECT_TRUE(Contains(r.out, "oauth2_client_credentials auth could not obtain an access token")) << r.out;
  EXPECT_TRUE(Contains(r.out, "/token failed with HTTP 401")) << r.out;
  EXPECT_TRUE(Contains(r.out, "resource `items`: oauth2_client_credentials")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Check the credentials of the source")) << r.out;
  EXPECT_TRUE(Contains(r.out, "['/token']")) << r.out;  // no data request without a token
  // the server echoes the form, where the secret is URL-encoded: masked in that form too
  EXPECT_TRUE(Contains(r.out, "client_secret=***")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "wr+ng/s3cr=t")) << r.out << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "wr%2Bng%2Fs3cr%3Dt")) << r.out << r.err;
}

// RESTClient: the plain class pages through the engine; dlt's documented subclass that sends the
// credentials as HTTP basic auth (build_access_token_request overridden) runs in Python before
// each request and reuses its token until it expires.
TEST(RestApiOAuth2, RestClientRunsThePlainClassAndASubclassOfOnesOwn) {
  TempWorkspace w;
  auto r = RunWithServer(w, Script(R"PY(
from base64 import b64encode
from typing import Any, Dict
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator
s, base = srv.start(h)

client = RESTClient(base_url=base, auth=OAuth2ClientCredentials(access_token_url=base + "/token", client_id="cid",
                    client_secret="s3cr3t-value"))
pages = list(client.paginate("/items", paginator=PageNumberPaginator(base_page=1, total_path="total_pages")))
print("plain", [[row["id"] for row in page] for page in pages], len(srv.LOG))

class OAuth2ClientCredentialsHTTPBasic(OAuth2ClientCredentials):
    def build_access_token_request(self) -> Dict[str, Any]:
        authentication: str = b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return {
            "headers": {"Authorization": f"Basic {authentication}",
                        "Content-Type": "application/x-www-form-urlencoded"},
            "data": self.access_token_request_data,
        }

srv.LOG.clear()
auth = OAuth2ClientCredentialsHTTPBasic(access_token_url=base + "/token", client_id="cid", client_secret="s3cr3t-value",
                                        access_token_request_data={"grant_type": "account_credentials", "account_id": "a1"})
client = RESTClient(base_url=base, auth=auth)
pages = list(client.paginate("/items", paginator=PageNumberPaginator(base_page=1, total_path="total_pages")))
print("subclass", [[row["token"] for row in page] for page in pages], [x["path"] for x in srv.LOG])
print(srv.LOG[0]["body"], auth.access_token, auth.is_token_expired())
print(client.get("/items").json()["data"][0]["token"])
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "plain [[10, 11], [20, 21], [30, 31]] 4")) << r.out;
  EXPECT_TRUE(Contains(r.out, "subclass [['tok-2', 'tok-2'], ['tok-2', 'tok-2'], ['tok-2', 'tok-2']] "
                              "['/token', '/items', '/items', '/items']")) << r.out;
  EXPECT_TRUE(Contains(r.out, "grant_type=account_credentials&account_id=a1 tok-2 False")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\ntok-2\n")) << r.out;
}

// One token for the credentials in the process, as one dlt auth object keeps it: two resources
// fetched in parallel, a second source and RESTClient.paginate calls all use it until it expires
// (a token endpoint may count or bill each request).
TEST(RestApiOAuth2, OneTokenServesEveryResourceSourceAndPaginateCallUntilItExpires) {
  TempWorkspace w;
  auto r = RunWithServer(w, Script(R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
s, base = srv.start(h)
def source():
    return rest_api_source({
        "client": {"base_url": base, "auth": {"type": "oauth2_client_credentials", "access_token_url": base + "/token",
                   "client_id": "cid", "client_secret": "s3cr3t-value"},
                   "paginator": {"type": "page_number", "base_page": 1, "total_path": "total_pages"}},
        "resources": [{"name": "a", "endpoint": {"path": "items"}}, {"name": "b", "endpoint": {"path": "items"}}],
    })
p = dlt.pipeline("o1", destination="duckdb", dataset_name="o1_data")
p.run(source())
p.run(source())
client = RESTClient(base_url=base, auth=OAuth2ClientCredentials(access_token_url=base + "/token", client_id="cid",
                    client_secret="s3cr3t-value"))
from dlt.sources.helpers.rest_client.paginators import SinglePagePaginator
for _ in range(2):
    list(client.paginate("/items", params={"page": 3}, paginator=SinglePagePaginator()))
with p.sql_client() as c:
    print(c.execute_sql("SELECT count(*), count(DISTINCT token) FROM a"), c.execute_sql("SELECT count(*) FROM b"))
print("token requests", len([x for x in srv.LOG if x["path"] == "/token"]),
      "item requests", len([x for x in srv.LOG if x["path"] == "/items"]))
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "[(12, 1)] [(12,)]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "token requests 1 item requests 14")) << r.out;
}

// A subclass that runs in Python cannot be run by the engine's rest_api: refused, naming why.
TEST(RestApiOAuth2, RestApiSourceRefusesASubclassThatRunsInPython) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "main.py", R"PY(
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
class Mine(OAuth2ClientCredentials):
    def parse_access_token(self, response_json):
        return response_json["token"]
try:
    rest_api_source({"client": {"base_url": "http://127.0.0.1:9/", "auth": Mine(access_token_url="http://127.0.0.1:9/t",
                     client_id="a", client_secret="b")}, "resources": ["x"]})
    print("accepted")
except NotImplementedError as e:
    print(str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "is Mine, an OAuth2ClientCredentials that overrides how the token is requested or read"))
      << r.out;
}

// The TOML pipeline: the type and URL in the pipeline file, client_id and client_secret in the
// profile's secrets (a secret in the file is refused, naming the key).
TEST(RestApiOAuth2, ATomlPipelineTakesTheClientSecretFromTheProfile) {
  TempWorkspace w;
  w.WriteSecrets("[sources.oauth_api]\nclient_id = \"cid\"\nclient_secret = \"s3cr3t-value\"\n");
  w.env()["DLT_CLI"] = DLT_BINARY;
  auto r = RunWithServer(w, Script(R"PY(
import os, subprocess
s, base = srv.start(h)
def pipeline(extra):
    with open("oauth.toml", "w") as f:
        f.write(f"""[pipeline]
name = "oauth_pipeline"
destination = "duckdb"
dataset_name = "oauth_data"

[source]
type = "rest_api"
name = "oauth_api"

[source.client]
base_url = "{base}"
auth = {{ type = "oauth2_client_credentials", access_token_url = "{base}/token"{extra} }}
paginator = {{ type = "page_number", base_page = 1, total_path = "total_pages" }}

[[resources]]
name = "items"
""")
    return subprocess.run([os.environ["DLT_CLI"], "run", "oauth.toml"], capture_output=True, text=True)
bad = pipeline(', client_secret = "in-the-file"')
print("in file:", bad.returncode, "client_secret" in bad.stderr, "in-the-file" in bad.stdout + bad.stderr)
ok = pipeline("")
print("run:", ok.returncode, ok.stderr[-300:])
print([x["path"] for x in srv.LOG])
)PY"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "in file: 2 True False")) << r.out;
  EXPECT_TRUE(Contains(r.out, "run: 0")) << r.out;
  EXPECT_TRUE(Contains(r.out, "['/token', '/items', '/items', '/items']")) << r.out;
  auto rows = w.Dlt({"pipeline", "oauth_pipeline", "info"});
  EXPECT_FALSE(Contains(r.out + r.err + rows.out + rows.err, "s3cr3t-value"));
}

}  // namespace
}  // namespace dlt::testing
