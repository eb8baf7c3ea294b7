// The settings table (src/config/settings.h): defaults, validation from the table with errors
// that name the key, where the value came from and what is allowed, and a table that lists every
// environment variable the engine reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "config/settings.h"
#include "pipeline/pipeline_lock.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(Settings, AnUnsetNumberIsTheTableDefault) {
  TempWorkspace w;
  Workspace ws = w.OpenLoaded(std::string("dev"));
  EXPECT_EQ(settings::Number(ws.config(), {"runtime"}, "request_timeout").value(), 60);
  EXPECT_EQ(settings::Number(ws.config(), {"runtime"}, "request_max_attempts").value(), 5);
  EXPECT_EQ(settings::Number(ws.config(), {"runtime"}, "request_backoff_factor").value(), 1);
  EXPECT_EQ(settings::Number(ws.config(), {"runtime"}, "request_max_retry_delay").value(), 300);
  EXPECT_EQ(settings::Number(ws.config(), {"runtime"}, "lock_timeout").value(), 0);
}

TEST(Settings, ASetNumberComesFromTheFileOrTheEnvironment) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[runtime]\nrequest_timeout = 2.5\n");
  EXPECT_EQ(settings::Number(w.OpenLoaded(std::string("dev")).config(), {"runtime"}, "request_timeout").value(), 2.5);
  w.env()["RUNTIME__REQUEST_TIMEOUT"] = "7";
  EXPECT_EQ(settings::Number(w.OpenLoaded(std::string("dev")).config(), {"runtime"}, "request_timeout").value(), 7);
}

TEST(Settings, AnInvalidNumberNamesTheKeyTheFileLineAndWhatIsAllowed) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[runtime]\nlock_timeout = 90000\nrequest_timeout = \"soon\"\n");
  Workspace ws = w.OpenLoaded(std::string("dev"));
  auto lock = settings::Number(ws.config(), {"runtime"}, "lock_timeout");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().message(),
            "runtime.lock_timeout must be a number of seconds from 0 to 86400, got `90000` (.dlt/config.toml:2:16)");
  auto timeout = settings::Number(ws.config(), {"runtime"}, "request_timeout");
  ASSERT_FALSE(timeout.ok());
  EXPECT_EQ(timeout.status().message(),
            "runtime.request_timeout must be a non-negative number, got `soon` (.dlt/config.toml:3:19)");
}

TEST(Settings, AnInvalidValueFromTheEnvironmentNamesTheVariable) {
  TempWorkspace w;
  w.env()["RUNTIME__REQUEST_MAX_ATTEMPTS"] = "-1";
  auto r = settings::Number(w.OpenLoaded(std::string("dev")).config(), {"runtime"}, "request_max_attempts");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "runtime.request_max_attempts must be a non-negative number, got `-1` (env RUNTIME__REQUEST_MAX_ATTEMPTS)");
}

TEST(Settings, NotANumberIsNotANumber) {
  TempWorkspace w;
  w.env()["RUNTIME__REQUEST_TIMEOUT"] = "nan";
  EXPECT_FALSE(settings::Number(w.OpenLoaded(std::string("dev")).config(), {"runtime"}, "request_timeout").ok());
}

TEST(Settings, ProfileSectionsMatchAnyProfileName) {
  ASSERT_NE(settings::FindDotted("workspace.profiles.prod.protected"), nullptr);
  EXPECT_EQ(settings::FindDotted("workspace.profiles.my-team.read_only")->name, "read_only");
  EXPECT_EQ(settings::FindDotted("runtime.lock_timeout")->default_text, "0");
  EXPECT_EQ(settings::FindDotted("runtime.log_level"), nullptr);
  EXPECT_EQ(settings::FindDotted("workspace.profiles.read_only"), nullptr);
  EXPECT_EQ(settings::NamesIn({"workspace", "settings"}), (std::vector<std::string>{"name", "working_dir", "local_dir"}));
}

TEST(Settings, AKeyMissingFromTheTableIsAProgrammingError) {
  TempWorkspace w;
  auto r = settings::Number(w.OpenLoaded(std::string("dev")).config(), {"runtime"}, "no_such_setting");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(Settings, EveryDltEnvironmentVariableNamedInTheSourcesIsInTheTable) {
  std::set<std::string> table;
  for (const auto& e : settings::EnvVars()) table.insert(std::string(e.name));
  // A string literal "DLT_SOMETHING" is an environment variable name (macros are not quoted).
  std::regex literal("\"(DLT_[A-Z_]+)\"");
  int found = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(DLT_SOURCE_DIR) / "src")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator m(text.begin(), text.end(), literal), end; m != end; ++m) {
      ++found;
      EXPECT_TRUE(table.count((*m)[1].str())) << (*m)[1].str() << " in " << entry.path()
                                              << " is missing from src/config/settings.cc";
    }
  }
  EXPECT_GE(found, 8);  // the scan sees the sources
}

// `dlt run`'s lock timeout (pipeline_lock.cc) is read through the table: it answers as the table
// does for valid and invalid values.
TEST(Settings, TheLockTimeoutReaderAgreesWithTheTable) {
  for (const char* v : {"30", "0", "86400", "90000", "-1", "\"soon\"", "\"12\""}) {
    TempWorkspace w;
    w.Write(".dlt/config.toml", std::string("[runtime]\nlock_timeout = ") + v + "\n");
    Workspace ws = w.OpenLoaded(std::string("dev"));
    auto by_table = settings::Number(ws.config(), {"runtime"}, "lock_timeout");
    auto by_reader = ResolveLockTimeout(ws);
    ASSERT_EQ(by_table.ok(), by_reader.ok()) << v;
    if (by_table.ok()) EXPECT_EQ(*by_table, *by_reader) << v;
    else EXPECT_EQ(by_table.status().message(), by_reader.status().message()) << v;
  }
}

TEST(Settings, EveryEntryIsDocumented) {
  for (const auto& s : settings::Table()) {
    EXPECT_FALSE(s.doc.empty()) << s.Dotted();
    EXPECT_FALSE(s.allowed.empty()) << s.Dotted();
    EXPECT_FALSE(s.default_text.empty()) << s.Dotted();
  }
  for (const auto& e : settings::EnvVars()) EXPECT_FALSE(e.doc.empty()) << e.name;
}

}  // namespace
}  // namespace dlt::testing
