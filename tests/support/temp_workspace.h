// The one temporary folder and workspace of the unit, end-to-end and integration tests.
//
// TempDir: a fresh folder named after the running test, removed when the object goes away, or
// kept (its path printed) when DLT_TEST_KEEP=1, so a failing test's files can be looked at.
//
// TempWorkspace: <tmp>/ws is the workspace root (with .dlt/.workspace unless classic), <tmp>/home
// is HOME. Nothing ever reads the real ~/.dlt or the process environment: the engine is opened
// with an explicit Environment and home, and every run of the dlt binary gets exactly env() (plus
// PATH), so neither the real ~/.dlt nor the caller's WORKSPACE__PROFILE can leak in.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dlt/workspace.h"
#include "test_util.h"

namespace dlt::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class TempWorkspace {
 public:
  explicit TempWorkspace(bool workspace_mode = true);

  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& home() const { return home_; }
  const std::filesystem::path& tmp() const { return tmp_.path(); }
  std::map<std::string, std::string>& env() { return env_; }
  const std::map<std::string, std::string>& env() const { return env_; }

  // Files relative to the workspace root.
  void Write(const std::string& rel, const std::string& content) const { WriteFile(root_ / rel, content); }
  std::string Read(const std::string& rel) const { return ReadFile(root_ / rel); }
  bool Exists(const std::string& rel) const { return std::filesystem::exists(root_ / rel); }
  // .dlt/config.toml and .dlt/secrets.toml, or .dlt/<profile>.config.toml / <profile>.secrets.toml.
  void WriteConfig(const std::string& toml, const std::string& profile = "") const;
  void WriteSecrets(const std::string& toml, const std::string& profile = "") const;
  // A file of the global settings dir (<home>/.dlt).
  void WriteGlobal(const std::string& name, const std::string& content) const {
    WriteFile(home_ / ".dlt" / name, content);
  }

  // The engine's view of this workspace (the unit tests' way in).
  StatusOr<Workspace> Open(std::optional<std::string> profile = std::nullopt,
                           std::filesystem::path start = {}) const;
  // Opens and loads the configuration; throws (a test failure) when either fails.
  Workspace OpenLoaded(std::optional<std::string> profile = std::nullopt) const;

#ifdef DLT_BINARY
  // Runs `dlt <args>` in the workspace root (or `cwd`) without a terminal (the end-to-end tests'
  // way in; only where the test target defines DLT_BINARY).
  RunResult Dlt(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                const std::string& input = "") const {
    return Run(DltArgv(args), cwd.empty() ? root_ : cwd, env_, input);
  }
  // Runs `dlt <args>` on a pseudo-terminal, typing `input`.
  RunResult DltInTerminal(const std::vector<std::string>& args, const std::string& input) const {
    return RunInTerminal(DltArgv(args), root_, env_, input);
  }
  static std::vector<std::string> DltArgv(const std::vector<std::string>& args) {
    std::vector<std::string> argv{DLT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
#endif

 private:
  TempDir tmp_;
  std::filesystem::path root_, home_;
  std::map<std::string, std::string> env_;
};

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace dlt::testing
