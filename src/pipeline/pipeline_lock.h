// The lock of one pipeline folder (`<pipeline dir>/.lock`): runs of a pipeline, and the
// maintenance commands that delete its files (`dlt workspace clean`), never overlap.
#pragma once

#include <filesystem>
#include <string>

#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

// An exclusive flock on `<dir>/.lock`, with the holder's pid written into the file. The kernel
// releases it when the process dies, so a killed run leaves no stale lock. A lock taken on a file
// that was deleted meanwhile is dropped and taken again on the file at the path.
class PipelineLock {
 public:
  PipelineLock() = default;
  PipelineLock(PipelineLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  PipelineLock& operator=(PipelineLock&&) = delete;
  PipelineLock(const PipelineLock&) = delete;
  ~PipelineLock();

  // Waits up to `timeout_s` (0: not at all) for the holder. A lock still held is
  // PermissionDenied ("busy", exit code 4) naming the holder's pid; `what` says who wanted it
  // ("is being run by another process" is what every message says, so scripts can match it).
  Status Acquire(const std::filesystem::path& dir, const std::string& name, double timeout_s = 0);

 private:
  int fd_ = -1;
};

// A lock on a profile's working folder as a whole (`<working dir>.lock`, beside the folder so
// that deleting the folder keeps it): runs and syncs hold it shared, `dlt workspace clean`
// exclusive, so that clean never deletes under a run that started after it listed the pipelines.
class WorkingFolderLock {
 public:
  WorkingFolderLock() = default;
  WorkingFolderLock(WorkingFolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  WorkingFolderLock& operator=(WorkingFolderLock&&) = delete;
  WorkingFolderLock(const WorkingFolderLock&) = delete;
  ~WorkingFolderLock();

  // Busy (another holder in the way past `timeout_s`) is PermissionDenied, exit code 4.
  Status Acquire(const std::filesystem::path& working_dir, bool exclusive, double timeout_s = 0);

 private:
  int fd_ = -1;
};

// `[runtime] lock_timeout` (RUNTIME__LOCK_TIMEOUT) of the workspace: seconds, 0 when unset.
StatusOr<double> ResolveLockTimeout(const Workspace& ws);

}  // namespace dlt
