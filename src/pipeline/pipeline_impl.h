// The state of one pipeline and its stages, shared by the files that implement them:
//   pipeline.cc         the orchestrator: Create, Run (pending packages, then extract ->
//                       normalize -> load of the new one), the working-folder locks
//   local_state.cc      state.json and the schema: read, adopted from packages, restored from
//                       the destination
//   extract_step.cc     resources -> an extracted package
//   normalize_step.cc   an extracted package -> a normalized package (job files per table)
//   pre_normalize.cc    its first part normalized while the package is still extracted
//   load_step.cc        a normalized package -> the destination (one transaction)
//   stream_load.cc      loading finished job files while the package is still normalized
//   run_record.cc       trace.json and LoadInfo's summary
//   call.cc             what every public call shares: locks, local state, restore, the run
//                       record and the failure it leaves (last_failure)
//   run_failure.cc      which step failed, and of what kind (RunFailure)
//   package_info.cc     packages on disk described for callers (PackageInfo, JobInfo)
//   local_folder.cc     the working folder read and dropped (StateJson, DropLocal, ...)
// Each stage reads what the previous one published on disk, so every stage can be resumed.
#pragma once

#include <chrono>
#include <functional>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dlt/destination.h"
#include "dlt/pipeline.h"
#include "load/package.h"
#include "load/pipeline_state.h"
#include "load/destination.h"
#include "normalize/naming.h"
#include "normalize/schema.h"
#include "pipeline/pipeline_lock.h"
#include "pipeline/pre_normalize.h"
#include "pipeline/progress.h"
#include "pipeline/stream_queue.h"

