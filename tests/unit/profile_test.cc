// Workspace discovery, profile selection and the folders of a profile (SPEC §1-3).
#include <gtest/gtest.h>

#include <algorithm>

#include "dlt/workspace.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::TempWorkspace;
using testing::WriteFile;

const ProfileListing* FindListing(const std::vector<ProfileListing>& l, const std::string& name) {
  for (const auto& p : l) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> Names(const std::vector<ProfileListing>& l) {
  std::vector<std::string> out;
  for (const auto& p : l) out.push_back(p.name);
  return out;
}

// ---------------------------------------------------------------- selection

TEST(Profile, DevIsTheDefaultProfile) {
  TempWorkspace t;
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_TRUE(ws->workspace_mode());
  EXPECT_EQ(ws->profile(), "dev");
  EXPECT_EQ(ws->profile_source(), ProfileSource::kDefault);
  EXPECT_FALSE(ws->pinned_profile().has_value());
}

TEST(Profile, PinFileSelectsTheProfileByItsFirstLineTrimmed) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "  prod \t\nsomething else\n");
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "prod");
  EXPECT_EQ(ws->profile_source(), ProfileSource::kPin);
  ASSERT_TRUE(ws->pinned_profile().has_value());
  EXPECT_EQ(*ws->pinned_profile(), "prod");
}

TEST(Profile, EmptyPinFileMeansNoPin) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "\n");
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "dev");
  EXPECT_FALSE(ws->pinned_profile().has_value());
}

TEST(Profile, EnvironmentVariableBeatsThePinFile) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "prod");
  t.env()["WORKSPACE__PROFILE"] = "tests";
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "tests");
  EXPECT_EQ(ws->profile_source(), ProfileSource::kEnv);
  ASSERT_TRUE(ws->pinned_profile().has_value());
  EXPECT_EQ(*ws->pinned_profile(), "prod");
}

TEST(Profile, ProfileFlagBeatsEnvironmentAndPin) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "prod");
  t.env()["WORKSPACE__PROFILE"] = "tests";
  auto ws = t.Open("access");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "access");
  EXPECT_EQ(ws->profile_source(), ProfileSource::kFlag);
}

TEST(Profile, ProfileFlagCanSelectDevOverAPin) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "prod");
  auto ws = t.Open("dev");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "dev");
}

TEST(Profile, EmptyEnvironmentVariableIsIgnored) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "prod");
  t.env()["WORKSPACE__PROFILE"] = "";
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "prod");
}

TEST(Profile, CustomProfileCanBeSelected) {
  TempWorkspace t;
  t.Write(".dlt/staging.secrets.toml", "");
  t.env()["WORKSPACE__PROFILE"] = "staging";
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->profile(), "staging");
  auto flagged = t.Open("qa_2");
  ASSERT_TRUE(flagged.ok()) << flagged.status().message();
  EXPECT_EQ(flagged->profile(), "qa_2");
}

// ---------------------------------------------------------------- names

TEST(Profile, ValidProfileNamesAreAccepted) {
  for (const char* n : {"dev", "prod", "my_profile", "stage-2", "A1"}) {
    EXPECT_TRUE(ValidateProfileName(n).ok()) << n;
  }
}

TEST(Profile, ProfileNamesThatCouldEscapeAFolderAreRejected) {
  for (const char* n : {"../x", "a/b", "a.b", "", "..", ".", "a b", "a\\b", "dev\n"}) {
    Status s = ValidateProfileName(n);
    EXPECT_FALSE(s.ok()) << "`" << n << "`";
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << n;
  }
  EXPECT_FALSE(ValidateProfileName(std::string(65, 'a')).ok());
  EXPECT_TRUE(ValidateProfileName(std::string(64, 'a')).ok());
}

