// The layered configuration resolver (SPEC §4): env var and secret key names, provider precedence,
// deep merge of the file layers of a workspace (base, profile, global), and classic mode.
#include <gtest/gtest.h>

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
using config_resolver_test::Key;
using config_resolver_test::ResolveText;

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
