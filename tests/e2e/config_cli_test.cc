// `dlt config show / explain`, `dlt profile diff`, `dlt workspace check`, read-only and protected
// profiles (issue 7), run as a user would in a temporary workspace. A secret canary is written
// into the secrets files and must never appear in any output.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "pipeline_fixture.h"
#include "dlt/destination.h"
#include "dlt/workspace.h"
#include "load/sql_client.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_credentials.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* const kCanary = "CANARY-s3cr3t-7f1e";
const char* const kCanaryProd = "CANARY-pr0d-91ab";

void ExpectNoCanary(const RunResult& r) {
  for (const char* c : {kCanary, kCanaryProd, "s3cr3t", "pr0d-91ab"}) {
    EXPECT_FALSE(Contains(r.out, c)) << r.out;
    EXPECT_FALSE(Contains(r.err, c)) << r.err;
  }
}

// dev and prod profiles with a named destination, precedence traps and secrets.
void Prepare(TempWorkspace& w) {
  w.Write(".dlt/config.toml",
          "[sources.demo]\n"
          "page_size = 10\n"
          "base_url = \"https://api.example.com\"\n");
  w.Write(".dlt/dev.config.toml",
          "[sources.demo]\n"
          "page_size = 50\n");
  w.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse]\n"
          "destination_type = \"duckdb\"\n"
          "[sources.demo]\n"
          "api_key = \"" + std::string(kCanary) + "\"\n"
          "[my_pipe.sources.demo]\n"
          "api_key = \"" + std::string(kCanary) + "-pipe\"\n");
  w.Write(".dlt/prod.secrets.toml",
          "[destination.warehouse]\n"
          "destination_type = \"postgres\"\n"
          "credentials = \"postgresql://loader:" + std::string(kCanaryProd) + "@db.example.com:5432/dw\"\n"
          "[sources.demo]\n"
          "api_key = \"" + std::string(kCanaryProd) + "\"\n");
  for (const char* f : {".dlt/dev.secrets.toml", ".dlt/prod.secrets.toml"}) fs::permissions(w.root() / f, fs::perms::owner_read | fs::perms::owner_write);
}

// ---------------------------------------------------------------------------------------------
// dlt config show

TEST(ConfigShow, ShowsEveryKeyWithValueAndOriginAndMasksSecrets) {
  TempWorkspace w;
  Prepare(w);
  auto r = w.Dlt({"config", "show"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "Configuration of profile dev (workspace ws):\n")) << r.out;
  // The profile file beats the base file key by key: page_size from dev, base_url from base.
  EXPECT_TRUE(Contains(r.out, "  sources.demo.page_size = 50  # .dlt/dev.config.toml:2:13 (profile: dev)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  sources.demo.base_url = \"https://api.example.com\"  # .dlt/config.toml:3:12\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  sources.demo.api_key = ***  # .dlt/dev.secrets.toml:4:11 (profile: dev)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  destination.warehouse.destination_type = \"duckdb\"  # .dlt/dev.secrets.toml:2:20 (profile: dev)\n")) << r.out;
}

