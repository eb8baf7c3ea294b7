// The layered configuration resolver (SPEC §4): provider precedence, deep merge of file layers,
// section dropping, pipeline prefixes, secrets in config files, origins and Explain().
#include <gtest/gtest.h>

#include <regex>

#include "dlt/config.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

using testing::TempWorkspace;

Environment Env(std::map<std::string, std::string> vars) { return Environment(std::move(vars)); }

ConfigLayer Layer(ProviderKind provider, const std::string& display, const std::string& toml,
                  const std::string& profile = "", bool global = false) {
  ConfigLayer l;
  l.provider = provider;
  l.path = display;
  l.display_path = display;
  l.profile = profile;
  l.global = global;
  auto root = ParseToml(toml, display);
  if (!root.ok()) throw std::runtime_error(root.status().message());
  l.root = std::make_shared<const ConfigNode>(std::move(root).value());
  return l;
}

ConfigLayer Absent(ProviderKind provider, const std::string& display) {
  ConfigLayer l;
  l.provider = provider;
  l.path = display;
  l.display_path = display;
  return l;
}

ConfigKey Key(std::vector<std::string> sections, std::string key, std::vector<std::string> embedded = {},
              std::string pipeline = "") {
  ConfigKey k;
  k.sections = std::move(sections);
  k.key = std::move(key);
  k.embedded = std::move(embedded);
  k.pipeline_name = std::move(pipeline);
  return k;
}

// Resolves and unwraps; a resolver error or a miss fails the test with a message.
std::string ResolveText(const ConfigResolver& r, const ConfigKey& k) {
  auto v = r.Resolve(k);
  if (!v.ok()) return "<error: " + v.status().message() + ">";
  if (!v->has_value()) return "<not found>";
  return (*v)->value.ToDisplayString();
}

std::string Joined(const std::vector<std::string>& p) {
  std::string out;
  for (const auto& s : p) out += (out.empty() ? "" : ".") + s;
  return out;
}

// ---------------------------------------------------------------- naming

TEST(ConfigResolver, EnvVarNameJoinsSectionsWithDoubleUnderscoreInUpperCase) {
  EXPECT_EQ(EnvVarName({"destination", "warehouse", "credentials"}), "DESTINATION__WAREHOUSE__CREDENTIALS");
  EXPECT_EQ(EnvVarName({"runtime", "log_level"}), "RUNTIME__LOG_LEVEL");
  EXPECT_EQ(EnvVarName({"credentials"}), "CREDENTIALS");
}

TEST(ConfigResolver, SecretKeyNamesAreRecognised) {
  for (const char* k : {"credentials", "password", "token", "api_key"}) {
    EXPECT_TRUE(IsSecretKeyName(k)) << k;
  }
  for (const char* k : {"host", "port", "database", "destination_type", "username"}) {
    EXPECT_FALSE(IsSecretKeyName(k)) << k;
  }
}

TEST(ConfigResolver, KeyNamesEndingLikeASecretAreSecretsToo) {
  for (const char* k : {"pipedrive_api_key", "private_app_password", "stripe_secret_key", "github_token", "api_token",
                        "db_password", "client_secret", "PASSWD", "aws_secret_access_key", "sftp_credentials"}) {
    EXPECT_TRUE(IsSecretKeyName(k)) << k;
  }
  for (const char* k : {"token_url", "primary_key", "merge_key", "secret_name_prefix", "tokenizer", "password_policy_url",
                        "_token", "api_key_header"}) {
    EXPECT_FALSE(IsSecretKeyName(k)) << k;
  }
}

TEST(ConfigResolver, ValueInEnvironmentIsFoundUnderItsSectionedUpperCaseName) {
  ConfigResolver r(Env({{"DESTINATION__WAREHOUSE__CREDENTIALS", "postgresql://u@h/db"}}), {});
  auto v = r.Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->value.text, "postgresql://u@h/db");
  EXPECT_EQ((*v)->origin.provider, ProviderKind::kEnvironment);
  EXPECT_EQ((*v)->origin.env_var, "DESTINATION__WAREHOUSE__CREDENTIALS");
  EXPECT_EQ((*v)->origin.Describe(), "env DESTINATION__WAREHOUSE__CREDENTIALS");
  EXPECT_TRUE((*v)->secret);
}

