// Maintenance commands and a running pipeline: `dlt workspace clean` and `dlt pipeline <name>
// sync` delete files a run writes (its working folder, its DuckDB file), so they take every
// pipeline's lock first: they wait up to `[runtime] lock_timeout`, or refuse with exit code 4
// naming the holder's pid, and then nothing is deleted.
#include <chrono>
#include <thread>

#include "held_lock.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(MaintenanceLock, CleanRefusesWhileAPipelineRunsNamingItsPidAndDeletesNothing) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  HeldLock lock(w.PipelineDir("shop") / ".lock");
  ASSERT_TRUE(lock.ok());
  const std::string pid = std::to_string(::getpid());

  for (std::vector<std::string> args : {std::vector<std::string>{"workspace", "clean", "--yes"},
                                        std::vector<std::string>{"workspace", "clean", "--yes", "--skip-data-dir"}}) {
    auto r = w.Dlt(args);
    EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "ERROR: Pipeline `shop` is being run by another process (pid " + pid + ")")) << r.err;
    EXPECT_TRUE(Contains(r.err, "Nothing was deleted.")) << r.err;
    EXPECT_FALSE(Contains(r.out, "Deleting")) << r.out;
    EXPECT_TRUE(fs::exists(w.Db())) << "the running pipeline's DuckDB file was deleted";
    EXPECT_TRUE(fs::exists(w.PipelineDir("shop") / "state.json"));
  }
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 3);

  // Once the run is over, clean works.
  lock.Release();
  auto r = w.Dlt({"workspace", "clean", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(w.Db()));
  EXPECT_FALSE(fs::exists(w.PipelineDir("shop")));
}

TEST(MaintenanceLock, CleanWaitsForARunningPipelineUpToLockTimeout) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto lock = std::make_unique<HeldLock>(w.PipelineDir("shop") / ".lock");
  ASSERT_TRUE(lock->ok());

  w.env()["RUNTIME__LOCK_TIMEOUT"] = "30";
  RunResult r;
  auto t0 = std::chrono::steady_clock::now();
  std::thread cleaner([&] { r = w.Dlt({"workspace", "clean", "--yes"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(fs::exists(w.Db())) << "clean deleted while the pipeline still ran";
  lock.reset();
  cleaner.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.5);
  EXPECT_FALSE(fs::exists(w.Db()));
}

TEST(MaintenanceLock, SyncRefusesToDropTheStateOfARunningPipeline) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  const std::string state = ReadFile(w.PipelineDir("shop") / "state.json");
  HeldLock lock(w.PipelineDir("shop") / ".lock");
  ASSERT_TRUE(lock.ok());
  auto r = w.Dlt({"pipeline", "shop", "sync", "--yes"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "is being run by another process (pid " + std::to_string(::getpid()) + ")")) << r.err;
  EXPECT_FALSE(Contains(r.out, "Dropping local state")) << r.out;
  EXPECT_EQ(ReadFile(w.PipelineDir("shop") / "state.json"), state);
}

}  // namespace
}  // namespace dlt::testing