TEST(ConfigShow, EnvironmentBeatsTheProfileFileAndShowSecretsNeedsATerminal) {
  TempWorkspace w;
  Prepare(w);
  w.env()["SOURCES__DEMO__PAGE_SIZE"] = "99";
  w.env()["SOURCES__DEMO__UNRELATED"] = "x";  // not in any file, not asked for: not shown
  auto r = w.Dlt({"config", "show", "--show-secrets"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "  sources.demo.page_size = \"99\"  # env SOURCES__DEMO__PAGE_SIZE\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "UNRELATED")) << r.out;
  EXPECT_FALSE(Contains(r.out, "unrelated")) << r.out;
  EXPECT_TRUE(Contains(r.err, "--show-secrets is ignored: stdout is not a terminal")) << r.err;

  // Asked for explicitly, an env-only key is shown.
  auto one = w.Dlt({"config", "show", "sources.demo.unrelated"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, "Configuration of profile dev (workspace ws):\n"
                     "  sources.demo.unrelated = \"x\"  # env SOURCES__DEMO__UNRELATED\n");
}

// An env var that replaces a whole table (the credentials as one connection string) wins over the
// table's keys in the files: `config show` shows the table's key with the env var as its origin,
// not the file's keys a run no longer uses.
TEST(ConfigShow, AnEnvVarOnAParentTableReplacesTheFileKeysUnderIt) {
  TempWorkspace w;
  w.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse]\n"
          "destination_type = \"postgres\"\n"
          "[destination.warehouse.credentials]\n"
          "host = \"file-host\"\n"
          "password = \"" + std::string(kCanary) + "\"\n");
  w.env()["DESTINATION__WAREHOUSE__CREDENTIALS"] = "postgresql://loader:" + std::string(kCanaryProd) + "@env-host:5432/dw";
  auto r = w.Dlt({"config", "show"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "  destination.warehouse.credentials = ***  # env DESTINATION__WAREHOUSE__CREDENTIALS\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "credentials.host")) << r.out;
  EXPECT_FALSE(Contains(r.out, "credentials.password")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  destination.warehouse.destination_type = \"postgres\"")) << r.out;
}

// On a terminal, --show-secrets shows the value (a throwaway value here, not the canary).
TEST(ConfigShow, ShowSecretsOnATerminalShowsTheValue) {
  TempWorkspace w;
  w.Write(".dlt/secrets.toml", "[sources.demo]\napi_key = \"visible-on-terminal\"\n");
  auto shown = w.DltInTerminal({"config", "show", "sources.demo.api_key", "--show-secrets"}, "");
  EXPECT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_TRUE(Contains(shown.out, "sources.demo.api_key = visible-on-terminal  # .dlt/secrets.toml:2:11")) << shown.out;
  auto masked = w.DltInTerminal({"config", "show", "sources.demo.api_key"}, "");
  EXPECT_TRUE(Contains(masked.out, "sources.demo.api_key = ***")) << masked.out;
  EXPECT_FALSE(Contains(masked.out, "visible-on-terminal")) << masked.out;
}

TEST(ConfigShow, FiltersByKeyPrefixAndReportsMissingKeys) {
  TempWorkspace w;
  Prepare(w);
  auto r = w.Dlt({"config", "show", "destination"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Configuration of profile dev (workspace ws):\n"
                   "  destination.warehouse.destination_type = \"duckdb\"  # .dlt/dev.secrets.toml:2:20 (profile: dev)\n");
  auto missing = w.Dlt({"config", "show", "sources.demo.nope"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_TRUE(Contains(missing.out, "sources.demo.nope: not set")) << missing.out;
}

TEST(ConfigShow, JsonOutputAndAnotherProfile) {
  TempWorkspace w;
  Prepare(w);
  auto r = w.Dlt({"--profile", "prod", "config", "show", "--json", "--show-secrets"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoCanary(r);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["profile"], "prod");
  std::map<std::string, nlohmann::json> keys;
  for (const auto& k : j["keys"]) keys[k["key"].get<std::string>()] = k;
  EXPECT_EQ(keys["destination.warehouse.destination_type"]["value"], "postgres");
  EXPECT_EQ(keys["destination.warehouse.credentials"]["value"], "***");
  EXPECT_EQ(keys["destination.warehouse.credentials"]["secret"], true);
  EXPECT_EQ(keys["destination.warehouse.credentials"]["origin"], ".dlt/prod.secrets.toml:3:15 (profile: prod)");
  EXPECT_EQ(keys["sources.demo.page_size"]["value"], "10");  // prod has no profile config file
  EXPECT_EQ(keys["sources.demo.page_size"]["origin"], ".dlt/config.toml:2:13");
}

TEST(ConfigShow, SecretInConfigTomlIsAnErrorWithoutTheValue) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[sources.demo]\npassword = \"" + std::string(kCanary) + "\"\n");
  auto r = w.Dlt({"config", "show"});
  EXPECT_EQ(r.exit_code, 2);
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "sources.demo.password: invalid")) << r.out;
  EXPECT_TRUE(Contains(r.err, "cannot hold secret values")) << r.err;
}

// ---------------------------------------------------------------------------------------------
// dlt config explain

TEST(ConfigExplain, PipelinePrefixedKeyBeatsGenericAndShadowedValuesAreRedacted) {
  TempWorkspace w;
  Prepare(w);
  w.env()["SOURCES__DEMO__API_KEY"] = std::string(kCanary) + "-env";
  auto r = w.Dlt({"config", "explain", "sources.demo.api_key", "--pipeline", "my_pipe"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "Resolving sources.demo.api_key for profile dev, pipeline my_pipe (secret):\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1. my_pipe.sources.demo.api_key\n"
                              "     env MY_PIPE__SOURCES__DEMO__API_KEY: empty\n"
                              "   * .dlt/dev.secrets.toml (profile: dev): WINS: *** at line 6\n"
                              "     .dlt/secrets.toml: empty (file not found)\n")) << r.out;
  // The generic path comes later; its values are shadowed (env too: the prefixed path is first).
  EXPECT_TRUE(Contains(r.out, "     env SOURCES__DEMO__API_KEY: shadowed: ***\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "     .dlt/dev.secrets.toml (profile: dev): shadowed: *** at line 4\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Result: *** from .dlt/dev.secrets.toml:6:11 (profile: dev)\n")) << r.out;

  // Without the pipeline, the env var beats the profile file.
  auto g = w.Dlt({"config", "explain", "sources.demo.api_key"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  ExpectNoCanary(g);
  EXPECT_TRUE(Contains(g.out, "   * env SOURCES__DEMO__API_KEY: WINS: ***\n")) << g.out;
  EXPECT_TRUE(Contains(g.out, "Result: *** from env SOURCES__DEMO__API_KEY\n")) << g.out;
}

TEST(ConfigExplain, MissingKeySaysWhereToSetIt) {
  TempWorkspace w;
  Prepare(w);
  auto r = w.Dlt({"config", "explain", "destination.warehouse.credentials"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "1. destination.warehouse.credentials\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "2. destination.credentials\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "3. credentials\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Result: destination.warehouse.credentials is not set.\n"
                              "To set it, add to .dlt/dev.secrets.toml (this profile) or .dlt/secrets.toml (every profile):\n"
                              "  [destination.warehouse]\n"
                              "  credentials = ...\n"
                              "or set the environment variable DESTINATION__WAREHOUSE__CREDENTIALS.\n")) << r.out;
  auto bad = w.Dlt({"config", "explain"});
  EXPECT_EQ(bad.exit_code, 2);
}

// ---------------------------------------------------------------------------------------------
// dlt profile diff

TEST(ProfileDiff, ShowsKeysOnlyInOneDifferingKeysDestinationsAndFolders) {
  TempWorkspace w;
  Prepare(w);
  auto r = w.Dlt({"profile", "diff", "dev", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "Profile dev vs profile prod:\n"
                              "Folders:\n"
                              "  working data: .dlt/.var/dev | .dlt/.var/prod\n"
                              "  local data: _local/dev | _local/prod\n"
                              "  read-only: no | no\n"
                              "  protected: no | yes\n"
                              "Destinations:\n"
                              "  warehouse: duckdb | postgres\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Only in dev:\n  my_pipe.sources.demo.api_key = ***\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Only in prod:\n  destination.warehouse.credentials = ***\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  sources.demo.page_size: 50 | 10\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  sources.demo.api_key: *** | *** (differs)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1 key(s) are the same in both profiles.\n")) << r.out;  // base_url

  auto j = w.Dlt({"profile", "diff", "dev", "prod", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  ExpectNoCanary(j);
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["destinations"]["warehouse"], nlohmann::json::array({"duckdb", "postgres"}));
  EXPECT_EQ(doc["differ"]["sources.demo.api_key"][1]["value"], "***");
  EXPECT_TRUE(doc["only_in_b"].contains("destination.warehouse.credentials"));

  auto bad = w.Dlt({"profile", "diff", "dev"});
  EXPECT_EQ(bad.exit_code, 2);
}

// ---------------------------------------------------------------------------------------------
// Read-only profiles

TEST(ReadOnlyProfile, AccessRefusesEveryWritingCommandBeforeAnythingHappens) {
  TempWorkspace w;
  Prepare(w);
  w.Write(".dlt/.var/access/pipelines/shop/state.json", "{}");
  w.Write("_local/access/keep.txt", "x");
  struct Case {
    std::vector<std::string> args;
    std::string what;
  };
  std::vector<Case> cases = {
      {{"--profile", "access", "run", "shop.toml"}, "`dlt run`"},
      {{"--profile", "access", "workspace", "clean", "--yes"}, "`dlt workspace clean`"},
      {{"--profile", "access", "pipeline", "shop", "drop-pending-packages", "--yes"},
       "`dlt pipeline shop drop-pending-packages`"},
      {{"--profile", "access", "pipeline", "shop", "sync", "--yes"}, "`dlt pipeline shop sync`"},
  };
  for (const auto& c : cases) {
    auto r = w.Dlt(c.args);
    EXPECT_EQ(r.exit_code, 4) << c.what << "\n" << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "ERROR: Profile `access` is read-only: " + c.what)) << r.err;
    EXPECT_EQ(r.out, "") << c.what;
  }
  EXPECT_TRUE(w.Exists(".dlt/.var/access/pipelines/shop/state.json"));
  EXPECT_TRUE(w.Exists("_local/access/keep.txt"));
  // Reading works.
  EXPECT_EQ(w.Dlt({"--profile", "access", "config", "show"}).exit_code, 0);
  EXPECT_EQ(w.Dlt({"--profile", "access", "workspace", "info"}).exit_code, 0);
}

// `dlt pipeline <name> drop` writes to the destination: refused too.
TEST(ReadOnlyProfile, AccessRefusesDrop) {
  TempWorkspace w;
  w.Write(".dlt/.var/access/pipelines/shop/state.json", "{}");
  auto r = w.Dlt({"--profile", "access", "pipeline", "shop", "drop", "--drop-all", "--yes"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.err, "ERROR: Profile `access` is read-only: `dlt pipeline shop drop`")) << r.err;
  EXPECT_TRUE(w.Exists(".dlt/.var/access/pipelines/shop/state.json"));
}

TEST(ReadOnlyProfile, AnyProfileCanBeMarkedAndAccessCanBeUnmarked) {
  TempWorkspace w;
  Prepare(w);
  w.Write(".dlt/tests.config.toml", "[workspace.profiles.tests]\nread_only = true\n");
  w.Write(".dlt/access.config.toml", "[workspace.profiles.access]\nread_only = false\n");
  auto r = w.Dlt({"--profile", "tests", "workspace", "clean", "--yes"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.err, "Profile `tests` is read-only")) << r.err;
  auto a = w.Dlt({"--profile", "access", "workspace", "clean", "--yes"});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  // An env var can mark it too (same resolver as everything else).
  w.env()["WORKSPACE__PROFILES__DEV__READ_ONLY"] = "true";
  EXPECT_EQ(w.Dlt({"workspace", "clean", "--yes"}).exit_code, 4);
}

// A real pipeline: loads in dev; once dev is marked read-only the next run is refused and the
// database is unchanged. (dev is not protected: a sync without --yes keeps the local state.)
TEST(ReadOnlyProfile, RunIsRefusedAndTheDatabaseIsUnchanged) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto first = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 3);

  auto keep = w.Dlt({"pipeline", "shop", "sync"});
  EXPECT_EQ(keep.exit_code, 0) << keep.err;
  EXPECT_TRUE(Contains(keep.out, "Nothing changed")) << keep.out;

  w.Write("orders.jsonl", Orders(1, 6));
  auto refused = w.RunPipeline({"shop.toml"}, {{"WORKSPACE__PROFILES__DEV__READ_ONLY", "true"}});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "ERROR: Profile `dev` is read-only: `dlt run` would write and is refused.")) << refused.err;
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 3);
  EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
}

