// Database and Connection of duckdb_api.h: opening a database file through the process-wide
// instance cache (and wording why it could not be opened), connections, and running SQL: Execute
// discards rows, Query returns the last statement's rows as text (types read by duckdb_types,
// values written by duckdb_value_renderer).
#include "destinations/duckdb/duckdb_api.h"

#include <utility>

#include "destinations/duckdb/duckdb_errors.h"
#include "destinations/duckdb/duckdb_library.h"
#include "destinations/duckdb/duckdb_types.h"
#include "destinations/duckdb/duckdb_value_renderer.h"

namespace dlt::duckdb {

using namespace detail;  // NOLINT: this folder's internals, all behind duckdb_api.h

namespace {

struct ResultGuard {
  duckdb_result* r;
  ~ResultGuard() { A().duckdb_destroy_result(r); }
};

// Runs the statement(s) in `sql`. When it returns with have_result, *r holds the result of the
// last statement (or the error of the failing one) and the caller destroys it. duckdb_query alone
// would return the result of the FIRST statement, so several statements are run one by one.
Status RunForLastResult(duckdb_connection conn, const std::string& sql, duckdb_result* r, bool& have_result) {
  const Api& api = A();
  have_result = false;
  duckdb_extracted_statements extracted = nullptr;
  const idx_t n = api.duckdb_extract_statements(conn, sql.c_str(), &extracted);
  struct ExtractedGuard {
    duckdb_extracted_statements* e;
    ~ExtractedGuard() { A().duckdb_destroy_extracted(e); }
  } extracted_guard{&extracted};
  if (n <= 1) {
    // One statement (or a parse error, which duckdb_query reports with its kind).
    const bool failed = api.duckdb_query(conn, sql.c_str(), r) == DuckDBError;
    have_result = true;
    return failed ? ResultError(r) : Status::Ok();
  }
  for (idx_t i = 0; i < n; ++i) {
    duckdb_prepared_statement stmt = nullptr;
    if (api.duckdb_prepare_extracted_statement(conn, extracted, i, &stmt) == DuckDBError) {
      Status s = TextError(api.duckdb_prepare_error(stmt));
      api.duckdb_destroy_prepare(&stmt);
      return s;
    }
    const bool failed = api.duckdb_execute_prepared(stmt, r) == DuckDBError;
    api.duckdb_destroy_prepare(&stmt);
    if (failed || i + 1 == n) {
      have_result = true;
      return failed ? ResultError(r) : Status::Ok();
    }
    api.duckdb_destroy_result(r);
  }
  return Status::Ok();  // not reached: n > 1
}

// Every row of a successful result, each value as DuckDB's VARCHAR text; the column types go to
// `types` (named by WithTypeNames once the result is destroyed: naming may run a query).
StatusOr<QueryResult> ReadResult(duckdb_result* result, std::vector<TypeNode>& types) {
  const Api& api = A();
  duckdb_result& r = *result;
  QueryResult out;
  const idx_t ncols = api.duckdb_column_count(&r);
  types.resize(ncols);
  for (idx_t c = 0; c < ncols; ++c) {
    const char* name = api.duckdb_column_name(&r, c);
    out.column_names.emplace_back(name ? name : "");
    LogicalType lt(api.duckdb_column_logical_type(&r, c));
    Status s = BuildType(lt.t, types[c]);
    if (!s.ok()) return s.WithContext("column " + out.column_names.back());
  }

  Renderer renderer(api);
  std::vector<duckdb_vector> vectors(ncols);
  while (duckdb_data_chunk chunk = api.duckdb_fetch_chunk(r)) {
    const idx_t n = api.duckdb_data_chunk_get_size(chunk);
    for (idx_t c = 0; c < ncols; ++c) vectors[c] = api.duckdb_data_chunk_get_vector(chunk, c);
    for (idx_t row = 0; row < n; ++row) {
      auto& values = out.rows.emplace_back(ncols);
      for (idx_t c = 0; c < ncols; ++c) {
        if (!renderer.Valid(vectors[c], row)) {
          values[c].is_null = true;
        } else {
          renderer.Top(types[c], vectors[c], row, values[c].text);
        }
      }
    }
    api.duckdb_destroy_data_chunk(&chunk);
  }
  const char* e = api.duckdb_result_error(&r);
  if (e && *e) return ResultError(&r);
  return out;
}

StatusOr<QueryResult> WithTypeNames(StatusOr<QueryResult> out, const std::vector<TypeNode>& types,
                                    duckdb_connection conn) {
  if (!out.ok()) return out;
  for (const auto& t : types) out->column_types.push_back(TypeName(t, conn));
  return out;
}

}  // namespace

int QueryResult::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (column_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// --- Database ---

StatusOr<Database> Database::Open(const std::string& path, bool read_only,
                                  const std::vector<std::pair<std::string, std::string>>& config) {
  DLT_RETURN_IF_ERROR(EnsureLoaded());
  const Api& api = A();
  const std::string prefix = "cannot open DuckDB database " + path;

  duckdb_config cfg = nullptr;
  if (api.duckdb_create_config(&cfg) == DuckDBError) {
    api.duckdb_destroy_config(&cfg);
    return Internal(prefix + ": DuckDB could not create a configuration");
  }
  struct ConfigGuard {
    duckdb_config* c;
    ~ConfigGuard() { A().duckdb_destroy_config(c); }
  } config_guard{&cfg};
  if (read_only && api.duckdb_set_config(cfg, "access_mode", "READ_ONLY") == DuckDBError) {
    return Internal(prefix + ": DuckDB rejected access_mode=READ_ONLY");
  }
  for (const auto& [key, value] : config) {
    if (api.duckdb_set_config(cfg, key.c_str(), value.c_str()) == DuckDBError) {
      return InvalidArgument(prefix + ": DuckDB rejected the setting " + key + "=" + value);
    }
  }

  duckdb_database db = nullptr;
  char* err = nullptr;
  if (api.duckdb_get_or_create_from_cache(InstanceCache(), path.c_str(), &db, cfg, &err) == DuckDBError) {
    std::string message = TrimMessage(err ? err : "");
    if (err) api.duckdb_free(err);
    StatusCode code = StatusCode::kFailedPrecondition;
    if (Contains(message, "Could not set lock")) {
      code = StatusCode::kUnavailable;
    } else if (Contains(message, "different configuration")) {
      message = "it is already open in this process with different options (read-only or settings); "
                "close the other handle or open it with the same options (DuckDB: " + message + ")";
    } else if (Contains(message, "database does not exist") || Contains(message, "No such file or directory")) {
      code = StatusCode::kNotFound;
    } else if (Contains(message, "Permission denied")) {
      code = StatusCode::kPermissionDenied;
    } else if (Contains(message, "not a valid DuckDB database file") || Contains(message, "not recognized") ||
               Contains(message, "Invalid Input Error")) {
      code = StatusCode::kInvalidArgument;
    }
    return Status(code, prefix + ": " + message);
  }
  Database out;
  out.handle_ = db;
  out.path_ = path;
  out.read_only_ = read_only;
  return out;
}

Database::~Database() { Close(); }

Database::Database(Database&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), path_(std::move(other.path_)), read_only_(other.read_only_) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    handle_ = std::exchange(other.handle_, nullptr);
    path_ = std::move(other.path_);
    read_only_ = other.read_only_;
  }
  return *this;
}

