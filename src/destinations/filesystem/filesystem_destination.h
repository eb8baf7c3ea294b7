// The filesystem destination: load packages become files in a folder ("bucket"), laid out as
// dlt 1.26 writes them, so that dlt itself and engines reading Parquet/JSONL/CSV see the same
// dataset:
//   <bucket>/<dataset>/init                                   {"initial_version": 2, ...}
//   <bucket>/<dataset>/<table>/<load_id>.<file_id>.<ext>      data (layout configurable)
//   <bucket>/<dataset>/_dlt_version/<schema>__<id>__<hash hex>.jsonl
//   <bucket>/<dataset>/_dlt_pipeline_state/<pipeline>__<load_id>__<hash hex>.jsonl
//   <bucket>/<dataset>/_dlt_loads/<schema>__<load_id>.jsonl   written last: the package counts
//                                                              as loaded only once it is there
// The bucket is a local folder or an S3 bucket (file_store.h): files are published whole (a local
// rename, or one S3 PUT of a file DuckDB wrote in a temporary folder), and names depend only
// on the package (load id, job file id), so a load killed half-way is redone by the next run over
// the same names: nothing is counted twice. Job files are turned into the chosen format by an
// in-memory DuckDB (typed columns: timestamps with zone, decimals with their precision).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "destinations/duckdb/duckdb_client.h"
#include "destinations/filesystem/file_store.h"
#include "destinations/filesystem/filesystem_config.h"
#include "load/destination.h"

namespace dlt {

class FilesystemDestination : public Destination {
 public:
  FilesystemDestination(FilesystemConfig config, DestinationOpenOptions options, std::string name);

  StatusOr<bool> IsLoaded(const std::string& load_id) override;
  Status Load(const PackageToLoad& package) override;
  const std::vector<std::pair<std::string, std::vector<std::string>>>& applied_columns() const override {
    return applied_;
  }

  // In filesystem_read.cc.
  StatusOr<std::optional<StoredState>> RetrieveState(const std::string& pipeline_name) override;
  StatusOr<std::optional<std::string>> RetrieveSchema(const std::string& schema_name) override;
  StatusOr<bool> DatasetExists() override;
  StatusOr<std::vector<LoadRecord>> RecentLoads(size_t limit) override;
  StatusOr<std::vector<std::string>> TableColumns(const std::string& table) override;
  StatusOr<uint64_t> CountRows(const std::string& table) override;
  StatusOr<RowPage> ReadRows(const std::string& table, uint64_t limit, uint64_t offset) override;
  // The newest `_dlt_load_id` among the table's rows (what the dashboard shows as last loaded).
  StatusOr<std::optional<std::string>> NewestLoadId(const std::string& table) override;
  // DuckDB's reader over a table's files ("read_parquet([...])" of local paths, S3 files
  // downloaded first), empty when it has none: for a reader of the dataset in another DuckDB
  // (the dashboard's SQL snapshot).
  StatusOr<std::string> ReaderSql(const std::string& table);
  Status LimitReadTime(int seconds) override {
    (void)seconds;  // reads are of local files
    return Status::Ok();
  }

  ~FilesystemDestination() override;

 private:
  // Files of a dlt system table folder whose names split into `<a>__<b>__<c>` (state, versions)
  // or `<a>__<b>` (loads): (path in the store, parts).
  StatusOr<std::vector<std::pair<std::string, std::vector<std::string>>>> SystemFiles(const std::string& table, size_t parts);
  // The data files of a table (its layout prefix), sorted; temporary files are not listed.
  StatusOr<std::vector<std::string>> TableFiles(const std::string& table, const std::string& schema_name);
  // The schema name the dataset's files use (from the newest load record), for table prefixes.
  std::string SchemaNameForReads();
  // In filesystem_export.cc: a job file into its data file `target` (a path in the store).
  struct ExportTask {
    const Table* table;
    const PackageJob* job;
    std::string target;
    const std::string* load_id;  // of the package (the `_dlt_load_id` of Parquet jobs)
    FileFormat format;           // of the data file (FilesystemConfig::FormatFor)
  };
  StatusOr<DuckDbClient*> Engine();
  Status ExportJob(DuckDbClient* engine, const ExportTask& task);
  // All of `tasks`, several at once (one per core); the first failure in their order.
  Status ExportAll(const std::vector<ExportTask>& tasks);
  Status DeleteTableFiles(const std::string& table, const std::string& schema_name,
                          const std::vector<std::string>& keep);

  FilesystemConfig config_;
  DestinationOpenOptions options_;
  std::string name_;
  std::string dataset_;  // the dataset's folder in the store, "<dataset>/"
  std::unique_ptr<FileStore> store_;
  std::unique_ptr<DuckDbClient> engine_;  // in memory, opened on first use
  std::vector<std::unique_ptr<DuckDbClient>> sessions_;  // more connections to engine_'s database
  std::mutex store_mu_;                                  // store_ is used by one export at a time
  std::vector<std::pair<std::string, std::vector<std::string>>> applied_;
};

// dlt's path-safe form of a version hash (base64): the hex of its bytes.
std::string PathSafeHash(const std::string& version_hash);
// Load ids compared as the numbers they are.
bool LoadIdLess(const std::string& a, const std::string& b);

}  // namespace dlt
