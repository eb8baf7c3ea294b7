// A temporary workspace for end-to-end tests of the dlt binary: <tmp>/ws holds .dlt/.workspace
// (unless classic), <tmp>/home is HOME. Every run gets exactly the environment in env() (plus
// PATH), so neither the real ~/.dlt nor the caller's WORKSPACE__PROFILE can leak in.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"

namespace dlt::testing {

class CliWorkspace {
 public:
  explicit CliWorkspace(bool workspace_mode = true) {
    root_ = tmp_.path() / "ws";
    home_ = tmp_.path() / "home";
    std::filesystem::create_directories(root_ / ".dlt");
    std::filesystem::create_directories(home_);
    if (workspace_mode) WriteFile(root_ / ".dlt" / ".workspace", "");
    env_["HOME"] = home_.string();
  }

  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& home() const { return home_; }
  const std::filesystem::path& tmp() const { return tmp_.path(); }
  std::map<std::string, std::string>& env() { return env_; }

  void Write(const std::string& rel, const std::string& content) { WriteFile(root_ / rel, content); }
  std::string Read(const std::string& rel) const { return ReadFile(root_ / rel); }
  bool Exists(const std::string& rel) const { return std::filesystem::exists(root_ / rel); }

  // Runs `dlt <args>` in the workspace root (or `cwd`) without a terminal.
  RunResult Dlt(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                const std::string& input = "") const {
    return Run(Argv(args), cwd.empty() ? root_ : cwd, env_, input);
  }
  // Runs `dlt <args>` on a pseudo-terminal, typing `input`.
  RunResult DltInTerminal(const std::vector<std::string>& args, const std::string& input) const {
    return RunInTerminal(Argv(args), root_, env_, input);
  }

 private:
  static std::vector<std::string> Argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv{DLT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  TempDir tmp_;
  std::filesystem::path root_, home_;
  std::map<std::string, std::string> env_;
};

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace dlt::testing