// Below the command layer: a destination opened read-only refuses writes in the database itself.
TEST(ReadOnlyProfile, DatabaseOpenedReadOnlyRefusesWrites) {
  TempWorkspace w;
  DestinationConfig d;
  d.name = "warehouse";
  d.type = "duckdb";
  d.credentials = std::make_shared<DuckDbCredentials>(w.root() / "_local" / "access" / "warehouse.duckdb");
  {
    auto rw = OpenDestination(d, {"access_data", "", /*read_only=*/false});
    ASSERT_TRUE(rw.ok()) << rw.status().message();
    ASSERT_TRUE((*rw)->sql_client()->Execute("CREATE TABLE t (x INTEGER)").ok());
  }
  auto ro_dest = OpenDestination(d, {"access_data", "", /*read_only=*/true});
  ASSERT_TRUE(ro_dest.ok()) << ro_dest.status().message();
  SqlClient* ro = (*ro_dest)->sql_client();
  Status insert = ro->Execute("INSERT INTO t VALUES (1)");
  EXPECT_FALSE(insert.ok());
  auto rows = ro->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().message();

  // And the library says the access profile is read-only.
  WorkspaceOptions o;
  o.start_dir = w.root();
  o.profile = "access";
  o.env = Environment(w.env());
  auto ws = Workspace::Open(o);
  ASSERT_TRUE(ws.ok());
  ASSERT_TRUE(ws->LoadConfig().ok());
  EXPECT_EQ(ws->IsReadOnlyProfile().value(), true);
  EXPECT_EQ(ws->CheckWritable("x").code(), StatusCode::kPermissionDenied);
}

