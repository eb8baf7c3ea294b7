// Native credential strings and how secrets are kept out of every printed form (SPEC §4-5).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "destinations/duckdb/duckdb_credentials.h"
#include "destinations/postgres/postgres_credentials.h"
#include "dlt/destination.h"
#include "dlt/secret.h"

namespace dlt {
namespace {

// ---------------------------------------------------------------- Secret

TEST(Secret, FormattingASecretPrintsThreeStars) {
  Secret s("hunter2");
  EXPECT_EQ(fmt::format("{}", s), "***");
  EXPECT_EQ(fmt::format("password={}", s), "password=***");
  EXPECT_EQ(s.reveal(), "hunter2");
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(Secret().empty());
}

// ---------------------------------------------------------------- postgres

TEST(PostgresCredentials, FullUriIsParsed) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw123@db.example.com:6543/analytics");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->username, "loader");
  EXPECT_EQ(c->password.reveal(), "pw123");
  EXPECT_EQ(c->host, "db.example.com");
  EXPECT_EQ(c->port, 6543);
  EXPECT_EQ(c->database, "analytics");
  EXPECT_EQ(c->connect_timeout, 15);
  EXPECT_EQ(c->sslmode, "");
}

TEST(PostgresCredentials, PostgresSchemeIsAcceptedToo) {
  auto c = ParsePostgresCredentials("postgres://loader:pw@h/db");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->host, "h");
}

TEST(PostgresCredentials, PercentEncodedPasswordIsDecoded) {
  auto c = ParsePostgresCredentials("postgresql://loader:p%40ss%2Fw%3Ard%25@localhost/dw");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->password.reveal(), "p@ss/w:rd%");
  EXPECT_EQ(c->host, "localhost");
}

TEST(PostgresCredentials, PortDefaultsTo5432) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw@db.example.com/dw");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 5432);
}

TEST(PostgresCredentials, UserWithoutPasswordIsAccepted) {
  auto c = ParsePostgresCredentials("postgresql://loader@db/dw");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->username, "loader");
  EXPECT_TRUE(c->password.empty());
  EXPECT_EQ(c->Redacted(), "postgresql://loader@db:5432/dw");
}

TEST(PostgresCredentials, Ipv6HostIsParsed) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw@[::1]:5433/dw");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 5433);
  EXPECT_EQ(c->database, "dw");
  auto no_port = ParsePostgresCredentials("postgresql://loader:pw@[2001:db8::5]/dw");
  ASSERT_TRUE(no_port.ok()) << no_port.status().message();
  EXPECT_EQ(no_port->host, "2001:db8::5");
  EXPECT_EQ(no_port->port, 5432);
}

TEST(PostgresCredentials, QueryParametersSetTimeoutAndSslMode) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw@h:5432/dw?connect_timeout=7&sslmode=require");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->connect_timeout, 7);
  EXPECT_EQ(c->sslmode, "require");
  EXPECT_EQ(c->database, "dw");
}

TEST(PostgresCredentials, BadConnectTimeoutIsAnError) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw@h/dw?connect_timeout=soon");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("connect_timeout"), std::string::npos) << c.status().message();
}

TEST(PostgresCredentials, MissingUserIsAnError) {
  auto c = ParsePostgresCredentials("postgresql://db.example.com:5432/dw");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("user"), std::string::npos) << c.status().message();
}

TEST(PostgresCredentials, MissingDatabaseIsAnError) {
  for (const char* uri : {"postgresql://loader:s3cretpw@h:5432", "postgresql://loader:s3cretpw@h:5432/"}) {
    auto c = ParsePostgresCredentials(uri);
    ASSERT_FALSE(c.ok()) << uri;
    EXPECT_NE(c.status().message().find("database"), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find("s3cretpw"), std::string::npos) << c.status().message();
  }
}

TEST(PostgresCredentials, BadPortIsAnError) {
  for (const char* uri : {"postgresql://loader:s3cretpw@h:abc/dw", "postgresql://loader:s3cretpw@h:70000/dw",
                          "postgresql://loader:s3cretpw@h:0/dw"}) {
    auto c = ParsePostgresCredentials(uri);
    ASSERT_FALSE(c.ok()) << uri;
    EXPECT_NE(c.status().message().find("port"), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find("s3cretpw"), std::string::npos) << c.status().message();
  }
}

TEST(PostgresCredentials, WrongSchemeIsAnError) {
  auto c = ParsePostgresCredentials("mysql://loader:s3cretpw@h/dw");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find("s3cretpw"), std::string::npos) << c.status().message();
  auto no_scheme = ParsePostgresCredentials("loader:s3cretpw@h/dw");
  ASSERT_FALSE(no_scheme.ok());
  EXPECT_EQ(no_scheme.status().message().find("s3cretpw"), std::string::npos) << no_scheme.status().message();
}

// Found by fuzz/credentials_fuzzer: a string without a scheme but with "://" after the password
// made the whole user info the "scheme" that the error named.
TEST(PostgresCredentials, WrongSchemeErrorNamesOnlyAPlausibleScheme) {
  auto c = ParsePostgresCredentials("loader:s3cretpw@db.example.com/dw?note=a://b");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find("s3cretpw"), std::string::npos) << c.status().message();
  EXPECT_TRUE(c.status().message().find("must start with postgresql://") != std::string::npos) << c.status().message();
  auto mysql = ParsePostgresCredentials("mysql://loader:pw@h/dw");
  ASSERT_FALSE(mysql.ok());
  EXPECT_TRUE(mysql.status().message().find("not mysql://") != std::string::npos) << mysql.status().message();
}

