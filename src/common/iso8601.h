// ISO 8601 ("ISO-like") date and time strings, read exactly as Python dlt 1.26 reads them for
// type detection and for coercing text into timestamp/date columns: dlt's
// parse_iso_like_datetime() tries pendulum 2.1.2's pure-Python ISO 8601 parser and, when that
// refuses the string, pendulum's "common" formats (2024/06/01 12:00, 2024:06:01). Both are regular
// expressions with backtracking whose first match decides the fields, so the matcher here tries
// the same alternatives in the same order; the checks pendulum and Python's datetime make
// afterwards (ordinal days, ISO weeks, ranges) follow.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dlt::iso8601 {

struct Parsed {
  // What pendulum returns: a datetime (a timestamp), a date, or a time of day (never detected).
  enum class Kind { kDateTime, kDate, kTime } kind = Kind::kDate;
  int year = 0, month = 1, day = 1;
  int hour = 0, minute = 0, second = 0, microsecond = 0;
  bool has_offset = false;   // "Z" or +hh[:mm]: the wall clock is at `offset_seconds` east of UTC
  int offset_seconds = 0;    // naive datetimes (no offset) are UTC, as dlt normalizes them
};

// dlt's parse_iso_like_datetime(): the fields of `s`, or nullopt where dlt raises. ASCII digits
// only (Python's regular expressions also take other Unicode decimal digits).
std::optional<Parsed> ParseIsoLike(std::string_view s);

// A string dlt's "iso_timestamp" detection types as `timestamp`, as the UTC instant dlt loads:
// "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00". Refused too (dlt detects them and then fails in
// normalize): offsets of 24 hours or more, and instants that leave years 1-9999 once in UTC.
std::optional<std::string> ParseIsoTimestamp(std::string_view s);

// A string dlt's "iso_date" detection types as `date` (a date without time of day), as
// "YYYY-MM-DD".
std::optional<std::string> ParseIsoDate(std::string_view s);

// The instant of a parsed datetime (or of midnight UTC of a date) in the form ParseIsoTimestamp
// returns; nullopt when the offset is 24 hours or more or the UTC year leaves 1-9999.
std::optional<std::string> UtcInstant(const Parsed& p);

// "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00" for seconds since the epoch plus microseconds (0-999999).
std::string FormatUtc(int64_t epoch_seconds, int micros);

}  // namespace dlt::iso8601
