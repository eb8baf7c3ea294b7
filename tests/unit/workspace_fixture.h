// A temporary workspace for unit tests: <tmp>/ws is the workspace root (with .dlt/.workspace
// unless classic), <tmp>/home is HOME. Nothing ever reads the real ~/.dlt or the process
// environment: every Open() passes an explicit Environment and home.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "dlt/workspace.h"
#include "test_util.h"

namespace dlt::testing {

class TestWorkspace {
 public:
  explicit TestWorkspace(bool workspace_mode = true) {
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

  // Writes a file relative to the workspace root.
  void Write(const std::string& rel, const std::string& content) { WriteFile(root_ / rel, content); }
  // Writes a file into the global settings dir (<home>/.dlt).
  void WriteGlobal(const std::string& name, const std::string& content) {
    WriteFile(home_ / ".dlt" / name, content);
  }

  StatusOr<Workspace> Open(std::optional<std::string> profile = std::nullopt,
                           std::filesystem::path start = {}) const {
    WorkspaceOptions o;
    o.start_dir = start.empty() ? root_ : start;
    o.profile = std::move(profile);
    o.env = Environment(env_);
    o.home = home_;
    return Workspace::Open(std::move(o));
  }

  // Opens and loads the configuration; throws (a test failure) when either fails.
  Workspace OpenLoaded(std::optional<std::string> profile = std::nullopt) const {
    auto ws = Open(std::move(profile));
    if (!ws.ok()) throw std::runtime_error("Open failed: " + ws.status().message());
    Status s = ws->LoadConfig();
    if (!s.ok()) throw std::runtime_error("LoadConfig failed: " + s.message());
    return std::move(ws).value();
  }

 private:
  TempDir tmp_;
  std::filesystem::path root_, home_;
  std::map<std::string, std::string> env_;
};

}  // namespace dlt::testing
