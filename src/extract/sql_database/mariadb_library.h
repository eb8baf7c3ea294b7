// libmariadb (MariaDB Connector/C, which speaks to MySQL servers too) as the MySQL reader sees
// it: loaded with dlopen on first use, its functions resolved into one table. Internal to
// src/extract/sql_database/: the only header that includes mysql.h.
#pragma once

#include <mysql.h>

#include "dlt/status.h"

namespace dlt::sql_source {

// Every libmariadb function the reader calls: the LibMariadb member and the symbol it comes from.
#define DLT_MARIADB_FUNCTIONS(X)                         \
  X(server_init, mysql_server_init)                      \
  X(init, mysql_init)                                    \
  X(options, mysql_options)                              \
  X(real_connect, mysql_real_connect)                    \
  X(error, mysql_error)                                  \
  X(close, mysql_close)                                  \
  X(real_query, mysql_real_query)                        \
  X(use_result, mysql_use_result)                        \
  X(store_result, mysql_store_result)                    \
  X(fetch_row, mysql_fetch_row)                          \
  X(fetch_lengths, mysql_fetch_lengths)                  \
  X(num_fields, mysql_num_fields)                        \
  X(free_result, mysql_free_result)                      \
  X(real_escape_string, mysql_real_escape_string)        \
  X(errno_, mysql_errno)

struct LibMariadb {
#define DLT_MARIADB_MEMBER(member, symbol) decltype(&symbol) member = nullptr;
  DLT_MARIADB_FUNCTIONS(DLT_MARIADB_MEMBER)
#undef DLT_MARIADB_MEMBER
};

// Loads libmariadb once per process ($DLT_MARIADB_LIBRARY or libmariadb.so.3) and initializes it
// (mysql_library_init is not thread-safe, so it runs here, once); the error says how to install it.
StatusOr<const LibMariadb*> EnsureLibMariadb();

}  // namespace dlt::sql_source
