// The seed page's walkthrough, end to end, with PostgreSQL in the place of MotherDuck: one
// pipeline, switched between a local DuckDB (dev) and a production warehouse (prod) by profile.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "background_process.h"
#include "pg_server.h"
#include "support/duckdb_query.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

const char* kPipeline = R"(#!/usr/bin/env -S dlt run
[pipeline]
name = "pokemon_api_pipeline"
destination = "warehouse"
dataset_name = "pokemon_api_data"

[[resources]]
name = "pokemon"
path = "data/pokemon.jsonl"
write_disposition = "merge"
primary_key = "id"
incremental = { cursor_path = "updated_at", initial_value = "2024-01-01T00:00:00Z" }
)";

std::string Pokemon(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += "{\"id\": " + std::to_string(i) + ", \"name\": \"pokemon" + std::to_string(i) +
           "\", \"updated_at\": \"2024-02-" + (i < 10 ? "0" : "") + std::to_string(i) +
           "T10:00:00Z\", \"types\": [\"grass\", \"poison\"], \"stats\": {\"hp\": " + std::to_string(40 + i) + "}}\n";
  }
  return out;
}

TEST(SeedWalkthrough, OnePipelineSwitchesFromDuckDbToPostgresByProfile) {
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write(".dlt/prod.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         pg.Url() + "\"\n");
  ws.Write("pokemon_api_pipeline.toml", kPipeline);
  ws.Write("data/pokemon.jsonl", Pokemon(1, 5));
  std::vector<RunResult> all;

  // dev: the pipeline loads into _local/dev/warehouse.duckdb
  RunResult r = ws.Dlt({"run", "pokemon_api_pipeline.toml"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(ws.Exists("_local/dev/warehouse.duckdb"));
  EXPECT_EQ(CountRows(ws.root() / "_local/dev/warehouse.duckdb", "pokemon_api_data.pokemon"), 5);
  EXPECT_TRUE(ws.Exists(".dlt/.var/dev/pipelines/pokemon_api_pipeline/state.json"));

  // pin prod
  r = ws.Dlt({"profile", "prod", "pin"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Will pin the profile prod to current Workspace.\n");
  r = ws.Dlt({"profile"});
  all.push_back(r);
  EXPECT_EQ(r.out, "Current profile: prod\nPinned profile: prod\n");
  EXPECT_EQ(r.err, "Profile `prod` is active.\n");

  // the connection check: the dataset does not exist yet
  r = ws.Dlt({"--debug", "pipeline", "pokemon_api_pipeline", "sync", "--destination", "warehouse", "--dataset-name",
              "pokemon_api_data"});
  all.push_back(r);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "ERROR: Pipeline pokemon_api_pipeline was not found in dataset pokemon_api_data in warehouse"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "Connecting to postgres postgresql://loader:***@127.0.0.1:")) << r.err;

  // prod run: rows in PostgreSQL, state in .dlt/.var/prod
  r = ws.Dlt({"run", "pokemon_api_pipeline.toml"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon", "dw")), "5");
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon__types", "dw")), "10");
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data._dlt_loads WHERE status = 0", "dw")), "1");
  EXPECT_TRUE(ws.Exists(".dlt/.var/prod/pipelines/pokemon_api_pipeline/state.json"));

  // "open the Workspace Dashboard with `dlt workspace show`. You'll see your pipeline connected
  // to the remote dataset": the prod pipeline, its PostgreSQL dataset and its rows.
  {
    BackgroundProcess show({DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, ws.root(), ws.env());
    auto url = show.WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]+)#/profiles/prod"), 10000);
    ASSERT_EQ(url.size(), 3u) << show.output();
    httplib::Client c("127.0.0.1", std::stoi(url[1]));
    c.set_bearer_token_auth(url[2].c_str());
    auto pipelines = c.Get("/api/profiles/prod/pipelines");
    ASSERT_TRUE(pipelines);
    auto list = nlohmann::json::parse(pipelines->body, nullptr, false);
    ASSERT_TRUE(list.is_object()) << pipelines->body;
    ASSERT_EQ(list["pipelines"].size(), 1u) << pipelines->body;
    EXPECT_EQ(list["pipelines"][0]["name"], "pokemon_api_pipeline");
    EXPECT_EQ(list["pipelines"][0]["status"], "completed");
    auto detail = c.Get("/api/profiles/prod/pipelines/pokemon_api_pipeline");
    ASSERT_TRUE(detail);
    auto d = nlohmann::json::parse(detail->body, nullptr, false);
    ASSERT_TRUE(d.is_object()) << detail->body;
    EXPECT_EQ(d["destination"]["type"], "postgres");
    EXPECT_EQ(d["destination"]["description"], "postgres postgresql://loader:***@127.0.0.1:" + std::to_string(pg.port()) + "/dw");
    auto tables = c.Get("/api/profiles/prod/pipelines/pokemon_api_pipeline/tables");
    ASSERT_TRUE(tables);
    ASSERT_EQ(tables->status, 200) << tables->body;
    std::map<std::string, nlohmann::json> counts;
    auto tj = nlohmann::json::parse(tables->body, nullptr, false);
    for (const auto& t : tj["tables"]) counts[t["name"]] = t["row_count"];
    EXPECT_EQ(counts["pokemon"], 5);
    EXPECT_EQ(counts["pokemon__types"], 10);
    auto rows = c.Get("/api/profiles/prod/pipelines/pokemon_api_pipeline/tables/pokemon/rows?limit=2");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->status, 200) << rows->body;
    EXPECT_EQ(nlohmann::json::parse(rows->body)["total"], 5);
    for (const auto* body : {&pipelines->body, &detail->body, &tables->body, &rows->body}) {
      EXPECT_FALSE(Contains(*body, "loader_pw")) << *body;
    }
    show.Signal(SIGINT);
    EXPECT_EQ(show.Wait(10000), 0) << show.output();
  }

  // wipe the prod working folder, restore it from the destination
  r = ws.Dlt({"workspace", "clean", "--yes"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(ws.Exists(".dlt/.var/prod/pipelines/pokemon_api_pipeline"));
  // as README's walkthrough does it: without flags, the pipeline file names destination and dataset
  r = ws.Dlt({"pipeline", "pokemon_api_pipeline", "sync"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "Restoring from destination")) << r.out;
  ASSERT_TRUE(ws.Exists(".dlt/.var/prod/pipelines/pokemon_api_pipeline/state.json"));
  EXPECT_TRUE(Contains(ws.Read(".dlt/.var/prod/pipelines/pokemon_api_pipeline/state.json"), "2024-02-05T10:00:00Z"));

  // with a local state present, sync asks first; prod is a protected profile, so without a
  // terminal and without --yes it is refused (exit code 4) and nothing changes; --yes means yes
  r = ws.Dlt({"pipeline", "pokemon_api_pipeline", "sync"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.err, "Profile `prod` is protected")) << r.err;
  EXPECT_TRUE(ws.Exists(".dlt/.var/prod/pipelines/pokemon_api_pipeline/state.json"));
  r = ws.Dlt({"pipeline", "pokemon_api_pipeline", "sync", "--yes"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "Dropping local state")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Restored pipeline pokemon_api_pipeline")) << r.out;

  // the restored cursor holds: the same input loads nothing, new rows load once
  ws.Write("data/pokemon.jsonl", Pokemon(1, 7));
  r = ws.Dlt({"run", "pokemon_api_pipeline.toml"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon", "dw")), "7");

  // a wiped folder is restored automatically by the next run
  r = ws.Dlt({"workspace", "clean", "--yes"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0);
  r = ws.Dlt({"run", "pokemon_api_pipeline.toml"});
  all.push_back(r);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "Restored the state of pipeline pokemon_api_pipeline")) << r.err;
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon", "dw")), "7");

  // unpin: back to dev, whose data was never touched
  std::filesystem::remove(ws.root() / ".dlt/profile-name");
  r = ws.Dlt({"profile"});
  all.push_back(r);
  EXPECT_EQ(r.out, "Current profile: dev\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(CountRows(ws.root() / "_local/dev/warehouse.duckdb", "pokemon_api_data.pokemon"), 5);
  EXPECT_TRUE(ws.Exists(".dlt/.var/dev/pipelines/pokemon_api_pipeline/state.json"));

  for (const auto& each : all) {
    EXPECT_FALSE(Contains(each.out, PostgresServer::kPassword)) << each.out;
    EXPECT_FALSE(Contains(each.err, PostgresServer::kPassword)) << each.err;
  }
}

TEST(PostgresDestination, AWrongPasswordIsAnAuthenticationErrorWithoutThePassword) {
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\n"
                                "[destination.warehouse.credentials]\nhost = \"127.0.0.1\"\nport = " +
                                    std::to_string(pg.port()) +
                                    "\nusername = \"loader\"\npassword = \"Wrong-Secret-77\"\ndatabase = \"dw\"\n");
  ws.Write("p.toml", kPipeline);
  ws.Write("data/pokemon.jsonl", Pokemon(1, 2));
  RunResult r = ws.Dlt({"--debug", "run", "p.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "authentication failed")) << r.err;
  EXPECT_TRUE(Contains(r.err, "127.0.0.1:" + std::to_string(pg.port()))) << r.err;
  EXPECT_FALSE(Contains(r.err + r.out, "Wrong-Secret-77"));
}

TEST(PostgresDestination, AStoppedServerIsReportedWithHostAndPortAndThePackageIsLoadedLater) {
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace ws;
  ws.Write(".dlt/secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                    pg.Url() + "?connect_timeout=3\"\n");
  ws.Write("p.toml", kPipeline);
  ws.Write("data/pokemon.jsonl", Pokemon(1, 3));
  ASSERT_TRUE(pg.Stop());
  RunResult r = ws.Dlt({"run", "p.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "cannot connect to PostgreSQL at 127.0.0.1:" + std::to_string(pg.port()))) << r.err;
  EXPECT_FALSE(Contains(r.err, PostgresServer::kPassword));
  ASSERT_TRUE(pg.Start());
  r = ws.Dlt({"run", "p.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon", "dw")), "3");
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data._dlt_loads", "dw")), "1");
}

}  // namespace
}  // namespace dlt::testing
