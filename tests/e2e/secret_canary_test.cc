// The secret canary sweep: a distinct canary value is placed in every secrets layer of a
// workspace (secrets.toml, dev.secrets.toml, prod.secrets.toml, custom profiles' secrets, a
// pipeline-scoped key, a key with an ordinary name, the global ~/.dlt/secrets.toml) and in environment variables
// (DESTINATION__<name>__CREDENTIALS, MOTHERDUCK_TOKEN, SOURCES__...), including the passwords of
// PostgreSQL destinations that work and one that fails authentication. Then every command is run,
// succeeding and failing ones, with and without --debug, and its stdout and stderr are searched,
// and afterwards every file of the workspace, the working and local folders (traces, logs, state,
// schemas, load packages, the DuckDB database) and HOME: no canary appears anywhere.
#include <fstream>
#include <sstream>

#include "pg_server.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// Every canary holds this marker, so one search finds any of them (and any part of a URL that
// carries one). Letters and digits only: no escaping or URL encoding changes them.
const std::string kMarker = "Cnry7q";

std::string Canary(const std::string& where) { return kMarker + where + "X9"; }

class SecretCanary : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pg_.ok()) << pg_.error(); }

  void Check(const std::string& what, const RunResult& r) {
    ++commands_;
    for (const std::string* text : {&r.out, &r.err}) {
      size_t at = text->find(kMarker);
      EXPECT_EQ(at, std::string::npos) << "canary in the output of `" << what << "`:\n"
                                       << text->substr(at == std::string::npos ? 0 : (at > 200 ? at - 200 : 0), 400);
    }
  }
  RunResult Dlt(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra_env = {},
                const std::string& input = "") {
    std::map<std::string, std::string> env = w_.env();
    for (const auto& [k, v] : extra_env) env[k] = v;
    std::vector<std::string> argv{DLT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = dlt::testing::Run(argv, w_.root(), env, input);
    std::string what;
    for (const auto& a : args) what += (what.empty() ? "" : " ") + a;
    Check(what, r);
    return r;
  }

  // Nothing on disk either: the workspace (without the secrets files themselves), the working
  // and local folders of every profile, HOME.
  void ExpectNoCanaryOnDisk(const std::string& when) {
    std::vector<std::string> leaks;
    size_t files = 0;
    for (const fs::path& dir : {w_.root(), w_.home()}) {
      for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        if (e.path().filename().string().ends_with("secrets.toml")) continue;
        ++files;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (ss.str().find(kMarker) != std::string::npos) leaks.push_back(e.path().string());
      }
    }
    EXPECT_TRUE(leaks.empty()) << "canary " << when << " in: " << ::testing::PrintToString(leaks);
    EXPECT_GT(files, 20u) << when << ": fewer files than expected: was anything searched?";
  }

  PostgresServer pg_;
  PipelineWorkspace w_;
  int commands_ = 0;
};