TEST(Profile, OpenRejectsAnInvalidNameFromEverySource) {
  for (const char* n : {"../x", "a/b", "a.b", ""}) {
    TempWorkspace t;
    auto by_flag = t.Open(std::string(n));
    EXPECT_FALSE(by_flag.ok()) << "flag `" << n << "`";
  }
  for (const char* n : {"../x", "a/b", "a.b"}) {
    TempWorkspace t;
    t.env()["WORKSPACE__PROFILE"] = n;
    auto by_env = t.Open();
    EXPECT_FALSE(by_env.ok()) << "env `" << n << "`";
  }
  for (const char* n : {"../x", "a/b", "a.b"}) {
    TempWorkspace t;
    t.Write(".dlt/profile-name", n);
    auto by_pin = t.Open();
    EXPECT_FALSE(by_pin.ok()) << "pin `" << n << "`";
  }
}

TEST(Profile, TypoOfABuiltinProfileInTheEnvironmentIsRefusedWithASuggestion) {
  TempWorkspace t;
  t.env()["WORKSPACE__PROFILE"] = "prdo";
  auto ws = t.Open();
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kNotFound);
  EXPECT_NE(ws.status().message().find("prdo"), std::string::npos) << ws.status().message();
  EXPECT_NE(ws.status().message().find("Did you mean `prod`"), std::string::npos) << ws.status().message();
}

TEST(Profile, TypoOfAConfiguredCustomProfileIsRefusedWithASuggestion) {
  TempWorkspace t;
  t.Write(".dlt/staging.secrets.toml", "");
  t.env()["WORKSPACE__PROFILE"] = "stagign";
  auto ws = t.Open();
  ASSERT_FALSE(ws.ok());
  EXPECT_NE(ws.status().message().find("`staging`"), std::string::npos) << ws.status().message();
}

TEST(Profile, TypoViaTheFlagIsRefusedToo) {
  TempWorkspace t;
  auto ws = t.Open("tets");
  ASSERT_FALSE(ws.ok());
  EXPECT_NE(ws.status().message().find("`tests`"), std::string::npos) << ws.status().message();
}

// ---------------------------------------------------------------- discovery

TEST(Profile, WorkspaceIsFoundByWalkingUpFromASubFolder) {
  TempWorkspace t;
  fs::path sub = t.root() / "a" / "b" / "c";
  fs::create_directories(sub);
  auto ws = t.Open(std::nullopt, sub);
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_TRUE(ws->workspace_mode());
  EXPECT_EQ(ws->run_dir(), t.root());
  EXPECT_EQ(ws->settings_dir(), t.root() / ".dlt");
  EXPECT_EQ(ws->name(), "ws");
}

TEST(Profile, NearestWorkspaceWinsWhenNested) {
  TempWorkspace t;
  fs::path inner = t.root() / "inner";
  WriteFile(inner / ".dlt" / ".workspace", "");
  fs::create_directories(inner / "sub");
  auto ws = t.Open(std::nullopt, inner / "sub");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(ws->run_dir(), inner);
}

TEST(Profile, WithoutWorkspaceFileTheProjectRunsInClassicMode) {
  TempWorkspace t(/*workspace_mode=*/false);
  t.Write(".dlt/profile-name", "prod");
  fs::path sub = t.root() / "sub";
  fs::create_directories(sub);
  auto ws = t.Open(std::nullopt, sub);
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_FALSE(ws->workspace_mode());
  EXPECT_EQ(ws->run_dir(), sub);
  EXPECT_NE(ws->profile(), "prod");
}

TEST(Profile, GlobalDirIsUnderHome) {
  TempWorkspace t;
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  EXPECT_EQ(ws->global_dir(), t.home() / ".dlt");
}

// ---------------------------------------------------------------- folders

TEST(Profile, EachProfileHasItsOwnWorkingAndLocalFolders) {
  TempWorkspace t;
  Workspace dev = t.OpenLoaded();
  EXPECT_EQ(dev.working_dir(), t.root() / ".dlt" / ".var" / "dev");
  EXPECT_EQ(dev.local_dir(), t.root() / "_local" / "dev");
  EXPECT_EQ(dev.pipelines_dir(), t.root() / ".dlt" / ".var" / "dev" / "pipelines");
  Workspace prod = t.OpenLoaded("prod");
  EXPECT_EQ(prod.working_dir(), t.root() / ".dlt" / ".var" / "prod");
  EXPECT_EQ(prod.local_dir(), t.root() / "_local" / "prod");
}

