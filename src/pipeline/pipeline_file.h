// Declarative pipeline files (TOML), run with `dlt run <file>`:
//
//   #!/usr/bin/env -S dlt run
//   [pipeline]
//   name = "github_events"
//   destination = "warehouse"           # a named destination of the active profile
//   dataset_name = "github_events_data"
//
//   [[resources]]
//   name = "events"
//   path = "data/events*.jsonl.gz"       # glob(s) relative to this file; "-" = stdin
//   format = "auto"                      # jsonl | json | csv | parquet | auto (by extension)
//   csv = { delimiter = ";", header = true }   # optional; detected when left out; also quote,
//                                        # encoding, skip_rows, names, columns, null_values,
//                                        # types = { zip = "text" }, all_text (include/dlt/resource.h)
//   write_disposition = "merge"          # append | replace | merge | skip
//   primary_key = "id"                   # or ["id", "repo_id"]
//   incremental = { cursor_path = "updated_at", initial_value = "2024-01-01T00:00:00Z" }
//   columns = { created_at = { data_type = "timestamp", nullable = false } }
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dlt/config.h"
#include "dlt/pipeline.h"
#include "dlt/sql_database.h"

namespace dlt {

namespace rest_api {
struct RestApiSpec;
}

struct ResourceFileSpec {
  ResourceOptions options;
  std::vector<std::string> paths;
  std::string format = "auto";
  CsvOptions csv;  // format csv (or auto with .csv files)
};

struct PipelineFileSpec {
  std::filesystem::path file;
  std::string name;
  std::string destination;
  std::string dataset_name;
  std::string source_type = "filesystem";
  std::vector<ResourceFileSpec> resources;  // rest_api: the selected resources' hints (no paths)
  // source_type "rest_api": the parsed source (src/extract/rest_api_config.h).
  std::shared_ptr<const rest_api::RestApiSpec> rest_api;
  // source_type "sql_database": the source's options, tables hinted by [[resources]]
  // (src/pipeline/sql_database_file.h); `resources` names those tables only.
  std::shared_ptr<const SqlDatabaseOptions> sql_database;
};

StatusOr<PipelineFileSpec> ParsePipelineFile(const std::filesystem::path& file, std::string_view display_name);

// A REST API source configured in code (Python's rest_api_source(config) dicts, as ConfigNode
// tables: `source` holds name/client/resource_defaults, `resources` the resources): parsed as a
// pipeline file's [source] and [[resources]], except that auth secrets may be given inline.
StatusOr<std::shared_ptr<const rest_api::RestApiSpec>> ParseRestApiConfig(std::string_view display_name,
                                                                          const ConfigNode& source,
                                                                          const ConfigNode* resources,
                                                                          const std::string& pipeline_name);

// Finds the file of a pipeline given a file path or a pipeline name: <name>.toml,
// <name>_pipeline.toml, pipelines/<name>.toml, or any *.toml in the run dir whose
// [pipeline] name matches.
StatusOr<std::filesystem::path> FindPipelineFile(const std::string& name_or_path, const std::filesystem::path& run_dir);

}  // namespace dlt
