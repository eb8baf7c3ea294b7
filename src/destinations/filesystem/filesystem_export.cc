// The filesystem destination's data files: each load job file becomes one file of the configured
// format through DuckDB's COPY ... TO, written under a temporary name and then published
// (renamed, or uploaded) under its final one.
//
// One COPY reads one job file on one thread (the scan hands out whole files), so a package's
// files are exported several at a time, each on its own connection to the one in-memory
// database: with the nested benchmark's six job files on two cores this halves the load step.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "destinations/filesystem/filesystem_destination.h"
#include "load/job_header.h"

namespace dlt {

namespace fs = std::filesystem;

StatusOr<DuckDbClient*> FilesystemDestination::Engine() {
  if (!engine_) {
    DLT_ASSIGN_OR_RETURN(engine_, DuckDbClient::Open(":memory:", "(in memory, for destination `" + name_ + "`)", false));
    // Each export's statement runs on the thread that issued it (ExportAll starts one per
    // core): DuckDB's own workers would only take turns with them, and the issuing threads
    // then spin waiting for their statements' tasks.
    DLT_RETURN_IF_ERROR(engine_->Execute("SET threads = 1"));
  }
  return engine_.get();
}

Status FilesystemDestination::ExportJob(DuckDbClient* engine, const ExportTask& task) {
  const Table& table = *task.table;
  const bool parquet_job = IsParquetJobFile(task.job->path);
  std::vector<std::string> header;
  if (parquet_job) {
    DLT_ASSIGN_OR_RETURN(header, engine->ParquetJobColumns(task.job->path));
  } else {
    DLT_ASSIGN_OR_RETURN(header, ReadJobHeader(task.job->path));
  }
  DLT_ASSIGN_OR_RETURN(auto cols, JobColumns(table, header, task.job->path));
  DLT_ASSIGN_OR_RETURN(auto generated, JobColumns(table, task.job->generated, task.job->path));
  fs::path temp;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    DLT_ASSIGN_OR_RETURN(temp, store_->Stage(task.target));
  }
  const char* options = "FORMAT parquet";
  const bool gz = config_.compress;
  if (task.format == FileFormat::kJsonl) options = gz ? "FORMAT json, COMPRESSION gzip" : "FORMAT json, COMPRESSION none";
  if (task.format == FileFormat::kCsv) {
    options = gz ? "FORMAT csv, HEADER true, COMPRESSION gzip" : "FORMAT csv, HEADER true, COMPRESSION none";
  }
  Status s = parquet_job ? engine->ExportParquetJob(cols, generated, *task.load_id, task.job->path, temp, options)
                        : engine->ExportJobs(cols, {task.job->path}, temp, options);
  // The store is used by one thread at a time (an S3 upload is one connection's work); the
  // other exports go on meanwhile.
  std::lock_guard<std::mutex> lock(store_mu_);
  if (s.ok()) s = store_->Publish(temp, task.target);
  if (!s.ok()) {
    store_->Discard(temp);
    return s.WithContext("writing " + store_->Display(task.target));
  }
  return Status::Ok();
}

Status FilesystemDestination::ExportAll(const std::vector<ExportTask>& tasks) {
  if (tasks.empty()) return Status::Ok();
  DLT_ASSIGN_OR_RETURN(DuckDbClient * first, Engine());
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = std::min(tasks.size(), cores);
  while (sessions_.size() + 1 < workers) {
    DLT_ASSIGN_OR_RETURN(auto session, first->OpenSession());
    sessions_.push_back(std::move(session));
  }
  std::vector<Status> results(tasks.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&](DuckDbClient* engine) {
    // After a failure no new file is started; those running finish (or fail) on their own.
    for (size_t i; !failed && (i = next.fetch_add(1)) < tasks.size();) {
      results[i] = ExportJob(engine, tasks[i]);
      if (!results[i].ok()) failed = true;
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, sessions_[w - 1].get());
  work(first);
  for (auto& t : threads) t.join();
  // The first failing file in the package's order, whichever thread saw it first.
  for (const Status& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace dlt