TEST(Profile, TwoProfilesNeverShareFoldersByDefault) {
  TempWorkspace t;
  t.Write(".dlt/custom.config.toml", "");
  std::vector<std::string> names = {"dev", "prod", "tests", "access", "custom"};
  std::vector<fs::path> working, local;
  for (const auto& n : names) {
    Workspace ws = t.OpenLoaded(n);
    working.push_back(ws.working_dir());
    local.push_back(ws.local_dir());
  }
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = i + 1; j < names.size(); ++j) {
      EXPECT_NE(working[i], working[j]) << names[i] << " vs " << names[j];
      EXPECT_NE(local[i], local[j]) << names[i] << " vs " << names[j];
    }
    for (size_t j = 0; j < names.size(); ++j) EXPECT_NE(working[i], local[j]);
  }
}

TEST(Profile, FoldersAreCreatedOnlyByEnsureFolders) {
  TempWorkspace t;
  Workspace ws = t.OpenLoaded("tests");
  EXPECT_FALSE(fs::exists(ws.working_dir()));
  EXPECT_FALSE(fs::exists(ws.local_dir()));
  ASSERT_TRUE(ws.EnsureFolders().ok());
  EXPECT_TRUE(fs::is_directory(t.root() / ".dlt" / ".var" / "tests"));
  EXPECT_TRUE(fs::is_directory(t.root() / "_local" / "tests"));
}

TEST(Profile, DataDirEnvironmentVariableOverridesTheWorkingFolderWithoutProfileSuffix) {
  TempWorkspace t;
  t.env()["DLT_DATA_DIR"] = (t.tmp() / "data").string();
  Workspace ws = t.OpenLoaded("prod");
  EXPECT_EQ(ws.working_dir(), t.tmp() / "data");
  EXPECT_EQ(ws.local_dir(), t.root() / "_local" / "prod");
}

TEST(Profile, LocalDirEnvironmentVariableOverridesTheLocalFolder) {
  TempWorkspace t;
  t.env()["DLT_LOCAL_DIR"] = (t.tmp() / "local").string();
  Workspace ws = t.OpenLoaded();
  EXPECT_EQ(ws.local_dir(), t.tmp() / "local");
  EXPECT_EQ(ws.working_dir(), t.root() / ".dlt" / ".var" / "dev");
}

TEST(Profile, WorkspaceSettingsOverrideNameAndFoldersRelativeToTheRunDir) {
  TempWorkspace t;
  t.Write(".dlt/config.toml",
          "[workspace.settings]\nname = \"my_ws\"\nworking_dir = \"state/work\"\nlocal_dir = \"state/local\"\n");
  Workspace ws = t.OpenLoaded();
  EXPECT_EQ(ws.name(), "my_ws");
  EXPECT_EQ(ws.working_dir(), t.root() / "state" / "work");
  EXPECT_EQ(ws.local_dir(), t.root() / "state" / "local");
}

TEST(Profile, WorkspaceSettingsCanComeFromAProfileFile) {
  TempWorkspace t;
  t.Write(".dlt/prod.config.toml", "[workspace.settings]\nlocal_dir = \"prod_data\"\n");
  Workspace prod = t.OpenLoaded("prod");
  EXPECT_EQ(prod.local_dir(), t.root() / "prod_data");
  Workspace dev = t.OpenLoaded();
  EXPECT_EQ(dev.local_dir(), t.root() / "_local" / "dev");
}

TEST(Profile, EnvironmentOverridesBeatWorkspaceSettings) {
  TempWorkspace t;
  t.Write(".dlt/config.toml", "[workspace.settings]\nworking_dir = \"w\"\nlocal_dir = \"l\"\n");
  t.env()["DLT_DATA_DIR"] = (t.tmp() / "env_data").string();
  t.env()["DLT_LOCAL_DIR"] = (t.tmp() / "env_local").string();
  Workspace ws = t.OpenLoaded();
  EXPECT_EQ(ws.working_dir(), t.tmp() / "env_data");
  EXPECT_EQ(ws.local_dir(), t.tmp() / "env_local");
}

