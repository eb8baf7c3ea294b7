// The run-time library loader shared by DuckDB, libpq and libcurl (src/common/shared_library.h),
// and the messages users get when libpq or libcurl cannot be loaded. zlib (libz.so.1, which every
// dlt build links) stands in for a library that is there.
#include "common/shared_library.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "destinations/postgres/postgres_client.h"
#include "extract/http_client.h"

namespace dlt {
namespace {

TEST(SharedLibrary, LoadsTheFirstCandidateThatHasEverySymbolAndResolvesThem) {
  SharedLibrarySpec spec;
  spec.candidates = {"/nonexistent/dir/libz.so.1", "libz.so.1"};
  spec.symbols = {"zlibVersion", "crc32"};
  SharedLibrary lib = SharedLibrary::Open(spec);
  ASSERT_TRUE(lib.ok());
  EXPECT_EQ(lib.file(), "libz.so.1");
  const char* (*version)() = nullptr;
  lib.Bind("zlibVersion", &version);
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version()[0], '1');  // zlib 1.x
  EXPECT_EQ(lib.Symbol("not_asked_for"), nullptr);
  ASSERT_EQ(lib.attempts().size(), 1u);
  EXPECT_EQ(lib.attempts()[0].file, "/nonexistent/dir/libz.so.1");
  EXPECT_EQ(lib.attempts()[0].Why(), "no such file");
}

TEST(SharedLibrary, ALibraryWithoutASymbolIsSkippedAndTheMissingOnesAreNamed) {
  SharedLibrarySpec spec;
  spec.candidates = {"libz.so.1"};
  spec.symbols = {"zlibVersion", "no_such_a", "no_such_b", "no_such_c", "no_such_d", "no_such_e"};
  SharedLibrary lib = SharedLibrary::Open(spec);
  EXPECT_FALSE(lib.ok());
  EXPECT_EQ(lib.file(), "");
  ASSERT_EQ(lib.attempts().size(), 1u);
  EXPECT_EQ(lib.attempts()[0].failure, LibraryAttempt::Failure::kIncomplete);
  EXPECT_EQ(lib.attempts()[0].Why(), "loaded, but it lacks the functions no_such_a, no_such_b, no_such_c and 2 more");

  spec.symbols = {"zlibVersion", "no_such_a"};
  EXPECT_EQ(SharedLibrary::Open(spec).attempts()[0].Why(), "loaded, but it lacks the function no_such_a");
}

TEST(SharedLibrary, FirstLoadableOnlyStopsAtALibraryThatLacksASymbol) {
  SharedLibrarySpec spec;
  spec.candidates = {"libz.so.1", "libz.so.1"};
  spec.symbols = {"no_such_symbol"};
  EXPECT_EQ(SharedLibrary::Open(spec).attempts().size(), 2u);
  spec.first_loadable_only = true;
  EXPECT_EQ(SharedLibrary::Open(spec).attempts().size(), 1u);
}

TEST(SharedLibrary, ANameTheLoaderCannotFindKeepsTheLoadersReason) {
  SharedLibrarySpec spec;
  spec.candidates = {"libdlt-no-such-library.so.9"};
  SharedLibrary lib = SharedLibrary::Open(spec);
  ASSERT_EQ(lib.attempts().size(), 1u);
  EXPECT_EQ(lib.attempts()[0].failure, LibraryAttempt::Failure::kNotLoadable);
  EXPECT_NE(lib.attempts()[0].Why().find("libdlt-no-such-library.so.9"), std::string::npos)
      << lib.attempts()[0].Why();
}

std::atomic<int> g_loads{0};
int* CountLoad() {
  g_loads.fetch_add(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return new int(42);
}
LoadOnce<int> g_once(&CountLoad);

TEST(SharedLibrary, LoadOnceRunsTheLoaderOnceForConcurrentFirstCallers) {
  EXPECT_EQ(g_once.IfLoaded(), nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> sum{0};
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { sum += g_once.Get(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(g_loads.load(), 1);
  EXPECT_EQ(sum.load(), 8 * 42);
  ASSERT_NE(g_once.IfLoaded(), nullptr);
  EXPECT_EQ(*g_once.IfLoaded(), 42);
}

// Death tests in the "threadsafe" style re-run this binary for just this test, so the child has
// not loaded the library yet and honours the environment variable set in it.
TEST(SharedLibraryDeathTest, AMissingLibpqIsNamedWithWhatToInstall) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("DLT_LIBPQ_LIBRARY", "/nonexistent/dir/libpq.so.5", 1);
        PostgresCredentials c;
        c.host = "127.0.0.1";
        auto client = PostgresClient::Connect(c, false);
        std::fprintf(stderr, "%s\n", client.status().message().c_str());
        std::_Exit(client.status().code() == StatusCode::kFailedPrecondition ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      "cannot load libpq \\(/nonexistent/dir/libpq.so.5\\): .*No such file.*\\. Install Debian's libpq5 "
      "\\(scripts/bootstrap.sh does\\) or set DLT_LIBPQ_LIBRARY");
}

TEST(SharedLibraryDeathTest, ALibpqWithoutItsFunctionsIsTooOld) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("DLT_LIBPQ_LIBRARY", "libz.so.1", 1);
        auto client = PostgresClient::Connect(PostgresCredentials{}, false);
        std::fprintf(stderr, "%s\n", client.status().message().c_str());
        std::_Exit(client.status().code() == StatusCode::kFailedPrecondition ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "libpq \\(libz.so.1\\) lacks a required function; it is too old");
}

TEST(SharedLibraryDeathTest, AMissingLibcurlIsNamedWithWhatToInstall) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("DLT_LIBCURL_LIBRARY", "/nonexistent/dir/libcurl.so.4", 1);
        Status s = http::EnsureCurl();
        std::fprintf(stderr, "%s\n", s.message().c_str());
        std::_Exit(s.code() == StatusCode::kFailedPrecondition && !http::Client::Create().ok() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0),
      "cannot load libcurl \\(/nonexistent/dir/libcurl.so.4\\): .*No such file.*\\. Install Debian's libcurl4 "
      "\\(scripts/bootstrap.sh does\\) or set DLT_LIBCURL_LIBRARY");
}

TEST(SharedLibraryDeathTest, ALibcurlWithoutItsFunctionsIsTooOld) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("DLT_LIBCURL_LIBRARY", "libz.so.1", 1);
        Status s = http::EnsureCurl();
        std::fprintf(stderr, "%s\n", s.message().c_str());
        std::_Exit(s.code() == StatusCode::kFailedPrecondition ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "libcurl lacks a required function; it is too old");
}

}  // namespace
}  // namespace dlt
