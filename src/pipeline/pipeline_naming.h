// The naming convention a pipeline's tables, columns and dataset are named with, as every command
// that names them must agree on it (the run, `drop`, `sync`): dlt's `[schema] naming` or the
// destination's `naming_convention`, shortened to the destination's identifier limit (its
// `max_identifier_length` override, else the type's).
#pragma once

#include <string>

#include "dlt/status.h"
#include "dlt/workspace.h"
#include "normalize/naming.h"

namespace dlt {

StatusOr<SnakeCaseNaming> ResolvePipelineNaming(const Workspace& ws, const std::string& pipeline_name,
                                                const std::string& destination_name, const std::string& destination_type);

}  // namespace dlt
