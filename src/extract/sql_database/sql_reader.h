// The engine's sql_database source talks to a source database through a SqlReader: one per kind
// of database (PostgreSQL over libpq, SQLite over libsqlite3, MySQL/MariaDB over libmariadb, each
// library loaded on first use). A reader lists tables, reflects a table's columns from the
// database's catalog (types are never inferred from values) and scans a table as typed batches
// (normalize/typed_batch.h), asking the server only for the rows it needs: the incremental
// cursor's range and, for parallel chunks, a range of the table's key.
//
// Errors name the table (schema.table) and what to do; they never hold the password of the
// connection URL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/secret.h"
#include "dlt/status.h"
#include "extract/batch_source.h"
#include "normalize/typed_batch.h"

namespace dlt::sql_source {

// dlt's reflection_level: `minimal` keeps names and nullability and lets the destination see
// the data types of the values (we still read them typed); `full` adds data types;
// `full_with_precision` adds precision and scale (decimal, text length, timestamp fraction).
enum class ReflectionLevel { kMinimal, kFull, kFullWithPrecision };

struct SourceColumn {
  TypedColumn column;       // name, dlt data type (and precision/scale at full_with_precision), nullable
  std::string native_type;  // as the catalog names it ("numeric(10,2)", "character varying"), for messages
};

struct SourceTable {
  std::string schema;  // "" where the database has none (SQLite) or the connection's default was used
  std::string name;
  bool is_view = false;
  std::vector<SourceColumn> columns;
  std::vector<std::string> primary_key;  // in key order; empty when the table has none
  // "schema.table" (or "table"), as messages name it.
  std::string DisplayName() const { return schema.empty() ? name : schema + "." + name; }
};

// One bound of a range on a column (the incremental cursor or a chunk key). The value is JSON as
// the pipeline state holds it: numbers as numbers, timestamps/dates/decimals as their text.
struct Bound {
  nlohmann::json value;
  bool inclusive = true;
};

struct ScanRequest {
  SourceTable table;
  // Rows per batch (dlt's chunk_size); a batch holds at most this many rows.
  size_t chunk_size = 50000;
  // The incremental cursor: only rows with lower <= cursor (< when the bound is not inclusive)
  // and cursor < upper (<= when inclusive: range_end="closed", or the start of a min cursor) are read, ordered by the cursor (descending when `descending`, for
  // last_value_func=min). Rows whose cursor is NULL are read only when `cursor_nulls`.
  std::optional<std::string> cursor_column;
  std::optional<Bound> cursor_lower;
  std::optional<Bound> cursor_upper;
  bool descending = false;
  bool cursor_nulls = false;
  // A range of the first primary key column, for reading a big table in parallel chunks.
  std::optional<std::string> chunk_key;
  std::optional<Bound> chunk_lower;
  std::optional<Bound> chunk_upper;
  // PostgreSQL's storage chunks (StorageChunks): the scan's transaction takes this snapshot
  // (pg_export_snapshot) and reads only the heap pages [first, end) (no end: to the last page).
  std::string snapshot;
  std::optional<std::pair<uint64_t, std::optional<uint64_t>>> pages;
  // dlt's add_limit forwarded to the query (`LIMIT n`, after the cursor's ORDER BY): the first
  // rows in the cursor's order, so that a limited run's last_value leaves no row behind.
  std::optional<uint64_t> limit;
};

class SqlReader {
 public:
  virtual ~SqlReader() = default;
  // "postgres", "sqlite", "mysql": the dialect, for messages and the source's settings.
  virtual std::string dialect() const = 0;
  // The schema used when none is given (PostgreSQL: "public"; SQLite: "main"; MySQL: the database of the URL).
  virtual std::string default_schema() const = 0;
  // Table names of `schema` (views too when `include_views`), sorted.
  virtual StatusOr<std::vector<std::string>> ListTables(const std::string& schema, bool include_views) = 0;
  // The table's columns (in table order) and primary key from the catalog. A column whose type
  // has no dlt type is read as text, and `native_type` says what it was. NotFound names the table.
  virtual StatusOr<SourceTable> Reflect(const std::string& schema, const std::string& table, ReflectionLevel level) = 0;
  // The key range [min, max] of `column` (nullopt for an empty table), to cut parallel chunks.
  virtual StatusOr<std::optional<std::pair<nlohmann::json, nlohmann::json>>> KeyRange(const SourceTable& table,
                                                                                     const std::string& column) = 0;
  // The rows of the request as typed batches, in the columns of `table` (names as the catalog
  // has them). A reader's Scan sources may be used on other threads, one thread each; a
  // source holds its own connection.
  virtual StatusOr<std::unique_ptr<BatchSource>> Scan(const ScanRequest& request) = 0;
  // `request` cut into `parts` scans over disjoint parts of the table's storage, all reading one
  // snapshot, so that together they read every row once, or none (the table is smaller than
  // `min_rows` rows, the reader or the table cannot: then key ranges are used). Cheaper for the
  // server than key ranges, which walk the key's index. Each part holds its own connection.
  virtual StatusOr<std::vector<std::unique_ptr<BatchSource>>> StorageChunks(const ScanRequest& request, int parts,
                                                                            uint64_t min_rows) {
    (void)request, (void)parts, (void)min_rows;
    return std::vector<std::unique_ptr<BatchSource>>();
  }
};

// A reader for `credentials`, a connection URL as dlt takes it: postgresql://, postgres://,
// postgresql+psycopg2://; sqlite:///relative.db, sqlite:////abs.db; mysql://, mysql+pymysql://,
// mariadb://, mysql+mysqldb://. The connection is opened here (unreachable server, wrong
// password: an error naming host and user, never the password).
StatusOr<std::unique_ptr<SqlReader>> OpenSqlReader(const Secret& credentials);

// The readers OpenSqlReader picks by the URL's scheme (postgres_reader.cc, sqlite_reader.cc,
// mysql_reader.cc); `credentials` is the whole URL.
StatusOr<std::unique_ptr<SqlReader>> OpenPostgresReader(const Secret& credentials);
StatusOr<std::unique_ptr<SqlReader>> OpenSqliteReader(const Secret& credentials);
StatusOr<std::unique_ptr<SqlReader>> OpenMysqlReader(const Secret& credentials);

}  // namespace dlt::sql_source
