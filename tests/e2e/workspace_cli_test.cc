// `dlt workspace info` and `dlt workspace clean`, run as a user would in a temporary workspace.
#include <gtest/gtest.h>

#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

bool HasLineContaining(const std::string& out, const std::string& needle) {
  size_t start = 0;
  while (start <= out.size()) {
    size_t end = out.find('\n', start);
    std::string line = out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.find(needle) != std::string::npos) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// The line of `out` that contains `needle`, or "".
std::string LineWith(const std::string& out, const std::string& needle) {
  size_t pos = out.find(needle);
  if (pos == std::string::npos) return "";
  size_t b = out.rfind('\n', pos);
  b = b == std::string::npos ? 0 : b + 1;
  size_t e = out.find('\n', pos);
  return out.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

// ---------------------------------------------------------------- info

TEST(WorkspaceCli, InfoNamesTheWorkspaceAndTheFoldersOfTheCurrentProfile) {
  TempWorkspace w;
  const std::string root = w.root().string();
  auto r = w.Dlt({"workspace", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(HasLineContaining(r.out, "Workspace ws")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, "Workspace dir: " + root)) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, "Settings dir: " + root + "/.dlt")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, root + "/.dlt/.var/dev")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, root + "/_local/dev")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, "profile dev")) << r.out;
  // `dlt workspace` alone is `info`.
  auto bare = w.Dlt({"workspace"});
  EXPECT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(bare.out, r.out);
}

