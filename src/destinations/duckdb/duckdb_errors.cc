// See duckdb_errors.h: DuckDB's error types and messages mapped to Status codes.
#include "destinations/duckdb/duckdb_errors.h"

namespace dlt::duckdb::detail {

std::string TrimMessage(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ' || m.back() == '\r')) m.pop_back();
  if (m.empty()) m = "unknown DuckDB error";
  // DuckDB 1.4 appends the "LINE n: ... ^" pointer into the SQL twice; keep one copy.
  size_t p = m.find("\n\nLINE ");
  if (p != std::string::npos) {
    std::string_view tail = std::string_view(m).substr(p);
    size_t half = tail.size() / 2;
    if (tail.size() % 2 == 0 && tail.substr(0, half) == tail.substr(half)) m.resize(p + half);
  }
  return m;
}

bool Contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

StatusCode CodeFor(duckdb_error_type type, std::string_view message) {
  switch (type) {
    case DUCKDB_ERROR_INTERRUPT:
      return StatusCode::kCancelled;
    case DUCKDB_ERROR_CATALOG:
      if (Contains(message, "does not exist")) return StatusCode::kNotFound;
      if (Contains(message, "already exists")) return StatusCode::kAlreadyExists;
      return StatusCode::kInvalidArgument;
    case DUCKDB_ERROR_PERMISSION:
      return StatusCode::kPermissionDenied;
    case DUCKDB_ERROR_TRANSACTION:
      return StatusCode::kUnavailable;
    case DUCKDB_ERROR_IO:
      if (Contains(message, "Could not set lock")) return StatusCode::kUnavailable;
      if (Contains(message, "Permission denied")) return StatusCode::kPermissionDenied;
      return StatusCode::kFailedPrecondition;
    case DUCKDB_ERROR_FATAL:
    case DUCKDB_ERROR_INTERNAL:
      return StatusCode::kInternal;
    case DUCKDB_ERROR_OUT_OF_MEMORY:
    case DUCKDB_ERROR_CONNECTION:
    case DUCKDB_ERROR_NETWORK:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_MISSING_EXTENSION:
    case DUCKDB_ERROR_AUTOLOAD:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInvalidArgument;
  }
}

// Errors that come as text only (parsing, preparing): the kind is the message's "<Kind> Error:".
duckdb_error_type ErrorTypeFromMessage(std::string_view m) {
  auto starts = [&](std::string_view p) { return m.substr(0, p.size()) == p; };
  if (starts("Catalog Error")) return DUCKDB_ERROR_CATALOG;
  if (starts("INTERRUPT Error") || starts("Interrupt")) return DUCKDB_ERROR_INTERRUPT;
  if (starts("Permission Error")) return DUCKDB_ERROR_PERMISSION;
  if (starts("TransactionContext Error")) return DUCKDB_ERROR_TRANSACTION;
  if (starts("IO Error")) return DUCKDB_ERROR_IO;
  if (starts("INTERNAL Error") || starts("FATAL Error")) return DUCKDB_ERROR_INTERNAL;
  if (starts("Out of Memory Error")) return DUCKDB_ERROR_OUT_OF_MEMORY;
  return DUCKDB_ERROR_INVALID;
}

Status TextError(const char* e) {
  std::string message = TrimMessage(e ? e : "");
  return Status(CodeFor(ErrorTypeFromMessage(message), message), message);
}

Status ResultError(duckdb_result* result) {
  const char* e = A().duckdb_result_error(result);
  std::string message = TrimMessage(e ? e : "");
  return Status(CodeFor(A().duckdb_result_error_type(result), message), message);
}

Status Closed(std::string_view what) { return FailedPrecondition(std::string(what) + " is closed"); }

// Error text of an appender (valid or not).
Status AppenderError(duckdb_appender app, std::string_view context) {
  std::string message = "unknown DuckDB appender error";
  duckdb_error_type type = DUCKDB_ERROR_INVALID;
  if (app) {
    duckdb_error_data ed = A().duckdb_appender_error_data(app);
    if (ed) {
      const char* m = A().duckdb_error_data_message(ed);
      if (m && *m) message = m;
      type = A().duckdb_error_data_error_type(ed);
      A().duckdb_destroy_error_data(&ed);
    }
  }
  message = TrimMessage(message);
  return Status(CodeFor(type, message), std::string(context) + ": " + message);
}

}  // namespace dlt::duckdb::detail
