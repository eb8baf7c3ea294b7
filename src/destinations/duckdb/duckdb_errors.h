// DuckDB's errors as Status: the message kept whole (minus DuckDB's doubled SQL pointer), the
// code chosen from DuckDB's error type or, for errors that come as text only, from the message's
// "<Kind> Error:" prefix. duckdb_api.h lists which failure gets which code.
// Internal to src/destinations/duckdb/.
#pragma once

#include <string>
#include <string_view>

#include "destinations/duckdb/duckdb_library.h"
#include "dlt/status.h"

namespace dlt::duckdb::detail {

// Trailing white space removed, "unknown DuckDB error" when empty, one copy of "LINE n: ... ^".
std::string TrimMessage(std::string m);

bool Contains(std::string_view hay, std::string_view needle);

StatusCode CodeFor(duckdb_error_type type, std::string_view message);

// An error given as text only (parsing, preparing a statement).
Status TextError(const char* e);

// The error of a failed result.
Status ResultError(duckdb_result* result);

// FailedPrecondition "<what> is closed".
Status Closed(std::string_view what);

// The error of an appender (valid or not), after `context` ("cannot append to table t: ...").
Status AppenderError(duckdb_appender app, std::string_view context);

}  // namespace dlt::duckdb::detail