TEST(PostgresCredentials, BadPercentEscapeInPasswordIsAnErrorWithoutThePassword) {
  auto c = ParsePostgresCredentials("postgresql://loader:s3cret%zzpw@h/dw");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("password"), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find("s3cret"), std::string::npos) << c.status().message();
}

// A password with an unescaped reserved character (`/`, `?`, `@`) still parses: the user info
// ends at the last `@`, so no piece of the password can end up in a host or port error.
TEST(PostgresCredentials, UnescapedReservedCharactersInThePasswordStillParse) {
  for (std::string pw : {"Kx9q/Zr7", "Kx9q?Zr7", "Kx9q@Zr7"}) {
    std::string uri = "postgresql://loader:" + pw + "@db.example.com:5432/dw";
    auto c = ParsePostgresCredentials(uri);
    ASSERT_TRUE(c.ok()) << uri << " -> " << c.status().message();
    EXPECT_EQ(c->password.reveal(), pw);
    EXPECT_EQ(c->host, "db.example.com");
    EXPECT_EQ(c->port, 5432);
    EXPECT_EQ(c->database, "dw");
    EXPECT_EQ(c->username, "loader");
  }
}

TEST(PostgresCredentials, ABadPortErrorDoesNotEchoThePortText) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw@db.example.com:Kx9qZr7/dw");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find("Kx9qZr7"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("port"), std::string::npos) << c.status().message();
}

TEST(PostgresCredentials, RedactedFormHidesThePassword) {
  auto c = ParsePostgresCredentials("postgresql://loader:s3cretpw@db.example.com:6543/dw?sslmode=require");
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::string r = c->Redacted();
  EXPECT_EQ(r.find("s3cretpw"), std::string::npos) << r;
  EXPECT_EQ(r.rfind("postgresql://loader:***@db.example.com:6543/dw", 0), 0u) << r;
}

TEST(PostgresCredentials, ConnectionStringCarriesEveryFieldForTheDriver) {
  auto c = ParsePostgresCredentials("postgresql://loader:pw@db:6543/dw?connect_timeout=3&sslmode=disable");
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::string s = c->ConnectionString();
  for (const char* part : {"host='db'", "port=6543", "dbname='dw'", "user='loader'", "password='pw'",
                           "connect_timeout=3", "sslmode='disable'"}) {
    EXPECT_NE(s.find(part), std::string::npos) << part;
  }
}

// ---------------------------------------------------------------- motherduck

TEST(MotherDuckCredentials, TripleSlashFormIsParsed) {
  auto c = ParseMotherDuckCredentials("md:///dlt_data?motherduck_token=T0KEN");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->database, "dlt_data");
  EXPECT_EQ(c->token.reveal(), "T0KEN");
  EXPECT_EQ(c->ConnectionString(), "md:dlt_data?motherduck_token=T0KEN");
}

TEST(MotherDuckCredentials, ShortFormIsParsed) {
  auto c = ParseMotherDuckCredentials("md:dlt_data?motherduck_token=T0KEN");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->database, "dlt_data");
  EXPECT_EQ(c->token.reveal(), "T0KEN");
}

TEST(MotherDuckCredentials, BareSchemeUsesTheDefaultDatabase) {
  auto c = ParseMotherDuckCredentials("md:");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->database, "my_db");
  EXPECT_TRUE(c->token.empty());
}

TEST(MotherDuckCredentials, OtherSchemeIsAnErrorWithoutTheInput) {
  auto c = ParseMotherDuckCredentials("duckdb:///x?motherduck_token=T0KENXYZ");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find("T0KENXYZ"), std::string::npos) << c.status().message();
}

TEST(MotherDuckCredentials, RedactedFormHidesTheToken) {
  auto c = ParseMotherDuckCredentials("md:///dlt_data?motherduck_token=T0KENXYZ");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->Redacted(), "md:dlt_data?motherduck_token=***");
  EXPECT_EQ(c->Redacted().find("T0KENXYZ"), std::string::npos);
}

TEST(DestinationConfig, DescribeNeverShowsSecrets) {
  DestinationConfig pg;
  pg.name = "warehouse";
  pg.type = "postgres";
  auto pc = ParsePostgresCredentials("postgresql://loader:s3cretpw@localhost:5432/dw");
  ASSERT_TRUE(pc.ok());
  pg.credentials = std::make_shared<PostgresCredentials>(*pc);
  EXPECT_EQ(pg.Describe(), "postgres postgresql://loader:***@localhost:5432/dw");

  DestinationConfig md;
  md.name = "warehouse";
  md.type = "motherduck";
  auto mc = ParseMotherDuckCredentials("md:db?motherduck_token=T0KENXYZ");
  ASSERT_TRUE(mc.ok());
  md.credentials = std::make_shared<MotherDuckCredentials>(*mc);
  EXPECT_EQ(md.Describe().find("T0KENXYZ"), std::string::npos) << md.Describe();
  EXPECT_NE(md.Describe().find("***"), std::string::npos) << md.Describe();
}

TEST(DestinationConfig, KnownTypesAreDuckdbMotherduckAndPostgres) {
  EXPECT_TRUE(IsKnownDestinationType("duckdb"));
  EXPECT_TRUE(IsKnownDestinationType("motherduck"));
  EXPECT_TRUE(IsKnownDestinationType("postgres"));
  EXPECT_FALSE(IsKnownDestinationType("warehouse"));
  EXPECT_FALSE(IsKnownDestinationType("bigquery"));
}

}  // namespace
}  // namespace dlt