TEST(WorkspaceCli, InfoListsConfigFilesFoundWithProfileAndGlobalTags) {
  TempWorkspace w;
  const std::string root = w.root().string(), global = (w.home() / ".dlt").string();
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  w.Write(".dlt/config.toml", "[sources.api]\nbase_url = \"x\"\n");
  WriteFile(w.home() / ".dlt" / "secrets.toml", "[sources.api]\napi_key = \"k\"\n");
  auto r = w.Dlt({"workspace", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string dev = LineWith(r.out, root + "/.dlt/dev.secrets.toml");
  EXPECT_TRUE(Contains(dev, "(profile: dev)")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, root + "/.dlt/config.toml")) << r.out;
  EXPECT_FALSE(Contains(LineWith(r.out, root + "/.dlt/config.toml"), "profile")) << r.out;
  EXPECT_TRUE(Contains(LineWith(r.out, global + "/secrets.toml"), "global")) << r.out;
  // Locations probed but not found are not listed without -v.
  EXPECT_FALSE(Contains(r.out, root + "/.dlt/secrets.toml")) << r.out;
  EXPECT_FALSE(Contains(r.out, root + "/.dlt/dev.config.toml")) << r.out;
  EXPECT_FALSE(Contains(r.out, "not found)")) << r.out;
  // Secret values are never shown.
  EXPECT_FALSE(Contains(r.out, "api_key = ")) << r.out;
}

TEST(WorkspaceCli, VerboseInfoAlsoListsLocationsNotFound) {
  TempWorkspace w;
  const std::string root = w.root().string(), global = (w.home() / ".dlt").string();
  w.Write(".dlt/dev.secrets.toml", "");
  auto r = w.Dlt({"workspace", "info", "-v"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(Contains(LineWith(r.out, root + "/.dlt/dev.secrets.toml"), "not found")) << r.out;
  for (const std::string& missing :
       {root + "/.dlt/secrets.toml", root + "/.dlt/dev.config.toml", root + "/.dlt/config.toml",
        global + "/dev.secrets.toml", global + "/secrets.toml", global + "/config.toml"}) {
    std::string line = LineWith(r.out, missing + " ");
    EXPECT_TRUE(Contains(line, "not found")) << missing << "\n" << r.out;
  }
  EXPECT_TRUE(Contains(LineWith(r.out, root + "/.dlt/dev.config.toml"), "profile: dev")) << r.out;
  auto long_flag = w.Dlt({"workspace", "info", "--verbose"});
  EXPECT_EQ(long_flag.out, r.out);
}

TEST(WorkspaceCli, InfoListsThePipelinesOfTheCurrentProfileOnly) {
  TempWorkspace w;
  fs::create_directories(w.root() / ".dlt" / ".var" / "dev" / "pipelines" / "pokemon_api_pipeline");
  WriteFile(w.root() / ".dlt" / ".var" / "dev" / "pipelines" / "chess_pipeline" / "state.json", "{}");
  fs::create_directories(w.root() / ".dlt" / ".var" / "prod" / "pipelines" / "prod_only_pipeline");
  auto r = w.Dlt({"workspace", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLineContaining(r.out, "pokemon_api_pipeline")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, "chess_pipeline")) << r.out;
  EXPECT_FALSE(Contains(r.out, "prod_only_pipeline")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, "2 pipelines found")) << r.out;

  auto prod = w.Dlt({"--profile", "prod", "workspace", "info"});
  EXPECT_EQ(prod.exit_code, 0) << prod.err;
  EXPECT_TRUE(Contains(prod.out, "prod_only_pipeline")) << prod.out;
  EXPECT_FALSE(Contains(prod.out, "pokemon_api_pipeline")) << prod.out;
  EXPECT_EQ(prod.err, "Profile `prod` is active.\n");
}

TEST(WorkspaceCli, InfoOfAPinnedProfileShowsItsFoldersAndThatItIsPinned) {
  TempWorkspace w;
  const std::string root = w.root().string();
  w.Write(".dlt/profile-name", "prod");
  auto r = w.Dlt({"workspace", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLineContaining(r.out, root + "/.dlt/.var/prod")) << r.out;
  EXPECT_TRUE(HasLineContaining(r.out, root + "/_local/prod")) << r.out;
  EXPECT_FALSE(Contains(r.out, root + "/_local/dev")) << r.out;
  EXPECT_TRUE(Contains(r.out, "pinned")) << r.out;
}

TEST(WorkspaceCli, InfoUsesTheConfiguredWorkspaceName) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[workspace.settings]\nname = \"pokemon_ws\"\n");
  auto r = w.Dlt({"workspace", "info"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLineContaining(r.out, "Workspace pokemon_ws")) << r.out;
}

TEST(WorkspaceCli, InfoFromASubFolderDescribesTheWorkspaceAbove) {
  TempWorkspace w;
  fs::path sub = w.root() / "a" / "b";
  fs::create_directories(sub);
  auto r = w.Dlt({"workspace", "info"}, sub);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLineContaining(r.out, "Workspace dir: " + w.root().string())) << r.out;
  EXPECT_FALSE(Contains(r.out, sub.string() + "/_local")) << r.out;
}

TEST(WorkspaceCli, TomlSyntaxErrorIsReportedWithFileLineAndColumn) {
  TempWorkspace w;
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \n");
  auto r = w.Dlt({"workspace", "info"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "ERROR: .dlt/dev.secrets.toml:2:")) << r.err;
}

TEST(WorkspaceCli, OutsideAWorkspaceExplainsHowToEnableIt) {
  TempWorkspace w(/*workspace_mode=*/false);
  for (const char* op : {"info", "clean"}) {
    auto r = w.Dlt({"workspace", op, "--yes"});
    EXPECT_NE(r.exit_code, 0) << op;
    EXPECT_TRUE(Contains(r.err, ".dlt/.workspace")) << r.err;
  }
}

// ---------------------------------------------------------------- clean

// Fills the dev and prod folders of a workspace with some files.
void FillProfileFolders(const TempWorkspace& w) {
  for (const char* p : {"dev", "prod"}) {
    WriteFile(w.root() / "_local" / p / "warehouse.duckdb", "db");
    WriteFile(w.root() / ".dlt" / ".var" / p / "pipelines" / "pipe" / "state.json", "{}");
  }
}

bool IsEmptyDir(const fs::path& p) { return fs::is_directory(p) && fs::is_empty(p); }

// Without a terminal nobody can confirm: clean says that nothing was deleted and why, and exits
// with 4 as under a protected profile (it used to exit 0 silently).
TEST(WorkspaceCli, CleanWithoutTerminalDeletesNothingAndSaysWhyWithExitCode4) {
  TempWorkspace w;
  FillProfileFolders(w);
  auto r = w.Dlt({"workspace", "clean"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.out, "_local/dev")) << r.out;
  EXPECT_TRUE(Contains(r.out, ".dlt/.var/dev")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Remote destinations are not affected")) << r.out;
  EXPECT_TRUE(Contains(r.err, "ERROR: Nothing was deleted: `dlt workspace clean` needs confirmation and there is no "
                              "terminal")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Pass --yes to delete.")) << r.err;
  EXPECT_FALSE(Contains(r.out, "Deleting")) << r.out;
  EXPECT_TRUE(w.Exists("_local/dev/warehouse.duckdb"));
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/pipe/state.json"));
  // Typed answers on a pipe are not read: still non-interactive.
  auto piped_yes = w.Dlt({"workspace", "clean"}, {}, "y\n");
  EXPECT_EQ(piped_yes.exit_code, 4) << piped_yes.err;
  EXPECT_TRUE(w.Exists("_local/dev/warehouse.duckdb"));
}

TEST(WorkspaceCli, CleanSaysDeletingOnlyForFoldersThatExist) {
  TempWorkspace w;
  WriteFile(w.root() / ".dlt" / ".var" / "dev" / "pipelines" / "pipe" / "state.json", "{}");
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "Deleting .dlt/.var/dev")) << r.out;
  EXPECT_FALSE(Contains(r.out, "Deleting _local/dev")) << r.out;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "dev"));
  EXPECT_TRUE(IsEmptyDir(w.root() / ".dlt" / ".var" / "dev"));
}