TEST(Profile, WorkspaceNameDefaultsToTheRunDirName) {
  TempWorkspace t;
  Workspace ws = t.OpenLoaded();
  EXPECT_EQ(ws.name(), "ws");
}

// ---------------------------------------------------------------- listing

// dev is current but not configured: nothing configures it yet (the seed page lists it bare).
TEST(Profile, FreshWorkspaceListsTheFourBuiltinsWithDevCurrentButNotConfigured) {
  TempWorkspace t;
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  auto l = ws->ListProfiles();
  EXPECT_EQ(Names(l), (std::vector<std::string>{"dev", "prod", "tests", "access"}));
  EXPECT_TRUE(l[0].current);
  EXPECT_FALSE(l[0].configured);
  EXPECT_TRUE(l[0].builtin);
  EXPECT_EQ(l[0].description, "dev profile, workspace default");
  EXPECT_EQ(l[1].description, "production profile, assumed by pipelines deployed in Runtime");
  EXPECT_EQ(l[2].description, "profile assumed when running tests");
  EXPECT_EQ(l[3].description,
            "production profile, assumed by interactive notebooks in Runtime, typically with limited access rights");
  for (size_t i = 1; i < l.size(); ++i) {
    EXPECT_FALSE(l[i].current) << l[i].name;
    EXPECT_FALSE(l[i].configured) << l[i].name;
    EXPECT_FALSE(l[i].pinned) << l[i].name;
  }
}

TEST(Profile, ProfileIsConfiguredByASecretsOrConfigFileInProjectOrGlobalDir) {
  TempWorkspace t;
  t.Write(".dlt/prod.secrets.toml", "");
  t.WriteGlobal("tests.config.toml", "");
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  auto l = ws->ListProfiles();
  EXPECT_TRUE(FindListing(l, "prod")->configured);
  EXPECT_TRUE(FindListing(l, "tests")->configured);
  EXPECT_FALSE(FindListing(l, "access")->configured);
  EXPECT_TRUE(ws->IsProfileConfigured("prod"));
  EXPECT_TRUE(ws->IsProfileConfigured("tests"));
  EXPECT_FALSE(ws->IsProfileConfigured("access"));
}

TEST(Profile, ProfileWithPipelinesIsConfigured) {
  TempWorkspace t;
  fs::create_directories(t.root() / ".dlt" / ".var" / "access" / "pipelines" / "my_pipe");
  fs::create_directories(t.root() / ".dlt" / ".var" / "tests" / "pipelines");  // no pipeline in it
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  auto l = ws->ListProfiles();
  EXPECT_TRUE(FindListing(l, "access")->configured);
  EXPECT_FALSE(FindListing(l, "tests")->configured);
}

TEST(Profile, ConfiguredCustomProfilesAreListedAfterTheBuiltins) {
  TempWorkspace t;
  t.Write(".dlt/staging.config.toml", "");
  t.WriteGlobal("analytics.secrets.toml", "");
  fs::create_directories(t.root() / ".dlt" / ".var" / "backfill" / "pipelines" / "p");
  fs::create_directories(t.root() / ".dlt" / ".var" / "empty_one");  // nothing in it: not listed
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  auto l = ws->ListProfiles();
  auto names = Names(l);
  ASSERT_GE(names.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 4),
            (std::vector<std::string>{"dev", "prod", "tests", "access"}));
  for (const char* custom : {"staging", "analytics", "backfill"}) {
    const ProfileListing* p = FindListing(l, custom);
    ASSERT_NE(p, nullptr) << custom;
    EXPECT_TRUE(p->configured) << custom;
    EXPECT_FALSE(p->builtin) << custom;
    EXPECT_FALSE(p->current) << custom;
    EXPECT_EQ(p->description, "custom profile") << custom;
  }
  EXPECT_EQ(FindListing(l, "empty_one"), nullptr);
  EXPECT_EQ(names.size(), 7u);
}

TEST(Profile, PinnedCustomProfileIsListedAsCurrentAndPinned) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "qa");
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  auto l = ws->ListProfiles();
  const ProfileListing* qa = FindListing(l, "qa");
  ASSERT_NE(qa, nullptr);
  EXPECT_TRUE(qa->pinned);
  EXPECT_TRUE(qa->current);
  EXPECT_FALSE(qa->configured);  // current and pinned, but no file or pipeline configures it
  EXPECT_EQ(qa->description, "custom profile");
  EXPECT_FALSE(FindListing(l, "dev")->current);
}

