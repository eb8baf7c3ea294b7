// What an extracted package says about its resources (load_package_state.json "resources"): the
// hints of each resource, written by extract and read back by normalize, which may run in a
// later process (a pending package) and so cannot see the Resource objects.
#pragma once

#include <nlohmann/json.hpp>

#include "dlt/pipeline.h"
#include "dlt/status.h"
#include "normalize/relational.h"

namespace dlt {

// Checks a resource's options before anything is extracted (names, dispositions, types).
Status ValidateResourceOptions(const ResourceOptions& options);

nlohmann::ordered_json HintsToJson(const ResourceOptions& options);
StatusOr<TableHints> HintsFromJson(const nlohmann::ordered_json& j);

}  // namespace dlt