void Database::Close() {
  if (!handle_) return;
  auto db = static_cast<duckdb_database>(handle_);
  A().duckdb_close(&db);
  handle_ = nullptr;
}

StatusOr<Connection> Database::Connect() {
  if (!handle_) return Closed("the DuckDB database " + path_);
  duckdb_connection conn = nullptr;
  if (A().duckdb_connect(static_cast<duckdb_database>(handle_), &conn) == DuckDBError) {
    return FailedPrecondition("cannot connect to DuckDB database " + path_);
  }
  return Connection(conn);
}

// --- Connection ---

Connection::~Connection() { Close(); }

Connection::Connection(Connection&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), scan_registered_(std::exchange(other.scan_registered_, false)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    handle_ = std::exchange(other.handle_, nullptr);
    scan_registered_ = std::exchange(other.scan_registered_, false);
  }
  return *this;
}

void Connection::Close() {
  if (!handle_) return;
  auto conn = static_cast<duckdb_connection>(handle_);
  A().duckdb_disconnect(&conn);
  handle_ = nullptr;
  scan_registered_ = false;
}

void Connection::Interrupt() {
  if (handle_) A().duckdb_interrupt(static_cast<duckdb_connection>(handle_));
}

Status Connection::Execute(std::string_view sql) {
  if (!handle_) return Closed("the DuckDB connection");
  if (sql.find('\0') != std::string_view::npos) return InvalidArgument("SQL text contains a NUL character");
  std::string text(sql);
  duckdb_result r;
  const bool failed = A().duckdb_query(static_cast<duckdb_connection>(handle_), text.c_str(), &r) == DuckDBError;
  ResultGuard guard{&r};
  return failed ? ResultError(&r) : Status::Ok();
}

