// What the pipeline needs of a destination, whatever it is (a SQL database today; files in a
// bucket next): load a package atomically, tell whether one is loaded, give back the stored
// state and schema (sync, restore), and a read side for the dashboard. Implementations are made
// by the destination type registry (src/destinations/destination_types.h); the pipeline never
// asks which type it has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlt/status.h"
#include "load/package.h"
#include "load/sql_loader.h"
#include "normalize/schema.h"

namespace dlt {

class SqlClient;

// Where a destination instance works: the dataset (and merge's staging dataset) of a pipeline.
struct DestinationOpenOptions {
  std::string dataset;
  std::string staging_dataset;  // empty: <dataset>_staging
  bool read_only = false;
  // With read_only: the database may not touch anything but its own file (DuckDB:
  // enable_external_access=false and lock_configuration, so no read_csv of a local file, no COPY
  // TO, ATTACH or INSTALL/LOAD, and no SET to undo it). For the dashboard's SQL; local DuckDB only
  // (MotherDuck needs its extension, PostgreSQL runs elsewhere and is guarded by its own grants).
  bool no_external_access = false;
};

// Loading job files while the package is still being normalized, into a transaction that stays
// open until Destination::Load commits it (or AbortStream rolls it back).
class StreamingLoad {
 public:
  virtual ~StreamingLoad() = default;
  // `one_thread`: the load runs beside a busy core (SqlClient::UseOneThread); `load_id`: the
  // package's, which generated columns of its jobs get.
  virtual Status BeginStream(bool one_thread, const std::string& load_id) = 0;
  // Loads one finished job file of `table` (its columns as they were when the file was written).
  virtual Status StreamJob(const Table& table, const PackageJob& job) = 0;
  virtual void AbortStream() = 0;
  virtual bool in_progress() const = 0;  // a stream transaction is open
  // The columns the destination's table has now (empty when it does not exist).
  virtual StatusOr<std::vector<std::string>> TableColumns(const std::string& table) = 0;
};

// One row of the destination's load record (dlt's _dlt_loads).
struct LoadRecord {
  std::optional<std::string> load_id, schema_name, status, inserted_at, schema_version_hash;
};

struct RowPage {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  uint64_t total = 0;  // rows in the table
};

class Destination {
 public:
  virtual ~Destination() = default;

  // --- write side ---
  // True when the package is already in the destination (committed before a crash).
  virtual StatusOr<bool> IsLoaded(const std::string& load_id) = 0;
  // Loads the package (its jobs, state row, drops and replaces) all or nothing.
  virtual Status Load(const PackageToLoad& package) = 0;
  // What the last Load created or widened, as dlt's applied schema update.
  virtual const std::vector<std::pair<std::string, std::vector<std::string>>>& applied_columns() const = 0;
  // Loading while normalizing, where the destination gains from it (it works in a process of
  // its own); nullptr otherwise.
  virtual StreamingLoad* streaming() { return nullptr; }

  // --- read side (restore, sync, dashboard) ---
  virtual StatusOr<std::optional<StoredState>> RetrieveState(const std::string& pipeline_name) = 0;
  virtual StatusOr<std::optional<std::string>> RetrieveSchema(const std::string& schema_name) = 0;
  virtual StatusOr<bool> DatasetExists() = 0;
  // The newest `limit` loads, newest first.
  virtual StatusOr<std::vector<LoadRecord>> RecentLoads(size_t limit) = 0;
  // The columns the table has in the destination (empty when it does not exist).
  virtual StatusOr<std::vector<std::string>> TableColumns(const std::string& table) = 0;
  virtual StatusOr<uint64_t> CountRows(const std::string& table) = 0;
  // The newest load id among the table's rows (root tables carry `_dlt_load_id`); nullopt when
  // the table has none or the destination cannot tell.
  virtual StatusOr<std::optional<std::string>> NewestLoadId(const std::string& table) {
    (void)table;
    return std::optional<std::string>();
  }
  // Rows [offset, offset + limit) of a table that exists, all of its columns as text.
  virtual StatusOr<RowPage> ReadRows(const std::string& table, uint64_t limit, uint64_t offset) = 0;
  // Ends any read of this instance that runs longer than `seconds` (where the database can).
  virtual Status LimitReadTime(int seconds) = 0;
  // The SQL client of a SQL destination (queries over the dataset); nullptr for others.
  virtual SqlClient* sql_client() { return nullptr; }
};

}  // namespace dlt
