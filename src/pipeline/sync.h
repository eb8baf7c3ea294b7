// `dlt pipeline <name> sync`: restores a pipeline's state and schema from its destination into
// the active profile's working folder.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

struct SyncOptions {
  std::string pipeline_name;
  std::optional<std::string> destination;   // default: from the local state
  std::optional<std::string> dataset_name;  // default: from the local state
  // Asked before the local state is dropped; returns false to cancel.
  std::function<bool(const std::string& question)> confirm;
  std::function<void(const std::string& line)> debug;  // step-by-step log (no secrets)
  std::function<void(const std::string& line)> out;    // user-facing lines
  // Told the destination's state version and hash once found, before anything local changes;
  // false leaves the local state as it is (SyncResult::cancelled). dlt's sync_destination
  // restores only a destination state at least as new as the local one, and a different one.
  std::function<bool(int version, const std::string& version_hash)> should_restore;
};

struct SyncResult {
  bool cancelled = false;
  int state_version = 0;
  int schema_version = 0;
  std::string destination;  // described, without secrets
  std::string dataset_name;
};

// NotFound with "Pipeline <name> was not found in dataset <dataset> in <destination>" when the
// destination holds no state for the pipeline.
StatusOr<SyncResult> SyncPipeline(const Workspace& ws, const SyncOptions& options);

}  // namespace dlt
