// The scalar function dlt_new_row_key() of this module's DuckDB connections: a new random dlt row
// key per row (normalize/relational.h NewRowKey: base64 of 10 random bytes, 14 characters), for
// the `_dlt_id` of rows that DuckDB loads from a file itself (pipeline/file_items.h). Registered
// with the job scan (Connection::EnableJobScans). Internal to src/destinations/duckdb/.
#pragma once

#include "destinations/duckdb/duckdb_library.h"
#include "dlt/status.h"

namespace dlt::duckdb::detail {

inline constexpr const char* kRowKeyFunction = "dlt_new_row_key";

Status RegisterRowKeyFunction(duckdb_connection conn);

// Whether a function called `name` (of `type`: "scalar", "table") is known to the connection's
// database: functions belong to the database instance, so another connection of this process
// may have registered it already.
bool FunctionKnown(duckdb_connection conn, const char* name, const char* type);

}  // namespace dlt::duckdb::detail
