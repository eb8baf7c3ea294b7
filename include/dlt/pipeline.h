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

#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

class RecordSource;
struct TableHints;
struct IncrementalSpec;

struct ColumnOptions {
  std::string name;
  std::optional<std::string> data_type;  // text, bigint, double, bool, timestamp, date, time, decimal, json, binary
  std::optional<bool> nullable;
  bool primary_key = false;
  bool merge_key = false;
  bool unique = false;
  std::optional<int> precision;
  std::optional<int> scale;
};

// What may change in the schema when data arrives, as dlt's schema contracts: per kind of
// change, "evolve" (the default: the schema grows), "freeze" (the run fails naming the record,
// and nothing of it is loaded) or "discard_value" (the value that would change the schema is
// dropped; not for tables). `tables`: new tables (a new nested table, or a root table in a
// schema that already holds data); `columns`: new columns of a table that already holds data;
// `data_type`: a value whose type does not fit its column (a variant column otherwise).
struct SchemaContract {
  std::string tables = "evolve";
  std::string columns = "evolve";
  std::string data_type = "evolve";
};

struct IncrementalOptions {
  std::string cursor_path;
  std::optional<std::string> initial_value_json;  // a JSON value: "\"2024-01-01T00:00:00Z\"" or "10"
  std::string on_cursor_value_missing = "raise";  // raise | include | exclude
  // The key whose values identify rows at the cursor boundary (dlt's incremental primary_key):
  // unset uses the resource's primary_key; an empty list turns boundary de-duplication off.
  std::optional<std::vector<std::string>> primary_key;
  bool primary_key_is_list = false;  // written as a list: dlt hashes [v] rather than v
};

struct ResourceOptions {
  std::string name;
  std::string table_name;                    // default: name
  std::string write_disposition = "append";  // append | replace | merge | skip
  std::vector<std::string> primary_key;
  bool primary_key_is_list = false;  // written as a list (["id"]) rather than a name ("id")
  std::vector<std::string> merge_key;
  std::vector<ColumnOptions> columns;
  std::optional<IncrementalOptions> incremental;
  int max_table_nesting = 1000;
  SchemaContract schema_contract;
};

class Resource {
 public:
  // Rows produced by user code: `next` stores one JSON document and returns true, or returns
  // false at the end.
  static Resource FromCallback(ResourceOptions options, std::function<bool(std::string& json)> next);
  static Resource FromRows(ResourceOptions options, std::vector<std::string> json_rows);
  // JSON Lines or JSON array files (gzip recognized), glob patterns relative to `base_dir`;
  // "-" reads standard input. Files are streamed, never read whole.
  static Resource FromFiles(ResourceOptions options, std::vector<std::string> patterns,
                            std::filesystem::path base_dir, std::string format = "auto");
  // Rows from a RecordSource (src/extract/extractor.h) made by `open` when the extract step
  // starts on this resource; its errors stop the run (FromCallback cannot report one).
  static Resource FromSource(ResourceOptions options,
                             std::function<StatusOr<std::unique_ptr<RecordSource>>()> open);

  const ResourceOptions& options() const { return options_; }
  // Opens the record source (files are globbed here).
  StatusOr<std::unique_ptr<RecordSource>> Open() const;

 private:
  ResourceOptions options_;
  std::function<StatusOr<std::unique_ptr<RecordSource>>()> open_;
};

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

  const std::string& name() const;
  const std::filesystem::path& working_dir() const;  // .dlt/.var/<profile>/pipelines/<name>

 private:
  Pipeline();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlt
