// The dlopen-based DuckDB C API wrapper: loading the library, opening databases (read-only, twice,
// locked by another process, with bad options), SQL errors, interrupts and closed objects.
#include "destinations/duckdb/duckdb_api.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "duckdb_api_support.h"
#include "support/temp_workspace.h"
#include "test_util.h"

extern char** environ;

namespace dlt::duckdb {
namespace {

namespace fs = std::filesystem;
using ::dlt::testing::TempDir;
using ::dlt::testing::WriteFile;
using api_test::OpenOrDie;
using api_test::ConnectOrDie;
using api_test::QueryOrDie;
using api_test::Has;

TEST(DuckDbApi, LoadsLibraryAndReportsVersion) {
  ASSERT_OK(EnsureLoaded());
  EXPECT_TRUE(IsLoaded());
  EXPECT_FALSE(LoadedLibraryPath().empty());
  std::string v = LibraryVersion();
  EXPECT_EQ(v.rfind("v1.", 0), 0u) << v;
  ASSERT_OK(EnsureLoaded());  // idempotent
}

// Death tests in the "threadsafe" style re-run this binary for just this test, so the child
// process has not loaded DuckDB yet and honours the environment variable set in it.
TEST(DuckDbLoaderDeathTest, MissingLibraryNamesFileAndFix) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("DLT_DUCKDB_LIBRARY", "/nonexistent/dir/libduckdb.so", 1);
        Status s = EnsureLoaded();
        std::fprintf(stderr, "%s\n", s.message().c_str());
        bool good = s.code() == StatusCode::kFailedPrecondition && !IsLoaded() && LibraryVersion().empty() &&
                    !Database::Open(":memory:").ok();
        std::_Exit(good ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      "cannot load the DuckDB library.*DLT_DUCKDB_LIBRARY=/nonexistent/dir/libduckdb.so: no such file.*"
      "scripts/bootstrap.sh");
}

TEST(DuckDbLoaderDeathTest, LibraryWithoutDuckDbFunctions) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("DLT_DUCKDB_LIBRARY", "libz.so.1", 1);
        Status s = EnsureLoaded();
        std::fprintf(stderr, "%s\n", s.message().c_str());
        std::_Exit(s.code() == StatusCode::kFailedPrecondition ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "libz.so.1: loaded, but it lacks the function.*duckdb_library_version");
}

TEST(DuckDbApi, ReadOnlyRefusesWrites) {
  TempDir tmp;
  const std::string path = (tmp.path() / "ro.duckdb").string();
  {
    Database db = OpenOrDie(path);
    Connection conn = ConnectOrDie(db);
    ASSERT_OK(conn.Execute("CREATE TABLE t AS SELECT 42 AS x"));
  }
  Database db = OpenOrDie(path, /*read_only=*/true);
  EXPECT_TRUE(db.read_only());
  Connection conn = ConnectOrDie(db);
  QueryResult r = QueryOrDie(conn, "SELECT x FROM t");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0].text, "42");
  Status s = conn.Execute("INSERT INTO t VALUES (1)");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Has(s.message(), "read-only")) << s.message();
  EXPECT_FALSE(conn.Execute("CREATE TABLE u (a INT)").ok());

  // A read-only database is never created.
  auto missing = Database::Open((tmp.path() / "missing.duckdb").string(), /*read_only=*/true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().message();
  EXPECT_TRUE(Has(missing.status().message(), "missing.duckdb")) << missing.status().message();
  EXPECT_FALSE(fs::exists(tmp.path() / "missing.duckdb"));
}

// Documented behaviour: the same file opened twice in one process with the same options shares
// one DuckDB instance (both see the same data); with different options it is a clear error.
TEST(DuckDbApi, SameFileTwiceInOneProcessSharesTheDatabase) {
  TempDir tmp;
  const std::string path = (tmp.path() / "shared.duckdb").string();
  Database first = OpenOrDie(path);
  Connection c1 = ConnectOrDie(first);
  ASSERT_OK(c1.Execute("CREATE TABLE t (a INT); INSERT INTO t VALUES (1)"));

  auto second = Database::Open(path);
  ASSERT_TRUE(second.ok()) << second.status().message();
  Connection c2 = ConnectOrDie(*second);
  ASSERT_OK(c2.Execute("INSERT INTO t VALUES (2)"));
  QueryResult r = QueryOrDie(c1, "SELECT count(*) FROM t");
  EXPECT_EQ(r.rows[0][0].text, "2");

  auto ro = Database::Open(path, /*read_only=*/true);
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Has(ro.status().message(), path)) << ro.status().message();
  EXPECT_TRUE(Has(ro.status().message(), "already open in this process")) << ro.status().message();
  auto threads = Database::Open(path, false, {{"threads", "1"}});
  EXPECT_FALSE(threads.ok());

  // Once every handle is closed the file can be opened with other options.
  c1.Close();
  c2.Close();
  first.Close();
  second->Close();
  auto reopened = Database::Open(path, /*read_only=*/true);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  Connection c3 = ConnectOrDie(*reopened);
  EXPECT_EQ(QueryOrDie(c3, "SELECT sum(a) FROM t").rows[0][0].text, "3");
}

