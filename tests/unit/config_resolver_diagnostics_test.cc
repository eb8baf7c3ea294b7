// The layered configuration resolver (SPEC §4): secrets in config files are errors, origins of
// values, TOML errors with file, line and column, and Explain().
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "config_resolver_support.h"
#include "dlt/config.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

using testing::TempWorkspace;
using config_resolver_test::Env;
using config_resolver_test::Layer;
using config_resolver_test::Absent;
using config_resolver_test::Key;
using config_resolver_test::ResolveText;
using config_resolver_test::Joined;

// ---------------------------------------------------------------- secrets in config files

TEST(ConfigResolver, SecretValueInConfigTomlIsAnErrorNamingKeyAndFileButNotTheValue) {
  TempWorkspace t;
  t.Write(".dlt/config.toml", "[destination.warehouse.credentials]\nhost = \"db.local\"\npassword = \"hunter2-xyz\"\n");
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"destination", "warehouse"}, "password", {"credentials"}));
  ASSERT_FALSE(v.ok());
  const std::string& m = v.status().message();
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.find("destination.warehouse.credentials.password"), std::string::npos) << m;
  EXPECT_NE(m.find(".dlt/config.toml"), std::string::npos) << m;
  EXPECT_NE(m.find("cannot hold secret values"), std::string::npos) << m;
  EXPECT_EQ(m.find("hunter2-xyz"), std::string::npos) << m;
}

TEST(ConfigResolver, NativeCredentialsStringInConfigTomlIsAnError) {
  TempWorkspace t;
  t.Write(".dlt/dev.config.toml", "[destination.warehouse]\ncredentials = \"postgresql://u:topsecret1@h/db\"\n");
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_FALSE(v.ok());
  const std::string& m = v.status().message();
  EXPECT_NE(m.find("destination.warehouse.credentials"), std::string::npos) << m;
  EXPECT_NE(m.find(".dlt/dev.config.toml"), std::string::npos) << m;
  EXPECT_EQ(m.find("topsecret1"), std::string::npos) << m;
}

TEST(ConfigResolver, KeyDeclaredSecretByItsComponentIsAnErrorInConfigToml) {
  ConfigResolver r(Env({}),
                   {Layer(ProviderKind::kConfigToml, ".dlt/config.toml", "[sources.api]\nsigning_key = \"s1gn\"\n")});
  ConfigKey k = Key({"sources", "api"}, "signing_key");
  EXPECT_EQ(ResolveText(r, k), "s1gn");  // not secret by name
  k.secret = true;
  auto v = r.Resolve(k);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("sources.api.signing_key"), std::string::npos) << v.status().message();
  EXPECT_NE(v.status().message().find(".dlt/config.toml"), std::string::npos) << v.status().message();
  EXPECT_EQ(v.status().message().find("s1gn"), std::string::npos) << v.status().message();
}

TEST(ConfigResolver, SecretValueInSecretsTomlOrEnvIsFine) {
  ConfigResolver r(Env({{"SOURCES__API__TOKEN", "env-token"}}),
                   {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "[sources.api]\napi_key = \"k\"\n")});
  EXPECT_EQ(ResolveText(r, Key({"sources", "api"}, "api_key")), "k");
  EXPECT_EQ(ResolveText(r, Key({"sources", "api"}, "token")), "env-token");
}

TEST(ConfigResolver, CredentialsTableWithNonSecretFieldsInConfigTomlIsFine) {
  TempWorkspace t;
  t.Write(".dlt/config.toml", "[destination.warehouse.credentials]\nhost = \"db.local\"\nport = 5433\n");
  Workspace ws = t.OpenLoaded();
  auto table = ws.config().Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_TRUE(table.ok()) << table.status().message();
  ASSERT_TRUE(table->has_value());
  EXPECT_TRUE((*table)->value.is_table());
  EXPECT_EQ(ResolveText(ws.config(), Key({"destination", "warehouse"}, "host", {"credentials"})), "db.local");
  EXPECT_EQ(ResolveText(ws.config(), Key({"destination", "warehouse"}, "port", {"credentials"})), "5433");
}

// ---------------------------------------------------------------- origins

TEST(ConfigResolver, OriginOfAFileValueNamesFileLineColumnAndProfile) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml", "# comment\n[destination.warehouse]\ncredentials = \"duckdb:///x.duckdb\"\n");
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_TRUE(v.ok() && v->has_value());
  const ValueOrigin& o = (*v)->origin;
  EXPECT_EQ(o.provider, ProviderKind::kSecretsToml);
  EXPECT_EQ(o.file, ".dlt/dev.secrets.toml");
  EXPECT_EQ(o.where.line, 3);
  EXPECT_GE(o.where.column, 1);
  EXPECT_EQ(o.profile, "dev");
  EXPECT_FALSE(o.global);
  std::string d = o.Describe();
  EXPECT_TRUE(std::regex_match(d, std::regex(R"(\.dlt/dev\.secrets\.toml:3:[0-9]+ \(profile: dev\))"))) << d;
}

TEST(ConfigResolver, OriginOfABaseFileValueHasNoProfileTag) {
  TempWorkspace t;
  t.Write(".dlt/config.toml", "[sources.api]\n\nbase_url = \"x\"\n");
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"sources", "api"}, "base_url"));
  ASSERT_TRUE(v.ok() && v->has_value());
  std::string d = (*v)->origin.Describe();
  EXPECT_TRUE(std::regex_match(d, std::regex(R"(\.dlt/config\.toml:3:[0-9]+)"))) << d;
}