TEST(ConfigResolver, LowerCaseEnvironmentNameIsNotUsed) {
  ConfigResolver r(Env({{"destination__warehouse__host", "h"}}), {});
  auto v = r.Resolve(Key({"destination", "warehouse"}, "host"));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
}

TEST(ConfigResolver, AValueFromASecretsFileIsSecretWhateverItsKeyIsNamed) {
  std::vector<ConfigLayer> layers = {
      Layer(ProviderKind::kSecretsToml, ".dlt/dev.secrets.toml",
            "[sources.p1]\nnote = \"hush\"\n[destination.warehouse]\ndestination_type = \"duckdb\"\n"),
      Layer(ProviderKind::kConfigToml, ".dlt/config.toml", "[sources.p2]\nnote = \"plain\"\n"),
  };
  ConfigResolver r(Env({}), layers);
  auto from_secrets = r.Resolve(Key({"sources", "p1"}, "note"));
  ASSERT_TRUE(from_secrets.ok() && from_secrets->has_value());
  EXPECT_TRUE((*from_secrets)->secret);
  auto from_config = r.Resolve(Key({"sources", "p2"}, "note"));
  ASSERT_TRUE(from_config.ok() && from_config->has_value());
  EXPECT_FALSE((*from_config)->secret);
  // destination_type only names the kind of a destination.
  auto type = r.Resolve(Key({"destination", "warehouse"}, "destination_type"));
  ASSERT_TRUE(type.ok() && type->has_value());
  EXPECT_FALSE((*type)->secret);
}

// ---------------------------------------------------------------- provider precedence

TEST(ConfigResolver, EnvironmentBeatsSecretsBeatsConfig) {
  std::vector<ConfigLayer> layers = {
      Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "[sources.api]\nbase_url = \"from-secrets\"\n"),
      Layer(ProviderKind::kConfigToml, ".dlt/config.toml", "[sources.api]\nbase_url = \"from-config\"\n"),
  };
  ConfigKey k = Key({"sources", "api"}, "base_url");

  ConfigResolver with_env(Env({{"SOURCES__API__BASE_URL", "from-env"}}), layers);
  EXPECT_EQ(ResolveText(with_env, k), "from-env");

  ConfigResolver no_env(Env({}), layers);
  EXPECT_EQ(ResolveText(no_env, k), "from-secrets");
  auto v = no_env.Resolve(k);
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ((*v)->origin.provider, ProviderKind::kSecretsToml);
  EXPECT_EQ((*v)->origin.file, ".dlt/secrets.toml");

  ConfigResolver only_config(Env({}), {layers[1]});
  EXPECT_EQ(ResolveText(only_config, k), "from-config");
}

TEST(ConfigResolver, EnvironmentBeatsSecretsBeatsConfigInAWorkspace) {
  TempWorkspace t;
  t.Write(".dlt/config.toml", "[sources.api]\nbase_url = \"config\"\ntimeout = 10\n");
  t.Write(".dlt/dev.secrets.toml", "[sources.api]\nbase_url = \"secrets\"\n");
  ConfigKey k = Key({"sources", "api"}, "base_url");
  {
    Workspace ws = t.OpenLoaded();
    EXPECT_EQ(ResolveText(ws.config(), k), "secrets");
    EXPECT_EQ(ResolveText(ws.config(), Key({"sources", "api"}, "timeout")), "10");
  }
  t.env()["SOURCES__API__BASE_URL"] = "env";
  {
    Workspace ws = t.OpenLoaded();
    EXPECT_EQ(ResolveText(ws.config(), k), "env");
  }
}

// ---------------------------------------------------------------- deep merge within a provider

