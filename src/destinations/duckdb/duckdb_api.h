// DuckDB through its C API, with the library loaded at run time.
//
// libduckdb.so is large (tens of MB); linking it would make every `dlt` command pay for loading
// it. So it is not linked: EnsureLoaded() opens it with dlopen on first use and resolves the
// functions this module calls into a table. Only the files of src/destinations/duckdb/ include
// duckdb.h (through duckdb_library.h); this header is safe to include anywhere.
//
// Where it is implemented (all in this folder):
//   duckdb_library      the function table, which file is loaded, EnsureLoaded & co.
//   duckdb_errors       DuckDB errors as Status codes (the table below)
//   duckdb_connection   Database, Connection, Execute/Query
//   duckdb_types        result column types and their names; QuoteIdentifier/QuoteLiteral
//   duckdb_value_renderer, duckdb_value_text, duckdb_float_text   values as DuckDB's VARCHAR text
//   duckdb_appender     Appender
//   duckdb_job_scan     ScanJobFiles (the dlt_job_files table function)
//
// Which file is loaded:
//   1. $DLT_DUCKDB_LIBRARY when set and not empty (only that file, no fallback);
//   2. else, in the Python package (dlt._native), dlt/_lib/libduckdb.so (a wheel) or
//      <prefix>/lib/dlt/libduckdb.so beside <prefix>/lib/python3.*/dist-packages/dlt (make install);
//   3. else <prefix>/lib/dlt/libduckdb.so beside an installed dlt binary (<prefix>/bin/dlt);
//   4. else the bundled library whose absolute path the build bakes in (DLT_DUCKDB_LIBRARY_PATH),
//      when that file exists;
//   5. else "libduckdb.so" from the system library search path.
//
// Same file, same process: Database::Open goes through a process-wide DuckDB instance cache, so
// opening a database file that another Database object of this process already has open WORKS
// and shares the one DuckDB instance (and its data) when the options are the same. With other
// options (read_only, config) it fails with a FailedPrecondition that says so. A file that
// another PROCESS has open for writing fails with Unavailable (DuckDB's lock message, which
// names that process). ":memory:" always opens a new, private database.
//
// Values: Query() returns every value as text, formatted exactly like DuckDB's own
// CAST(x AS VARCHAR) (the conversion is done here from the result vectors, so it works for every
// type, nested LIST/STRUCT/MAP/ARRAY/UNION included; the unit tests compare both for about 190 kinds of
// values). The one deliberate difference: TIMESTAMP WITH TIME ZONE is always shown in UTC
// ("2024-01-02 03:04:05+00"), whatever the session's TimeZone setting, which is what DuckDB's
// cast gives with TimeZone='UTC'. A column whose type the C API does not describe (TIME_NS in
// DuckDB 1.4) makes Query() fail with a message asking to CAST it to VARCHAR in the SQL.
//
// Errors: no exception leaves this module. DuckDB's message is kept whole in the Status; the
// code says what kind of failure it was:
//   Cancelled          the statement was interrupted (Connection::Interrupt)
//   NotFound           a catalog object does not exist; a read-only database file is missing
//   AlreadyExists      a catalog object already exists
//   PermissionDenied   refused by DuckDB's permission checks or the file system
//   Unavailable        the database file is locked by another process; a transaction conflict
//   FailedPrecondition the library cannot be loaded; IO errors; other states
//   InvalidArgument    everything wrong with the SQL or the data: syntax, binder, conversion,
//                      constraint violations ...
//   Internal           DuckDB reports an internal or fatal error
//
// Thread safety: EnsureLoaded may be called from any thread. A Database may be shared by
// threads that each Connect(); a Connection is used by one thread at a time, except Interrupt(),
// which another thread may call while a statement runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlt/status.h"

namespace dlt::duckdb {

// Loads libduckdb once per process; later calls return the first outcome. A missing library or
// a library without a function this module needs gives FailedPrecondition naming the file(s)
// tried and how to fix it (run scripts/bootstrap.sh or set DLT_DUCKDB_LIBRARY).
Status EnsureLoaded();

// True once EnsureLoaded() has succeeded. Never loads anything.
bool IsLoaded();

// The file EnsureLoaded() loaded ("" when it has not loaded one).
std::string LoadedLibraryPath();

// duckdb_library_version(), e.g. "v1.4.4". Loads the library; "" when it cannot be loaded.
std::string LibraryVersion();

// One value of a query result: DuckDB's VARCHAR rendering of it, or NULL.
struct Value {
  bool is_null = false;
  std::string text;  // empty when is_null
};

struct QueryResult {
  std::vector<std::string> column_names;
  // DuckDB's logical type names as typeof() shows them: BIGINT, VARCHAR, DECIMAL(38,9),
  // TIMESTAMP WITH TIME ZONE, JSON, INTEGER[], STRUCT(a INTEGER, "b c" VARCHAR), ...
  std::vector<std::string> column_types;
  std::vector<std::vector<Value>> rows;  // rows[row][column]

