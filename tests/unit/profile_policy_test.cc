// Read-only and protected profiles (`[workspace.profiles.<name>]`), as the library resolves them.
#include <gtest/gtest.h>

#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

TEST(ProfilePolicy, AccessIsReadOnlyAndProdIsProtectedByDefault) {
  TempWorkspace w;
  for (const char* p : {"dev", "prod", "tests", "access"}) {
    Workspace ws = w.OpenLoaded(std::string(p));
    EXPECT_EQ(ws.IsReadOnlyProfile().value(), std::string(p) == "access") << p;
    EXPECT_EQ(ws.IsProtectedProfile().value(), std::string(p) == "prod") << p;
    EXPECT_EQ(ws.CheckWritable("`dlt run`").ok(), std::string(p) != "access") << p;
  }
  Status s = w.OpenLoaded(std::string("access")).CheckWritable("`dlt run`");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "Profile `access` is read-only: `dlt run` would write and is refused. Use another profile "
            "(--profile NAME), or set `read_only = false` in [workspace.profiles.access].");
}

TEST(ProfilePolicy, FlagsComeFromTheResolvedConfigurationWithTheUsualPrecedence) {
  TempWorkspace w;
  w.Write(".dlt/config.toml",
          "[workspace.profiles.dev]\nread_only = true\nprotected = true\n"
          "[workspace.profiles.access]\nread_only = false\n"
          "[workspace.profiles.prod]\nprotected = false\n");
  EXPECT_TRUE(w.OpenLoaded(std::string("dev")).IsReadOnlyProfile().value());
  EXPECT_TRUE(w.OpenLoaded(std::string("dev")).IsProtectedProfile().value());
  EXPECT_FALSE(w.OpenLoaded(std::string("access")).IsReadOnlyProfile().value());
  EXPECT_FALSE(w.OpenLoaded(std::string("prod")).IsProtectedProfile().value());
  // The profile file beats the base file; the environment beats both.
  w.Write(".dlt/dev.config.toml", "[workspace.profiles.dev]\nread_only = false\n");
  EXPECT_FALSE(w.OpenLoaded(std::string("dev")).IsReadOnlyProfile().value());
  w.env()["WORKSPACE__PROFILES__DEV__READ_ONLY"] = "true";
  EXPECT_TRUE(w.OpenLoaded(std::string("dev")).IsReadOnlyProfile().value());
}

TEST(ProfilePolicy, ANonBooleanValueIsAnErrorNamingTheFile) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[workspace.profiles.dev]\nread_only = \"maybe\"\n");
  auto r = w.OpenLoaded(std::string("dev")).IsReadOnlyProfile();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "workspace.profiles.dev.read_only must be true or false (.dlt/config.toml:2:13)");
}

TEST(ProfilePolicy, ClassicModeIsNeverReadOnly) {
  TempWorkspace w(/*workspace_mode=*/false);
  Workspace ws = w.OpenLoaded();
  EXPECT_FALSE(ws.IsReadOnlyProfile().value());
  EXPECT_FALSE(ws.IsProtectedProfile().value());
}

}  // namespace
}  // namespace dlt::testing