TEST(ConfigResolver, ProfileFileBeatsBaseFileKeyByKeyAndTablesAreDeepMerged) {
  TempWorkspace t;
  t.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse.credentials]\npassword = \"dev-pw\"\nusername = \"dev-user\"\n");
  t.Write(".dlt/secrets.toml",
          "[destination.warehouse.credentials]\nhost = \"base-host\"\nusername = \"base-user\"\n"
          "[destination.warehouse.credentials.options]\nsslmode = \"require\"\n");
  Workspace ws = t.OpenLoaded();

  // The whole table: keys from both files, the profile file winning the conflict.
  auto v = ws.config().Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_TRUE(v->has_value());
  const ConfigNode& table = (*v)->value;
  ASSERT_TRUE(table.is_table());
  ASSERT_NE(table.Find("password"), nullptr);
  ASSERT_NE(table.Find("username"), nullptr);
  ASSERT_NE(table.Find("host"), nullptr);
  EXPECT_EQ(table.Find("password")->text, "dev-pw");
  EXPECT_EQ(table.Find("username")->text, "dev-user");
  EXPECT_EQ(table.Find("host")->text, "base-host");
  ASSERT_NE(table.FindPath({"options", "sslmode"}), nullptr);
  EXPECT_EQ(table.FindPath({"options", "sslmode"})->text, "require");

  // Single keys: each from the file that has it, the profile file first.
  auto cred = [](const std::string& key) { return Key({"destination", "warehouse"}, key, {"credentials"}); };
  EXPECT_EQ(ResolveText(ws.config(), cred("username")), "dev-user");
  EXPECT_EQ(ResolveText(ws.config(), cred("host")), "base-host");
  auto host = ws.config().Resolve(cred("host"));
  ASSERT_TRUE(host.ok() && host->has_value());
  EXPECT_EQ((*host)->origin.file, ".dlt/secrets.toml");
  EXPECT_EQ((*host)->origin.profile, "");
  auto user = ws.config().Resolve(cred("username"));
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->origin.file, ".dlt/dev.secrets.toml");
  EXPECT_EQ((*user)->origin.profile, "dev");
}

TEST(ConfigResolver, ConfigFilesAreDeepMergedTooWithTheProfileFileWinning) {
  TempWorkspace t;
  t.Write(".dlt/dev.config.toml", "[sources.api]\npage_size = 50\n");
  t.Write(".dlt/config.toml", "[sources.api]\npage_size = 100\nbase_url = \"https://x\"\n");
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"sources"}, "api"));
  ASSERT_TRUE(v.ok() && v->has_value());
  ASSERT_NE((*v)->value.Find("page_size"), nullptr);
  ASSERT_NE((*v)->value.Find("base_url"), nullptr);
  EXPECT_EQ((*v)->value.Find("page_size")->text, "50");
  EXPECT_EQ((*v)->value.Find("base_url")->text, "https://x");
}

TEST(ConfigResolver, ProjectFilesBeatGlobalFiles) {
  TempWorkspace t;
  t.Write(".dlt/secrets.toml", "[sources.api]\napi_key = \"project\"\n");
  t.WriteGlobal("secrets.toml", "[sources.api]\napi_key = \"global\"\nother = \"global-only\"\n");
  t.WriteGlobal("dev.secrets.toml", "[sources.api]\napi_key = \"global-dev\"\n");
  Workspace ws = t.OpenLoaded();
  // A project base file beats even the global profile file.
  EXPECT_EQ(ResolveText(ws.config(), Key({"sources", "api"}, "api_key")), "project");
  auto other = ws.config().Resolve(Key({"sources", "api"}, "other"));
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_EQ((*other)->value.text, "global-only");
  EXPECT_TRUE((*other)->origin.global);
  EXPECT_NE((*other)->origin.Describe().find("global"), std::string::npos) << (*other)->origin.Describe();
}

TEST(ConfigResolver, GlobalProfileFileBeatsGlobalBaseFile) {
  TempWorkspace t;
  t.WriteGlobal("secrets.toml", "[sources.api]\napi_key = \"global\"\n");
  t.WriteGlobal("dev.secrets.toml", "[sources.api]\napi_key = \"global-dev\"\n");
  Workspace ws = t.OpenLoaded();
  auto v = ws.config().Resolve(Key({"sources", "api"}, "api_key"));
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ((*v)->value.text, "global-dev");
  EXPECT_TRUE((*v)->origin.global);
  EXPECT_EQ((*v)->origin.profile, "dev");
}

