// What a Parquet file holds, read by an in-memory DuckDB from the file's metadata: its columns
// (as the batches of duckdb_file_source.h would type them), DuckDB's types and its row count; and
// the first row where a condition holds, for the checks a load job made of the whole file needs
// (pipeline/file_items.h).
#include <string>
#include <utility>

#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_batch_reader.h"
#include "destinations/duckdb/duckdb_file_source.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

struct Session {
  duckdb::Database database;
  duckdb::Connection connection;  // closed before the database
};

StatusOr<std::unique_ptr<Session>> OpenSession(const fs::path& file) {
  auto s = std::make_unique<Session>();
  auto db = duckdb::Database::Open(":memory:");
  if (!db.ok()) return db.status().WithContext("cannot read Parquet file " + file.string());
  s->database = std::move(*db);
  auto conn = s->database.Connect();
  if (!conn.ok()) return conn.status().WithContext("cannot read Parquet file " + file.string());
  s->connection = std::move(*conn);
  return s;
}

Status Unreadable(const fs::path& file, const Status& s) {
  return Status(StatusCode::kInvalidArgument, file.string() + ": cannot read Parquet file: " + s.message());
}

}  // namespace

StatusOr<TabularFileInfo> DescribeParquetFile(const fs::path& file) {
  DLT_ASSIGN_OR_RETURN(auto session, OpenSession(file));
  const std::string scan = TabularScanSql(file, TabularFormat::kParquet, {});
  TabularFileInfo info;
  {
    auto reader = duckdb::BatchReader::Start(session->connection, "SELECT * FROM " + scan + " LIMIT 0");
    if (!reader.ok()) return Unreadable(file, reader.status());
    info.columns = (*reader)->columns();
  }
  auto types = session->connection.Query("SELECT * FROM " + scan + " LIMIT 0");
  if (!types.ok()) return Unreadable(file, types.status());
  info.duckdb_types = types->column_types;
  if (info.duckdb_types.size() != info.columns.size()) {
    return Internal(file.string() + ": DuckDB gave " + std::to_string(info.duckdb_types.size()) + " column types for " +
                    std::to_string(info.columns.size()) + " columns");
  }
  // count(*) of a Parquet scan reads the row groups' metadata only.
  auto count = session->connection.Query("SELECT count(*) FROM " + scan);
  if (!count.ok()) return Unreadable(file, count.status());
  if (count->rows.size() != 1 || count->rows[0].empty() || count->rows[0][0].is_null) {
    return Internal(file.string() + ": DuckDB gave no row count");
  }
  info.rows = std::stoull(count->rows[0][0].text);
  return info;
}

bool LoadsUnchanged(std::string_view t) {
  static const char* const kTypes[] = {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT",
                                       "USMALLINT", "UINTEGER", "FLOAT", "DOUBLE", "DATE", "TIME",
                                       "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP WITH TIME ZONE",
                                       "BLOB", "VARCHAR"};
  for (const char* k : kTypes) {
    if (t == k) return true;
  }
  // DECIMAL(p,s): the same precision and scale in the table.
  return t.starts_with("DECIMAL(") && t.ends_with(")");
}

StatusOr<std::vector<std::optional<uint64_t>>> FirstParquetRowsWhere(const fs::path& file,
                                                                     const std::vector<std::string>& conditions) {
  std::vector<std::optional<uint64_t>> out(conditions.size());
  if (conditions.empty()) return out;
  DLT_ASSIGN_OR_RETURN(auto session, OpenSession(file));
  std::string sql = "SELECT ";
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (i) sql += ", ";
    sql += "min(CASE WHEN " + conditions[i] + " THEN file_row_number END)";
  }
  sql += " FROM read_parquet(" + duckdb::QuoteLiteral(file.string()) + ", file_row_number = true)";
  auto r = session->connection.Query(sql);
  if (!r.ok()) return Unreadable(file, r.status());
  if (r->rows.size() != 1 || r->rows[0].size() != conditions.size()) return Internal(file.string() + ": no result");
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (!r->rows[0][i].is_null) out[i] = std::stoull(r->rows[0][i].text);
  }
  return out;
}

}  // namespace dlt
