#include "pipeline/run_trace.h"

#include "common/json_read.h"

namespace dlt {

using Json = nlohmann::ordered_json;
using K = jsonread::Kind;

StatusOr<RunTrace> ReadRunTrace(const std::filesystem::path& file) {
  jsonread::JsonFile f(file, "The next run of the pipeline replaces it; delete the file to clear it now");
  DLT_ASSIGN_OR_RETURN(Json d, f.ReadObject());
  for (const char* k : {"pipeline_name", "profile", "profile_selected_by", "started_at", "finished_at", "destination",
                        "dataset_name", "outcome", "error"}) {
    DLT_RETURN_IF_ERROR(f.Optional(d, "", k, K::kString));
  }
  for (const char* k : {"config_origins", "steps", "load_ids"}) DLT_RETURN_IF_ERROR(f.Optional(d, "", k, K::kArray));
  DLT_RETURN_IF_ERROR(f.Optional(d, "", "rows_per_table", K::kObject));
  DLT_RETURN_IF_ERROR(f.Optional(d, "", "records_skipped_by_incremental", K::kUnsigned));
  RunTrace t;
  auto str = [&](const char* k) { return d.contains(k) ? d[k].get<std::string>() : std::string(); };
  t.started_at = str("started_at");
  t.finished_at = str("finished_at");
  t.outcome = str("outcome");
  t.profile = str("profile");
  t.profile_selected_by = str("profile_selected_by");
  t.destination = str("destination");
  t.dataset_name = str("dataset_name");
  t.error = str("error");
  if (auto it = d.find("rows_per_table"); it != d.end()) DLT_RETURN_IF_ERROR(f.Each(*it, "rows_per_table", K::kUnsigned));
  if (auto it = d.find("load_ids"); it != d.end()) {
    DLT_RETURN_IF_ERROR(f.Each(*it, "load_ids", K::kString));
    t.load_ids = it->get<std::vector<std::string>>();
  }
  if (auto it = d.find("config_origins"); it != d.end()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& o = (*it)[i];
      const std::string at = "config_origins[" + std::to_string(i) + "]";
      DLT_RETURN_IF_ERROR(f.Want(o, at, K::kObject));
      DLT_RETURN_IF_ERROR(f.Required(o, at, "key", K::kString));
      DLT_RETURN_IF_ERROR(f.Required(o, at, "origin", K::kString));
      t.config_origins.emplace_back(o["key"].get<std::string>(), o["origin"].get<std::string>());
    }
  }
  if (auto it = d.find("steps"); it != d.end()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& s = (*it)[i];
      const std::string at = "steps[" + std::to_string(i) + "]";
      DLT_RETURN_IF_ERROR(f.Want(s, at, K::kObject));
      DLT_RETURN_IF_ERROR(f.Required(s, at, "step", K::kString));
      DLT_RETURN_IF_ERROR(f.Optional(s, at, "seconds", K::kNumber));
      for (const char* k : {"rows", "bytes"}) DLT_RETURN_IF_ERROR(f.Optional(s, at, k, K::kUnsigned));
      RunTrace::Step step;
      step.step = s["step"].get<std::string>();
      step.seconds = s.value("seconds", 0.0);
      step.rows = s.value("rows", uint64_t{0});
      t.steps.push_back(std::move(step));
    }
  }
  t.doc = std::move(d);
  return t;
}

}  // namespace dlt
