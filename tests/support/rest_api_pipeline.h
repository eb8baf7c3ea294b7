// The pipeline file of the in-process REST API tests: pipeline `api_pipeline` into destination
// `warehouse` (dataset `api_data`), source `my_api` of type rest_api; each test adds the rest.
#pragma once

#include <filesystem>
#include <string>

#include "support/temp_workspace.h"

namespace dlt::testing {

inline constexpr const char* kRestApiPipelineHeader = R"([pipeline]
name = "api_pipeline"
destination = "warehouse"
dataset_name = "api_data"

[source]
type = "rest_api"
name = "my_api"
)";

// Writes <root>/api_pipeline.toml: the header, then `body`. Returns its path.
inline std::filesystem::path WriteRestApiPipeline(const TempWorkspace& ws, const std::string& body) {
  std::filesystem::path path = ws.root() / "api_pipeline.toml";
  WriteFile(path, std::string(kRestApiPipelineHeader) + body);
  return path;
}

}  // namespace dlt::testing