// ---------------------------------------------------------------------------------------------
// Protected profiles

TEST(ProtectedProfile, ProdNeedsTheProfileNameTypedOrYes) {
  TempWorkspace w;
  Prepare(w);
  w.Write("_local/prod/keep.txt", "x");
  auto refused = w.Dlt({"--profile", "prod", "workspace", "clean"});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "Profile `prod` is protected: `dlt workspace clean` needs confirmation")) << refused.err;
  EXPECT_TRUE(w.Exists("_local/prod/keep.txt"));

  auto wrong = w.DltInTerminal({"--profile", "prod", "workspace", "clean"}, "dev\n");
  EXPECT_EQ(wrong.exit_code, 7) << wrong.out;
  EXPECT_TRUE(Contains(wrong.out, "Type the profile name (prod) to proceed:")) << wrong.out;
  EXPECT_TRUE(w.Exists("_local/prod/keep.txt"));

  auto typed = w.DltInTerminal({"--profile", "prod", "workspace", "clean"}, "prod\n");
  EXPECT_EQ(typed.exit_code, 0) << typed.out;
  EXPECT_FALSE(w.Exists("_local/prod/keep.txt"));

  w.Write("_local/prod/keep.txt", "x");
  auto yes = w.Dlt({"--profile", "prod", "workspace", "clean", "--yes"});
  EXPECT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_FALSE(w.Exists("_local/prod/keep.txt"));
}

