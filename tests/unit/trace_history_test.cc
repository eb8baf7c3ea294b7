// The run history of a pipeline (traces/): names that sort by start time, the newest 100 kept
// by default, temporary files of a write in progress never listed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "pipeline/trace_history.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

std::string StartedAt(int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-12-05T%02d:%02d:%02d.%06d+00:00", i / 3600 % 24, i / 60 % 60, i % 60, i);
  return buf;
}

TEST(TraceHistory, FileNamesSortByTheStartOfTheRun) {
  EXPECT_EQ(TraceHistoryFileName("2026-12-05T04:03:51.123456+00:00", "1733371431.12"),
            "20261205T040351.123456Z-1733371431.12.json");
  EXPECT_LT(TraceHistoryFileName("2026-12-05T09:59:59.999999+00:00", "9"),
            TraceHistoryFileName("2026-12-05T10:00:00.000000+00:00", "1"));
  // Nothing of an id can leave the folder.
  EXPECT_EQ(TraceHistoryFileName("2026-12-05T04:03:51.000000+00:00", "../x"), "20261205T040351.000000Z-.._x.json");
}

TEST(TraceHistory, TheNewestHundredTracesAreKeptByDefault) {
  ::unsetenv("DLT_TRACE_HISTORY");
  testing::TempDir dir;
  for (int i = 0; i < 105; ++i) {
    ASSERT_TRUE(AppendTraceHistory(dir.path(), TraceHistoryFileName(StartedAt(i), "pid1"), "{}").ok());
  }
  auto kept = ListTraceHistory(dir.path());
  ASSERT_EQ(kept.size(), 100u);
  EXPECT_EQ(kept.front().filename(), TraceHistoryFileName(StartedAt(104), "pid1"));  // newest first
  EXPECT_EQ(kept.back().filename(), TraceHistoryFileName(StartedAt(5), "pid1"));     // 0..4 pruned
}

TEST(TraceHistory, ABoundFromTheEnvironmentApplies_AWrongOneFallsBackToTheDefault) {
  ::setenv("DLT_TRACE_HISTORY", "3", 1);
  EXPECT_EQ(TraceHistoryLimit(), 3u);
  for (const char* wrong : {"0", "-1", "many", "1e3"}) {
    ::setenv("DLT_TRACE_HISTORY", wrong, 1);
    EXPECT_EQ(TraceHistoryLimit(), 100u) << wrong;
  }
  ::unsetenv("DLT_TRACE_HISTORY");
}

TEST(TraceHistory, ATemporaryFileOfAWriteInProgressIsNotARun) {
  testing::TempDir dir;
  ASSERT_TRUE(AppendTraceHistory(dir.path(), TraceHistoryFileName(StartedAt(1), "pid1"), "{}").ok());
  std::ofstream(dir.path() / "traces" / (TraceHistoryFileName(StartedAt(2), "pid1") + ".tmp123_456")) << "{";
  auto listed = ListTraceHistory(dir.path());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].filename(), TraceHistoryFileName(StartedAt(1), "pid1"));
}

}  // namespace
}  // namespace dlt
