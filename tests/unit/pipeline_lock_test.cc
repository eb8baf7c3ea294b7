// The pipeline lock and the working folder lock: a lock taken on a file that was deleted while
// waiting is taken again on the file at the path (else `sync` or `workspace clean`, which delete
// it while holding it, would let two runs in at once); runs share the working folder lock, clean
// takes it alone.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "pipeline/pipeline_lock.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

TEST(PipelineLock, AWaiterWhoseLockFileWasDeletedLocksTheNewFile) {
  testing::TempDir tmp;
  fs::path dir = tmp.path() / "pipelines" / "shop";
  fs::create_directories(dir);
  std::optional<PipelineLock> first;
  first.emplace();
  ASSERT_TRUE(first->Acquire(dir, "shop").ok());
  Status waited = Internal("not run");
  PipelineLock second;
  std::thread waiter([&] { waited = second.Acquire(dir, "shop", /*timeout_s=*/10); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // What `sync` used to do while holding the lock: the folder (with .lock) is deleted and made anew.
  fs::remove_all(dir);
  fs::create_directories(dir);
  first.reset();  // the holder finishes: the waiter's flock succeeds, on the deleted file
  waiter.join();
  ASSERT_TRUE(waited.ok()) << waited.message();
  // The waiter holds the lock file that is at the path now: a third run is refused.
  PipelineLock third;
  Status s = third.Acquire(dir, "shop");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.message();
  EXPECT_NE(s.message().find("is being run by another process (pid "), std::string::npos) << s.message();
}

TEST(WorkingFolderLock, RunsShareItAndCleanTakesItAlone) {
  testing::TempDir tmp;
  fs::path working = tmp.path() / ".dlt" / ".var" / "dev";
  {
    WorkingFolderLock run1, run2, clean;
    ASSERT_TRUE(run1.Acquire(working, false).ok());
    ASSERT_TRUE(run2.Acquire(working, false).ok());
    Status s = clean.Acquire(working, true);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.message();
    EXPECT_NE(s.message().find("starting or running"), std::string::npos) << s.message();
  }
  // The lock file sits beside the folder, so deleting the folder keeps it.
  EXPECT_TRUE(fs::exists(tmp.path() / ".dlt" / ".var" / "dev.lock"));
  WorkingFolderLock clean, run;
  ASSERT_TRUE(clean.Acquire(working, true).ok());
  Status s = run.Acquire(working, false);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.message();
  EXPECT_NE(s.message().find("workspace clean"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace dlt
