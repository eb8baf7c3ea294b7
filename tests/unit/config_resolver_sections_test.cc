// The layered configuration resolver (SPEC §4): section dropping from the most to the least
// specific path, embedded sections, and pipeline name prefixes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config_resolver_support.h"
#include "dlt/config.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

using config_resolver_test::Env;
using config_resolver_test::Layer;
using config_resolver_test::Absent;
using config_resolver_test::Key;
using config_resolver_test::ResolveText;
using config_resolver_test::Joined;

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

}  // namespace
}  // namespace dlt
