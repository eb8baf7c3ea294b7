// Concurrency beyond one pipeline (PipelineConcurrency.* in pipeline_cli_test.cc covers two runs
// of the same pipeline): runs of different pipelines, and of one pipeline in different profiles,
// proceed in parallel; and a run can wait for the pipeline's lock instead of failing fast
// (`[runtime] lock_timeout`, RUNTIME__LOCK_TIMEOUT).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "held_lock.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(Concurrency, DifferentPipelinesAndProfilesRunInParallel) {
  PipelineWorkspace w;
  w.Write(".dlt/prod.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  w.Write("a.toml", PipelineFile("pipe_a", "orders.jsonl"));
  w.Write("b.toml", PipelineFile("pipe_b", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3000));

  // Two pipelines into the same DuckDB file of dev, and pipe_a in prod, all at once.
  RunResult a, b, a_prod;
  std::thread ta([&] { a = w.RunPipeline({"a.toml"}); });
  std::thread tb([&] { b = w.RunPipeline({"b.toml"}); });
  std::thread tp([&] { a_prod = w.RunPipeline({"a.toml", "--yes"}, {{"WORKSPACE__PROFILE", "prod"}}); });
  ta.join();
  tb.join();
  tp.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  ASSERT_EQ(a_prod.exit_code, 0) << a_prod.err;
  EXPECT_EQ(CountRows(w.Db(), "pipe_a_data.orders"), 3000);
  EXPECT_EQ(CountRows(w.Db(), "pipe_b_data.orders"), 3000);
  EXPECT_EQ(CountRows(w.Db(), "pipe_a_data._dlt_loads"), 1);
  EXPECT_EQ(CountRows(w.Db(), "pipe_b_data._dlt_loads"), 1);
  EXPECT_EQ(CountRows(w.Db("prod"), "pipe_a_data.orders"), 3000);
  EXPECT_EQ(CountRows(w.Db("prod"), "pipe_a_data.orders__items"), 6000);
}

// Runs that start together on a DuckDB file that is not there yet: one of them creates it (whole,
// under a name of its own, then linked into place), the others use it; none wipes another's
// tables, and nothing but the database is left beside it.
TEST(Concurrency, RunsCreatingTheSameNewDuckDbFileAllLoad) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    PipelineWorkspace w;
    w.Write("orders.jsonl", Orders(1, 500));
    constexpr int kRuns = 4;
    std::vector<RunResult> results(kRuns);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRuns; ++i) {
      w.Write("p" + std::to_string(i) + ".toml", PipelineFile("pipe_" + std::to_string(i), "orders.jsonl"));
    }
    for (int i = 0; i < kRuns; ++i) {
      threads.emplace_back([&, i] { results[i] = w.RunPipeline({"p" + std::to_string(i) + ".toml"}); });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kRuns; ++i) {
      ASSERT_EQ(results[i].exit_code, 0) << results[i].err;
      EXPECT_EQ(CountRows(w.Db(), "pipe_" + std::to_string(i) + "_data.orders"), 500);
    }
    for (const auto& e : fs::directory_iterator(w.Db().parent_path())) {
      EXPECT_EQ(e.path().filename().string().find(".new-"), std::string::npos) << e.path();
    }
  }
}

// Two runs that start together may both find no DuckDB file: the one that opens it while the
// other is still writing its headers waits for them instead of calling the file damaged. Whether
// the file is empty or already longer than its headers when looked at (the other run may have
// gone on writing between the failed open and the look) does not matter: it is new.
TEST(Concurrency, ADuckDbFileAnotherRunIsStillCreatingIsWaitedFor) {
  // A finished database to put in place, made by a run in another workspace.
  PipelineWorkspace other;
  other.Write("a.toml", PipelineFile("pipe_x", "orders.jsonl"));
  other.Write("orders.jsonl", Orders(1, 1));
  ASSERT_EQ(other.RunPipeline({"a.toml"}).exit_code, 0);
  for (const std::string& seen : {std::string(), std::string(5 * 4096, '\0')}) {
    SCOPED_TRACE("the file seen has " + std::to_string(seen.size()) + " bytes");
    PipelineWorkspace w;
    w.Write("a.toml", PipelineFile("pipe_a", "orders.jsonl"));
    w.Write("orders.jsonl", Orders(1, 3));
    fs::create_directories(w.Db().parent_path());
    w.Write(w.Db().lexically_relative(w.root()).string(), seen);  // created, no valid headers yet
    std::thread finisher([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      fs::copy_file(other.Db(), w.Db().string() + ".tmp");
      fs::rename(w.Db().string() + ".tmp", w.Db());
    });
    auto r = w.RunPipeline({"a.toml"});
    finisher.join();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(CountRows(w.Db(), "pipe_a_data.orders"), 3);
    EXPECT_EQ(CountRows(w.Db(), "pipe_x_data.orders"), 1) << "the other run's data is kept";
  }
}

