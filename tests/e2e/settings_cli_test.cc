// The settings table as users meet it: `dlt config settings` lists it, `dlt config explain`
// documents a setting from it, `dlt workspace check` reports invalid values and misspelt
// [runtime] keys with it (a run refusing an invalid value: concurrency_test, rest_api tests).
#include <gtest/gtest.h>

#include "pipeline_fixture.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

TEST(ConfigSettings, ListsEverySettingWithItsDefaultAndTheEnvironmentVariables) {
  TempWorkspace w;
  auto r = w.Dlt({"config", "settings"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "[runtime]\n  lock_timeout = 0  # seconds a run")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  request_timeout = 60  # seconds one HTTP request")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[workspace.settings]\n  name = ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[workspace.profiles.<profile>]\n  read_only = true for access, false otherwise")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Environment variables:\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  DLT_DATA_DIR  # ")) << r.out;
  EXPECT_EQ(w.Dlt({"config", "settings", "runtime"}).exit_code, 2);
}

TEST(ConfigExplain, AKnownSettingIsDocumentedWithItsDefault) {
  TempWorkspace w;
  auto r = w.Dlt({"config", "explain", "runtime.request_timeout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "Setting of dlt: seconds one HTTP request of a REST API source may take. Default: 60; "
                              "must be a non-negative number.\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Result: runtime.request_timeout is not set. A run uses the default, 60.\n")) << r.out;
  // Other keys are not settings of the engine: no such line.
  auto other = w.Dlt({"config", "explain", "sources.demo.page_size"});
  EXPECT_FALSE(Contains(other.out, "Setting of dlt")) << other.out;
  EXPECT_TRUE(Contains(other.out, "Result: sources.demo.page_size is not set.\n")) << other.out;
}

TEST(WorkspaceCheck, ReportsInvalidSettingsAndMisspeltRuntimeKeysButNotPythonDltOnes) {
  TempWorkspace w;
  w.Write(".dlt/config.toml",
          "[runtime]\n"
          "lock_timout = 5\n"
          "request_timeout = \"soon\"\n"
          "log_level = \"INFO\"\n"
          "dlthub_telemetry = false\n"
          "[workspace.profiles.prod]\n"
          "protected = \"maybe\"\n");
  auto r = w.Dlt({"workspace", "check"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "- .dlt/config.toml:2: unknown key `runtime.lock_timout`. Did you mean "
                              "`runtime.lock_timeout`? (`dlt config settings` lists them)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "- .dlt/config.toml:3:19: runtime.request_timeout must be a non-negative number.\n"))
      << r.out;
  EXPECT_FALSE(Contains(r.out, "soon")) << r.out;  // the check prints no values
  EXPECT_TRUE(Contains(r.out, "- .dlt/config.toml:7:13: workspace.profiles.prod.protected must be true or false.\n"))
      << r.out;
  EXPECT_FALSE(Contains(r.out, "log_level")) << r.out;
  EXPECT_FALSE(Contains(r.out, "dlthub_telemetry")) << r.out;
}

TEST(WorkspaceCheck, ReportsAMisspeltParquetNormalizerKeyAndAnInvalidValue) {
  TempWorkspace w;
  w.Write(".dlt/config.toml",
          "[normalize.parquet_normalizer]\n"
          "add_dlt_idd = true\n"
          "add_dlt_load_id = \"maybe\"\n");
  auto r = w.Dlt({"workspace", "check"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "- .dlt/config.toml:2: unknown key `normalize.parquet_normalizer.add_dlt_idd`. Did you "
                              "mean `normalize.parquet_normalizer.add_dlt_id`?")) << r.out;
  EXPECT_TRUE(Contains(r.out, "normalize.parquet_normalizer.add_dlt_load_id must be true or false")) << r.out;
}

TEST(WorkspaceCheck, ReportsAnInvalidSettingInASecretsFileToo) {
  TempWorkspace w;
  w.Write(".dlt/dev.secrets.toml", "[runtime]\nrequest_max_retry_delay = -5\n");
  auto r = w.Dlt({"workspace", "check"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "- .dlt/dev.secrets.toml:2:27: runtime.request_max_retry_delay must be a non-negative "
                              "number.\n")) << r.out;
}

TEST(WorkspaceCheck, ValidSettingsAreNoProblem) {
  TempWorkspace w;
  w.Write(".dlt/config.toml", "[runtime]\nlock_timeout = 30\nrequest_max_attempts = 2\n");
  auto r = w.Dlt({"workspace", "check"});
  EXPECT_FALSE(Contains(r.out, "runtime.")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
