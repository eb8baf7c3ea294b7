// `dlt pipeline <name> drop`: drops the tables of selected resources from the destination and
// resets their state, storing the new schema and state with the same transaction.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

struct DropOptions {
  std::string pipeline_name;
  std::vector<std::string> resources;  // empty with drop_all
  std::string schema_name;             // whose resources ("": the pipeline's default schema)
  bool drop_all = false;
  // dlt's refresh="drop_data": the tables are emptied rather than dropped, and the schema is
  // kept; the resources' state is reset all the same.
  bool truncate_only = false;
  std::function<bool(const std::vector<std::string>& tables)> confirm;  // false cancels
};

struct DropResult {
  bool cancelled = false;
  std::vector<std::string> tables;     // dropped (or emptied with truncate_only)
  std::vector<std::string> resources;  // whose state was reset
  std::string load_id;
};

StatusOr<DropResult> DropResources(const Workspace& ws, const DropOptions& options);

}  // namespace dlt
