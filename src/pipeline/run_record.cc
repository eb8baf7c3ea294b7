// What a run leaves for people: trace.json (the run record), its copy in the run history
// (traces/), and the summary printed after it.
#include <unistd.h>

#include <cstdio>

#include "common/fs.h"
#include "common/text.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/trace_history.h"

namespace dlt {

using Json = nlohmann::ordered_json;

LoadInfo Pipeline::Impl::NewInfo() const {
  LoadInfo info;
  info.pipeline_name = options.pipeline_name;
  info.profile = profile;
  info.destination = destination.Describe();
  info.dataset_name = options.dataset_name;
  info.destination_type = destination.type;
  info.destination_location = destination.credentials ? destination.credentials->Redacted() : "";
  return info;
}

Status Pipeline::Impl::WriteTrace(const LoadInfo& info, const Status& outcome, const std::string& started_at) {
  Json t = Json::object();
  t["pipeline_name"] = info.pipeline_name;
  t["profile"] = info.profile;
  t["profile_selected_by"] = profile_selected_by;
  Json origins = Json::array();
  for (const auto& [k, o] : config_origins) origins.push_back({{"key", k}, {"origin", o}});
  t["config_origins"] = origins;
  t["started_at"] = started_at;
  t["finished_at"] = NowIso();
  t["destination"] = info.destination;
  t["dataset_name"] = info.dataset_name;
  t["load_ids"] = info.load_ids;
  Json steps = Json::array();
  for (const auto& s : info.steps) {
    steps.push_back({{"step", s.step}, {"seconds", s.seconds}, {"rows", s.rows}, {"bytes", s.bytes}});
  }
  t["steps"] = steps;
  t["rows_per_table"] = info.rows_per_table;
  t["records_skipped_by_incremental"] = info.records_skipped;
  t["outcome"] = outcome.ok() ? "completed" : "failed";
  if (!outcome.ok()) t["error"] = outcome.message();
  const std::string text = t.dump(2);
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(PipelinePaths(dir).Trace(), text));
  std::string id = info.load_ids.empty() ? "pid" + std::to_string(::getpid()) : info.load_ids.front();
  return AppendTraceHistory(dir, TraceHistoryFileName(started_at, id), text);
}

std::string LoadInfo::Summary() const {
  std::string out;
  uint64_t total = 0;
  for (const auto& [t, n] : rows_per_table) total += n;
  out += "Pipeline " + pipeline_name + " load step completed";
  if (!load_ids.empty()) out += " (" + std::to_string(load_ids.size()) + " load package" + (load_ids.size() > 1 ? "s" : "") + ")";
  out += "\n";
  out += "  destination: " + destination + "\n";
  out += "  dataset:     " + dataset_name + "\n";
  if (!profile.empty()) out += "  profile:     " + profile + "\n";
  if (load_ids.empty()) {
    out += "  No new data to load.\n";
  } else {
    out += "  load ids:    " + text::Join(load_ids, ", ") + "\n";
    out += "  tables (rows loaded):\n";
    for (const auto& [t, n] : rows_per_table) out += "    " + t + ": " + std::to_string(n) + "\n";
    out += "  total rows:  " + std::to_string(total) + "\n";
  }
  if (records_skipped) out += "  skipped by incremental cursor: " + std::to_string(records_skipped) + "\n";
  std::map<std::string, StepTiming> steps;
  for (const auto& s : this->steps) {
    auto& agg = steps[s.step];
    agg.step = s.step;
    agg.seconds += s.seconds;
    agg.rows += s.rows;
    agg.bytes += s.bytes;
  }
  out += "  time:";
  for (const char* name : {"extract", "normalize", "load"}) {
    auto it = steps.find(name);
    if (it == steps.end()) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s %.2fs", name, it->second.seconds);
    out += buf;
  }
  out += "\n";
  return out;
}

}  // namespace dlt