// Named destinations resolved against the active profile's configuration (SPEC §5).
#include <gtest/gtest.h>

#include "destinations/duckdb/duckdb_credentials.h"
#include "destinations/postgres/postgres_credentials.h"
#include "dlt/destination.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::TempWorkspace;

TEST(ResolveDestination, NamedDuckdbDestinationOfDevWritesToTheProfileLocalFolder) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->name, "warehouse");
  EXPECT_EQ(d->type, "duckdb");
  ASSERT_NE(d->CredentialsAs<DuckDbCredentials>(), nullptr);
  EXPECT_EQ((*d->CredentialsAs<DuckDbCredentials>()).database, t.root() / "_local" / "dev" / "warehouse.duckdb");
  ASSERT_TRUE(d->type_origin.has_value());
  EXPECT_EQ(d->type_origin->file, ".dlt/dev.secrets.toml");
  // The pipeline name does not change the file of a named destination.
  auto with_pipe = ResolveDestination(ws, "warehouse", "pokemon_api_pipeline");
  ASSERT_TRUE(with_pipe.ok()) << with_pipe.status().message();
  EXPECT_EQ((*with_pipe->CredentialsAs<DuckDbCredentials>()).database,
            t.root() / "_local" / "dev" / "warehouse.duckdb");
}

TEST(ResolveDestination, SameNameResolvesToADifferentTypePerProfile) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  t.Write(".dlt/prod.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"motherduck\"\n"
          "credentials = \"md:///dlt_data?motherduck_token=PR0DT0KEN\"\n");
  Workspace prod = t.OpenLoaded("prod");
  auto d = ResolveDestination(prod, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->type, "motherduck");
  ASSERT_NE(d->CredentialsAs<MotherDuckCredentials>(), nullptr);
  const auto& md = (*d->CredentialsAs<MotherDuckCredentials>());
  EXPECT_EQ(md.database, "dlt_data");
  EXPECT_EQ(md.token.reveal(), "PR0DT0KEN");
  EXPECT_EQ(d->Describe().find("PR0DT0KEN"), std::string::npos) << d->Describe();
  ASSERT_TRUE(d->credentials_origin.has_value());
  EXPECT_EQ(d->credentials_origin->file, ".dlt/prod.secrets.toml");
}

TEST(ResolveDestination, ProdDuckdbDestinationUsesTheProdLocalFolder) {
  TempWorkspace t;
  t.Write(".dlt/secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  Workspace prod = t.OpenLoaded("prod");
  auto d = ResolveDestination(prod, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ((*d->CredentialsAs<DuckDbCredentials>()).database, t.root() / "_local" / "prod" / "warehouse.duckdb");
}

TEST(ResolveDestination, BuiltinTypeNameWorksWithoutConfiguration) {
  TempWorkspace t;
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "duckdb", "my_pipe");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->type, "duckdb");
  EXPECT_FALSE(d->type_origin.has_value());
  // Not a named destination: the file is named after the pipeline.
  EXPECT_EQ((*d->CredentialsAs<DuckDbCredentials>()).database, t.root() / "_local" / "dev" / "my_pipe.duckdb");
}

TEST(ResolveDestination, DuckdbRelativePathIsUnderTheLocalFolder) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"duckdb\"\ncredentials = \"data/wh.duckdb\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ((*d->CredentialsAs<DuckDbCredentials>()).database, t.root() / "_local" / "dev" / "data" / "wh.duckdb");
}

TEST(ResolveDestination, UnconfiguredUnknownNameIsNotFoundWithHowToConfigureIt) {
  TempWorkspace t;
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  const std::string& m = d.status().message();
  EXPECT_NE(m.find("`warehouse`"), std::string::npos) << m;
  EXPECT_NE(m.find("[destination.warehouse]"), std::string::npos) << m;
  EXPECT_NE(m.find("destination_type = \"duckdb\""), std::string::npos) << m;
  EXPECT_NE(m.find("DESTINATION__WAREHOUSE__DESTINATION_TYPE=duckdb"), std::string::npos) << m;
}

TEST(ResolveDestination, DestinationTypeFromTheEnvironmentIsUsed) {
  TempWorkspace t;
  t.env()["DESTINATION__WAREHOUSE__DESTINATION_TYPE"] = "duckdb";
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->type, "duckdb");
  ASSERT_TRUE(d->type_origin.has_value());
  EXPECT_EQ(d->type_origin->Describe(), "env DESTINATION__WAREHOUSE__DESTINATION_TYPE");
}

