// PrivateTempDir: its folder goes with the object, and a folder left by a killed process is
// removed by the next one made with the same prefix, never one a live process holds.
#include "common/private_temp_dir.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dlt {
namespace {

namespace fs = std::filesystem;

// Points TMPDIR at a folder of its own for the test and back after.
class TempRoot {
 public:
  TempRoot() {
    char t[] = "/tmp/dlt-ptd-test-XXXXXX";
    root_ = ::mkdtemp(t);
    if (const char* old = ::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", root_.c_str(), 1);
  }
  ~TempRoot() {
    if (old_) ::setenv("TMPDIR", old_->c_str(), 1); else ::unsetenv("TMPDIR");
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const fs::path& path() const { return root_; }
  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(root_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path root_;
  std::optional<std::string> old_;
};

// A child process that makes a folder with `prefix`, writes its path to `report` and then
// either waits to be killed or is killed at once (SIGKILL: no destructor runs).
pid_t ChildHolding(const std::string& prefix, const fs::path& report, bool stay) {
  pid_t pid = ::fork();
  if (pid == 0) {
    auto* dir = new PrivateTempDir(prefix);  // never destroyed: the process ends by a signal
    std::ofstream(report) << dir->path().string();
    if (stay) {
      for (;;) ::pause();
    }
    ::raise(SIGKILL);
  }
  return pid;
}

std::string WaitForReport(const fs::path& report) {
  for (int i = 0; i < 500 && !fs::exists(report); ++i) ::usleep(10000);
  std::ifstream in(report);
  std::string s;
  std::getline(in, s);
  return s;
}

TEST(PrivateTempDir, GoesWithTheObjectAndIsPrivate) {
  TempRoot root;
  fs::path made;
  {
    PrivateTempDir d("dlt-x-");
    made = d.path();
    ASSERT_FALSE(made.empty());
    EXPECT_EQ(made.parent_path(), root.path());
    EXPECT_TRUE(made.filename().string().starts_with("dlt-x-"));
    EXPECT_EQ(fs::status(made).permissions() & fs::perms::all, fs::perms::owner_all);
    std::ofstream(made / "f") << "data";
  }
  EXPECT_FALSE(fs::exists(made));
}

TEST(PrivateTempDir, AFolderOfAKilledProcessIsRemovedByTheNextOneAndALiveOnesIsKept) {
  TempRoot root;
  const fs::path report_dead = root.path() / "dead.txt", report_live = root.path() / "live.txt";
  pid_t dead = ChildHolding("dlt-x-", report_dead, false);
  int status = 0;
  ASSERT_EQ(::waitpid(dead, &status, 0), dead);
  ASSERT_TRUE(WIFSIGNALED(status));
  const fs::path left = WaitForReport(report_dead);
  ASSERT_FALSE(left.empty());
  std::ofstream(left / "staged.parquet") << "half a file";
  ASSERT_TRUE(fs::exists(left)) << "SIGKILL leaves the folder behind";

  pid_t live = ChildHolding("dlt-x-", report_live, true);
  const fs::path held = WaitForReport(report_live);
  ASSERT_FALSE(held.empty());
  // Same prefix start but another prefix, and a folder of this prefix not made by the class.
  fs::create_directory(root.path() / "dlt-y-keep");
  fs::create_directory(root.path() / "dlt-x-foreign");

  {
    PrivateTempDir next("dlt-x-");
    ASSERT_FALSE(next.path().empty());
    EXPECT_FALSE(fs::exists(left)) << "the killed process's folder is removed";
    EXPECT_TRUE(fs::exists(held)) << "the live process's folder is kept";
    EXPECT_TRUE(fs::exists(root.path() / "dlt-y-keep"));
    EXPECT_TRUE(fs::exists(root.path() / "dlt-x-foreign"));
  }
  ::kill(live, SIGKILL);
  ASSERT_EQ(::waitpid(live, &status, 0), live);
  EXPECT_EQ(PrivateTempDir::RemoveAbandoned(root.path(), "dlt-x-"), 1);
  EXPECT_FALSE(fs::exists(held));
  EXPECT_EQ(root.Names(), (std::vector<std::string>{"dead.txt", "dlt-x-foreign", "dlt-y-keep", "live.txt"}));
}

}  // namespace
}  // namespace dlt
