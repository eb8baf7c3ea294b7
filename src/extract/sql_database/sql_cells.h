// Text forms shared by the SQLite and MySQL readers: both hand dates, times, timestamps and
// decimals over as text ("2024-05-01 12:30:00.25", "12.50"), which become the canonical cells of
// normalize/typed_batch.h here, and both compare an incremental cursor against a bound written
// in the form the database stores or parses ("YYYY-MM-DD HH:MM:SS.ffffff").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "normalize/schema.h"

namespace dlt::sql_source {

// "YYYY-MM-DD", optionally followed by ' ' or 'T' and "HH:MM[:SS[.f...]]" (up to 6 fraction
// digits) and an offset ("Z", "+HH:MM", "+HHMM", "+HH"): microseconds since the epoch, the
// offset applied (a naive value is taken as UTC). nullopt when `s` is not of that form or names
// no real date.
std::optional<int64_t> ParseDateTimeMicros(std::string_view s);
// "YYYY-MM-DD": days since the epoch.
std::optional<int64_t> ParseDateDays(std::string_view s);
// "HH:MM[:SS[.ffffff]]" within one day: microseconds since midnight.
std::optional<int64_t> ParseTimeMicros(std::string_view s);

// `s` when it is a plain decimal number ("-12.50", "7", ".5" -> "0.5", "+3" -> "3"); nullopt
// otherwise (exponents, NaN, spaces).
std::optional<std::string> DecimalText(std::string_view s);
// A double as decimal text without exponent: with `scale` digits after the point when given
// (as SQLAlchemy's Numeric turns a float into a Decimal), else the shortest text that reads back
// to the same double.
std::string DecimalFromDouble(double v, std::optional<int> scale);
// An integer with `scale` digits after the point ("12" -> "12.00"); "12" without a scale.
std::string DecimalFromInt(int64_t v, std::optional<int> scale);

// Which end of a range a bound is. Text comparison of "2024-01-01 00:00:00" and
// "2024-01-01 00:00:00.000000" (both ways SQLite tools store one instant) puts the shorter first,
// so a lower inclusive / upper exclusive bound is written in its shortest form and the other two
// with all six fraction digits: either way both spellings of the bound's own instant fall on the
// right side.
enum class BoundForm { kShortest, kLongest };

// A bound's JSON value (as the pipeline state holds it) as text in the database's form for a
// column of `type`: timestamps "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC, dates "YYYY-MM-DD", times
// "HH:MM:SS[.ffffff]", decimals as decimal text, others as their JSON scalar text. Errors name
// `what` (the column).
StatusOr<std::string> BoundText(const nlohmann::json& value, DataType type, BoundForm form, std::string_view what);

// The JSON value of a KeyRange end or a cursor, from a canonical cell of `type`.
nlohmann::json CellJson(DataType type, const std::string& cell);

}  // namespace dlt::sql_source
