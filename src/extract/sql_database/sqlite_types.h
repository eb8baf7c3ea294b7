// SQLite's declared column types as dlt types, and the values SQLite stores (it keeps any value
// in any column: an INTEGER, REAL, TEXT or BLOB per cell) as cells of the column's dlt type.
#pragma once

#include <string>
#include <string_view>

#include "extract/sql_database/sql_reader.h"
#include "extract/sql_database/sqlite_library.h"

namespace dlt::sql_source {

// The dlt type of a declared type as SQLAlchemy's SQLite dialect reflects it and dlt maps that:
// the known names first (INTEGER, BIGINT, REAL, FLOAT, DOUBLE, NUMERIC, DECIMAL(p,s), BOOLEAN,
// DATE, DATETIME, TIMESTAMP, TIME, BLOB, JSON, TEXT, VARCHAR(n), ...), then SQLite's affinity rules
// (a name holding INT is an integer; CHAR, CLOB, TEXT text; REAL, FLOA, DOUB a double; no type
// text; anything else numeric, hence decimal). Decimals keep their precision and scale; text and
// binary lengths and small integer sizes only at full_with_precision, as dlt does. DATETIME and
// TIMESTAMP have no time zone.
TypedColumn MapSqliteType(const std::string& name, std::string_view declared, ReflectionLevel level);

// Appends the value of result column `i` of `stmt` to column `c` of `batch`, converted to the
// column's type. Returns "" or why the value does not fit ("the TEXT value 'abc' is not an
// integer"); the caller names table, column and row.
std::string AppendSqliteValue(const LibSqlite& lib, sqlite3_stmt* stmt, int i, TypedBatch* batch, size_t c);

}  // namespace dlt::sql_source
