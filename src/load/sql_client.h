// What the loader needs from a SQL destination. DuckDB and PostgreSQL implement it; the loading
// logic (DDL, write dispositions, system tables) is shared in SqlLoader.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/sql.h"
#include "dlt/status.h"
#include "normalize/schema.h"

namespace dlt {

using SqlRow = std::vector<std::optional<std::string>>;

class SqlClient {
 public:
  virtual ~SqlClient() = default;

  virtual Status Execute(std::string_view sql) = 0;
  virtual StatusOr<std::vector<SqlRow>> Query(std::string_view sql) = 0;
  // Runs one statement with `params` bound to its `%s` placeholders (none: the SQL as written)
  // and returns its rows with each column's dlt data type, values in the texts include/dlt/sql.h
  // documents. For SqlSession (dlt's sql_client()); the loader never needs it.
  virtual StatusOr<QueryResult> QueryTyped(std::string_view sql, const SqlParams& params) {
    (void)sql;
    (void)params;
    return FailedPrecondition("this destination does not run typed queries");
  }
  // Runs `sql` as ONE statement, as written (no placeholders), typed like QueryTyped. Where the
  // database can refuse a second `;`-separated statement it does (PostgreSQL's extended
  // protocol), so that a read-only session cannot be left by `COMMIT; SET ...` inside the text.
  virtual StatusOr<QueryResult> QueryTypedOneStatement(std::string_view sql) { return QueryTyped(sql, {}); }
  // Stops the statement running now on this session; safe to call from another thread (the
  // dashboard's time limit for DuckDB, which has no statement_timeout). No-op where unsupported.
  virtual void Interrupt() {}

  // Bulk-loads job files into a table: CSV jobs (header line; NULL = empty unquoted field), and
  // typed jobs where ReadsTypedJobs(). `columns` are the file's header, in order; the target may
  // have more columns.
  virtual Status CopyJobFiles(const std::string& dataset, const std::string& table,
                         const std::vector<const Column*>& columns,
                         const std::vector<std::filesystem::path>& files) = 0;

  // Whether CopyJobFiles takes typed job files (normalize/typed_job_file.h).
  virtual bool ReadsTypedJobs() const { return false; }
  // Typed job files kept as the extract wrote them (pipeline/typed_items.h): `columns` their
  // columns, in order; `generated` the dlt columns their rows get, as for CopyParquetJobs.
  virtual Status CopyTypedJobsWithGenerated(const std::string& dataset, const std::string& table,
                                            const std::vector<const Column*>& columns,
                                            const std::vector<const Column*>& generated, const std::string& load_id,
                                            const std::vector<std::filesystem::path>& files) {
    (void)dataset, (void)table, (void)columns, (void)generated, (void)load_id;
    return FailedPrecondition("this destination does not fill in the dlt columns of typed job " + files.front().string());
  }
  // Whether the destination reads Parquet job files itself (load/job_header.h), their column
  // names, and their bulk load: `columns` are the files' columns, in order; `generated` the dlt
  // columns their rows get (`_dlt_load_id` = `load_id`, a row key column a new key per row).
  virtual bool ReadsParquetJobs() const { return false; }
  virtual StatusOr<std::vector<std::string>> ParquetJobColumns(const std::filesystem::path& file) {
    return FailedPrecondition("this destination does not read Parquet job " + file.string());
  }
  virtual Status CopyParquetJobs(const std::string& dataset, const std::string& table,
                                 const std::vector<const Column*>& columns, const std::vector<const Column*>& generated,
                                 const std::string& load_id, const std::vector<std::filesystem::path>& files) {
    (void)dataset, (void)table, (void)columns, (void)generated, (void)load_id;
    return FailedPrecondition("this destination does not read Parquet job " + files.front().string());
  }
  // The destination type, for messages ("postgres").
  virtual std::string TypeName() const = 0;

  // SQL type of a column, without NOT NULL.
  virtual std::string TypeSql(const Column& column) const = 0;
  // Storage options that follow the type in CREATE TABLE (empty: the destination's default).
  virtual std::string StorageSql(const Column& column) const {
    (void)column;
    return "";
  }
  // Column constraints that follow the type and storage (dlt's active hints: PostgreSQL makes a
  // `unique` column UNIQUE, which gives the `<table>__dlt_id_key` index on every `_dlt_id`).
  virtual std::string ConstraintSql(const Column& column) const {
    (void)column;
    return "";
  }
  // Constraints of a column added to an existing table (ALTER TABLE ... ADD COLUMN); by default
  // those of ConstraintSql.
  virtual std::string AddColumnConstraintSql(const Column& column) const { return ConstraintSql(column); }
  // The statement that adds the column's constraints to a table that has its rows (empty: none).
  // A table created by a load gets them after its rows are in: one index build over the loaded
  // keys instead of an index insert per row (2M rows into PostgreSQL: ~9 s -> well under 1 s).
  virtual std::string AddConstraintSql(const std::string& qualified_table, const Column& column) const {
    (void)qualified_table;
    (void)column;
    return "";
  }
  virtual std::string QuoteIdentifier(std::string_view name) const = 0;
  virtual std::string QuoteLiteral(std::string_view text) const = 0;
  // SQL expression for the current UTC timestamp.
  virtual std::string NowSql() const = 0;

  // Called before a package's transaction begins, with the most columns a table of its schema
  // has and the columns of all its tables: destinations that keep the rows of a transaction in
  // memory bound it here.
  virtual Status SizeForLoad(size_t widest_table_columns, size_t all_columns) {
    (void)widest_table_columns;
    (void)all_columns;
    return Status::Ok();
  }
  // A load that runs beside a busy core (files loaded while a Python generator is extracted)
  // works on the calling thread only: a database working in this process would otherwise have
  // its worker threads wait for tasks on the generator's core. false: as configured again.
  virtual Status UseOneThread(bool one) {
    (void)one;
    return Status::Ok();
  }

  // Called inside a package's transaction just before its COMMIT. `rows_deleted` says whether the
  // package deleted some (not all) rows of a table (merge), which makes compacting worth its cost.
  virtual Status BeforeCommit(bool rows_deleted) {
    (void)rows_deleted;
    return Status::Ok();
  }

  // Adds `added` (new, nullable columns of `table`, in order) to the existing table. This default
  // runs one ALTER TABLE per column; destinations override it where one statement per column
  // costs more than linear time in the table's width.
  virtual Status AddColumns(const std::string& dataset, const Table& table, const std::vector<const Column*>& added);

  // Ends any statement of this session that runs longer than `seconds` (a read-only browser's
  // guard against a runaway query). Databases in this process (DuckDB) need none.
  virtual Status LimitStatementTime(int seconds) {
    (void)seconds;
    return Status::Ok();
  }

  // Column names of an existing table (empty when it does not exist).
  virtual StatusOr<std::vector<std::string>> TableColumns(const std::string& dataset, const std::string& table);
  virtual StatusOr<bool> SchemaExists(const std::string& dataset);

  std::string Qualified(const std::string& dataset, const std::string& table) const {
    return catalog_prefix_ + QuoteIdentifier(dataset) + "." + QuoteIdentifier(table);
  }
  // What goes before a qualified dataset: "" or, for DuckDB, the database ("\"warehouse\".").
  const std::string& catalog_prefix() const { return catalog_prefix_; }

 protected:
  // DuckDB reads `x.t` as catalog x or schema x, so a dataset named like the database file
  // (pipeline `shop`, shop.duckdb, dataset `shop`) would be ambiguous: its names carry the
  // catalog, as dlt's DuckDB client qualifies them.
  std::string catalog_prefix_;
};

}  // namespace dlt
