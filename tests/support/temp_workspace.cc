#include "support/temp_workspace.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace dlt::testing {

namespace fs = std::filesystem;

namespace {

// "Suite.Name" of the running test, cut to what a folder name can carry (parameterized names
// hold '/'), so a kept folder says which test left it.
std::string TestLabel() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (!info) return "";
  std::string label = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : label) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-';
    if (!plain) c = '_';
  }
  if (label.size() > 60) label.resize(60);
  return label + "-";
}

bool KeepTempDirs() {
  const char* keep = std::getenv("DLT_TEST_KEEP");
  return keep && *keep && std::string(keep) != "0";
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / ("dlt-test-" + TestLabel() + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = fs::canonical(tmpl);
}

TempDir::~TempDir() {
  if (KeepTempDirs()) {
    std::fprintf(stderr, "DLT_TEST_KEEP: kept %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

TempWorkspace::TempWorkspace(bool workspace_mode) {
  root_ = tmp_.path() / "ws";
  home_ = tmp_.path() / "home";
  fs::create_directories(root_ / ".dlt");
  fs::create_directories(home_);
  if (workspace_mode) WriteFile(root_ / ".dlt" / ".workspace", "");
  env_["HOME"] = home_.string();
}

void TempWorkspace::WriteConfig(const std::string& toml, const std::string& profile) const {
  Write(".dlt/" + (profile.empty() ? "" : profile + ".") + "config.toml", toml);
}

void TempWorkspace::WriteSecrets(const std::string& toml, const std::string& profile) const {
  Write(".dlt/" + (profile.empty() ? "" : profile + ".") + "secrets.toml", toml);
}

StatusOr<Workspace> TempWorkspace::Open(std::optional<std::string> profile, fs::path start) const {
  WorkspaceOptions o;
  o.start_dir = start.empty() ? root_ : start;
  o.profile = std::move(profile);
  o.env = Environment(env_);
  o.home = home_;
  return Workspace::Open(std::move(o));
}

Workspace TempWorkspace::OpenLoaded(std::optional<std::string> profile) const {
  auto ws = Open(std::move(profile));
  if (!ws.ok()) throw std::runtime_error("Open failed: " + ws.status().message());
  Status s = ws->LoadConfig();
  if (!s.ok()) throw std::runtime_error("LoadConfig failed: " + s.message());
  return std::move(ws).value();
}

}  // namespace dlt::testing
