// What an extracted package says about its resources (load_package_state.json "resources"): the
// hints of each resource, written by extract and read back by normalize, which may run in a
// later process (a pending package) and so cannot see the Resource objects.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dlt/pipeline.h"
#include "dlt/status.h"
#include "normalize/relational.h"

namespace dlt {

// load_package_state.json "job_kinds": extracted job file name -> "json" (JSON Lines), "typed"
// (typed batches, normalize/typed_job_file.h) or "parquet" (a Parquet file of dlt's Arrow items
// kept as it came, pipeline/file_items.h). Packages written before the record (and jobs it does
// not name) are JSON.
inline constexpr const char* kJobKindsKey = "job_kinds";
inline constexpr const char* kJobKindJson = "json";
inline constexpr const char* kJobKindTyped = "typed";
inline constexpr const char* kJobKindParquet = "parquet";
// The kind of extracted job `file_name` by the package state `ps`: one of the above; an
// error naming the file for any other value.
StatusOr<std::string> JobKindOf(const nlohmann::ordered_json& ps, const std::string& file_name);

// Checks a resource's options before anything is extracted (names, dispositions, types).
Status ValidateResourceOptions(const ResourceOptions& options);

nlohmann::ordered_json HintsToJson(const ResourceOptions& options);
StatusOr<TableHints> HintsFromJson(const nlohmann::ordered_json& j);

}  // namespace dlt
