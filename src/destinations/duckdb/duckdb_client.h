// DuckDB as a SQL destination: a database file (or MotherDuck through md:), one connection,
// bulk loading through DuckDB's own CSV reader.
#pragma once

#include <memory>
#include <string>

#include "destinations/duckdb/duckdb_api.h"
#include "load/sql_client.h"

namespace dlt {

class DuckDbClient : public SqlClient {
 public:
  // `path` is a file path or an md: connection string; `display` is what errors show instead
  // of the path (a MotherDuck string holds the token). `no_external_access`: see
  // DestinationOpenOptions (load/destination.h).
  static StatusOr<std::unique_ptr<DuckDbClient>> Open(const std::string& path, const std::string& display,
                                                      bool read_only, bool no_external_access = false);

  Status Execute(std::string_view sql) override;
  StatusOr<std::vector<SqlRow>> Query(std::string_view sql) override;
  // In duckdb_typed_query.cc.
  StatusOr<QueryResult> QueryTyped(std::string_view sql, const SqlParams& params) override;
  void Interrupt() override { conn_.Interrupt(); }
  bool ReadsTypedJobs() const override { return true; }
  bool ReadsParquetJobs() const override { return true; }
  StatusOr<std::vector<std::string>> ParquetJobColumns(const std::filesystem::path& file) override;
  Status CopyParquetJobs(const std::string& dataset, const std::string& table, const std::vector<const Column*>& columns,
                         const std::vector<const Column*>& generated, const std::string& load_id,
                         const std::vector<std::filesystem::path>& files) override;
  std::string TypeName() const override { return "duckdb"; }
  Status CopyJobFiles(const std::string& dataset, const std::string& table, const std::vector<const Column*>& columns,
                 const std::vector<std::filesystem::path>& files) override;
  Status CopyTypedJobsWithGenerated(const std::string& dataset, const std::string& table,
                                    const std::vector<const Column*>& columns,
                                    const std::vector<const Column*>& generated, const std::string& load_id,
                                    const std::vector<std::filesystem::path>& files) override;
  // Writes the rows of CSV job files (their header columns, typed as for a load) to `target`
  // with DuckDB's COPY ... TO and `copy_options` ("FORMAT parquet"): the filesystem destination.
  Status ExportJobs(const std::vector<const Column*>& columns, const std::vector<std::filesystem::path>& files,
                    const std::filesystem::path& target, std::string_view copy_options);
  // The same for a Parquet job (pipeline/file_items.h), its dlt columns filled in as
  // CopyParquetJobs does.
  Status ExportParquetJob(const std::vector<const Column*>& columns, const std::vector<const Column*>& generated,
                          const std::string& load_id, const std::filesystem::path& file,
                          const std::filesystem::path& target, std::string_view copy_options);
  // Another connection to this client's database, set up as Open sets up a writer's, for a
  // statement that runs on another thread alongside this client's (the filesystem destination
  // exports several job files at once: each COPY of one file runs on one thread).
  StatusOr<std::unique_ptr<DuckDbClient>> OpenSession();
  std::string TypeSql(const Column& column) const override;
  std::string StorageSql(const Column& column) const override;
  // With create_indexes: UNIQUE for a `unique` column of a table being created. A column added to
  // an existing table gets none: DuckDB cannot add a constraint to a table.
  std::string ConstraintSql(const Column& column) const override;
  std::string AddColumnConstraintSql(const Column& column) const override {
    (void)column;
    return "";
  }
  void set_create_indexes(bool on) { create_indexes_ = on; }
  Status AddColumns(const std::string& dataset, const Table& table, const std::vector<const Column*>& added) override;
  std::string QuoteIdentifier(std::string_view name) const override { return duckdb::QuoteIdentifier(name); }
  std::string QuoteLiteral(std::string_view text) const override { return duckdb::QuoteLiteral(text); }
  std::string NowSql() const override { return "get_current_timestamp()"; }
  Status BeforeCommit(bool rows_deleted) override;
  Status SizeForLoad(size_t widest_table_columns, size_t all_columns) override;
  Status UseOneThread(bool one) override;

 private:
  DuckDbClient(duckdb::Database db, duckdb::Connection conn, std::string display)
      : db_(std::move(db)), conn_(std::move(conn)), display_(std::move(display)) {}
  Status Wrap(Status s) const;
  // "SELECT <typed columns> FROM <scan of the job files>"; `targets` gets the quoted column names
  // (when given, the select list carries no aliases); `scan` must outlive the statement.
  StatusOr<std::string> JobSelectSql(const std::vector<const Column*>& columns,
                                     const std::vector<std::filesystem::path>& files, std::vector<std::string>* targets,
                                     duckdb::JobFileScan* scan);
  // The value a generated dlt column (`_dlt_load_id`, a row key) gets, as SQL.
  StatusOr<std::string> GeneratedValueSql(const Column& c, const std::string& load_id, const std::filesystem::path& file);
  // "SELECT <columns>, <dlt columns> FROM read_parquet([<files>])"; `targets` as JobSelectSql's.
  StatusOr<std::string> ParquetSelectSql(const std::vector<const Column*>& columns,
                                         const std::vector<const Column*>& generated, const std::string& load_id,
                                         const std::vector<std::filesystem::path>& files,
                                         std::vector<std::string>* targets);
  // AddColumns rebuilds a table when at least this many columns are new and it has at most
  // kRebuildRowsPerColumn rows per new column (measured: one ALTER on a 3M-row table costs about
  // what rewriting 1/3 of a row per row does; below that, the ALTERs' catalog copies dominate).
  static constexpr size_t kRebuildFromColumns = 16;
  static constexpr uint64_t kRebuildRowsPerColumn = 100;
  duckdb::Database db_;
  duckdb::Connection conn_;
  std::string display_;
  bool create_indexes_ = false;
  std::string default_vacuum_tasks_;  // DuckDB's max_vacuum_tasks when opened (read on first use)
  std::string vacuum_tasks_;          // the value set now
  int64_t threads_ = 0;               // DuckDB's threads (read on first use)
  bool one_thread_ = false;           // threads set to 1 (UseOneThread)
  Status ReadThreads();
  std::string memory_limit_;          // the memory_limit set now
  uint64_t load_memory_mb_ = 0;       // the package's limit (SizeForLoad); 0: none set
  Status SetMemoryLimit(uint64_t mb);
  // Megabytes DuckDB's threads need beside the load's own buffers to read `files` (Parquet).
  StatusOr<uint64_t> ParquetReadMb(const std::vector<std::filesystem::path>& files);
};

}  // namespace dlt
