// Loading while normalizing: the job files that the normalizer finishes early are handed to a
// thread of its own, which loads them into the package's open transaction (SqlLoader::StreamJob).
// The queue owns that thread (a std::jthread, joined by the destructor), so no exception or early
// return can leave it running. Nothing it loads is committed here: the pipeline commits the
// package's transaction after the normalized package is published, or rolls it back.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dlt/status.h"
#include "load/package.h"
#include "normalize/schema.h"

namespace dlt {

struct StreamItem {
  Table table;  // the table as it was when the file was written (its columns = the file's header)
  PackageJob job;
  bool may_alter = true;  // false: load only into a table that already has every column
};

class StreamQueue {
 public:
  // Loads one file: true when loaded, false when not loadable yet (a column it needs is still
  // missing from the destination's table; retried after the next file that loads), an error
  // stops the queue (what is left is loaded with the package).
  using LoadOne = std::function<StatusOr<bool>(const StreamItem&)>;

  explicit StreamQueue(LoadOne load);
  ~StreamQueue();  // Stop()s
  StreamQueue(const StreamQueue&) = delete;
  StreamQueue& operator=(const StreamQueue&) = delete;

  // Queues a finished file; ignored once the queue stopped or failed.
  void Push(StreamItem item);
  // Stops once the file being loaded is done and joins the thread. Returns false when a load
  // failed. Idempotent.
  bool Stop();

  // What was loaded (valid after Stop()).
  const std::set<std::string>& loaded_files() const { return loaded_files_; }
  const std::set<std::string>& loaded_tables() const { return loaded_tables_; }

 private:
  void Work();
  // Loads `item` (recording it) or parks it in waiting_; the lock is held on entry and exit.
  StatusOr<bool> LoadLocked(std::unique_lock<std::mutex>& lock, StreamItem item);

  LoadOne load_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<StreamItem> queue_;
  std::vector<StreamItem> waiting_;  // files of tables not yet widened by an earlier file
  bool stopping_ = false;
  bool failed_ = false;
  std::set<std::string> loaded_files_;
  std::set<std::string> loaded_tables_;
  std::jthread thread_;  // last: started after, and joined before, everything above
};

}  // namespace dlt
