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
#include <string_view>
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
  std::string started_at, finished_at;  // ISO 8601 UTC
};

// One job file of a load package. Normalized and loaded jobs are named as dlt names them,
// `<table>.<file id>.<retry>.<format>`; extracted ones `<resource>.<part>...`.
struct JobInfo {
  std::string job_id;      // the file name
  std::string table_name;  // the table it loads (the resource's for an extracted job)
  std::string state;       // new_jobs, completed_jobs or failed_jobs (the folder it is in)
  std::string file_format; // the file's extension: csv, jsonl, typed, ...
  uint64_t file_size = 0;
  std::string failed_message;
};

// A load package in the pipeline's working folder.
struct PackageInfo {
  std::string load_id;
  std::string schema_name;  // the schema it was extracted into (one per source)
  std::string state;        // extracted, normalized, loaded (or aborted)
  std::optional<std::string> completed_at;  // ISO 8601 UTC, when loaded
  std::vector<JobInfo> jobs;
};

struct LoadInfo {
  std::string pipeline_name;
  std::string profile;
  std::string destination;  // "duckdb /path/warehouse.duckdb" (never a secret)
  std::string dataset_name;
  std::vector<std::string> load_ids;
  std::map<std::string, uint64_t> rows_per_table;  // loaded by this run
  std::map<std::string, uint64_t> rows_normalized;  // normalized by this call (dlt's NormalizeInfo.row_counts)
  std::vector<StepTiming> steps;
  uint64_t records_skipped = 0;  // by incremental cursors
  std::string destination_type;      // duckdb, postgres, ...
  std::string destination_location;  // the DuckDB file or the URL with its password as *** (never a secret)
  bool first_run = false;            // the pipeline had no state before this call
  // The packages this call extracted, normalized or loaded, in the state they ended in.
  std::vector<PackageInfo> packages;
  std::string Summary() const;   // the one-screen summary printed after a run
};

struct PipelineOptions {
  std::string pipeline_name;
  std::string destination;   // a named destination or a type
  // dlt's pipeline made without a destination (`dlt.pipeline("x")`, then `extract()` and
  // `normalize()`): with `destination` empty, Extract and Normalize work (names in the schema's
  // naming convention, not shortened; nothing restored from a destination) and Run and Load
  // are refused until a pipeline is made with one.
  bool without_destination = false;
  std::string dataset_name;  // default: <pipeline_name>_dataset
  // The schema extracts use. dlt names a source's schema after the source, and a pipeline keeps
  // one schema per source it ran (its state's schema_names), the first one its default. ""
  // means the default schema: for a new pipeline, one named after the pipeline.
  std::string schema_name;
  // dlt's refresh for Extract and Run: "drop_sources" (every table of the schema dropped, the
  // source's state reset), "drop_resources" (the tables and state of the resources run),
  // "drop_data" (those tables emptied, their state reset); "" none. The state is reset by the
  // extract; the tables are dropped or emptied by the load of its package, in the load's
  // transaction, so a run that fails before the load changes nothing in the destination.
  std::string refresh;
  bool progress = false;     // live progress on stderr (only when it is a terminal)
  bool read_only = false;    // refuse to write (the destination is opened read-only)
  // When another process runs the pipeline: wait up to this many seconds for it to finish
  // (0: fail at once, naming the holder's pid). `[runtime] lock_timeout` for `dlt run`.
  double lock_timeout_s = 0;
  // Configuration keys the source read (key -> where its value came from, never the value):
  // listed in the run record after the destination's.
  std::vector<std::pair<std::string, std::string>> source_config_origins;
  // State kept by user code (dlt's `dlt.current.source_state()` / `resource_state()`): called
  // once per extract, after the rows are read and before the package is published, with the
  // name of the schema whose part of the state (`sources.<schema>`) it stands for. Returns that
  // part as user code left it (a JSON object), or nullopt to leave it as it is. The cursors the
  // engine moved in this extract win over what is returned; the result is stored and loaded
  // with the package, as the cursors are. An error fails the extract (nothing is published).
  std::function<StatusOr<std::optional<std::string>>(const std::string& schema_name)> source_state;
};

// Where the last failed call of a Pipeline stopped (Pipeline::last_failure).
struct RunFailure {
  std::string step;  // extract, normalize, load, or sync (before any step: locks, state, restore)
  std::string load_id;             // the package the step worked on ("" before one existed)
  bool has_pending_data = false;   // extracted or normalized packages wait (the next run takes them)
  enum class Kind {
    kSource,          // a resource's source reported an error while extracting
    kData,            // normalize refused a record (bad value, type conflict)
    kSchemaContract,  // a frozen schema contract was violated
    kDestination,     // the destination could not be reached or refused the load
    kConfig,          // configuration or credentials are missing or wrong
    kOther,
  } kind = Kind::kOther;
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

  // The steps of Run one at a time (dlt's pipeline.extract/normalize/load), each with Run's
  // locks, crash safety and run record. Extract writes an extracted package and stops there;
  // Normalize normalizes every extracted package; Load loads every normalized one. With nothing
  // to do Normalize and Load return an info without packages. A failed load keeps its package:
  // the next Load or Run loads it.
  StatusOr<LoadInfo> Extract(const std::vector<Resource>& resources);
  StatusOr<LoadInfo> Normalize();
  StatusOr<LoadInfo> Load();

  // state.json as stored, restored from the destination first when the local folder is new
  // (as Run does).
  StatusOr<std::string> StateJson();
  // A stored schema of the pipeline (JSON): `schema_name`, or the default schema when empty;
  // NotFound when it has none yet.
  StatusOr<std::string> SchemaJson(const std::string& schema_name = "");
  // The schema the next Extract or Run extracts into (PipelineOptions::schema_name): a source's
  // name; "" for the default schema. A name that is no file name is refused.
  Status UseSchema(const std::string& schema_name);
  // The refresh of the next Extract or Run (PipelineOptions::refresh); "" none.
  Status UseRefresh(const std::string& mode);
  // Extracted or normalized packages wait to be loaded.
  StatusOr<bool> HasPendingData();
  // Where the last failed call stopped; reset by every call that succeeds.
  const std::optional<RunFailure>& last_failure() const;
  // dlt's Pipeline.drop(): deletes the local working folder (state, schema, packages, trace)
  // under the pipeline's lock. The destination is untouched: the next run restores from it.
  Status DropLocal();
  // A package of the working folder by its load id (NotFound when there is none).
  StatusOr<PackageInfo> GetPackage(const std::string& load_id);
  // Load ids of the packages in a state (extracted, normalized, loaded), oldest first.
  std::vector<std::string> ListPackages(std::string_view state);

  const std::string& name() const;
  const std::filesystem::path& working_dir() const;  // .dlt/.var/<profile>/pipelines/<name>

 private:
  Pipeline();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlt
