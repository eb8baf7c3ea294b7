// MySQL/MariaDB column types (information_schema.COLUMNS) as dlt types, and the server's text of
// a value (the text protocol: what the server itself prints) as a cell of the column's type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

// One row of information_schema.COLUMNS, the parts the mapping needs.
struct MysqlColumnInfo {
  std::string name;
  std::string data_type;    // DATA_TYPE: "int", "decimal", "varchar", ...
  std::string column_type;  // COLUMN_TYPE: "int(11) unsigned", "decimal(10,2)", "tinyint(1)"
  bool nullable = true;
  std::optional<int> numeric_precision, numeric_scale, char_length, datetime_precision;
  bool json_checked = false;  // MariaDB's JSON: a longtext with CHECK (json_valid(`col`))
};

// The dlt type of a column as SQLAlchemy's MySQL dialect reflects it and dlt maps that: integer
// types (tinyint(1) too: SQLAlchemy reflects it as TINYINT, not Boolean), year and bit -> bigint
// (bigint unsigned: bigint, values past 2^63-1 are an error); decimal(p,s) -> decimal with its
// precision and scale; float/double -> double; char/varchar/text/enum/set -> text; date; time;
// datetime -> timestamp without time zone; timestamp -> timestamp with time zone (the session
// reads it in UTC); json -> json; binary/varbinary/blobs and spatial types -> binary. Others are
// read as text. Lengths and fraction digits only at full_with_precision, as dlt does.
TypedColumn MapMysqlType(const MysqlColumnInfo& info, ReflectionLevel level);

// Appends the server's text of a value (`data` nullptr: NULL) to column `c` of `batch`, converted
// to the column's type. Returns "" or why the value does not fit; the caller names table, column
// and row. `native` is the column's COLUMN_TYPE ("bit(5)" values come as raw big-endian bytes).
std::string AppendMysqlValue(const char* data, unsigned long length, std::string_view native, TypedBatch* batch,
                             size_t c);

}  // namespace dlt::sql_source