  // Index of the column called exactly `name`, or -1.
  int ColumnIndex(std::string_view name) const;
};

class Connection;
class BatchReader;  // duckdb_batch_reader.h

// The column types a scan of job files produces itself (anything else: read as VARCHAR and
// CAST in the statement).
// kTimestamp: a naive timestamp column (dlt's `timezone: false`); its cells are UTC instants too.
// kDate and kTime only for typed job files, whose dates and times are integers (days since the
// epoch, microseconds since midnight): CSV job text of those types is cast by DuckDB instead.
// kDecimal: DECIMAL(width, scale) of up to 18 digits, parsed here (ParseJobDecimal) instead of
// cast from text by DuckDB.
enum class ScanType { kVarchar, kBigint, kDouble, kBoolean, kTimestampTz, kTimestamp, kDate, kTime, kDecimal };
struct ScanColumn {
  std::string name;
  ScanType type = ScanType::kVarchar;
  int width = 0, scale = 0;  // kDecimal
};

// A registered scan (see Connection::ScanJobFiles); it can be read while this object lives.
class JobFileScan {
 public:
  JobFileScan() = default;
  ~JobFileScan();
  JobFileScan(JobFileScan&& other) noexcept;
  JobFileScan& operator=(JobFileScan&& other) noexcept;
  JobFileScan(const JobFileScan&) = delete;
  JobFileScan& operator=(const JobFileScan&) = delete;

  // The table function call to put after FROM, e.g. "dlt_job_files(7)".
  const std::string& sql() const { return sql_; }

 private:
  friend class Connection;
  uint64_t id_ = 0;
  std::string sql_;
};

class Database {
 public:
  // Opens (or creates, unless read_only) the database file at `path`, or an in-memory database
  // for ":memory:". `config` options are DuckDB settings passed at open time (e.g.
  // {"threads", "2"}, {"memory_limit", "1GB"}); read_only sets access_mode=READ_ONLY.
  // Errors carry DuckDB's message prefixed by "cannot open DuckDB database <path>: ".
  static StatusOr<Database> Open(const std::string& path, bool read_only = false,
                                 const std::vector<std::pair<std::string, std::string>>& config = {});

  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  StatusOr<Connection> Connect();

  // Releases this handle. The database file stays open (and locked) while connections made from
  // it are alive or while another Database object of this process shares the instance.
  void Close();

  bool is_open() const { return handle_ != nullptr; }
  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }

 private:
  void* handle_ = nullptr;  // duckdb_database
  std::string path_;
  bool read_only_ = false;
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more `;`-separated statements; any rows are discarded.
  Status Execute(std::string_view sql);

  // Runs the statement(s) and returns all rows of the last one, every value as text.
  StatusOr<QueryResult> Query(std::string_view sql);
  // Prepares one statement with `?` placeholders, binds `params` to them in order (as VARCHAR,
  // which DuckDB casts like a string literal where the statement needs another type; nullopt is
  // NULL) and returns its rows as Query does. The number of params must match the statement's.
  StatusOr<QueryResult> QueryPrepared(std::string_view sql, const std::vector<std::optional<std::string>>& params);

  // Makes load job files readable in statements of this connection as the table function
  // call `sql()` of the returned object: CSV jobs as CsvJobReader reads them (a header line,
  // then rows with exactly one field per column) and typed jobs (a `.typed` name,
  // normalize/typed_job_file.h, batches of exactly `columns`), rows of all files, with `columns`
  // (names and types) in order. DuckDB's threads read the files in parallel, one file per thread
  // at a time, and fill its vectors directly: no CSV sniffing, no generic parsing, no casts from
  // text; typed integers, doubles and booleans are copied as they are. A damaged file or a value
  // that is not of its column's type fails the statement with a message naming the file, line
  // (or batch) and column.
  // EnableJobScans() must have been called on the connection first.
  StatusOr<JobFileScan> ScanJobFiles(std::vector<std::string> files, std::vector<ScanColumn> columns);
  // Makes the table function behind ScanJobFiles known to this connection's database, and the
  // scalar function dlt_new_row_key() (a new random dlt row key per row, duckdb_row_key.h). Call
  // it outside a transaction: DuckDB forgets a function registered in a transaction rolled back.
  Status EnableJobScans();

  // Asks the running statement (from another thread) to stop; it then fails with Cancelled.
  // Does nothing when no statement runs.
  void Interrupt();

  void Close();
  bool is_open() const { return handle_ != nullptr; }

 private:
  friend class Database;
  friend class Appender;
  friend class BatchReader;
  explicit Connection(void* handle) : handle_(handle) {}

  void* handle_ = nullptr;  // duckdb_connection
  bool scan_registered_ = false;  // dlt_job_files is known to this connection
};

// Bulk insert into one table through DuckDB's appender: values are given column by column in
// table order, EndRow() after each row. Values are cast to the column type by DuckDB (a VARCHAR
// "2024-01-01 10:00:00" into a TIMESTAMP column works). Rows become visible at Flush() / Close().
// The Appender must not outlive its Connection. The destructor closes it, ignoring errors: call
// Close() to learn whether the last rows were written.
class Appender {
 public:
  // `schema` may be empty for the default schema.
  static StatusOr<Appender> Create(Connection& connection, std::string_view schema, std::string_view table);

  Appender() = default;
  ~Appender();
  Appender(Appender&& other) noexcept;
  Appender& operator=(Appender&& other) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  Status AppendVarchar(std::string_view value);
  Status AppendInt64(int64_t value);
  Status AppendDouble(double value);
  Status AppendBool(bool value);
  Status AppendNull();
  Status EndRow();
  Status Flush();
  Status Close();

 private:
  Status Check(int state, std::string_view what);

  void* handle_ = nullptr;  // duckdb_appender
  std::string table_;       // "schema.table" for messages
};

// SQL quoting. QuoteIdentifier always quotes: my "name" -> "my ""name""".
std::string QuoteIdentifier(std::string_view name);
// it's -> 'it''s'
std::string QuoteLiteral(std::string_view text);

}  // namespace dlt::duckdb
