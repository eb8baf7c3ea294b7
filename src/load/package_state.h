// load_package_state.json of a load package, read back into typed fields. Extract writes
// `created_at`, `resources` (the hints of each resource), `local_state` (the pipeline state after
// extract) and `pipeline_state` (the row for _dlt_pipeline_state); normalize adds
// `replace_tables`, `row_counts`, `job_bytes` and `generated_columns`.
//
// Every key the engine uses is type-checked on reading: a damaged file is "load package <id> is
// damaged: <file> ..." (DataLoss, exit code 6) with what to do, never an exception from deep in
// normalize or load.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "load/sql_loader.h"

namespace dlt {

inline constexpr const char* kGeneratedColumnsKey = "generated_columns";

struct LoadPackageState {
  // The whole document as read (type-checked): normalize writes it back with its keys added.
  nlohmann::ordered_json doc;
  // resources.<name>: the resource hints, type-checked (names, dispositions, keys, columns).
  const nlohmann::ordered_json& resources() const;
  // The schema the package was extracted into (absent in packages of older versions: the
  // pipeline's default schema).
  std::optional<std::string> schema_name() const;
  // The pipeline state after extract (PipelineState::Validate'd); absent in old packages.
  std::optional<nlohmann::ordered_json> local_state;
  // The _dlt_pipeline_state row to write with the load, when the state changed.
  std::optional<StateRow> pipeline_state;
  std::vector<std::string> replace_tables;
  // dlt's refresh (extract_step.cc): tables the load drops, or empties, first.
  std::vector<std::string> dropped_tables;
  std::vector<std::string> truncated_tables;
  // Rows per table, in the order normalize wrote them.
  std::vector<std::pair<std::string, uint64_t>> row_counts;
  // Size of each job file when normalize closed it.
  std::map<std::string, uint64_t> job_bytes;
  // Parquet job file -> the dlt columns the load gives its rows (pipeline/file_items.h).
  std::map<std::string, std::vector<std::string>> generated_columns;
};

// Reads <package>/load_package_state.json. `pipeline_name` goes into the remedy
// (drop-pending-packages, then sync); rows of a missing `_dlt_id` get a fresh one.
StatusOr<LoadPackageState> ReadLoadPackageState(const std::filesystem::path& file, const std::string& pipeline_name);

}  // namespace dlt