TEST(WorkspaceCli, CleanWithYesDeletesAndRecreatesTheProfileFoldersEmpty) {
  TempWorkspace w;
  FillProfileFolders(w);
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "dev"));
  EXPECT_TRUE(IsEmptyDir(w.root() / ".dlt" / ".var" / "dev"));
  // Settings are untouched.
  EXPECT_TRUE(w.Exists(".dlt/.workspace"));
}

TEST(WorkspaceCli, CleanLeavesTheFoldersOfOtherProfilesAlone) {
  TempWorkspace w;
  FillProfileFolders(w);
  w.Write(".dlt/dev.secrets.toml", "");
  w.Write(".dlt/prod.secrets.toml", "");
  auto r = w.Dlt({"workspace", "clean", "-y"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(w.Exists("_local/prod/warehouse.duckdb"));
  EXPECT_TRUE(w.Exists(".dlt/.var/prod/pipelines/pipe/state.json"));
  EXPECT_TRUE(w.Exists(".dlt/dev.secrets.toml"));
  EXPECT_TRUE(w.Exists(".dlt/prod.secrets.toml"));
  EXPECT_FALSE(w.Exists("_local/dev/warehouse.duckdb"));
}

TEST(WorkspaceCli, CleanOfProdDeletesOnlyProdFolders) {
  TempWorkspace w;
  FillProfileFolders(w);
  auto r = w.Dlt({"--profile", "prod", "workspace", "clean", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "_local/prod")) << r.out;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "prod"));
  EXPECT_TRUE(IsEmptyDir(w.root() / ".dlt" / ".var" / "prod"));
  EXPECT_TRUE(w.Exists("_local/dev/warehouse.duckdb"));
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/pipe/state.json"));
}

TEST(WorkspaceCli, CleanWithSkipDataDirKeepsTheWorkingFolder) {
  TempWorkspace w;
  FillProfileFolders(w);
  auto r = w.Dlt({"workspace", "clean", "--skip-data-dir", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "dev"));
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/pipe/state.json"));
  EXPECT_FALSE(Contains(r.out, ".dlt/.var/dev")) << r.out;
}

TEST(WorkspaceCli, CleanInATerminalAsksAndDeletesOnYes) {
  TempWorkspace w;
  FillProfileFolders(w);
  auto r = w.DltInTerminal({"workspace", "clean"}, "y\n");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(Contains(r.out, "Do you want to proceed? [y/N]")) << r.out;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "dev"));
  EXPECT_TRUE(IsEmptyDir(w.root() / ".dlt" / ".var" / "dev"));
  EXPECT_TRUE(w.Exists("_local/prod/warehouse.duckdb"));
}

TEST(WorkspaceCli, CleanInATerminalKeepsEverythingOnNoOrEnter) {
  for (const char* answer : {"n\n", "\n"}) {
    TempWorkspace w;
    FillProfileFolders(w);
    auto r = w.DltInTerminal({"workspace", "clean"}, answer);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(Contains(r.out, "Do you want to proceed? [y/N]")) << r.out;
    EXPECT_TRUE(Contains(r.out, "Nothing was deleted.")) << r.out;
    EXPECT_TRUE(w.Exists("_local/dev/warehouse.duckdb")) << "answer " << answer;
    EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/pipe/state.json")) << "answer " << answer;
  }
}