TEST(ProtectedProfile, AnyProfileCanBeProtectedAndDropPendingIsGuarded) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[workspace.profiles.dev]\nprotected = true\n");
  w.Write(".dlt/.var/dev/pipelines/shop/state.json", "{}");
  auto r = w.Dlt({"pipeline", "shop", "drop-pending-packages"});
  // Nothing pending: nothing to guard.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto clean = w.Dlt({"workspace", "clean"});
  EXPECT_EQ(clean.exit_code, 4) << clean.err;
  EXPECT_TRUE(Contains(clean.err, "Profile `dev` is protected")) << clean.err;

  // prod: a sync that would drop the local state is refused without a terminal or --yes, before
  // the destination is contacted.
  w.Write(".dlt/.var/prod/pipelines/shop/state.json", "{}");
  auto sync = w.Dlt({"--profile", "prod", "pipeline", "shop", "sync", "--destination", "warehouse",
                     "--dataset-name", "shop_data"});
  EXPECT_EQ(sync.exit_code, 4) << sync.err;
  EXPECT_TRUE(Contains(sync.err, "Profile `prod` is protected: `dlt pipeline shop sync` (drops the local state) needs confirmation"))
      << sync.err;
  EXPECT_TRUE(w.Exists(".dlt/.var/prod/pipelines/shop/state.json"));
}

