// MotherDuck is reached through DuckDB's md: connection strings. Without internet access (as in
// the tests) a connection attempt must fail fast, name the database and never show the token.
#include <gtest/gtest.h>

#include <chrono>

#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

TEST(MotherDuck, AnOfflineAttemptFailsFastNamingTheDatabaseButNotTheToken) {
  TempWorkspace ws;
  ws.Write(".dlt/prod.secrets.toml",
           "[destination.warehouse]\ndestination_type = \"motherduck\"\n"
           "credentials = \"md:///dlt_data?motherduck_token=Tok3n-Canary-9876\"\n");
  ws.Write("p.toml", "[pipeline]\nname = \"p\"\ndestination = \"warehouse\"\ndataset_name = \"d\"\n"
                     "[[resources]]\nname = \"r\"\npath = \"r.jsonl\"\n");
  ws.Write("r.jsonl", "{\"id\": 1}\n");
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = ws.Dlt({"--profile", "prod", "--debug", "run", "p.toml"});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_LT(secs, 30.0);
  EXPECT_TRUE(Contains(r.err, "MotherDuck database `dlt_data`")) << r.err;
  EXPECT_FALSE(Contains(r.err + r.out, "Tok3n-Canary-9876")) << r.err;
  // A new pipeline first looks for its state in the destination; unreachable, it stops before
  // extracting anything (so an incremental cursor can never restart from scratch by accident).
  RunResult info = ws.Dlt({"--profile", "prod", "pipeline", "p", "info"});
  EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
  EXPECT_FALSE(ws.Exists(".dlt/.var/prod/pipelines/p/state.json"));
}

TEST(MotherDuck, TheTokenCanComeFromMotherduckTokenEnv) {
  TempWorkspace ws;
  ws.Write(".dlt/prod.secrets.toml",
           "[destination.warehouse]\ndestination_type = \"motherduck\"\n[destination.warehouse.credentials]\n"
           "database = \"analytics\"\n");
  ws.Write("p.toml", "[pipeline]\nname = \"p\"\ndestination = \"warehouse\"\ndataset_name = \"d\"\n"
                     "[[resources]]\nname = \"r\"\npath = \"r.jsonl\"\n");
  ws.Write("r.jsonl", "{\"id\": 1}\n");
  RunResult missing = ws.Dlt({"--profile", "prod", "run", "p.toml"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(Contains(missing.err, "password")) << missing.err;
  EXPECT_TRUE(Contains(missing.err, "MOTHERDUCK_TOKEN")) << missing.err;
  ws.env()["MOTHERDUCK_TOKEN"] = "Env-Canary-5555";
  RunResult r = ws.Dlt({"--profile", "prod", "run", "p.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "MotherDuck database `analytics`")) << r.err;
  EXPECT_FALSE(Contains(r.err + r.out, "Env-Canary-5555")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
