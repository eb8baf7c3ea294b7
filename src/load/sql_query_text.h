// The parts of a typed query (SqlClient::QueryTyped) that do not depend on the database: dlt's
// `%s` placeholders turned into the database's own, and the database's texts of dates, times,
// decimals and bytes turned into the ones include/dlt/sql.h promises (ISO 8601, every digit, hex).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dlt/status.h"

namespace dlt::sqltext {

enum class PlaceholderStyle {
  kQuestionMark,  // DuckDB: `?` (dlt's duckdb sql_client replaces %s with ?)
  kDollarNumber,  // PostgreSQL: `$1`, `$2` ... and `%%` -> `%` (psycopg2's rules)
};

// `sql` with each `%s` replaced by the style's placeholder, in order. Fails (naming both counts)
// when the SQL has not exactly `params` placeholders. With no params, callers run the SQL as
// written instead (a `%` in it then means itself).
StatusOr<std::string> BindPlaceholders(std::string_view sql, size_t params, PlaceholderStyle style);

// "2024-01-02 03:04:05.5+00" -> "2024-01-02T03:04:05.500000+00:00"; without an offset the result
// has none. The fraction gets 6 digits (9 when it has more than 6). Texts that are not a plain
// date and time (infinity, years BC) come back unchanged.
std::string IsoTimestamp(std::string_view text);
// "03:04:05.5" -> "03:04:05.500000"; "03:04:05+00" -> "03:04:05+00:00".
std::string IsoTime(std::string_view text);
// ".5" -> "0.5", "-.5" -> "-0.5"; anything else unchanged.
std::string FullDecimal(std::string_view text);
// The bytes as lowercase hex, two digits each.
std::string Hex(std::string_view bytes);

}  // namespace dlt::sqltext