TEST(ConfigResolver, LayersOfAWorkspaceAreListedInLookupOrder) {
  TempWorkspace t;
  Workspace ws = t.OpenLoaded();
  std::vector<std::string> got;
  for (const auto& l : ws.layers()) {
    got.push_back(std::string(ProviderName(l.provider)) + "|" + l.path.string());
  }
  const std::string p = t.root().string(), g = (t.home() / ".dlt").string();
  std::vector<std::string> want = {
      "secrets.toml|" + p + "/.dlt/dev.secrets.toml", "secrets.toml|" + p + "/.dlt/secrets.toml",
      "secrets.toml|" + g + "/dev.secrets.toml",      "secrets.toml|" + g + "/secrets.toml",
      "config.toml|" + p + "/.dlt/dev.config.toml",   "config.toml|" + p + "/.dlt/config.toml",
      "config.toml|" + g + "/dev.config.toml",        "config.toml|" + g + "/config.toml",
  };
  EXPECT_EQ(got, want);
}

TEST(ConfigResolver, ProfileFilesOfAnotherProfileAreNotRead) {
  TempWorkspace t;
  t.Write(".dlt/prod.secrets.toml", "[sources.api]\napi_key = \"prod\"\n");
  Workspace ws = t.OpenLoaded();
  EXPECT_EQ(ResolveText(ws.config(), Key({"sources", "api"}, "api_key")), "<not found>");
  Workspace prod = t.OpenLoaded("prod");
  EXPECT_EQ(ResolveText(prod.config(), Key({"sources", "api"}, "api_key")), "prod");
}

// ---------------------------------------------------------------- section dropping

TEST(ConfigResolver, CandidatePathsDropSectionsFromMostToLeastSpecific) {
  auto paths = ConfigResolver::CandidatePaths(Key({"destination", "warehouse"}, "credentials"));
  std::vector<std::string> got;
  for (const auto& p : paths) got.push_back(Joined(p));
  EXPECT_EQ(got, (std::vector<std::string>{"destination.warehouse.credentials", "destination.credentials",
                                           "credentials"}));
}

TEST(ConfigResolver, EmbeddedSectionsAreNeverDropped) {
  auto paths = ConfigResolver::CandidatePaths(Key({"destination", "warehouse"}, "password", {"credentials"}));
  std::vector<std::string> got;
  for (const auto& p : paths) got.push_back(Joined(p));
  EXPECT_EQ(got, (std::vector<std::string>{"destination.warehouse.credentials.password",
                                           "destination.credentials.password", "credentials.password"}));

  // A bare `password` at the top level is not a match for the embedded key.
  ConfigResolver r(Env({{"PASSWORD", "bare"}}),
                   {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "password = \"bare\"\n")});
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "password", {"credentials"})), "<not found>");

  ConfigResolver r2(Env({}),
                    {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "[credentials]\npassword = \"least\"\n")});
  EXPECT_EQ(ResolveText(r2, Key({"destination", "warehouse"}, "password", {"credentials"})), "least");
}

TEST(ConfigResolver, PipelineNamePrefixedPathsComeFirst) {
  auto paths = ConfigResolver::CandidatePaths(Key({"destination", "warehouse"}, "credentials", {}, "pipe"));
  std::vector<std::string> got;
  for (const auto& p : paths) got.push_back(Joined(p));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "pipe.destination.warehouse.credentials", "pipe.destination.credentials",
                     "pipe.credentials", "destination.warehouse.credentials", "destination.credentials",
                     "credentials"}));
}

TEST(ConfigResolver, NoSectionDroppingWhenDisabled) {
  ConfigKey k = Key({"workspace", "settings"}, "name");
  k.drop_sections = false;
  auto paths = ConfigResolver::CandidatePaths(k);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(Joined(paths[0]), "workspace.settings.name");
}

TEST(ConfigResolver, LessSpecificPathIsUsedWhenTheMoreSpecificIsMissing) {
  ConfigResolver r(Env({}),
                   {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml",
                          "[destination]\ncredentials = \"dest-level\"\n")});
  auto v = r.Resolve(Key({"destination", "warehouse"}, "credentials"));
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ((*v)->value.text, "dest-level");
  EXPECT_EQ(Joined((*v)->path), "destination.credentials");
}