// A DuckDB file that is not one (and not new) is refused at once, naming it.
TEST(Concurrency, ADamagedDuckDbFileIsRefusedWithoutWaiting) {
  PipelineWorkspace w;
  w.Write("a.toml", PipelineFile("pipe_a", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  fs::create_directories(w.Db().parent_path());
  w.Write(w.Db().lexically_relative(w.root()).string(), std::string(100, 'x'));
  fs::last_write_time(w.Db(), fs::file_time_type::clock::now() - std::chrono::minutes(5));
  auto t0 = std::chrono::steady_clock::now();
  auto r = w.RunPipeline({"a.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_LT(Seconds(t0), 1.5);
  EXPECT_TRUE(Contains(r.err, "not a valid DuckDB database file")) << r.err;
  EXPECT_TRUE(Contains(r.err, "warehouse.duckdb")) << r.err;
}

TEST(Concurrency, ARunWaitsForTheLockUpToRuntimeLockTimeout) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  const std::string pid = std::to_string(::getpid());

  HeldLock lock(w.PipelineDir("shop") / ".lock");
  ASSERT_TRUE(lock.ok());

  // Without a timeout: fails at once, naming the holder and the setting.
  auto t0 = std::chrono::steady_clock::now();
  auto fast = w.RunPipeline({"shop.toml"});
  EXPECT_LT(Seconds(t0), 5.0);
  EXPECT_EQ(fast.exit_code, 4) << fast.err;  // busy: refused, as README's exit codes say
  EXPECT_TRUE(Contains(fast.err, "is being run by another process (pid " + pid + ")")) << fast.err;
  EXPECT_TRUE(Contains(fast.err, "lock_timeout")) << fast.err;

  // A timeout shorter than the holder's run: waits, then fails naming the holder.
  w.Write(".dlt/config.toml", "[runtime]\nlock_timeout = 1\n");
  t0 = std::chrono::steady_clock::now();
  auto waited = w.RunPipeline({"shop.toml"});
  double secs = Seconds(t0);
  EXPECT_GE(secs, 1.0);
  EXPECT_LT(secs, 10.0);
  EXPECT_EQ(waited.exit_code, 4);
  EXPECT_TRUE(Contains(waited.err, "(pid " + pid + ")")) << waited.err;
  EXPECT_TRUE(Contains(waited.err, "waited 1 s")) << waited.err;
  EXPECT_EQ(CountRows(w.Db(), "shop_data._dlt_loads"), 1);

  // A longer timeout (from the environment): the run starts when the holder is done.
  RunResult late;
  t0 = std::chrono::steady_clock::now();
  std::thread runner([&] { late = w.RunPipeline({"shop.toml"}, {{"RUNTIME__LOCK_TIMEOUT", "30"}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  lock.Release();
  runner.join();
  EXPECT_EQ(late.exit_code, 0) << late.err;
  EXPECT_GE(Seconds(t0), 1.5);
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 6);
  EXPECT_EQ(CountRows(w.Db(), "shop_data._dlt_loads"), 2);

  // A bad value is a clear error naming where it came from.
  auto bad = w.RunPipeline({"shop.toml"}, {{"RUNTIME__LOCK_TIMEOUT", "soon"}});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "runtime.lock_timeout")) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "RUNTIME__LOCK_TIMEOUT")) << bad.err;
}

}  // namespace
}  // namespace dlt::testing