TEST(Profile, PinnedCustomProfileIsListedEvenWhenAnotherIsCurrent) {
  TempWorkspace t;
  t.Write(".dlt/profile-name", "qa");
  auto ws = t.Open("dev");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  auto l = ws->ListProfiles();
  const ProfileListing* qa = FindListing(l, "qa");
  ASSERT_NE(qa, nullptr);
  EXPECT_TRUE(qa->pinned);
  EXPECT_FALSE(qa->current);
  EXPECT_TRUE(FindListing(l, "dev")->current);
}

TEST(Profile, UnconfiguredCustomProfileIsNotListedWhenNotCurrent) {
  TempWorkspace t;
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  EXPECT_EQ(FindListing(ws->ListProfiles(), "qa"), nullptr);
  EXPECT_FALSE(ws->IsProfileConfigured("qa"));
}

// A current custom profile shows up in the list, but is marked configured only when a file or
// its pipelines configure it (issue 15: being current is not being configured).
TEST(Profile, CurrentCustomProfileIsListedAsCurrentButNotConfigured) {
  TempWorkspace t;
  auto ws = t.Open("qa");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  auto l = ws->ListProfiles();
  const ProfileListing* qa = FindListing(l, "qa");
  ASSERT_NE(qa, nullptr) << "current custom profile `qa` missing from the list";
  EXPECT_TRUE(qa->current);
  EXPECT_FALSE(qa->configured);
}

TEST(Profile, CurrentMarkerFollowsTheActiveProfile) {
  TempWorkspace t;
  auto ws = t.Open("prod");
  ASSERT_TRUE(ws.ok());
  auto l = ws->ListProfiles();
  EXPECT_TRUE(FindListing(l, "prod")->current);
  EXPECT_FALSE(FindListing(l, "prod")->configured);  // current, but nothing configures it
  EXPECT_FALSE(FindListing(l, "dev")->current);
  EXPECT_FALSE(FindListing(l, "dev")->configured);
}

// ---------------------------------------------------------------- pin / unpin / pipelines

TEST(Profile, PinWritesTheNameWithoutNewlineAndUnpinRemovesIt) {
  TempWorkspace t;
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  ASSERT_TRUE(ws->Pin("prod").ok());
  EXPECT_EQ(testing::ReadFile(t.root() / ".dlt" / "profile-name"), "prod");
  auto again = t.Open();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->profile(), "prod");
  ASSERT_TRUE(again->Unpin().ok());
  EXPECT_FALSE(fs::exists(t.root() / ".dlt" / "profile-name"));
  Status s = again->Unpin();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(Profile, PinRejectsAnInvalidName) {
  TempWorkspace t;
  auto ws = t.Open();
  ASSERT_TRUE(ws.ok());
  EXPECT_FALSE(ws->Pin("../x").ok());
  EXPECT_FALSE(fs::exists(t.root() / ".dlt" / "profile-name"));
}

TEST(Profile, PipelinesOfTheProfileAreListedByName) {
  TempWorkspace t;
  fs::path p = t.root() / ".dlt" / ".var" / "dev" / "pipelines";
  fs::create_directories(p / "zeta");
  fs::create_directories(p / "alpha");
  WriteFile(p / "alpha" / "state.json", "{}");
  WriteFile(p / "not_a_folder", "");
  fs::create_directories(t.root() / ".dlt" / ".var" / "prod" / "pipelines" / "prod_only");
  Workspace ws = t.OpenLoaded();
  auto pipes = ws.ListPipelines();
  ASSERT_EQ(pipes.size(), 2u);
  EXPECT_EQ(pipes[0].name, "alpha");
  EXPECT_TRUE(pipes[0].last_run.has_value());
  EXPECT_EQ(pipes[1].name, "zeta");
  EXPECT_FALSE(pipes[1].last_run.has_value());
}

}  // namespace
}  // namespace dlt