TEST(ConfigResolver, LessSpecificEnvVarDoesNotBeatMoreSpecificTomlValue) {
  std::vector<ConfigLayer> layers = {
      Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml",
            "[destination.warehouse]\ncredentials = \"toml-specific\"\n"),
      Layer(ProviderKind::kConfigToml, ".dlt/config.toml", "[destination.warehouse]\nhost = \"config-specific\"\n"),
  };
  ConfigResolver r(Env({{"DESTINATION__CREDENTIALS", "env-less-specific"},
                                {"CREDENTIALS", "env-least-specific"},
                                {"HOST", "env-host"},
                                {"DESTINATION__HOST", "env-host"}}),
                   layers);
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials")), "toml-specific");
  // Even the lowest provider at the specific path beats the highest at a less specific path.
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "host")), "config-specific");
}

TEST(ConfigResolver, MoreSpecificEnvVarBeatsLessSpecificTomlValue) {
  ConfigResolver r(Env({{"DESTINATION__CREDENTIALS", "env-dest"}}),
                   {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml", "credentials = \"toml-least\"\n")});
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials")), "env-dest");
}

TEST(ConfigResolver, PipelinePrefixedValueBeatsGenericValue) {
  std::vector<ConfigLayer> layers = {
      Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml",
            "[destination.warehouse]\ncredentials = \"generic\"\n"
            "[my_pipe.destination.warehouse]\ncredentials = \"pipeline\"\n"
            "[other_pipe]\ncredentials = \"other-pipeline\"\n"),
  };
  ConfigResolver r(Env({}), layers);
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials", {}, "my_pipe")), "pipeline");
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials")), "generic");
  // The whole prefixed sequence comes before the generic one: `other_pipe.credentials` (least
  // specific with the prefix) still beats `destination.warehouse.credentials`.
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials", {}, "other_pipe")), "other-pipeline");
  // And a pipeline without its own section falls back to the generic value.
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials", {}, "third")), "generic");
}

TEST(ConfigResolver, PipelinePrefixedEnvVarIsUsed) {
  ConfigResolver r(Env({{"MY_PIPE__DESTINATION__WAREHOUSE__CREDENTIALS", "env-pipe"}}),
                   {Layer(ProviderKind::kSecretsToml, ".dlt/secrets.toml",
                          "[destination.warehouse]\ncredentials = \"generic\"\n")});
  EXPECT_EQ(ResolveText(r, Key({"destination", "warehouse"}, "credentials", {}, "my_pipe")), "env-pipe");
}

TEST(ConfigResolver, MissingKeyResolvesToNothing) {
  ConfigResolver r(Env({}),
                   {Absent(ProviderKind::kSecretsToml, ".dlt/secrets.toml"),
                    Layer(ProviderKind::kConfigToml, ".dlt/config.toml", "[a]\nb = 1\n")});
  auto v = r.Resolve(Key({"x", "y"}, "z"));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
}

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

// ---------------------------------------------------------------- classic mode

TEST(ConfigResolver, ClassicModeReadsOnlyBaseFiles) {
  TempWorkspace t(/*workspace_mode=*/false);
  t.Write(".dlt/dev.secrets.toml", "[sources.api]\napi_key = \"profile\"\n");
  t.Write(".dlt/secrets.toml", "[sources.api]\napi_key = \"base\"\n");
  Workspace ws = t.OpenLoaded();
  EXPECT_FALSE(ws.workspace_mode());
  for (const auto& l : ws.layers()) {
    EXPECT_TRUE(l.profile.empty()) << l.path;
    EXPECT_EQ(l.path.filename().string().find("dev."), std::string::npos) << l.path;
  }
  EXPECT_EQ(ws.layers().size(), 4u);
  EXPECT_EQ(ResolveText(ws.config(), Key({"sources", "api"}, "api_key")), "base");
}

}  // namespace
}  // namespace dlt
