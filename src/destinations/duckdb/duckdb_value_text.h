// One scalar DuckDB value as text, byte for byte as DuckDB's CAST(x AS VARCHAR) writes it:
// integers up to 128 bits, DECIMAL, DATE/TIME/TIMESTAMP (UTC for WITH TIME ZONE), INTERVAL,
// BLOB, UUID, BIT, BIGNUM, and the quoting of a value inside LIST/STRUCT/MAP text. FLOAT and
// DOUBLE are in duckdb_float_text.h. Each function appends to `out`; the inputs are the values'
// storage in DuckDB's vectors. Internal to src/destinations/duckdb/.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "destinations/duckdb/duckdb_library.h"

namespace dlt::duckdb::detail {

template <typename I>
void AppendInt(std::string& out, I v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendUint128(std::string& out, unsigned __int128 v);
void AppendInt128(std::string& out, __int128 v);
__int128 ToInt128(duckdb_hugeint h);

// Like DuckDB: "1.50", "-0.05", and without the leading zero when width == scale (".001").
void AppendDecimal(std::string& out, __int128 v, int width, int scale);
// `v` zero-padded to `width` digits.
void AppendPadded(std::string& out, int64_t v, int width);
// HH:MM:SS[.fraction] of `units` (`per_second` of them a second, `digits` of fraction at most).
void AppendTimeOfDay(std::string& out, int64_t units, int64_t per_second, int digits);
// Days since 1970-01-01 to "YYYY-MM-DD", with " (BC)" for years before 1 (proleptic Gregorian).
void AppendDate(std::string& out, int64_t days);
// `value` counts `units_per_second` units since 1970-01-01 00:00:00; `tz` appends "+00".
void AppendTimestamp(std::string& out, int64_t value, int64_t units_per_second, int digits, bool tz);
void AppendInterval(std::string& out, const duckdb_interval& iv);
void AppendTimeTz(std::string& out, uint64_t bits);
void AppendBlob(std::string& out, std::string_view b);
void AppendUuid(std::string& out, duckdb_hugeint h);
void AppendBits(std::string& out, std::string_view b);
void AppendBignum(std::string& out, std::string_view b);

// Inside LIST/STRUCT/MAP text DuckDB quotes a value that could be misread (NeedsQuotes) as
// AppendQuoted writes it.
bool NeedsQuotes(std::string_view s);
void AppendQuoted(std::string& out, std::string_view s);

}  // namespace dlt::duckdb::detail
