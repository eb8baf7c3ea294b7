// Appender of duckdb_api.h: bulk inserts through DuckDB's appender, with the table named in every
// error. (Load jobs go through ScanJobFiles instead; today only the unit tests use the appender.)
#include "destinations/duckdb/duckdb_api.h"

#include <utility>

#include "destinations/duckdb/duckdb_errors.h"
#include "destinations/duckdb/duckdb_library.h"

namespace dlt::duckdb {

using namespace detail;  // NOLINT: this folder's internals, all behind duckdb_api.h

// --- Appender ---

StatusOr<Appender> Appender::Create(Connection& connection, std::string_view schema, std::string_view table) {
  std::string name = schema.empty() ? std::string(table) : std::string(schema) + "." + std::string(table);
  if (!connection.handle_) return Closed("the DuckDB connection");
  std::string schema_s(schema), table_s(table);
  duckdb_appender app = nullptr;
  if (A().duckdb_appender_create_ext(static_cast<duckdb_connection>(connection.handle_), nullptr,
                                     schema.empty() ? nullptr : schema_s.c_str(), table_s.c_str(),
                                     &app) == DuckDBError) {
    Status s = AppenderError(app, "cannot append to table " + name);
    if (app) A().duckdb_appender_destroy(&app);
    if (Contains(s.message(), "could not be found")) return NotFound(s.message());
    return s;
  }
  Appender out;
  out.handle_ = app;
  out.table_ = std::move(name);
  return out;
}

Appender::~Appender() {
  if (handle_) {
    auto app = static_cast<duckdb_appender>(handle_);
    A().duckdb_appender_destroy(&app);
  }
}

Appender::Appender(Appender&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), table_(std::move(other.table_)) {}

Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    if (handle_) {
      auto app = static_cast<duckdb_appender>(handle_);
      A().duckdb_appender_destroy(&app);
    }
    handle_ = std::exchange(other.handle_, nullptr);
    table_ = std::move(other.table_);
  }
  return *this;
}

Status Appender::Check(int state, std::string_view what) {
  if (state == DuckDBSuccess) return Status::Ok();
  return AppenderError(static_cast<duckdb_appender>(handle_),
                       std::string(what) + " (appending to table " + table_ + ")");
}

#define DLT_APPENDER(call, what)                                                     \
  if (!handle_) return Closed("the DuckDB appender for table " + table_);            \
  return Check(call, what)

Status Appender::AppendVarchar(std::string_view value) {
  DLT_APPENDER(A().duckdb_append_varchar_length(static_cast<duckdb_appender>(handle_), value.data(), value.size()),
               "cannot append a value");
}
Status Appender::AppendInt64(int64_t value) {
  DLT_APPENDER(A().duckdb_append_int64(static_cast<duckdb_appender>(handle_), value), "cannot append a value");
}
Status Appender::AppendDouble(double value) {
  DLT_APPENDER(A().duckdb_append_double(static_cast<duckdb_appender>(handle_), value), "cannot append a value");
}
Status Appender::AppendBool(bool value) {
  DLT_APPENDER(A().duckdb_append_bool(static_cast<duckdb_appender>(handle_), value), "cannot append a value");
}
Status Appender::AppendNull() {
  DLT_APPENDER(A().duckdb_append_null(static_cast<duckdb_appender>(handle_)), "cannot append a value");
}
Status Appender::EndRow() {
  DLT_APPENDER(A().duckdb_appender_end_row(static_cast<duckdb_appender>(handle_)), "cannot end the row");
}
Status Appender::Flush() {
  DLT_APPENDER(A().duckdb_appender_flush(static_cast<duckdb_appender>(handle_)), "cannot flush the rows");
}

#undef DLT_APPENDER

Status Appender::Close() {
  if (!handle_) return Status::Ok();
  auto app = static_cast<duckdb_appender>(handle_);
  Status s = Check(A().duckdb_appender_close(app), "cannot write the rows");
  A().duckdb_appender_destroy(&app);
  handle_ = nullptr;
  return s;
}

}  // namespace dlt::duckdb