TEST_F(SecretCanary, NoCommandPrintsOrStoresAnySecretOfAnyLayer) {
  // A PostgreSQL role whose password is a canary: runs with it succeed.
  const std::string pg_ok_pw = Canary("PgOkPassword");
  pg_.Psql("CREATE ROLE canary_loader LOGIN PASSWORD '" + pg_ok_pw + "'");
  pg_.Psql("CREATE DATABASE canary_dw OWNER canary_loader");
  ASSERT_TRUE(pg_.ok()) << pg_.error();
  const std::string pg_host = "127.0.0.1:" + std::to_string(pg_.port());

  w_.Write(".dlt/config.toml", "[runtime]\nrequest_timeout = 5\n");
  w_.Write(".dlt/secrets.toml",
           "[sources.shop]\napi_key = \"" + Canary("BaseApiKey") + "\"\n"
           "[sources]\ntoken = \"" + Canary("BaseSourcesToken") + "\"\n"
           "[shop.sources.shop]\npassword = \"" + Canary("PipelineScoped") + "\"\n"
           "[destination.lake]\ndestination_type = \"motherduck\"\n"
           "credentials = \"md:///lake_db?motherduck_token=" + Canary("BaseMdToken") + "\"\n");
  w_.Write(".dlt/dev.secrets.toml",
           "[destination.warehouse]\ndestination_type = \"duckdb\"\n"
           "[sources.shop]\napi_key = \"" + Canary("DevApiKey") + "\"\n"
           // An ordinary key name: a secret all the same, being in a secrets file.
           "note = \"" + Canary("DevOrdinaryKey") + "\"\n"
           "[destination.pgwh]\ndestination_type = \"postgres\"\n"
           "[destination.pgwh.credentials]\ndatabase = \"canary_dw\"\nusername = \"canary_loader\"\n"
           "password = \"" + pg_ok_pw + "\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(pg_.port()) + "\n");
  // prod: PostgreSQL with a password the server refuses.
  w_.Write(".dlt/prod.secrets.toml",
           "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"postgresql://canary_loader:" +
               Canary("ProdBadPassword") + "@" + pg_host + "/canary_dw?connect_timeout=5\"\n"
               "[sources.shop]\napi_key = \"" + Canary("ProdApiKey") + "\"\n");
  // A custom profile whose warehouse is the working PostgreSQL role.
  w_.Write(".dlt/staging.secrets.toml",
           "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"postgresql://canary_loader:" +
               pg_ok_pw + "@" + pg_host + "/canary_dw\"\n"
               "[sources.shop]\napi_key = \"" + Canary("StagingApiKey") + "\"\n");
  WriteFile(w_.home() / ".dlt" / "secrets.toml", "[sources.shop]\nglobal_key = \"" + Canary("GlobalSecret") + "\"\n");
  w_.env()["MOTHERDUCK_TOKEN"] = Canary("EnvMotherduckToken");
  w_.env()["DESTINATION__LAKE__CREDENTIALS"] = "md:///env_db?motherduck_token=" + Canary("EnvLakeCredentials");
  w_.env()["DESTINATION__MOTHERDUCK__CREDENTIALS__TOKEN"] = Canary("EnvMdCredentialsToken");
  w_.env()["SOURCES__SHOP__SECRET_KEY"] = Canary("EnvSourceSecret");
  w_.env()["PGSHOP__DESTINATION__PGWH__CREDENTIALS__PASSWORD"] = pg_ok_pw;

  w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w_.Write("pgshop.toml", PipelineFile("pgshop", "orders.jsonl", "", "pgwh"));
  w_.Write("orders.jsonl", Orders(1, 5));
  w_.Write("bad.jsonl", Orders(6, 8) + "{\"id\": 9, \"customer\": \"x\",, }\n");

  const std::map<std::string, std::string> bad_env_credentials = {
      {"DESTINATION__WAREHOUSE__CREDENTIALS",
       "postgresql://canary_loader:" + Canary("EnvBadPassword") + "@" + pg_host + "/canary_dw?connect_timeout=5"}};

  // Runs that succeed: DuckDB (dev), PostgreSQL (dev pgwh, staging).
  EXPECT_EQ(Dlt({"run", "shop.toml"}).exit_code, 0);
  EXPECT_EQ(Dlt({"--debug", "run", "shop.toml"}).exit_code, 0);
  auto pg_run = Dlt({"--debug", "run", "pgshop.toml"});
  EXPECT_EQ(pg_run.exit_code, 0) << pg_run.err;
  auto staging_run = Dlt({"--profile", "staging", "run", "shop.toml"});
  EXPECT_EQ(staging_run.exit_code, 0) << staging_run.err;
  // Runs that fail: bad input, PostgreSQL refusing the password (prod, env var), MotherDuck.
  EXPECT_NE(Dlt({"run", "shop.toml", "--resource", "orders=bad.jsonl"}).exit_code, 0);
  EXPECT_NE(Dlt({"--debug", "run", "shop.toml", "--resource", "orders=bad.jsonl"}).exit_code, 0);
  for (bool debug : {false, true}) {
    std::vector<std::string> args{"--profile", "prod", "run", "shop.toml", "--yes"};
    if (debug) args.insert(args.begin(), "--debug");
    auto prod = Dlt(args);
    EXPECT_NE(prod.exit_code, 0) << prod.out;
    EXPECT_TRUE(Contains(prod.err, "password") || Contains(prod.err, "authentication")) << prod.err;
    auto env_bad = Dlt(args, bad_env_credentials);
    EXPECT_NE(env_bad.exit_code, 0) << env_bad.out;
  }
  EXPECT_NE(Dlt({"run", "shop.toml", "--destination", "lake"}, {{"motherduck_token", Canary("EnvLowerMdToken")}}).exit_code, 0);
  EXPECT_NE(Dlt({"--debug", "run", "shop.toml", "--destination", "lake"}).exit_code, 0);
  EXPECT_NE(Dlt({"run", "shop.toml", "--destination", "nowhere"}).exit_code, 0);

  // The successful runs wrote traces and load packages: all searched.
  EXPECT_TRUE(fs::exists(w_.PipelineDir("shop") / "trace.json"));
  EXPECT_TRUE(fs::exists(w_.PipelineDir("shop", "staging") / "trace.json"));
  EXPECT_FALSE(w_.Packages("shop", "load/loaded").empty());
  EXPECT_FALSE(w_.Packages("pgshop", "load/loaded").empty());
  EXPECT_FALSE(w_.Packages("shop", "load/loaded", "staging").empty());
  ExpectNoCanaryOnDisk("after the runs");

  // Inspection commands, in each profile.
  for (const std::string profile : {"dev", "prod", "staging"}) {
    for (bool debug : {false, true}) {
      std::vector<std::string> pre{"--profile", profile};
      if (debug) pre.insert(pre.begin(), "--debug");
      auto cmd = [&](std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
        args.insert(args.begin(), pre.begin(), pre.end());
        return Dlt(args, env);
      };
      cmd({"config", "show"});
      cmd({"config", "show", "--json"});
      cmd({"config", "show", "--show-secrets"});
      cmd({"config", "show", "destination"});
      cmd({"config", "show", "sources.shop.api_key"});
      cmd({"config", "show", "sources.shop.note"});
      cmd({"config", "explain", "sources.shop.note"});
      cmd({"config", "explain", "destination.warehouse.credentials"});
      cmd({"config", "explain", "destination.pgwh.credentials.password", "--pipeline", "shop"});
      cmd({"config", "explain", "sources.shop.password", "--pipeline", "shop"});
      cmd({"config", "explain", "destination.lake.credentials"});
      cmd({"config", "explain", "sources.shop.missing_key"});
      cmd({"profile"});
      cmd({"profile", "list"});
      cmd({"profile", "diff", "dev", "prod"});
      cmd({"profile", "diff", "staging", "prod", "--json"});
      cmd({"workspace"});
      cmd({"workspace", "info", "-v"});
      cmd({"workspace", "check"});
      cmd({"workspace", "check", "--all-profiles"});
      cmd({"pipeline", "-l"});
      for (const std::string p : {"shop", "pgshop", "nope"}) {
        for (const char* op : {"info", "trace", "schema", "load-package", "failed-jobs"}) cmd({"pipeline", p, op});
        cmd({"pipeline", p, "schema", "--format", "json"});
        cmd({"pipeline", p, "sync"});
        cmd({"pipeline", p, "sync", "--destination", "warehouse", "--dataset-name", "shop_data", "--yes"});
        cmd({"pipeline", p, "sync", "--destination", "warehouse", "--dataset-name", "shop_data", "--yes"},
            bad_env_credentials);
        cmd({"pipeline", p, "drop-pending-packages", "--yes"});
      }
    }
  }
  EXPECT_GE(commands_, 200);

  ExpectNoCanaryOnDisk("after every command");
}

}  // namespace
}  // namespace dlt::testing
