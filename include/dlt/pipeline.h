// Pipelines: extract -> normalize -> load packages -> load, into the destination of the active
// profile. Use from C++:
//
//   auto ws = dlt::Workspace::Open({});  ws->LoadConfig();
//   auto p = dlt::Pipeline::Create(*ws, {.pipeline_name = "events", .destination = "warehouse",
//                                        .dataset_name = "events_data"});
//   dlt::ResourceOptions r; r.name = "events";
//   auto info = p->Run({dlt::Resource::FromRows(r, {R"({"id": 1})", R"({"id": 2})"})});
//   std::cout << info->Summary();
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/sql.h"
#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

struct StepTiming {
  std::string step;  // extract, normalize, load
  double seconds = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

struct LoadInfo {
  std::string pipeline_name;
  std::string profile;
  std::string destination;  // "duckdb /path/warehouse.duckdb" (never a secret)
  std::string dataset_name;
  std::vector<std::string> load_ids;
  std::map<std::string, uint64_t> rows_per_table;  // loaded by this run
  std::vector<StepTiming> steps;
  uint64_t records_skipped = 0;  // by incremental cursors
  std::string Summary() const;   // the one-screen summary printed after a run
};

struct PipelineOptions {
  std::string pipeline_name;
  std::string destination;   // a named destination or a type
  std::string dataset_name;  // default: <pipeline_name>_dataset
  bool progress = false;     // live progress on stderr (only when it is a terminal)
  bool read_only = false;    // refuse to write (the destination is opened read-only)
  // When another process runs the pipeline: wait up to this many seconds for it to finish
  // (0: fail at once, naming the holder's pid). `[runtime] lock_timeout` for `dlt run`.
  double lock_timeout_s = 0;
  // Configuration keys the source read (key -> where its value came from, never the value):
  // listed in the run record after the destination's.
  std::vector<std::pair<std::string, std::string>> source_config_origins;
};

class Pipeline {
 public:
  static StatusOr<Pipeline> Create(const Workspace& workspace, PipelineOptions options);
  Pipeline(Pipeline&&) noexcept;
  Pipeline& operator=(Pipeline&&) noexcept;
  ~Pipeline();

  // Finishes pending packages of earlier runs, then extracts, normalizes and loads `resources`.
  StatusOr<LoadInfo> Run(const std::vector<Resource>& resources);
  // Loads pending packages only.
  StatusOr<LoadInfo> LoadPending();
  // A SQL session on the pipeline's dataset in its destination (include/dlt/sql.h; in
  // src/pipeline/sql_session.cc). Read-only when asked or when the pipeline is.
  StatusOr<SqlSession> OpenSql(bool read_only = false);

  const std::string& name() const;
  const std::filesystem::path& working_dir() const;  // .dlt/.var/<profile>/pipelines/<name>

 private:
  Pipeline();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlt
