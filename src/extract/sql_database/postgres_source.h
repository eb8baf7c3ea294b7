// Internal to the PostgreSQL reader (postgres_*.cc of this folder): one libpq connection of the
// source database, and the typed batch source that decodes a binary COPY of a SELECT.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "destinations/postgres/postgres_credentials.h"
#include "dlt/status.h"
#include "extract/batch_source.h"
#include "normalize/typed_batch.h"

namespace dlt::sql_source {

// A connection with the session settings scans rely on: TimeZone UTC (timestamptz values are
// instants either way, but casts to text and literals of the cursor read as UTC) and standard
// conforming strings (the quoting of literals in QuoteLiteral). Closed by the destructor.
class PgConnection {
 public:
  static StatusOr<std::unique_ptr<PgConnection>> Open(const PostgresCredentials& credentials);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;

  void* raw() const { return conn_; }  // the PGconn*
  // Runs `sql` and returns its rows as text (NULL as nullopt); errors carry the server's message
  // with the password removed, after `what`.
  // `params` bind $1, $2, ... as text (catalog lookups by name).
  StatusOr<std::vector<std::vector<std::optional<std::string>>>> Query(const std::string& sql,
                                                                      const std::string& what,
                                                                      const std::vector<std::string>& params = {});
  // The current error of the connection, scrubbed of the password.
  std::string LastError() const;
  // "PostgreSQL at host:port (database `db`, user `u`)", for messages.
  const std::string& target() const { return target_; }

 private:
  PgConnection() = default;
  void* conn_ = nullptr;
  std::string target_;
  std::string password_;  // only to remove it from messages
};

// How a column arrives in the binary COPY (the SELECT casts whatever else to one of these).
enum class PgWire {
  kInteger,    // int2, int4 or int8 (by the field's length)
  kFloat,      // float4 or float8 (by length)
  kBool,
  kNumeric,    // numeric's binary form -> exact decimal text
  kDate,       // int32 days since 2000-01-01
  kTime,       // int64 microseconds of the day
  kTimestamp,  // int64 microseconds since 2000-01-01 (timestamptz: of UTC)
  kUuid,       // 16 bytes
  kBytes,      // text, json, bytea: the bytes as they are (bytea -> binary cell)
};

// `column` of the reflected table: its wire form and the SELECT expression that produces it.
struct PgScanColumn {
  TypedColumn column;
  PgWire wire = PgWire::kBytes;
  std::string select;  // "\"price\"", "\"tags\"::text", "to_json(\"arr\")"
};

// Runs `copy_sql` (a COPY (SELECT ...) TO STDOUT (FORMAT binary)) on `connection` and yields
// its rows `chunk_size` at a time. `name` ("public.orders") names the table in errors.
std::unique_ptr<BatchSource> MakePgCopySource(std::unique_ptr<PgConnection> connection, std::string copy_sql,
                                              std::vector<PgScanColumn> columns, size_t chunk_size,
                                              std::string name);

// The exact decimal text of numeric's binary form (for tests too); error for NaN / infinity.
StatusOr<std::string> DecodePgNumeric(const char* data, size_t size);

}  // namespace dlt::sql_source
