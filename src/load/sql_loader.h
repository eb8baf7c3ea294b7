// Loads one load package into a SQL destination in ONE transaction together with its
// _dlt_loads row, so a package is either fully loaded or not at all.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dlt/status.h"
#include "load/package.h"
#include "load/sql_client.h"
#include "normalize/schema.h"

namespace dlt {

struct StateRow {
  int version = 0;
  int engine_version = 4;
  std::string pipeline_name;
  std::string state;  // base64(zlib(json))
  std::string version_hash;
  std::string row_id;  // _dlt_id of the row
};

struct PackageToLoad {
  std::string load_id;
  std::string created_at;  // of the package (ISO 8601, UTC): scd2's default boundary timestamp
  const Schema* schema = nullptr;
  std::vector<PackageJob> jobs;
  std::vector<std::string> replace_tables;  // root tables to empty even without jobs
  std::optional<StateRow> state;
  std::vector<std::string> drop_tables;  // dropped first, in the same transaction
  std::vector<std::string> truncate_tables;  // emptied (when they exist), in the same transaction
  std::vector<std::string> streamed_tables;  // tables that got rows through StreamJob (jobs not listed above)
  // Resources whose items were dlt's Arrow items (`arrow_items` in the package state's resource
  // hints): the filesystem destination writes their tables as Parquet unless a format is set.
  std::set<std::string> arrow_resources;
};

struct StoredState {
  std::string state;  // encoded
  int version = 0;
  std::string load_id;
  std::string created_at;
};

class SqlLoader {
 public:
  // `staging`: the dataset of merge's staging tables; empty gives `<dataset>_staging`.
  SqlLoader(SqlClient* client, std::string dataset, std::string staging = {})
      : client_(client), dataset_(std::move(dataset)), staging_(std::move(staging)) {
    if (staging_.empty()) staging_ = dataset_ + "_staging";
  }

  // True when `_dlt_loads` already has the load id (the package was committed before a crash).
  StatusOr<bool> IsLoaded(const std::string& load_id);
  Status Load(const PackageToLoad& package);

  // Streaming: the package's transaction is opened before the package is complete, and job files
  // of append tables are loaded while the rest is still being normalized. Load() then loads the
  // remaining jobs and commits; AbortStream() rolls everything back. Nothing is committed before
  // Load(), so a crash at any point leaves the destination as it was.
  Status BeginStream(bool one_thread, const std::string& load_id);
  // Loads one finished job file of `table` (its columns as they were when the file was written;
  // the table is created or widened to have them).
  Status StreamJob(const Table& table, const PackageJob& job);
  void AbortStream();
  bool streaming() const { return streaming_; }

  // The newest state row of the pipeline whose load is completed.
  StatusOr<std::optional<StoredState>> RetrieveState(const std::string& pipeline_name);
  // The newest stored schema (JSON text) of `schema_name`.
  StatusOr<std::optional<std::string>> RetrieveSchema(const std::string& schema_name);

  const std::string& staging_dataset() const { return staging_; }

  // What the last Load (with its stream) created in the dataset, as dlt's applied schema update:
  // each table created or widened, in that order, with the columns it got.
  const std::vector<std::pair<std::string, std::vector<std::string>>>& applied_columns() const {
    return applied_columns_;
  }

 private:
  Status EnsureTable(const std::string& dataset, const Table& table);
  Status LoadInTransaction(const PackageToLoad& package);
  Status CopyJobs(const std::string& dataset, const Table& table, const std::vector<const PackageJob*>& jobs);
  Status Merge(const Schema& schema, const Table& root, const std::map<std::string, std::vector<const PackageJob*>>& jobs);
  // Merge's staging tables (sql_merge_strategies.cc): the root and its nested tables emptied in
  // the staging dataset and loaded with this package's jobs.
  Status StageFamily(const Schema& schema, const std::vector<const Table*>& family,
                     const std::map<std::string, std::vector<const PackageJob*>>& jobs);
  // dlt's upsert and insert-only (MERGE on the primary key) and scd2 (versions with validity
  // columns), from the staged rows (sql_merge_strategies.cc).
  Status MergeUpsert(const Table& root, const std::vector<const Table*>& family, bool insert_only);
  Status MergeScd2(const Table& root, const std::vector<const Table*>& family);

  SqlClient* client_;
  std::string dataset_;
  std::string staging_;
  bool streaming_ = false;
  bool rows_deleted_ = false;  // the package being loaded deleted rows (merge)
  std::string load_id_;        // of the package being loaded (the `_dlt_load_id` of Parquet jobs)
  std::string created_at_;     // of the package being loaded
  std::map<std::string, std::vector<std::string>> stream_created_;  // table created by StreamJob -> its first columns
  std::map<std::string, size_t> stream_widths_;                     // table streamed -> its most columns
  std::vector<std::pair<std::string, std::vector<std::string>>> applied_columns_;
  std::vector<std::string> deferred_constraints_;  // ALTERs for tables created in this transaction
  void NoteApplied(const std::string& table, const std::string& column);
};

}  // namespace dlt
