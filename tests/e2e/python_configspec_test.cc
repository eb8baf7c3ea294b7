// Configuration specs from Python, as dlt's docs write them: `from dlt.common.configuration import
// configspec` on the REST client's auth classes (the OAuth2 HTTP-basic subclass and a custom auth
// class of dlt's REST client page), and specs of one's own (`BaseConfiguration`,
// `CredentialsConfiguration`) as typed source arguments resolved field by field from the active
// profile, through dlt.secrets.get(key, Spec), resolve_configuration and with_config. A required
// field nobody set raises ConfigFieldMissingException naming the spec, the field and the keys
// looked at, and a spec's repr never shows a value.
#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_http_server.h"

namespace dlt::testing {
namespace {

#ifdef DLT_PYTHON

// Defect: `from dlt.common.configuration import configspec` failed with ImportError, so both auth
// snippets of dlt's REST client page stopped at their first line.
TEST(PythonConfigspec, TheRestClientPagesAuthSnippetsRunAsWritten) {
  TempWorkspace w;
  auto r = RunWithServer(w, R"PY(
import srv
from base64 import b64encode
from typing import Any, Dict
from dlt.common.configuration import configspec
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import AuthConfigBase, OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import SinglePagePaginator

def h(rec):
    if rec["path"] == "/token":
        return 200, {}, {"access_token": "tok-1", "expires_in": 3600}
    return 200, {}, [{"auth": rec["headers"].get("Authorization")}]
s, base = srv.start(h)

@configspec
class OAuth2ClientCredentialsHTTPBasic(OAuth2ClientCredentials):
    """Used e.g. by Zoom Video Communications, Inc."""
    def build_access_token_request(self) -> Dict[str, Any]:
        authentication: str = b64encode(
            f"{self.client_id}:{self.client_secret}".encode()
        ).decode()
        return {
            "headers": {
                "Authorization": f"Basic {authentication}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            "data": self.access_token_request_data,
        }

oauth = OAuth2ClientCredentialsHTTPBasic(
    access_token_url=base + "/token",
    client_id="cid",
    client_secret="s3cr3t-value",
    access_token_request_data={"grant_type": "account_credentials", "account_id": "a1"},
)
client = RESTClient(base_url=base, auth=oauth)
pages = list(client.paginate("/items", paginator=SinglePagePaginator()))
print("oauth", pages[0][0]["auth"], srv.LOG[0]["headers"]["Authorization"], srv.LOG[0]["body"])
print("repr", repr(oauth))

@configspec
class CustomAuth(AuthConfigBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        # Modify the request object to include the necessary authentication headers
        request.headers["Authorization"] = f"Custom {self.token}"
        return request

client = RESTClient(
    base_url=base,
    auth=CustomAuth(token="your_custom_token_here")
)
print("custom", client.get("/items").json()[0]["auth"])

# A custom auth class with fields and no __init__: the fields become keyword arguments.
@configspec
class HeaderAuth(AuthConfigBase):
    header: str = "X-Key"
    key: str = None

    def __call__(self, request):
        request.headers[self.header] = self.key
        return request

srv.LOG.clear()
auth = HeaderAuth(key="k-123")
RESTClient(base_url=base, auth=auth).get("/items")
print("fields", auth.header, srv.LOG[0]["headers"].get("X-Key"), "k-123" in repr(auth))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "oauth Bearer tok-1 Basic Y2lkOnMzY3IzdC12YWx1ZQ== "
                              "grant_type=account_credentials&account_id=a1\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "repr OAuth2ClientCredentialsHTTPBasic(")) << r.out;
  EXPECT_FALSE(Contains(r.out, "s3cr3t-value")) << r.out;
  EXPECT_TRUE(Contains(r.out, "custom Custom your_custom_token_here\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "fields X-Key k-123 False\n")) << r.out;
}

// Defect: a source argument typed with a spec of one's own was not resolvable (configspec did not
// exist); dlt resolves each field under the argument's key, from secrets for credentials.
TEST(PythonConfigspec, ATypedSourceArgumentIsResolvedFieldByFieldFromTheProfile) {
  PipelineWorkspace w;
  w.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                 "[sources.shop.shop_source.credentials]\napi_key = \"key-from-secrets\"\n\n"
                 "[my_section.creds]\napi_key = \"other-key\"\nregion = \"us\"\n",
                 "dev");
  w.WriteConfig("[sources.shop.shop_source.settings]\npage_size = \"50\"\ntags = '[\"a\", \"b\"]'\n", "dev");
  auto r = RunPythonSource(w, "shop.py", R"PY(
import dlt
from typing import List, Optional
from dlt.common.configuration import configspec, resolve_configuration, with_config, ConfigFieldMissingException
from dlt.common.configuration.specs import BaseConfiguration, CredentialsConfiguration

@configspec
class ShopCredentials(CredentialsConfiguration):
    api_key: str = None
    region: Optional[str] = "eu"

    def on_resolved(self) -> None:
        self.region = self.region.upper()

@configspec
class ShopSettings(BaseConfiguration):
    page_size: int = 10
    tags: List[str] = None
    verbose: bool = False

@dlt.source
def shop_source(credentials: ShopCredentials = dlt.secrets.value, settings: ShopSettings = None):
    print("source", credentials.api_key, credentials.region, settings.page_size, settings.tags, settings.verbose,
          credentials.is_resolved(), dict(settings))
    @dlt.resource
    def orders():
        yield {"id": 1, "region": credentials.region}
    return orders

p = dlt.pipeline(pipeline_name="shop", destination="warehouse", dataset_name="shop_data")
p.run(shop_source())
secret = ShopCredentials(api_key="k-secret-1")
print("repr", repr(secret).startswith("<"), "k-secret-1" in repr(secret) + str(secret))

# given as a dict: completed from the configuration
shop_source(credentials={"region": "apac"})

# dlt.secrets.get with a spec: the fields under the key
c = dlt.secrets.get("my_section.creds", ShopCredentials)
print("get", type(c).__name__, c.api_key, c.region, dlt.secrets.get("nowhere.creds", ShopCredentials))

# resolve_configuration: under sections and the spec's own section (credentials)
cfg = resolve_configuration(ShopCredentials(), sections=("sources", "shop", "shop_source"))
print("resolved", cfg.api_key, cfg["region"], list(cfg))

@with_config(sections=("sources", "shop", "shop_source"))
def read_settings(settings: ShopSettings = None, credentials: ShopCredentials = dlt.secrets.value):
    return settings.page_size, credentials.api_key
print("with_config", read_settings())

try:
    @dlt.source
    def other_source(credentials: ShopCredentials = dlt.secrets.value):
        return []
    other_source()
except ConfigFieldMissingException as e:
    print("missing", e.spec_name, e.fields)
    print(str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "source key-from-secrets EU 50 ['a', 'b'] False True "
                              "{'page_size': 50, 'tags': ['a', 'b'], 'verbose': False}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "repr True False\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "source key-from-secrets APAC 50")) << r.out;
  EXPECT_TRUE(Contains(r.out, "get ShopCredentials other-key US None\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "resolved key-from-secrets EU ['api_key', 'region']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "with_config (50, 'key-from-secrets')\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "missing ShopCredentials ['api_key']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sources.shop.other_source.credentials.api_key")) << r.out;
  EXPECT_TRUE(Contains(r.out, "credentials.api_key")) << r.out;
  EXPECT_EQ(SqlValue(w.root() / "_local" / "dev" / "warehouse.duckdb", "SELECT region FROM shop_data.orders"), "EU");
}

// As dlt: a credentials spec's secret-typed fields (TSecretStrValue) are read from secret
// providers only (secrets.toml, the environment; one in config.toml is an error); its other
// fields from config.toml too.
TEST(PythonConfigspec, SecretFieldsComeFromSecretsAndEnvironmentOtherFieldsFromConfigToml) {
  PipelineWorkspace w;
  w.WriteConfig("[sources.creds_src.credentials]\napi_key = \"from-config-toml\"\nhost = \"h.example\"\n", "dev");
  auto r = RunPythonSource(w, "creds_src.py", R"PY(
import dlt
from dlt.common.configuration import configspec
from dlt.common.configuration.exceptions import ValueNotSecretException
from dlt.common.configuration.specs import CredentialsConfiguration
from dlt.common.typing import TSecretStrValue

@configspec
class KeyCredentials(CredentialsConfiguration):
    api_key: TSecretStrValue = None
    host: str = None

@dlt.source
def creds_src(credentials: KeyCredentials = dlt.secrets.value):
    print("key", credentials.api_key, credentials.host)
    return []

try:
    creds_src()
except ValueNotSecretException as e:
    print("not a secret provider", e.provider_name, e.key)
import os
os.environ["SOURCES__CREDS_SRC__CREDENTIALS__API_KEY"] = "from-env"
creds_src()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // As dlt: a secret field found in config.toml is an error, not a value and not a missing one.
  EXPECT_TRUE(Contains(r.out, "not a secret provider config.toml sources.creds_src.credentials.api_key\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "key from-env h.example\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "from-config-toml")) << r.out;
}

// Specs as dlt resolves them, with the forms user code has: string annotations (`from
// __future__ import annotations`), `X | None`, ClassVar, inheritance, nested specs, mutable
// defaults (per instance, also with an __init__ of one's own), values given by the caller (they
// win over the configuration), a spec without a section, and equality by value.
TEST(PythonConfigspec, SpecFormsOfUserCodeResolveAsInDlt) {
  PipelineWorkspace w;
  w.WriteConfig("[sources.edge.edge_src.settings]\nextra = 7\nlabel = \"from-config\"\n\n"
                "[sources.edge.edge_src.settings.db]\nhost = \"db.local\"\nport = \"6543\"\n\n"
                "[name_section]\nname = \"top\"\n",
                "dev");
  auto r = RunPythonSource(w, "edge.py", R"PY(
from __future__ import annotations
import dlt
from typing import ClassVar, List, Optional
from dlt.common.configuration import configspec, resolve_configuration, ConfigFieldMissingException
from dlt.common.configuration.specs import BaseConfiguration, CredentialsConfiguration

@configspec
class Db(CredentialsConfiguration):
    host: str = None
    port: int = 5432

@configspec
class Settings(BaseConfiguration):
    kinds: ClassVar[List[str]] = ["x"]
    db: Db = None
    label: str | None = None
    tags: List[str] = ["a"]

@configspec
class MoreSettings(Settings):
    extra: int = 1

@configspec
class Custom(BaseConfiguration):
    items: List[int] = []
    def __init__(self, n: int = 2):
        self.items.append(n)

@configspec
class NoSection(BaseConfiguration):
    name: str = None

@dlt.source
def edge_src(settings: MoreSettings = dlt.config.value):
    print("edge", settings.db.host, settings.db.port, settings.label, settings.tags, settings.extra,
          MoreSettings.kinds, settings.db.is_resolved())
    settings.tags.append("changed")
    return []

edge_src()
edge_src()
edge_src(settings={"label": "given"})
edge_src(settings={"db": {"port": 1}, "extra": 99})
edge_src(settings=MoreSettings(label="inst"))
print("custom", Custom().items, Custom(5).items, Custom().items)
print("section", resolve_configuration(NoSection(), sections=("name_section",)).name)
print("explicit", resolve_configuration(NoSection(), sections=("name_section",), explicit_value={"name": "given"}).name)
try:
    resolve_configuration(NoSection())
except ConfigFieldMissingException as e:
    print("no section", e.fields, [t.key for t in e.traces["name"]])
print("eq", NoSection(name="a") == NoSection(name="a"), NoSection(name="a") == NoSection(name="b"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "edge db.local 6543 from-config ['a'] 7 ['x'] True\nedge db.local 6543 from-config ['a'] 7")) << r.out;
  // a dict given: its fields win, the others come from the configuration (over their defaults);
  // a nested dict becomes the nested spec, completed the same way; an instance is completed too
  EXPECT_TRUE(Contains(r.out, "edge db.local 6543 given ['a'] 7 ['x'] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "edge db.local 1 from-config ['a'] 99 ['x'] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "edge db.local 6543 inst ['a'] 7 ['x'] True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "custom [2] [5] [2]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "section top\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "explicit given\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "no section ['name'] ['NAME', 'name', 'name']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "eq True False\n")) << r.out;
}

#endif

}  // namespace
}  // namespace dlt::testing
