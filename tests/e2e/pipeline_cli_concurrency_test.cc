// Two runs of one pipeline at the same time: the second fails fast naming the holder of the lock,
// a killed holder leaves no stale lock, and runs started together never interleave.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pipeline_cli_support.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using pipeline_cli_test::Q;

// ---------------------------------------------------------------------------------------------
// 10. Two runs of one pipeline at the same time.

// A `dlt` process whose stdin is a pipe the test keeps open; stdout and stderr go to files.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& cwd, const std::map<std::string, std::string>& env,
        const fs::path& out, const fs::path& err) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> envv;
    for (const auto& [k, v] : env) envv.push_back(k + "=" + v);
    if (!env.count("PATH")) envv.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
    pid_ = ::fork();
    if (pid_ == 0) {
      int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (o < 0 || e < 0 || ::chdir(cwd.c_str()) != 0) _exit(127);
      ::dup2(in[0], 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> a, ev;
      for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
      a.push_back(nullptr);
      for (const auto& s : envv) ev.push_back(const_cast<char*>(s.c_str()));
      ev.push_back(nullptr);
      ::execve(a[0], a.data(), ev.data());
      _exit(127);
    }
    ::close(in[0]);
    stdin_ = in[1];
  }
  ~Child() {
    CloseStdin();
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  pid_t pid() const { return pid_; }
  void Send(const std::string& data) {
    signal(SIGPIPE, SIG_IGN);
    ssize_t n = ::write(stdin_, data.data(), data.size());
    (void)n;
  }
  void CloseStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    waited_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool waited_ = false;
};

// Waits until the pipeline's lock file names `pid` (the run holds the lock).
bool WaitForLockHolder(const fs::path& lock, pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    if (ReadFile(lock) == std::to_string(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(PipelineConcurrency, ASecondRunFailsFastNamingTheHolderAndAKilledHolderLeavesNoStaleLock) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  const fs::path lock = w.PipelineDir("shop") / ".lock";

  {
    // The first run reads stdin, which the test holds open.
    Child first({DLT_BINARY, "run", "shop.toml", "--resource", "orders=-", "-q"}, w.root(), w.env(),
                w.tmp() / "first.out", w.tmp() / "first.err");
    first.Send(Orders(10, 11));
    ASSERT_TRUE(WaitForLockHolder(lock, first.pid())) << ReadFile(w.tmp() / "first.err");

    auto t0 = std::chrono::steady_clock::now();
    auto second = w.RunPipeline({"shop.toml"});
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(second.exit_code, 4);  // busy: refused
    EXPECT_LT(secs, 5.0) << "the second run waited instead of failing fast";
    EXPECT_TRUE(Contains(second.err, "ERROR: Pipeline `shop` is being run by another process (pid " +
                                         std::to_string(first.pid()) + ")"))
        << second.err;
    EXPECT_FALSE(Contains(second.out, "load step completed"));

    first.Send(Orders(12, 12));
    first.CloseStdin();
    EXPECT_EQ(first.Wait(), 0) << ReadFile(w.tmp() / "first.err");
  }
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "10", "11", "12"}));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);

  {
    // A holder killed mid-run: the lock goes with the process.
    Child victim({DLT_BINARY, "run", "shop.toml", "--resource", "orders=-", "-q"}, w.root(), w.env(),
                 w.tmp() / "victim.out", w.tmp() / "victim.err");
    victim.Send(Orders(20, 21));
    ASSERT_TRUE(WaitForLockHolder(lock, victim.pid()));
    ::kill(victim.pid(), SIGKILL);
    EXPECT_EQ(victim.Wait(), 137);
  }
  auto after = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "1", "2", "2", "3", "3", "10", "11", "12"}));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 3);
  EXPECT_TRUE(w.Packages("shop", "load/new").empty());

  // Killed at a fault point while holding the lock: the next run is not locked out either.
  auto killed = w.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "load_before_commit"}});
  EXPECT_EQ(killed.exit_code, 137);
  auto resumed = w.RunPipeline({"shop.toml", "--resource", "orders=-"}, {}, "");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 12);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 4);
}

// Two runs started at the same moment: exactly one loads, the other is refused; nothing is
// loaded twice and the refused one can run afterwards.
TEST(PipelineConcurrency, TwoRunsStartedTogetherNeverInterleave) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 200));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  RunResult a, b;
  std::thread ta([&] { a = w.RunPipeline({"shop.toml"}); });
  std::thread tb([&] { b = w.RunPipeline({"shop.toml"}); });
  ta.join();
  tb.join();
  int ok = (a.exit_code == 0) + (b.exit_code == 0);
  EXPECT_GE(ok, 1) << a.err << b.err;
  for (const auto* r : {&a, &b}) {
    if (r->exit_code != 0) {
      EXPECT_TRUE(Contains(r->err, "is being run by another process (pid ")) << r->err;
    }
  }
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 200 * (1 + ok));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 1 + ok);
}

}  // namespace
}  // namespace dlt::testing
