// `dlt profile` and the global flags, run as a user would in a temporary workspace.
#include <gtest/gtest.h>

#include <regex>

#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* const kFreshList =
    "Available profiles:\n"
    "* dev (current) - dev profile, workspace default\n"
    "* prod - production profile, assumed by pipelines deployed in Runtime\n"
    "* tests - profile assumed when running tests\n"
    "* access - production profile, assumed by interactive notebooks in Runtime, typically with "
    "limited access rights\n";

TEST(ProfileCli, ListInAFreshWorkspaceShowsTheFourBuiltinsWithDevCurrent) {
  TempWorkspace w;
  auto r = w.Dlt({"profile", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kFreshList);
  EXPECT_EQ(r.err, "");
}

// The sequence of the seed page: list, pin prod, show, show pin, unpin by removing the file.
TEST(ProfileCli, SeedPageSequencePinsShowsAndUnpinsProd) {
  TempWorkspace w;
  auto list = w.Dlt({"profile", "list"});
  EXPECT_EQ(list.out, kFreshList);

  auto pin = w.Dlt({"profile", "prod", "pin"});
  EXPECT_EQ(pin.exit_code, 0) << pin.err;
  EXPECT_EQ(pin.out, "Will pin the profile prod to current Workspace.\n");
  EXPECT_EQ(pin.err, "");
  EXPECT_EQ(w.Read(".dlt/profile-name"), "prod");

  auto show = w.Dlt({"profile"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.err, "Profile `prod` is active.\n");
  EXPECT_EQ(show.out, "Current profile: prod\nPinned profile: prod\n");

  auto info = w.Dlt({"profile", "info"});
  EXPECT_EQ(info.out, show.out);

  auto showpin = w.Dlt({"profile", "pin"});
  EXPECT_EQ(showpin.exit_code, 0) << showpin.err;
  EXPECT_EQ(showpin.out, "Currently pinned profile is: prod. To unpin remove .dlt/profile-name file.\n");
  EXPECT_EQ(showpin.err, "Profile `prod` is active.\n");

  auto list2 = w.Dlt({"profile", "list"});
  EXPECT_EQ(list2.exit_code, 0);
  EXPECT_EQ(list2.out,
            "Available profiles:\n"
            "* dev - dev profile, workspace default\n"
            "* prod (current) - production profile, assumed by pipelines deployed in Runtime\n"
            "* tests - profile assumed when running tests\n"
            "* access - production profile, assumed by interactive notebooks in Runtime, typically with "
            "limited access rights\n");

  fs::remove(w.root() / ".dlt" / "profile-name");
  auto back = w.Dlt({"profile"});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.out, "Current profile: dev\n");
  EXPECT_EQ(back.err, "");

  auto nopin = w.Dlt({"profile", "pin"});
  EXPECT_EQ(nopin.out, "No pinned profile.\n");
}

TEST(ProfileCli, UnpinCommandRemovesThePinFile) {
  TempWorkspace w;
  ASSERT_EQ(w.Dlt({"profile", "prod", "pin"}).exit_code, 0);
  auto r = w.Dlt({"profile", "unpin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "prod")) << r.out;
  EXPECT_FALSE(w.Exists(".dlt/profile-name"));
  auto show = w.Dlt({"profile"});
  EXPECT_EQ(show.out, "Current profile: dev\n");
  EXPECT_EQ(show.err, "");
  auto again = w.Dlt({"profile", "unpin"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "No pinned profile.\n");
}

TEST(ProfileCli, PinningReplacesAnEarlierPin) {
  TempWorkspace w;
  ASSERT_EQ(w.Dlt({"profile", "prod", "pin"}).exit_code, 0);
  auto r = w.Dlt({"profile", "tests", "pin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Will pin the profile tests to current Workspace.\n");
  EXPECT_EQ(w.Read(".dlt/profile-name"), "tests");
  EXPECT_EQ(w.Dlt({"profile"}).out, "Current profile: tests\nPinned profile: tests\n");
}

TEST(ProfileCli, WorkspaceProfileEnvironmentVariableOverridesThePin) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "prod");
  w.env()["WORKSPACE__PROFILE"] = "tests";
  auto r = w.Dlt({"profile"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Current profile: tests\nPinned profile: prod\n");
  EXPECT_EQ(r.err, "Profile `tests` is active.\n");
}

TEST(ProfileCli, ProfileFlagOverridesEnvironmentAndPin) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "prod");
  w.env()["WORKSPACE__PROFILE"] = "tests";
  auto r = w.Dlt({"--profile", "access", "profile"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Current profile: access\nPinned profile: prod\n");
  EXPECT_EQ(r.err, "Profile `access` is active.\n");
  // The flag works after the command too, and in the --profile=NAME form.
  auto after = w.Dlt({"profile", "--profile=access"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "Current profile: access\nPinned profile: prod\n");
}

TEST(ProfileCli, ProfileFlagSelectingDevPrintsNoBanner) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "prod");
  auto r = w.Dlt({"--profile", "dev", "profile"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Current profile: dev\nPinned profile: prod\n");
  EXPECT_EQ(r.err, "");
}

TEST(ProfileCli, ConfiguredCustomProfileAppearsInTheList) {
  TempWorkspace w;
  w.Write(".dlt/staging.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  w.Write(".dlt/prod.config.toml", "");
  auto r = w.Dlt({"profile", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Available profiles:\n"
            "* dev (current) - dev profile, workspace default\n"
            "* prod (configured) - production profile, assumed by pipelines deployed in Runtime\n"
            "* tests - profile assumed when running tests\n"
            "* access - production profile, assumed by interactive notebooks in Runtime, typically with "
            "limited access rights\n"
            "* staging (configured) - custom profile\n");

  ASSERT_EQ(w.Dlt({"profile", "staging", "pin"}).exit_code, 0);
  auto pinned = w.Dlt({"profile", "list"});
  EXPECT_TRUE(Contains(pinned.out, "* staging (current) (configured) - custom profile\n")) << pinned.out;
  EXPECT_TRUE(Contains(pinned.out, "* dev - dev profile, workspace default\n")) << pinned.out;
  EXPECT_EQ(pinned.err, "Profile `staging` is active.\n");
}

// The current profile is marked configured only when a file or its pipelines configure it.
TEST(ProfileCli, CurrentProfileIsMarkedConfiguredOnlyWhenSomethingConfiguresIt) {
  TempWorkspace w;
  EXPECT_TRUE(Contains(w.Dlt({"profile", "list"}).out, "* dev (current) - dev profile"));
  w.Write(".dlt/dev.config.toml", "");
  EXPECT_TRUE(Contains(w.Dlt({"profile", "list"}).out, "* dev (current) (configured) - dev profile"));
  auto custom = w.Dlt({"--profile", "adhoc", "profile", "list"});
  EXPECT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_TRUE(Contains(custom.out, "* adhoc (current) - custom profile\n")) << custom.out;
}

TEST(ProfileCli, PinningACustomProfileNothingConfiguresWarnsAndPins) {
  TempWorkspace w;
  auto r = w.Dlt({"profile", "staging", "pin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Will pin the profile staging to current Workspace.\n");
  EXPECT_TRUE(Contains(r.err, "WARNING: Profile `staging` is not configured: no .dlt/staging.secrets.toml or "
                              ".dlt/staging.config.toml")) << r.err;
  EXPECT_EQ(w.Read(".dlt/profile-name"), "staging");
  // Configured: no warning.
  w.Write(".dlt/qa.config.toml", "");
  auto qa = w.Dlt({"profile", "qa", "pin"});
  EXPECT_EQ(qa.exit_code, 0) << qa.err;
  EXPECT_FALSE(Contains(qa.err, "WARNING")) << qa.err;
}

TEST(ProfileCli, OperationHelpShowsTheOperationsOwnHelp) {
  TempWorkspace w;
  auto clean = w.Dlt({"workspace", "clean", "--help"});
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.out.rfind("usage: dlt workspace clean [--skip-data-dir] [--yes]\n", 0), 0u) << clean.out;
  EXPECT_TRUE(Contains(clean.out, "--skip-data-dir")) << clean.out;
  EXPECT_FALSE(Contains(clean.out, "--all-profiles")) << clean.out;

  auto sync = w.Dlt({"pipeline", "shop", "sync", "--help"});
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(sync.out.rfind("usage: dlt pipeline <name> sync [--destination D] [--dataset-name N]\n", 0), 0u) << sync.out;
  EXPECT_FALSE(Contains(sync.out, "failed-jobs")) << sync.out;

  auto pin = w.Dlt({"profile", "prod", "pin", "--help"});
  EXPECT_EQ(pin.out.rfind("usage: dlt profile NAME pin\n", 0), 0u) << pin.out;
  EXPECT_FALSE(w.Exists(".dlt/profile-name"));

  auto explain = w.Dlt({"config", "explain", "--help"});
  EXPECT_EQ(explain.out.rfind("usage: dlt config explain KEY [--pipeline NAME]\n", 0), 0u) << explain.out;
  EXPECT_TRUE(Contains(explain.out, "--pipeline NAME")) << explain.out;

  // Without an operation: the group's help.
  EXPECT_EQ(w.Dlt({"pipeline", "--help"}).out.rfind("usage: dlt pipeline [-l | --list-pipelines]", 0), 0u);
}

TEST(ProfileCli, ProfileConfiguredInTheGlobalDirIsMarkedConfigured) {
  TempWorkspace w;
  WriteFile(w.home() / ".dlt" / "tests.secrets.toml", "");
  auto r = w.Dlt({"profile", "list"});
  EXPECT_TRUE(Contains(r.out, "* tests (configured) - profile assumed when running tests\n")) << r.out;
}

TEST(ProfileCli, ProfileWithPipelinesIsMarkedConfigured) {
  TempWorkspace w;
  fs::create_directories(w.root() / ".dlt" / ".var" / "access" / "pipelines" / "notebook_pipe");
  auto r = w.Dlt({"profile", "list"});
  EXPECT_TRUE(Contains(r.out, "* access (configured) - production profile")) << r.out;
}

TEST(ProfileCli, PinningATypoOfAProfileIsRefusedWithASuggestion) {
  TempWorkspace w;
  auto r = w.Dlt({"profile", "prdo", "pin"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Did you mean `prod`")) << r.err;
  EXPECT_FALSE(w.Exists(".dlt/profile-name"));
}

TEST(ProfileCli, TypoOfAProfileInTheEnvironmentIsRefusedWithASuggestion) {
  TempWorkspace w;
  w.env()["WORKSPACE__PROFILE"] = "prdo";
  auto r = w.Dlt({"profile"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "Did you mean `prod`")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(ProfileCli, CommandsFromASubFolderUseTheWorkspaceAbove) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "prod");
  fs::path sub = w.root() / "pipelines" / "nested";
  fs::create_directories(sub);
  auto r = w.Dlt({"profile"}, sub);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Current profile: prod\nPinned profile: prod\n");
  auto pin = w.Dlt({"profile", "tests", "pin"}, sub);
  EXPECT_EQ(pin.exit_code, 0) << pin.err;
  EXPECT_EQ(w.Read(".dlt/profile-name"), "tests");
  EXPECT_FALSE(fs::exists(sub / ".dlt"));
}

TEST(ProfileCli, OutsideAWorkspaceProfileCommandExplainsHowToEnableIt) {
  TempWorkspace w(/*workspace_mode=*/false);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"profile"}, {"profile", "list"}, {"profile", "prod", "pin"}}) {
    auto r = w.Dlt(args);
    EXPECT_NE(r.exit_code, 0) << args.back();
    EXPECT_TRUE(Contains(r.err, ".dlt/.workspace")) << r.err;
    EXPECT_EQ(r.err.rfind("ERROR: ", 0), 0u) << r.err;
  }
  EXPECT_FALSE(w.Exists(".dlt/profile-name"));
}

TEST(ProfileCli, MisspelledCommandSuggestsTheRightOne) {
  TempWorkspace w;
  auto r = w.Dlt({"profle"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "Did you mean `profile`")) << r.err;
  EXPECT_EQ(r.err.rfind("ERROR: ", 0), 0u) << r.err;

  auto sub = w.Dlt({"profile", "lsit"});
  EXPECT_NE(sub.exit_code, 0);
  EXPECT_TRUE(Contains(sub.err, "Did you mean `list`")) << sub.err;
  EXPECT_EQ(sub.out, "");

  auto op = w.Dlt({"profile", "prod", "pni"});
  EXPECT_NE(op.exit_code, 0);
  EXPECT_TRUE(Contains(op.err, "Did you mean `pin`")) << op.err;
  EXPECT_FALSE(w.Exists(".dlt/profile-name"));

  auto ws = w.Dlt({"workspace", "clena"});
  EXPECT_NE(ws.exit_code, 0);
  EXPECT_TRUE(Contains(ws.err, "Did you mean `clean`")) << ws.err;
}

TEST(ProfileCli, InvalidProfileNameInTheFlagIsRefused) {
  TempWorkspace w;
  for (const char* bad : {"../x", "a/b", "a.b"}) {
    auto r = w.Dlt({"--profile", bad, "profile"});
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_EQ(r.err.rfind("ERROR: ", 0), 0u) << r.err;
    EXPECT_EQ(r.out, "") << bad;
  }
  auto pin = w.Dlt({"profile", "../x", "pin"});
  EXPECT_NE(pin.exit_code, 0);
  EXPECT_FALSE(w.Exists(".dlt/profile-name"));
  EXPECT_FALSE(fs::exists(w.tmp() / "x"));
  EXPECT_FALSE(fs::exists(w.root() / "_local" / ".." / ".." / "x"));
}

TEST(ProfileCli, ProfileFlagWithoutValueIsAnError) {
  TempWorkspace w;
  auto r = w.Dlt({"profile", "--profile"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.rfind("ERROR: ", 0), 0u) << r.err;
}

TEST(ProfileCli, MainHelpListsCommandsAndGlobalOptions) {
  TempWorkspace w;
  auto r = w.Dlt({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("usage: dlt", 0), 0u) << r.out;
  for (const char* s : {"profile", "workspace", "--version", "--debug", "--non-interactive", "--profile"}) {
    EXPECT_TRUE(Contains(r.out, s)) << s;
  }
  EXPECT_EQ(r.err, "");
  auto h = w.Dlt({"-h"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_EQ(h.out, r.out);
}

TEST(ProfileCli, NoCommandPrintsUsageAndFails) {
  TempWorkspace w;
  auto r = w.Dlt({});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "usage: dlt")) << r.err;
}

TEST(ProfileCli, CommandHelpDescribesTheCommand) {
  TempWorkspace w;
  auto p = w.Dlt({"profile", "--help"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out.rfind("usage: dlt profile", 0), 0u) << p.out;
  for (const char* s : {"list", "pin", "unpin", "WORKSPACE__PROFILE"}) EXPECT_TRUE(Contains(p.out, s)) << s;

  auto ws = w.Dlt({"workspace", "--help"});
  EXPECT_EQ(ws.exit_code, 0) << ws.err;
  EXPECT_EQ(ws.out.rfind("usage: dlt workspace", 0), 0u) << ws.out;
  for (const char* s : {"info", "clean", "--skip-data-dir"}) EXPECT_TRUE(Contains(ws.out, s)) << s;

  // Help works outside a workspace too.
  TempWorkspace classic(false);
  EXPECT_EQ(classic.Dlt({"profile", "--help"}).exit_code, 0);
}

TEST(ProfileCli, VersionPrintsTheProgramNameAndVersion) {
  TempWorkspace w;
  auto r = w.Dlt({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("dlt [0-9]+\\.[0-9]+\\.[0-9]+ \\(compatible with dlt 1\\.26\\.0\\)\n")))
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(ProfileCli, OutputHasNoColourWhenPipedOrWithNoColor) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "prod");
  w.Write(".dlt/prod.config.toml", "");  // configured, so both markers show
  auto piped = w.Dlt({"profile", "list"});
  EXPECT_FALSE(Contains(piped.out + piped.err, "\x1b[")) << piped.out;
  w.env()["NO_COLOR"] = "1";
  auto term = w.DltInTerminal({"profile", "list"}, "");
  EXPECT_EQ(term.exit_code, 0) << term.out;
  EXPECT_TRUE(Contains(term.out, "Profile `prod` is active.")) << term.out;
  EXPECT_TRUE(Contains(term.out, "* prod (current) (configured)")) << term.out;
  EXPECT_FALSE(Contains(term.out, "\x1b[")) << term.out;
}

TEST(ProfileCli, InvalidPinFileIsAnErrorNamingTheFile) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "../etc\n");
  auto r = w.Dlt({"profile"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, ".dlt/profile-name")) << r.err;
}

TEST(ProfileCli, PinFileWrittenByHandWithNewlineIsAccepted) {
  TempWorkspace w;
  w.Write(".dlt/profile-name", "prod\r\n");
  auto r = w.Dlt({"profile"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Current profile: prod\nPinned profile: prod\n");
}

}  // namespace
}  // namespace dlt::testing