// Helper run as a child process by FileLockedByAnotherProcess: holds the database open until its
// stdin is closed.
TEST(DuckDbLockHelper, HoldDatabaseOpen) {
  const char* path = std::getenv("DLT_TEST_DUCKDB_HOLD");
  if (!path) GTEST_SKIP() << "only runs as the helper process of DuckDbApi.FileLockedByAnotherProcess";
  Database db = OpenOrDie(path);
  Connection conn = ConnectOrDie(db);
  ASSERT_OK(conn.Execute("CREATE TABLE IF NOT EXISTS held (a INT)"));
  std::printf("\nDLT_HOLDING\n");
  std::fflush(stdout);
  char c;
  while (::read(0, &c, 1) > 0) {
  }
}

TEST(DuckDbApi, FileLockedByAnotherProcess) {
  TempDir tmp;
  const std::string path = (tmp.path() / "locked.duckdb").string();
  int to_child[2], from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  posix_spawn_file_actions_addclose(&actions, to_child[1]);
  posix_spawn_file_actions_addclose(&actions, from_child[0]);
  std::string exe = fs::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=DuckDbLockHelper.HoldDatabaseOpen";
  std::vector<char*> argv = {exe.data(), filter.data(), nullptr};
  std::vector<std::string> env_strings = {"DLT_TEST_DUCKDB_HOLD=" + path};
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  ASSERT_EQ(rc, 0);

  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!Has(out, "DLT_HOLDING\n") && std::chrono::steady_clock::now() < deadline) {
    pollfd p{from_child[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(from_child[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  bool holding = Has(out, "DLT_HOLDING\n");
  if (holding) {
    auto db = Database::Open(path);
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().message();
    EXPECT_TRUE(Has(db.status().message(), "cannot open DuckDB database " + path)) << db.status().message();
    EXPECT_TRUE(Has(db.status().message(), "lock")) << db.status().message();
    auto ro = Database::Open(path, /*read_only=*/true);
    EXPECT_FALSE(ro.ok());
  }
  ::close(to_child[1]);  // lets the helper finish
  for (;;) {
    char buf[4096];
    ssize_t n = ::read(from_child[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(from_child[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(holding) << "helper output:\n" << out;
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "helper output:\n" << out;

  // Released: now it opens.
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().message();
}

TEST(DuckDbApi, OpenErrorsAreClear) {
  TempDir tmp;
  const fs::path junk = tmp.path() / "junk.duckdb";
  WriteFile(junk, std::string(5000, 'x'));
  auto bad = Database::Open(junk.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Has(bad.status().message(), "cannot open DuckDB database " + junk.string() + ": "))
      << bad.status().message();
  EXPECT_TRUE(Has(bad.status().message(), "not a valid DuckDB database file")) << bad.status().message();

  auto no_dir = Database::Open((tmp.path() / "no" / "such" / "dir.duckdb").string());
  ASSERT_FALSE(no_dir.ok());
  EXPECT_TRUE(Has(no_dir.status().message(), "dir.duckdb")) << no_dir.status().message();

  auto bad_option = Database::Open(":memory:", false, {{"no_such_option", "1"}});
  ASSERT_FALSE(bad_option.ok());
  EXPECT_EQ(bad_option.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(bad_option.status().message(), "no_such_option")) << bad_option.status().message();

  auto bad_value = Database::Open(":memory:", false, {{"threads", "many"}});
  ASSERT_FALSE(bad_value.ok());
  EXPECT_TRUE(Has(bad_value.status().message(), "threads=many")) << bad_value.status().message();

  auto ro_memory = Database::Open(":memory:", true);
  EXPECT_FALSE(ro_memory.ok());

  auto good = Database::Open(":memory:", false, {{"threads", "2"}, {"memory_limit", "512MB"}});
  ASSERT_TRUE(good.ok()) << good.status().message();
  Connection conn = ConnectOrDie(*good);
  EXPECT_EQ(QueryOrDie(conn, "SELECT current_setting('threads')").rows[0][0].text, "2");
}

TEST(DuckDbApi, InMemoryDatabasesArePrivate) {
  Database a = OpenOrDie(":memory:");
  Database b = OpenOrDie(":memory:");
  Connection ca = ConnectOrDie(a);
  Connection cb = ConnectOrDie(b);
  ASSERT_OK(ca.Execute("CREATE TABLE only_in_a (x INT)"));
  Status s = cb.Execute("SELECT * FROM only_in_a");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
}

TEST(DuckDbApi, SqlErrorsCarryDuckDbMessage) {
  Database db = OpenOrDie(":memory:");
  Connection conn = ConnectOrDie(db);
  Status s = conn.Execute("SELEC 1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Has(s.message(), "Parser Error")) << s.message();
  EXPECT_TRUE(Has(s.message(), "syntax error at or near \"SELEC\"")) << s.message();

  auto q = conn.Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Has(q.status().message(), "no_such_table")) << q.status().message();

  ASSERT_OK(conn.Execute("CREATE TABLE t (a INTEGER PRIMARY KEY)"));
  Status exists = conn.Execute("CREATE TABLE t (a INTEGER)");
  EXPECT_EQ(exists.code(), StatusCode::kAlreadyExists) << exists.message();
  ASSERT_OK(conn.Execute("INSERT INTO t VALUES (1)"));
  Status dup = conn.Execute("INSERT INTO t VALUES (1)");
  EXPECT_FALSE(dup.ok());
  EXPECT_TRUE(Has(dup.message(), "Constraint Error")) << dup.message();
  Status conv = conn.Execute("SELECT 'abc'::INTEGER");
  EXPECT_TRUE(Has(conv.message(), "Conversion Error")) << conv.message();

  // Several statements: the first failing one stops the rest.
  EXPECT_FALSE(conn.Execute("INSERT INTO t VALUES (2); SELEC; INSERT INTO t VALUES (3)").ok());
  QueryResult r = QueryOrDie(conn, "SELECT 10; SELECT count(*) AS n FROM t WHERE a = 3");
  EXPECT_EQ(r.column_names, (std::vector<std::string>{"n"}));
  EXPECT_EQ(r.rows[0][0].text, "0");

  EXPECT_EQ(conn.Execute(std::string("SELECT 1\0", 9)).code(), StatusCode::kInvalidArgument);
  // No statement at all is not an error.
  ASSERT_OK(conn.Execute("-- nothing to do"));
  auto nothing = conn.Query("");
  ASSERT_TRUE(nothing.ok()) << nothing.status().message();
  EXPECT_TRUE(nothing->column_names.empty());
  EXPECT_TRUE(nothing->rows.empty());
  // The connection stays usable after errors.
  EXPECT_EQ(QueryOrDie(conn, "SELECT 1 + 1").rows[0][0].text, "2");
}

TEST(DuckDbApi, InterruptCancelsRunningQuery) {
  Database db = OpenOrDie(":memory:", false);
  Connection conn = ConnectOrDie(db);
  std::atomic<bool> done{false};
  Status result;
  std::thread worker([&] {
    auto r = conn.Query("SELECT sum(i * i % 7) FROM range(1000000000000) t(i)");
    result = r.status();
    done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    conn.Interrupt();
  }
  worker.join();
  EXPECT_EQ(result.code(), StatusCode::kCancelled) << result.message();
  EXPECT_TRUE(Has(result.message(), "Interrupt")) << result.message();
  // Still usable.
  EXPECT_EQ(QueryOrDie(conn, "SELECT 7").rows[0][0].text, "7");
}

TEST(DuckDbApi, ClosedAndMovedObjectsReportErrors) {
  Database db = OpenOrDie(":memory:");
  Database moved = std::move(db);
  EXPECT_FALSE(db.is_open());  // NOLINT(bugprone-use-after-move): testing moved-from state
  EXPECT_FALSE(db.Connect().ok());
  Connection conn = ConnectOrDie(moved);
  Connection other = std::move(conn);
  EXPECT_FALSE(conn.Execute("SELECT 1").ok());  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(conn.Query("SELECT 1").ok());
  EXPECT_FALSE(Appender::Create(conn, "", "t").ok());
  conn.Interrupt();  // no-op
  ASSERT_OK(other.Execute("CREATE TABLE t (a INT)"));
  // A connection keeps the database alive after its Database handle is closed.
  moved.Close();
  EXPECT_EQ(QueryOrDie(other, "SELECT count(*) FROM t").rows[0][0].text, "0");
  other.Close();
  Status closed = other.Execute("SELECT 1");
  EXPECT_EQ(closed.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Has(closed.message(), "closed")) << closed.message();
}

}  // namespace
}  // namespace dlt::duckdb
