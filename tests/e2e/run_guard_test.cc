// Guarded production and run records: runs of a protected profile are never gated (only
// destructive maintenance is), and every run's trace records the profile, how it was chosen and
// where the configuration it used came from (never the values).
#include <gtest/gtest.h>

#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

void PrepareWorkspace(TempWorkspace& ws) {
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write(".dlt/prod.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n"
                                     "credentials = \"prod_warehouse.duckdb\"\n");
  ws.Write("p.toml", "[pipeline]\nname = \"p\"\ndestination = \"warehouse\"\ndataset_name = \"d\"\n"
                     "[[resources]]\nname = \"r\"\npath = \"r.jsonl\"\nwrite_disposition = \"replace\"\n");
  ws.Write("r.jsonl", "{\"id\": 1}\n");
}

// Runs are the job of prod: a scheduled replace load runs without a terminal and without --yes;
// protection guards destructive maintenance only.
TEST(RunGuard, AReplaceLoadUnderProdRunsWithoutATerminalOrConfirmation) {
  TempWorkspace ws;
  PrepareWorkspace(ws);
  RunResult r = ws.Dlt({"--profile", "prod", "run", "p.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(Contains(r.err, "protected")) << r.err;
  EXPECT_TRUE(ws.Exists(".dlt/.var/prod/pipelines/p/state.json"));
  // On a terminal it does not ask either.
  r = ws.DltInTerminal({"--profile", "prod", "run", "p.toml"}, "");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_FALSE(Contains(r.out, "Type the profile name")) << r.out;
  // --yes is still accepted.
  r = ws.Dlt({"--profile", "prod", "run", "p.toml", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Destructive maintenance of prod still needs confirmation.
  r = ws.Dlt({"--profile", "prod", "workspace", "clean"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.err, "Profile `prod` is protected: `dlt workspace clean` needs confirmation")) << r.err;
  EXPECT_TRUE(ws.Exists(".dlt/.var/prod/pipelines/p/state.json"));
}

TEST(RunRecord, TheTraceNamesTheProfileItsSelectionAndTheOriginOfEachValue) {
  TempWorkspace ws;
  PrepareWorkspace(ws);
  ws.env()["WORKSPACE__PROFILE"] = "prod";
  RunResult r = ws.Dlt({"run", "p.toml", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = ws.Dlt({"pipeline", "p", "trace"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "profile: prod (selected by WORKSPACE__PROFILE environment variable)")) << r.out;
  EXPECT_TRUE(Contains(r.out, "config: destination.warehouse.destination_type from .dlt/prod.secrets.toml:2:20 (profile: prod)"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "config: destination.warehouse.credentials from .dlt/prod.secrets.toml:3:15 (profile: prod)"))
      << r.out;
  // Origins only: the record keeps no configuration values.
  std::string trace = ws.Read(".dlt/.var/prod/pipelines/p/trace.json");
  EXPECT_TRUE(Contains(trace, "\"config_origins\"")) << trace;
  EXPECT_FALSE(Contains(trace, "\"value\"")) << trace;
}

}  // namespace
}  // namespace dlt::testing
