// trace.json, the record of a pipeline's last run, read back for `dlt pipeline <name> trace` and
// the dashboard. Runs only write it (each run replaces it), so a damaged trace never stops a run:
// `trace` reports it naming the file (DataLoss, exit code 6), the dashboard shows the pipeline
// with that message instead of a status.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/status.h"

namespace dlt {

struct RunTrace {
  struct Step {
    std::string step;
    double seconds = 0;
    uint64_t rows = 0;
  };
  std::string started_at, finished_at, outcome;
  std::string profile, profile_selected_by;
  std::vector<std::pair<std::string, std::string>> config_origins;  // key, origin
  std::string destination, dataset_name;
  std::vector<Step> steps;
  std::string error;
  std::vector<std::string> load_ids;
  // The whole document as read (type-checked), served as it is by the dashboard.
  nlohmann::ordered_json doc;
};

StatusOr<RunTrace> ReadRunTrace(const std::filesystem::path& file);

}  // namespace dlt
