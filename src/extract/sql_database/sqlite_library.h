// libsqlite3 as the SQLite reader sees it: loaded with dlopen on first use (commands that never
// read a SQLite file start fast), its functions resolved into one table. Internal to
// src/extract/sql_database/: the only header that includes sqlite3.h.
#pragma once

#include <sqlite3.h>

#include "dlt/status.h"

namespace dlt::sql_source {

// Every libsqlite3 function the reader calls: the LibSqlite member and the symbol it comes from.
#define DLT_SQLITE_FUNCTIONS(X)           \
  X(open_v2, sqlite3_open_v2)             \
  X(close_v2, sqlite3_close_v2)           \
  X(errmsg, sqlite3_errmsg)               \
  X(busy_timeout, sqlite3_busy_timeout)   \
  X(prepare_v2, sqlite3_prepare_v2)       \
  X(step, sqlite3_step)                   \
  X(finalize, sqlite3_finalize)           \
  X(column_count, sqlite3_column_count)   \
  X(column_type, sqlite3_column_type)     \
  X(column_int64, sqlite3_column_int64)   \
  X(column_double, sqlite3_column_double) \
  X(column_text, sqlite3_column_text)     \
  X(column_blob, sqlite3_column_blob)     \
  X(column_bytes, sqlite3_column_bytes)   \
  X(bind_int64, sqlite3_bind_int64)       \
  X(bind_double, sqlite3_bind_double)     \
  X(bind_text, sqlite3_bind_text)

struct LibSqlite {
#define DLT_SQLITE_MEMBER(member, symbol) decltype(&symbol) member = nullptr;
  DLT_SQLITE_FUNCTIONS(DLT_SQLITE_MEMBER)
#undef DLT_SQLITE_MEMBER
};

// Loads libsqlite3 once per process ($DLT_SQLITE_LIBRARY or libsqlite3.so.0) and returns its
// table; the error says how to install it.
StatusOr<const LibSqlite*> EnsureLibSqlite();

}  // namespace dlt::sql_source