namespace dlt {

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Pipeline::Impl {
  PipelineOptions options;
  std::string profile;
  std::string profile_selected_by;
  std::vector<std::pair<std::string, std::string>> config_origins;  // key -> where its value came from
  DestinationConfig destination;
  std::filesystem::path dir;
  std::unique_ptr<PackageStorage> storage;
  PipelineState state;
  std::unique_ptr<Schema> schema;
  SnakeCaseNaming naming;
  // dlt's `<dataset_name>_staging` (the name as given, not yet normalized), normalized.
  std::string staging_dataset;
  std::unique_ptr<Destination> dest;  // opened on first use (OpenDestination)
  Progress progress;

  // --- loading while normalizing (stream_load.cc) ---
  struct Streamed {
    std::string load_id;
    std::set<std::string> files;
    std::set<std::string> tables;
  };
  std::unique_ptr<StreamQueue> stream;
  bool stream_begun = false;         // the stream's transaction is open
  std::optional<Streamed> streamed;  // the package whose transaction is open, with what it loaded
  static uint64_t StreamFileBytes();
  // `while_extracting`: beside a Python generator's core (SqlClient::UseOneThread).
  void StartStream(const std::string& load_id, bool while_extracting = false);
  std::string stream_load_id;
  bool stream_while_extracting = false;
  // Stops the stream once the file being loaded is done (the rest is loaded with the package).
  // Returns false when it failed or never began (its transaction is then rolled back).
  bool StopStream();
  StatusOr<bool> StreamOne(const StreamItem& item);
  // The stream's item for a job file a normalizer closed (made from `schema`, the normalizer's):
  // only files of append tables, whose columns the schema has.
  static std::optional<StreamItem> StreamItemFor(const Schema& schema, const JobFileInfo& f, bool may_alter);
  // A stream's transaction is open in the destination.
  bool StreamInProgress() const;
  // Rolls back a stream's open transaction (nothing when none is open).
  void AbortStream();

  // --- local_state.cc ---
  std::filesystem::path StatePath() const;
  // The file of `schema` (of the working schema before LoadLocal).
  std::filesystem::path SchemaPath() const;
  std::string DefaultSchemaName() const;
  std::string WorkingSchemaName() const;
  // Makes `name` the schema the steps work on (read from its file, or new), listed in the state.
  Status UseSchema(const std::string& name);
  static Status ValidSchemaName(const std::string& name);
  Status RemoveLocalSchemas();
  Status LoadLocal();
  Status AdoptNewerPackageState();
  Status RestoreFromDestinationIfNew(bool sync);
  Status RecordDestinationInState();  // after a load (local_state.cc)
  std::string NextLoadId();

  // --- the stages ---
  Status OpenDestination();
  // Run and Load of a pipeline made without a destination (PipelineOptions::without_destination).
  Status RequireDestination(const char* step) const;
  // `pre_normalize`: the package is normalized right after (Run), so a slow single resource's
  // part files may be normalized while it is extracted (pre_normalize.h).
  StatusOr<bool> Extract(const std::vector<Resource>& resources, const std::string& load_id, LoadInfo* info,
                         bool pre_normalize = false);
  std::unique_ptr<PreNormalizer> pre_normalizer;  // made by Extract, taken by NormalizePackage
  // Stores the source state user code kept (PipelineOptions::source_state) in `state`.
  Status MergeSourceState(const std::vector<Resource>& resources);
  static uint64_t JobFileBytes();
  size_t normalize_workers = 1;  // [normalize] workers (0 in the file: one per core)
  bool arrow_add_dlt_id = false;       // [normalize.parquet_normalizer] add_dlt_id
  bool arrow_add_dlt_load_id = false;  // [normalize.parquet_normalizer] add_dlt_load_id
  Status NormalizePackage(const std::string& load_id, LoadInfo* info, bool stream_load = false);
  Status LoadPackage(const std::string& load_id, LoadInfo* info);
  Status LoadPackageImpl(const std::string& load_id, LoadInfo* info);
  Status ProcessPending(LoadInfo* info);
  template <class F>
  Status GuardPackage(PackageStage stage, const std::string& id, F&& step);

  // --- call.cc: what every public call shares ---
  // The locks a call holds from its start to its end.
  struct CallLocks {
    WorkingFolderLock folder;
    PipelineLock pipeline;
  };
  // Where the call is: each step marks itself as it starts; a step that knows the kind of its
  // failure (a source's error, a frozen contract) sets it before returning the error.
  struct StepMark {
    std::string step;
    std::string load_id;
    std::optional<RunFailure::Kind> kind;
  };
  StepMark mark;
  std::optional<RunFailure> failure;  // Pipeline::last_failure
  std::vector<std::string> touched;   // load ids this call extracted, normalized or loaded
  bool first_run = false;             // the state had never been saved by a run
  // Takes the locks, reads the local state, adopts a newer package state and restores from the
  // destination when the folder is new (`restore`).
  // `sync`: synchronize an existing local state with the destination (RestoreFromDestinationIfNew).
  Status Begin(CallLocks* locks, bool restore = true, bool sync = false);
  // A writing call: refuses a read-only pipeline, Begin, then `body`; writes the run record and
  // sets or clears `failure`.
  StatusOr<LoadInfo> Call(const std::function<Status(LoadInfo&)>& body);
  void Touch(const std::string& load_id);
  // Normalizes every extracted package (a crashed run's leftovers included), then loads every
  // normalized one.
  Status NormalizeExtracted(LoadInfo* info);
  Status LoadNormalized(LoadInfo* info);

  // --- run_failure.cc ---
  RunFailure FailureOf(const Status& s) const;

  // --- package_info.cc ---
  StatusOr<PackageInfo> PackageInfoOf(const std::string& load_id) const;

  // --- run_record.cc ---
  LoadInfo NewInfo() const;
  Status WriteTrace(const LoadInfo& info, const Status& outcome, const std::string& started_at);
};

// A package file of the right syntax but the wrong shape (a value of the wrong type in its
// load_package_state.json) is a damaged package, named with what to do; JSON library
// exceptions stop here instead of ending the process, run after run.
template <class F>
Status Pipeline::Impl::GuardPackage(PackageStage stage, const std::string& id, F&& step) {
  try {
    return step();
  } catch (const nlohmann::json::exception& e) {
    return DataLoss("load package " + storage->PackageDir(stage, id).string() +
                    " is damaged: one of its files holds a value of the wrong type (" + e.what() +
                    "). Discard it with `dlt pipeline " + options.pipeline_name +
                    " drop-pending-packages`, then restore the state with `dlt pipeline " + options.pipeline_name +
                    " sync`");
  }
}

}  // namespace dlt
