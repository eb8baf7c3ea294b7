// SQL over a pipeline's dataset, with typed results: what dlt's `pipeline.sql_client()` and
// `pipeline.dataset()` give in Python. Open one with Pipeline::OpenSql:
//
//   auto sql = pipeline->OpenSql(/*read_only=*/true);
//   auto r = sql->Query("SELECT id, created_at FROM events WHERE id > %s", {"10"});
//   for (const auto& row : r->rows) ...   // r->columns[i].data_type says how to read row[i]
//
// The session connects to the pipeline's destination exactly as a run does (same profile, same
// credentials) and makes the dataset the default schema (DuckDB: search_path; PostgreSQL:
// search_path = "<dataset>", public), so `FROM events` means the dataset's table. A session can
// be opened before the dataset exists; a statement about a table that is not there then fails
// with a message that says the dataset does not exist yet.
//
// Parameters: with at least one parameter, each `%s` in the SQL is a placeholder for the next
// one, in order (dlt's style; DuckDB gets `?`, PostgreSQL `$n`). Values are given as text (or
// nullopt for NULL) and the database casts them where the statement needs another type
// (`WHERE id = %s` with "5"). On PostgreSQL `%%` is a literal `%` when parameters are given (as
// with psycopg2). Without parameters the SQL runs as written; Execute then takes several
// `;`-separated statements.
//
// Values come back as text, NULL as nullopt, so that nothing is lost on the way (no double for a
// decimal). Each column has a dlt data type that says how to read its texts:
//   bigint     "-12" (any integer type, possibly wider than 64 bits)
//   double     "1.5", "inf", "-inf", "nan" (shortest text that reads back to the same double)
//   bool       "true" / "false"
//   decimal    "12.340000000" (all digits of the column's scale; "0.5", never ".5")
//   timestamp  "2024-01-02T03:04:05.123456+00:00" (ISO 8601, UTC) for a column with a time zone;
//              "2024-01-02T03:04:05" without an offset for one without. The fraction has 6 digits
//              (9 for nanoseconds) and is left out when it is zero. +-infinity stay "infinity".
//   date       "2024-01-02"
//   time       "03:04:05" or "03:04:05.123456" (a time with time zone ends in "+00:00")
//   binary     lowercase hex of the bytes, no prefix: "00ff10" (Python: bytes.fromhex)
//   json       JSON text
//   text       everything else, as the database writes it (strings, UUIDs, intervals; DuckDB's
//              LIST/STRUCT/MAP too: cast them to JSON in the SQL, `col::JSON`, to get JSON)
//
// Errors carry the database's message (and the statement's start) and never a credential. A
// read-only session cannot change anything (DuckDB opens the file read-only; PostgreSQL sets
// default_transaction_read_only, which guards against mistakes but a statement could SET it off:
// use a role without write grants where that matters). The session is one connection: use it
// from one thread at a time. Closing it (Close() or the destructor) releases the database, so a
// DuckDB file is free for the next run or another process. A DuckDB file open for writing in this
// process (a read-write session) cannot also be opened read-only: close one first. Opening a
// session closes the pipeline's own connection (it reopens on its next run) for the same reason.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/status.h"

namespace dlt {

struct QueryColumn {
  std::string name;
  // dlt's type name: text, bigint, double, bool, decimal, timestamp, date, time, binary, json
  std::string data_type;
};

struct QueryResult {
  std::vector<QueryColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // rows[row][column], nullopt: NULL
};

using SqlParams = std::vector<std::optional<std::string>>;

class SqlSession {
 public:
  SqlSession(SqlSession&&) noexcept;
  SqlSession& operator=(SqlSession&&) noexcept;
  ~SqlSession();

  // Runs a statement (DDL, DML, SET ...) and discards any rows.
  Status Execute(std::string_view sql, const SqlParams& params = {});
  // Runs a statement and returns its rows (of the last statement, when there are several).
  StatusOr<QueryResult> Query(std::string_view sql, const SqlParams& params = {});

  // The pipeline's dataset (as the destination names it: normalized, maybe shortened).
  const std::string& dataset_name() const;
  // `name` quoted as the destination quotes identifiers ("my ""name""").
  std::string QuoteIdentifier(std::string_view name) const;
  // The destination's type: "duckdb", "motherduck", "postgres".
  std::string destination_type() const;
  bool read_only() const;
  // True when the dataset (schema) exists in the destination; false when it cannot tell.
  bool DatasetExists();

  // Closes the connection now (statements then fail with FailedPrecondition). Idempotent.
  void Close();
  bool is_open() const;

 private:
  friend class Pipeline;
  SqlSession();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlt
