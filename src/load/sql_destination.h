// A Destination over a SQL database: SqlLoader loads packages through the database's SqlClient
// (DuckDB, MotherDuck, PostgreSQL), and the read side queries dlt's system tables.
#pragma once

#include <memory>

#include "load/destination.h"
#include "load/sql_client.h"
#include "load/sql_loader.h"

namespace dlt {

class SqlDestination : public Destination, private StreamingLoad {
 public:
  // `streams`: offer streaming(), job files loaded before the package is complete (while it is
  // normalized, or extracted: destination_types.h).
  SqlDestination(std::unique_ptr<SqlClient> client, DestinationOpenOptions options, bool streams);

  StatusOr<bool> IsLoaded(const std::string& load_id) override { return loader_.IsLoaded(load_id); }
  Status Load(const PackageToLoad& package) override { return loader_.Load(package); }
  const std::vector<std::pair<std::string, std::vector<std::string>>>& applied_columns() const override {
    return loader_.applied_columns();
  }
  StreamingLoad* streaming() override { return streams_ ? this : nullptr; }

  StatusOr<std::optional<StoredState>> RetrieveState(const std::string& pipeline_name) override {
    return loader_.RetrieveState(pipeline_name);
  }
  StatusOr<std::optional<std::string>> RetrieveSchema(const std::string& schema_name) override {
    return loader_.RetrieveSchema(schema_name);
  }
  StatusOr<bool> DatasetExists() override { return client_->SchemaExists(options_.dataset); }
  StatusOr<std::vector<LoadRecord>> RecentLoads(size_t limit) override;
  StatusOr<std::vector<std::string>> TableColumns(const std::string& table) override {
    return client_->TableColumns(options_.dataset, table);
  }
  StatusOr<uint64_t> CountRows(const std::string& table) override;
  StatusOr<std::optional<std::string>> NewestLoadId(const std::string& table) override;
  StatusOr<RowPage> ReadRows(const std::string& table, uint64_t limit, uint64_t offset) override;
  Status LimitReadTime(int seconds) override { return client_->LimitStatementTime(seconds); }
  SqlClient* sql_client() override { return client_.get(); }

 private:
  // StreamingLoad
  Status BeginStream(bool one_thread, const std::string& load_id) override {
    return loader_.BeginStream(one_thread, load_id);
  }
  Status StreamJob(const Table& table, const PackageJob& job) override { return loader_.StreamJob(table, job); }
  void AbortStream() override { loader_.AbortStream(); }
  bool in_progress() const override { return loader_.streaming(); }

  std::unique_ptr<SqlClient> client_;
  DestinationOpenOptions options_;
  bool streams_;
  SqlLoader loader_;
};

}  // namespace dlt
