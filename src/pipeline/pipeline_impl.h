// The state of one pipeline and its stages, shared by the files that implement them:
//   pipeline.cc         the orchestrator: Create, Run (pending packages, then extract ->
//                       normalize -> load of the new one), the working-folder locks
//   local_state.cc      state.json and the schema: read, adopted from packages, restored from
//                       the destination
//   extract_step.cc     resources -> an extracted package
//   normalize_step.cc   an extracted package -> a normalized package (job files per table)
//   load_step.cc        a normalized package -> the destination (one transaction)
//   stream_load.cc      loading finished job files while the package is still normalized
//   run_record.cc       trace.json and LoadInfo's summary
// Each stage reads what the previous one published on disk, so every stage can be resumed.
#pragma once

#include <chrono>
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
  void StartStream();
  // Stops the stream once the file being loaded is done (the rest is loaded with the package).
  // Returns false when it failed or never began (its transaction is then rolled back).
  bool StopStream();
  StatusOr<bool> StreamOne(const StreamItem& item);
  // A stream's transaction is open in the destination.
  bool StreamInProgress() const;
  // Rolls back a stream's open transaction (nothing when none is open).
  void AbortStream();

  // --- local_state.cc ---
  std::filesystem::path StatePath() const;
  std::filesystem::path SchemaPath() const;
  Status LoadLocal();
  Status AdoptNewerPackageState();
  Status RestoreFromDestinationIfNew();
  std::string NextLoadId();

  // --- the stages ---
  Status OpenDestination();
  StatusOr<bool> Extract(const std::vector<Resource>& resources, const std::string& load_id, LoadInfo* info);
  static uint64_t JobFileBytes();
  Status NormalizePackage(const std::string& load_id, LoadInfo* info, bool stream_load = false);
  Status LoadPackage(const std::string& load_id, LoadInfo* info);
  Status LoadPackageImpl(const std::string& load_id, LoadInfo* info);
  Status ProcessPending(LoadInfo* info);
  template <class F>
  Status GuardPackage(PackageStage stage, const std::string& id, F&& step);

  // --- run_record.cc ---
  LoadInfo NewInfo() const;
  Status WriteTrace(const LoadInfo& info, const Status& outcome, const std::string& started_at);
};

}  // namespace dlt