// `dlt pipeline <name> drop` is guarded on a protected profile too.
TEST(ProtectedProfile, DropNeedsConfirmationOnProd) {
  TempWorkspace w;
  w.Write(".dlt/.var/prod/pipelines/shop/state.json", "{}");
  auto r = w.Dlt({"--profile", "prod", "pipeline", "shop", "drop", "--drop-all"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.err, "Profile `prod` is protected: `dlt pipeline shop drop` needs confirmation")) << r.err;
  EXPECT_TRUE(w.Exists(".dlt/.var/prod/pipelines/shop/state.json"));
}

// ---------------------------------------------------------------------------------------------
// dlt workspace check

TEST(WorkspaceCheck, CleanWorkspacePasses) {
  TempWorkspace w;
  Prepare(w);
  w.Write(".gitignore", "*.secrets.toml\n");  // in case the temp folder is inside a git repo
  auto r = w.Dlt({"workspace", "check", "--all-profiles"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "No problems found.\n")) << r.out;
}

TEST(WorkspaceCheck, FindsSecretsInConfigPermissionsAndMissingTypesWithoutPrintingValues) {
  TempWorkspace w;
  Prepare(w);
  w.Write(".dlt/config.toml",
          "[sources.demo]\n"
          "password = \"" + std::string(kCanary) + "\"\n"
          "url = \"postgresql://u:" + std::string(kCanaryProd) + "@h/db\"\n"
          "[destinaton.x]\n"
          "a = 1\n"
          "[workspace.settings]\n"
          "wokring_dir = \"x\"\n");
  w.Write(".dlt/secrets.toml", "[destination.lake]\nfoo = 1\n");  // default mode: 0644
  fs::permissions(w.root() / ".dlt/secrets.toml", fs::perms::owner_read | fs::perms::owner_write |
                                                      fs::perms::group_read | fs::perms::others_read);
  auto r = w.Dlt({"workspace", "check"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  ExpectNoCanary(r);
  EXPECT_TRUE(Contains(r.out, "- .dlt/config.toml:2:12: `sources.demo.password` is named like a secret")) << r.out;
  EXPECT_TRUE(Contains(r.out, "`sources.demo.url` holds a connection string with a password")) << r.out;
  EXPECT_TRUE(Contains(r.out, "unknown section `destinaton`. Did you mean `destination`?")) << r.out;
  EXPECT_TRUE(Contains(r.out, "unknown key `workspace.settings.wokring_dir`. Did you mean `workspace.settings.working_dir`?")) << r.out;
  EXPECT_TRUE(Contains(r.out, "- .dlt/secrets.toml is readable by group or others (mode 0644)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "named destination `lake` has no destination_type")) << r.out;
  EXPECT_TRUE(Contains(r.err, "ERROR: workspace check found")) << r.err;
}

TEST(WorkspaceCheck, SecretsFilesMustBeIgnoredAndNotTrackedByGit) {
  TempWorkspace w;
  Prepare(w);
  auto git = [&](const std::string& args) {
    return std::system(("cd '" + w.root().string() + "' && git " + args + " >/dev/null 2>&1").c_str());
  };
  // git is installed by scripts/bootstrap.sh: without it this safety check would test nothing.
  ASSERT_EQ(git("init -q"), 0) << "`git init` failed: is git installed? (scripts/bootstrap.sh installs it)";
  auto r = w.Dlt({"workspace", "check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.out, "- .dlt/dev.secrets.toml is not ignored by git")) << r.out;
  w.Write(".gitignore", "*.secrets.toml\nsecrets.toml\nprofile-name\n");
  auto ok = w.Dlt({"workspace", "check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  git("add -f .dlt/prod.secrets.toml");
  auto tracked = w.Dlt({"workspace", "check"});
  EXPECT_EQ(tracked.exit_code, 1);
  EXPECT_TRUE(Contains(tracked.out, "- .dlt/prod.secrets.toml is tracked by git")) << tracked.out;
  ExpectNoCanary(tracked);
}

}  // namespace
}  // namespace dlt::testing
