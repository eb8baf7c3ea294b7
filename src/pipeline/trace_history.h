// The history of a pipeline's runs: besides trace.json (the last run, read by `dlt pipeline
// <name> trace` and the dashboard), every run's trace is kept in traces/ of the working folder,
// one file per run, named so that the names sort by start time. The folder is bounded: after each
// write only the newest kTraceHistoryDefault (or DLT_TRACE_HISTORY) files are kept.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dlt/status.h"

namespace dlt {

inline constexpr size_t kTraceHistoryDefault = 100;

// How many traces a pipeline keeps: DLT_TRACE_HISTORY when it is a whole number >= 1, else 100.
size_t TraceHistoryLimit();

// "2026-12-05T04:03:51.123456+00:00" and "1733371431.12" -> "20261205T040351.123456Z-1733371431.12.json";
// without a load id the process id names the run. Fixed width up to the dash, so names sort by time.
std::string TraceHistoryFileName(const std::string& started_at, const std::string& load_id_or_pid);

// Writes one run's trace into traces/ (atomically) and removes the oldest beyond the limit.
Status AppendTraceHistory(const std::filesystem::path& pipeline_dir, const std::string& file_name,
                          const std::string& trace_json);

// The trace files of traces/, newest first (temporary files of a write in progress are left out).
std::vector<std::filesystem::path> ListTraceHistory(const std::filesystem::path& pipeline_dir);

}  // namespace dlt
