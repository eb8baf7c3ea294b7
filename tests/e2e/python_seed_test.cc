// The seed page's flow with its Python script: `python pokemon_api_pipeline.py` loads into the
// dev profile's DuckDB (_local/dev/warehouse.duckdb); after `dlt profile prod pin` the same
// script, unchanged, loads into PostgreSQL with prod's secrets and no prompt. The PokeAPI is the
// tests' HTTP server on 127.0.0.1 (base_url from the environment, as a profile's config would).
#include <gtest/gtest.h>

#include "http_server.h"
#include "pg_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(PythonSeed, ThePokemonScriptLoadsIntoDevDuckDbThenUnchangedIntoProdPostgresAfterThePin) {
  FixtureServer server;
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace w;
  w.env()["SOURCES__POKEMON_API__BASE_URL"] = server.Url() + "/api/v2/";
  // The page's start: the script `dlt init dlthub:pokemon_api duckdb` writes, run unchanged.
  auto init = w.Dlt({"init", "dlthub:pokemon_api", "duckdb"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_TRUE(Contains(init.out, "created   pokemon_api_pipeline.py")) << init.out;
  EXPECT_TRUE(Contains(init.out, "Run the pipeline: python pokemon_api_pipeline.py")) << init.out;
  EXPECT_FALSE(w.Exists("pokemon_api_pipeline.toml"));
  // Step 1 of the page: the dev profile's named destination.
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");

  auto r = RunPython(w, "pokemon_api_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = w.root() / "_local/dev/warehouse.duckdb";
  ASSERT_TRUE(fs::exists(db)) << r.out;
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon"), 45);
  EXPECT_EQ(CountRows(db, "pokemon_api_data.berry"), 25);
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon_details"), 45);
  EXPECT_EQ(SqlValue(db, "SELECT id FROM pokemon_api_data.pokemon_details WHERE _pokemon_name = 'poke7'"), "7");
  EXPECT_TRUE(Contains(r.out, "Pipeline pokemon_api_pipeline load step completed in ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1 load package(s) were loaded to destination warehouse and into dataset pokemon_api_data"))
      << r.out;
  EXPECT_EQ(r.err.find("is active"), std::string::npos) << r.err;  // no banner under dev
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/pokemon_api_pipeline/state.json"));

  // Step 2: prod's secrets, the pin, the same script.
  w.Write(".dlt/prod.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" + pg.Url() + "\"\n");
  r = w.Dlt({"profile", "prod", "pin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunPython(w, "pokemon_api_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.substr(0, r.err.find('\n') + 1), "Profile `prod` is active.\n") << r.err;
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon", "dw")), "45");
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data.pokemon_details", "dw")), "45");
  EXPECT_EQ(Trimmed(pg.Psql("SELECT count(*) FROM pokemon_api_data._dlt_loads WHERE status = 0", "dw")), "1");
  EXPECT_TRUE(Contains(r.out, "The warehouse destination used postgresql://loader:***@127.0.0.1:")) << r.out;
  EXPECT_FALSE(Contains(r.out + r.err, "loader_pw_123"));  // the password never shows
  EXPECT_TRUE(w.Exists(".dlt/.var/prod/pipelines/pokemon_api_pipeline/state.json"));
  // dev's DuckDB was not touched by the prod run
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon"), 45);

  // WORKSPACE__PROFILE wins over the pin, as for the CLI.
  w.env()["WORKSPACE__PROFILE"] = "dev";
  r = RunPython(w, "pokemon_api_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM pokemon_api_data._dlt_loads"), "2");
}

}  // namespace
}  // namespace dlt::testing