TEST(WorkspaceCli, NonInteractiveFlagSkipsThePromptOnATerminal) {
  TempWorkspace w;
  FillProfileFolders(w);
  auto r = w.DltInTerminal({"--non-interactive", "workspace", "clean"}, "y\n");
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_FALSE(Contains(r.out, "Do you want to proceed?")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Nothing was deleted")) << r.out;
  EXPECT_TRUE(w.Exists("_local/dev/warehouse.duckdb"));
}

TEST(WorkspaceCli, CleanRefusesALocalDirOutsideTheWorkspace) {
  TempWorkspace w;
  FillProfileFolders(w);
  fs::path outside = w.tmp() / "elsewhere";
  WriteFile(outside / "precious.duckdb", "keep me");
  w.env()["DLT_LOCAL_DIR"] = outside.string();
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.rfind("ERROR: ", 0), 0u) << r.err;
  EXPECT_TRUE(fs::exists(outside / "precious.duckdb"));
  // Nothing else was deleted either.
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/pipe/state.json"));
}

TEST(WorkspaceCli, CleanRefusesALocalDirThatIsTheWorkspaceRoot) {
  TempWorkspace w;
  FillProfileFolders(w);
  w.Write("my_pipeline.py", "print('hi')\n");
  for (const std::string& dir : {w.root().string(), w.root().string() + "/", w.root().string() + "/_local/.."}) {
    w.env()["DLT_LOCAL_DIR"] = dir;
    auto r = w.Dlt({"workspace", "clean", "--yes"});
    EXPECT_NE(r.exit_code, 0) << dir;
    EXPECT_TRUE(w.Exists("my_pipeline.py")) << dir;
    EXPECT_TRUE(w.Exists(".dlt/.workspace")) << dir;
  }
}

TEST(WorkspaceCli, CleanRefusesAWorkingDirThatIsTheSettingsDir) {
  TempWorkspace w;
  w.Write(".dlt/secrets.toml", "");
  w.env()["DLT_DATA_DIR"] = (w.root() / ".dlt").string();
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(w.Exists(".dlt/secrets.toml"));
  EXPECT_TRUE(w.Exists(".dlt/.workspace"));
}

TEST(WorkspaceCli, CleanRefusesALocalFolderThatIsASymlinkOutOfTheWorkspace) {
  TempWorkspace w;
  fs::path outside = w.tmp() / "outside_data";
  WriteFile(outside / "precious.duckdb", "keep me");
  fs::create_directories(w.root() / "_local");
  fs::create_directory_symlink(outside, w.root() / "_local" / "dev");
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.rfind("ERROR: ", 0), 0u) << r.err;
  EXPECT_TRUE(fs::exists(outside / "precious.duckdb"));
  EXPECT_TRUE(fs::is_symlink(w.root() / "_local" / "dev"));
}

TEST(WorkspaceCli, CleanRefusesWhenTheLocalParentIsASymlinkOutOfTheWorkspace) {
  TempWorkspace w;
  fs::path outside = w.tmp() / "outside_parent";
  WriteFile(outside / "dev" / "precious.duckdb", "keep me");
  fs::create_directory_symlink(outside, w.root() / "_local");
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(fs::exists(outside / "dev" / "precious.duckdb"));
}

TEST(WorkspaceCli, CleanRefusesASiblingFolderWhoseNameStartsLikeTheWorkspace) {
  TempWorkspace w;
  fs::path sibling = fs::path(w.root().string() + "_backup");
  WriteFile(sibling / "precious.duckdb", "keep me");
  w.env()["DLT_LOCAL_DIR"] = sibling.string();
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(fs::exists(sibling / "precious.duckdb"));
}

TEST(WorkspaceCli, CleanWithSkipDataDirDoesNotCheckOrTouchTheWorkingFolder) {
  TempWorkspace w;
  fs::path outside = w.tmp() / "outside_work";
  WriteFile(outside / "pipelines" / "p" / "state.json", "{}");
  WriteFile(w.root() / "_local" / "dev" / "warehouse.duckdb", "db");
  w.env()["DLT_DATA_DIR"] = outside.string();
  auto refused = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(w.Exists("_local/dev/warehouse.duckdb"));
  auto r = w.Dlt({"workspace", "clean", "--skip-data-dir", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "dev"));
  EXPECT_TRUE(fs::exists(outside / "pipelines" / "p" / "state.json"));
}

TEST(WorkspaceCli, CleanOfAFreshWorkspaceCreatesTheEmptyFolders) {
  TempWorkspace w;
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsEmptyDir(w.root() / "_local" / "dev"));
  EXPECT_TRUE(IsEmptyDir(w.root() / ".dlt" / ".var" / "dev"));
}

TEST(WorkspaceCli, UnknownOptionIsAnErrorWithASuggestion) {
  TempWorkspace w;
  auto r = w.Dlt({"workspace", "info", "--verbos"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "Did you mean `--verbose`")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