TEST(ConfigResolver, OriginOfAnEnvValueIsTheVariableName) {
  TempWorkspace t;
  t.env()["DESTINATION__WAREHOUSE__CREDENTIALS"] = "md:?motherduck_token=abc";
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ((*v)->origin.Describe(), "env DESTINATION__WAREHOUSE__CREDENTIALS");
  EXPECT_EQ((*v)->origin.Describe().find("abc"), std::string::npos);
}

// ---------------------------------------------------------------- TOML errors

TEST(ConfigResolver, TomlSyntaxErrorNamesFileLineAndColumn) {
  auto r = ParseToml("a = 1\nb = \n", "bad.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(std::regex_search(r.status().message(), std::regex(R"(^bad\.toml:2:[0-9]+: .+)")))
      << r.status().message();
}

TEST(ConfigResolver, TomlSyntaxErrorInAWorkspaceFileIsReportedWithItsPath) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n[broken\n");
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  Status s = ws->LoadConfig();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(std::regex_search(s.message(), std::regex(R"(^\.dlt/dev\.secrets\.toml:3:[0-9]+: .+)"))) << s.message();
}

TEST(ConfigResolver, ParsedTomlKeepsValuesTypesAndFileOrder) {
  auto r = ParseToml("z = \"s\"\na = 1\nf = 1.5\nb = true\nl = [1, \"x\"]\n[t]\nk = \"v\"\n", "x.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<std::string> keys;
  for (const auto& [k, v] : r->members) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "f", "b", "l", "t"}));
  EXPECT_EQ(r->Find("z")->kind, ConfigNode::Kind::kString);
  EXPECT_EQ(r->Find("a")->kind, ConfigNode::Kind::kInteger);
  EXPECT_EQ(r->Find("a")->text, "1");
  EXPECT_EQ(r->Find("f")->kind, ConfigNode::Kind::kFloat);
  EXPECT_EQ(r->Find("b")->text, "true");
  EXPECT_EQ(r->Find("l")->ToDisplayString(), "[1, \"x\"]");
  EXPECT_EQ(r->FindPath({"t", "k"})->text, "v");
}

// ---------------------------------------------------------------- Explain

TEST(ConfigResolver, ExplainListsEveryCandidateInLookupOrderAndMarksExactlyOneWinner) {
  std::vector<ConfigLayer> layers = {
      Layer(ProviderKind::kSecretsToml, ".dlt/dev.secrets.toml", "[destination]\ncredentials = \"dest-level\"\n", "dev"),
      Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "credentials = \"least\"\n"),
      Absent(ProviderKind::kConfigToml, ".dlt/config.toml"),
  };
  ConfigResolver r(Env({{"CREDENTIALS", "env-least"}}), layers);
  ConfigKey k = Key({"destination", "warehouse"}, "credentials");
  auto c = r.Explain(k);
  // 3 paths x (env + 2 secrets layers + 1 config layer)
  ASSERT_EQ(c.size(), 12u);
  std::vector<std::string> order;
  for (const auto& x : c) order.push_back(Joined(x.path) + "@" + x.location);
  EXPECT_EQ(order, (std::vector<std::string>{
                       "destination.warehouse.credentials@DESTINATION__WAREHOUSE__CREDENTIALS",
                       "destination.warehouse.credentials@.dlt/dev.secrets.toml",
                       "destination.warehouse.credentials@.dlt/secrets.toml",
                       "destination.warehouse.credentials@.dlt/config.toml",
                       "destination.credentials@DESTINATION__CREDENTIALS",
                       "destination.credentials@.dlt/dev.secrets.toml",
                       "destination.credentials@.dlt/secrets.toml",
                       "destination.credentials@.dlt/config.toml",
                       "credentials@CREDENTIALS",
                       "credentials@.dlt/dev.secrets.toml",
                       "credentials@.dlt/secrets.toml",
                       "credentials@.dlt/config.toml",
                   }));
  int winners = 0;
  for (const auto& x : c) winners += x.wins;
  EXPECT_EQ(winners, 1);
  EXPECT_TRUE(c[5].wins);  // destination.credentials in dev.secrets.toml
  ASSERT_NE(c[5].value, nullptr);
  EXPECT_EQ(c[5].value->text, "dest-level");
  EXPECT_EQ(c[5].provider, ProviderKind::kSecretsToml);
  // Shadowed values further down are still shown, not marked.
  ASSERT_NE(c[8].value, nullptr);
  EXPECT_FALSE(c[8].wins);
  ASSERT_NE(c[10].value, nullptr);
  EXPECT_FALSE(c[10].wins);
  EXPECT_EQ(c[0].value, nullptr);
  EXPECT_EQ(c[0].provider, ProviderKind::kEnvironment);

  // The winner of Explain is what Resolve returns.
  EXPECT_EQ(ResolveText(r, k), "dest-level");
}

TEST(ConfigResolver, ExplainMarksNoWinnerWhenNothingMatches) {
  ConfigResolver r(Env({}),
                   {Absent(ProviderKind::kSecretsToml, ".dlt/secrets.toml")});
  auto c = r.Explain(Key({"a"}, "b"));
  ASSERT_EQ(c.size(), 4u);  // a.b and b, each env + secrets
  for (const auto& x : c) EXPECT_FALSE(x.wins);
}

TEST(ConfigResolver, ExplainMarksAnEnvironmentWinner) {
  ConfigResolver r(Env({{"DESTINATION__WAREHOUSE__CREDENTIALS", "e"}}),
                   {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "[destination.warehouse]\ncredentials = \"t\"\n")});
  auto c = r.Explain(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_GE(c.size(), 2u);
  EXPECT_TRUE(c[0].wins);
  EXPECT_FALSE(c[1].wins);
  ASSERT_NE(c[1].value, nullptr);
  int winners = 0;
  for (const auto& x : c) winners += x.wins;
  EXPECT_EQ(winners, 1);
}

}  // namespace
}  // namespace dlt