TEST(ResolveDestination, PostgresCredentialsTableMayBeSplitOverConfigAndSecrets) {
  TempWorkspace t;
  t.Write(".dlt/config.toml",
          "[destination.warehouse]\ndestination_type = \"postgres\"\n"
          "[destination.warehouse.credentials]\nhost = \"db.example.com\"\nport = 6543\n"
          "database = \"dw\"\nusername = \"loader\"\n");
  t.Write(".dlt/secrets.toml", "[destination.warehouse.credentials]\npassword = \"s3cretpw\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->type, "postgres");
  ASSERT_NE(d->CredentialsAs<PostgresCredentials>(), nullptr);
  const auto& pg = (*d->CredentialsAs<PostgresCredentials>());
  EXPECT_EQ(pg.host, "db.example.com");
  EXPECT_EQ(pg.port, 6543);
  EXPECT_EQ(pg.database, "dw");
  EXPECT_EQ(pg.username, "loader");
  EXPECT_EQ(pg.password.reveal(), "s3cretpw");
  EXPECT_EQ(d->Describe(), "postgres postgresql://loader:***@db.example.com:6543/dw");
}

TEST(ResolveDestination, PostgresNativeStringFromTheEnvironmentIsParsed) {
  TempWorkspace t;
  t.Write(".dlt/prod.config.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\n");
  t.env()["DESTINATION__WAREHOUSE__CREDENTIALS"] = "postgresql://loader:s3cretpw@pg:5432/dw";
  Workspace ws = t.OpenLoaded("prod");
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  const auto& pg = (*d->CredentialsAs<PostgresCredentials>());
  EXPECT_EQ(pg.host, "pg");
  EXPECT_EQ(pg.password.reveal(), "s3cretpw");
}

// Found by the secret canary sweep (tests/e2e/secret_canary_test.cc): a postgres URL in the
// credentials of a duckdb destination became the database file name, password and all, and was
// printed by --debug and in run summaries.
TEST(ResolveDestination, AUrlAsDuckdbCredentialsIsAnErrorWithoutTheValue) {
  for (const char* url : {"postgresql://loader:s3cretpw@pg:5432/dw", "loader:s3cretpw@pg/dw"}) {
    TempWorkspace t;
    t.Write(".dlt/dev.config.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
    t.env()["DESTINATION__WAREHOUSE__CREDENTIALS"] = url;
    Workspace ws = t.OpenLoaded("dev");
    auto d = ResolveDestination(ws, "warehouse");
    ASSERT_FALSE(d.ok()) << url;
    EXPECT_NE(d.status().message().find("not a database file path"), std::string::npos) << d.status().message();
    EXPECT_EQ(d.status().message().find("s3cretpw"), std::string::npos) << d.status().message();
  }
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\ncredentials = \"data/me@home.duckdb\"\n");
  Workspace ws = t.OpenLoaded("dev");
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
}

TEST(ResolveDestination, MissingPostgresFieldsAreNamedInTheError) {
  TempWorkspace t;
  t.Write(".dlt/config.toml",
          "[destination.warehouse]\ndestination_type = \"postgres\"\n"
          "[destination.warehouse.credentials]\nhost = \"db.example.com\"\n");
  t.Write(".dlt/secrets.toml", "[destination.warehouse.credentials]\npassword = \"s3cretpw\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_FALSE(d.ok());
  const std::string& m = d.status().message();
  EXPECT_NE(m.find("database"), std::string::npos) << m;
  EXPECT_NE(m.find("username"), std::string::npos) << m;
  EXPECT_NE(m.find("DESTINATION__WAREHOUSE__CREDENTIALS__DATABASE"), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cretpw"), std::string::npos) << m;
  EXPECT_EQ(m.find("`host`"), std::string::npos) << m;
}

TEST(ResolveDestination, PostgresPasswordInConfigTomlIsRefused) {
  TempWorkspace t;
  t.Write(".dlt/config.toml",
          "[destination.warehouse]\ndestination_type = \"postgres\"\n"
          "[destination.warehouse.credentials]\nhost = \"h\"\ndatabase = \"dw\"\nusername = \"u\"\n"
          "password = \"s3cretpw\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_FALSE(d.ok());
  const std::string& m = d.status().message();
  EXPECT_NE(m.find("destination.warehouse.credentials.password"), std::string::npos) << m;
  EXPECT_NE(m.find(".dlt/config.toml"), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cretpw"), std::string::npos) << m;
}

TEST(ResolveDestination, BadPostgresNativeStringErrorNamesTheOriginButNotThePassword) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"postgres\"\n"
          "credentials = \"postgresql://loader:s3cretpw@h:notaport/dw\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_FALSE(d.ok());
  const std::string& m = d.status().message();
  EXPECT_NE(m.find(".dlt/dev.secrets.toml"), std::string::npos) << m;
  EXPECT_NE(m.find("port"), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cretpw"), std::string::npos) << m;
}

TEST(ResolveDestination, MotherduckTokenMayComeFromMotherduckTokenEnvVar) {
  TempWorkspace t;
  t.Write(".dlt/prod.secrets.toml", "[destination.warehouse]\ndestination_type = \"motherduck\"\n");
  t.env()["MOTHERDUCK_TOKEN"] = "ENVT0KEN";
  Workspace ws = t.OpenLoaded("prod");
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  const auto& md = (*d->CredentialsAs<MotherDuckCredentials>());
  EXPECT_EQ(md.database, "my_db");
  EXPECT_EQ(md.token.reveal(), "ENVT0KEN");
  EXPECT_EQ(d->Describe().find("ENVT0KEN"), std::string::npos) << d->Describe();
}

TEST(ResolveDestination, MotherduckCredentialsTableGivesDatabaseAndToken) {
  TempWorkspace t;
  t.Write(".dlt/prod.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"motherduck\"\n"
          "[destination.warehouse.credentials]\ndatabase = \"analytics\"\npassword = \"TBLT0KEN\"\n");
  Workspace ws = t.OpenLoaded("prod");
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_TRUE(d.ok()) << d.status().message();
  const auto& md = (*d->CredentialsAs<MotherDuckCredentials>());
  EXPECT_EQ(md.database, "analytics");
  EXPECT_EQ(md.token.reveal(), "TBLT0KEN");
}

TEST(ResolveDestination, MotherduckWithoutTokenIsAnErrorThatSaysHowToSetIt) {
  TempWorkspace t;
  t.Write(".dlt/prod.secrets.toml", "[destination.warehouse]\ndestination_type = \"motherduck\"\n");
  Workspace ws = t.OpenLoaded("prod");
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_FALSE(d.ok());
  const std::string& m = d.status().message();
  EXPECT_NE(m.find("password"), std::string::npos) << m;
  EXPECT_NE(m.find("MOTHERDUCK_TOKEN"), std::string::npos) << m;
  EXPECT_NE(m.find(".dlt/prod.secrets.toml"), std::string::npos) << m;
}

TEST(ResolveDestination, UnknownTypeIsAnErrorWithASuggestion) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckbd\"\n");
  Workspace ws = t.OpenLoaded();
  auto d = ResolveDestination(ws, "warehouse");
  ASSERT_FALSE(d.ok());
  const std::string& m = d.status().message();
  EXPECT_NE(m.find("`duckbd`"), std::string::npos) << m;
  EXPECT_NE(m.find("Did you mean `duckdb`"), std::string::npos) << m;
  EXPECT_NE(m.find(".dlt/dev.secrets.toml"), std::string::npos) << m;
}

TEST(ResolveDestination, PipelineSpecificDestinationTypeBeatsTheGenericOne) {
  TempWorkspace t;
  t.Write(".dlt/secrets.toml",
          "[destination.warehouse]\ndestination_type = \"duckdb\"\n"
          "[special.destination.warehouse]\ndestination_type = \"postgres\"\n"
          "credentials = \"postgresql://u:pw@h/db\"\n");
  Workspace ws = t.OpenLoaded();
  auto generic = ResolveDestination(ws, "warehouse", "other");
  ASSERT_TRUE(generic.ok()) << generic.status().message();
  EXPECT_EQ(generic->type, "duckdb");
  auto special = ResolveDestination(ws, "warehouse", "special");
  ASSERT_TRUE(special.ok()) << special.status().message();
  EXPECT_EQ(special->type, "postgres");
}

}  // namespace
}  // namespace dlt
