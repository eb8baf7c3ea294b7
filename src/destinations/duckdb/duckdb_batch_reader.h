// Streams the rows of a DuckDB query as typed batches (normalize/typed_batch.h), converting the
// result's data chunks column by column: no text round trip for numbers, no JSON on the way.
// The file sources (duckdb_file_source.h) read CSV and Parquet files with it.
//
// DuckDB type -> dlt type (cell form as typed_batch.h defines it):
//   BOOLEAN -> bool; TINYINT..BIGINT, UTINYINT..UINTEGER -> bigint;
//   UBIGINT, HUGEINT -> decimal(20|38, 0) (exact digits); FLOAT, DOUBLE -> double;
//   DECIMAL(p,s) -> decimal(p,s) (exact digits); DATE -> date; TIME -> time;
//   TIMESTAMP[_S|_MS|_NS] -> timestamp with dlt's `timezone: false` (naive), TIMESTAMPTZ ->
//   timestamp (UTC instants, microseconds); BLOB -> binary; JSON -> json;
//   LIST, ARRAY, STRUCT, MAP -> json (nested values as JSON text: objects for structs and maps,
//   arrays for lists; scalars inside as JSON numbers, strings, booleans or null);
//   everything else (VARCHAR, UUID, ENUM, INTERVAL, ...) -> text, as DuckDB's VARCHAR cast.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "destinations/duckdb/duckdb_api.h"
#include "dlt/status.h"
#include "normalize/typed_batch.h"

namespace dlt::duckdb {

class BatchReader {
 public:
  // Starts `sql` (one statement) on `connection` as a streaming query. The connection must
  // outlive the reader. Errors are DuckDB's (duckdb_api.h).
  static StatusOr<std::unique_ptr<BatchReader>> Start(Connection& connection, const std::string& sql);
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // The result's columns as dlt's typed columns.
  const std::vector<TypedColumn>& columns() const;

  // Replaces `batch` with the next rows (whole chunks until at least `min_rows` or the end) and
  // returns true; false when no rows are left.
  StatusOr<bool> Next(TypedBatch* batch, size_t min_rows = 65536);

 private:
  struct Impl;
  BatchReader();
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlt::duckdb