StatusOr<QueryResult> Connection::Query(std::string_view sql) {
  if (!handle_) return Closed("the DuckDB connection");
  if (sql.find('\0') != std::string_view::npos) return InvalidArgument("SQL text contains a NUL character");
  auto conn = static_cast<duckdb_connection>(handle_);
  std::string text(sql);
  std::vector<TypeNode> types;
  StatusOr<QueryResult> out = Internal("no result");
  {
    duckdb_result r;
    bool have_result = false;
    Status run = RunForLastResult(conn, text, &r, have_result);
    if (!have_result) return run;
    ResultGuard guard{&r};
    if (!run.ok()) return run;
    out = ReadResult(&r, types);
  }
  return WithTypeNames(std::move(out), types, conn);
}

StatusOr<QueryResult> Connection::QueryPrepared(std::string_view sql,
                                                const std::vector<std::optional<std::string>>& params) {
  if (!handle_) return Closed("the DuckDB connection");
  if (sql.find('\0') != std::string_view::npos) return InvalidArgument("SQL text contains a NUL character");
  const Api& api = A();
  auto conn = static_cast<duckdb_connection>(handle_);
  std::string text(sql);
  duckdb_prepared_statement stmt = nullptr;
  struct PreparedGuard {
    duckdb_prepared_statement* s;
    ~PreparedGuard() { A().duckdb_destroy_prepare(s); }
  } prepared_guard{&stmt};
  if (api.duckdb_prepare(conn, text.c_str(), &stmt) == DuckDBError) return TextError(api.duckdb_prepare_error(stmt));
  const idx_t expected = api.duckdb_nparams(stmt);
  if (expected != params.size()) {
    return InvalidArgument("the statement takes " + std::to_string(expected) + " parameter(s) but " +
                           std::to_string(params.size()) + " were given");
  }
  for (idx_t i = 0; i < expected; ++i) {
    const auto& p = params[i];
    const duckdb_state bound = p ? api.duckdb_bind_varchar_length(stmt, i + 1, p->data(), p->size())
                                 : api.duckdb_bind_null(stmt, i + 1);
    if (bound == DuckDBError) {
      return InvalidArgument("DuckDB could not bind parameter " + std::to_string(i + 1) +
                             (api.duckdb_prepare_error(stmt) ? std::string(": ") + api.duckdb_prepare_error(stmt) : ""));
    }
  }
  std::vector<TypeNode> types;
  StatusOr<QueryResult> out = Internal("no result");
  {
    duckdb_result r;
    const bool failed = api.duckdb_execute_prepared(stmt, &r) == DuckDBError;
    ResultGuard guard{&r};
    if (failed) return ResultError(&r);
    out = ReadResult(&r, types);
  }
  return WithTypeNames(std::move(out), types, conn);
}

}  // namespace dlt::duckdb
