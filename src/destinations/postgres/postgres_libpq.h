// libpq as the PostgreSQL destination sees it: loaded with dlopen on first use (commands that
// never connect start fast), its functions resolved into one table. Internal to
// src/destinations/postgres/: the only header that includes libpq-fe.h.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "dlt/status.h"

namespace dlt::pg {

// Every libpq function the destination calls: the LibPq member and the symbol it is resolved from.
#define DLT_LIBPQ_FUNCTIONS(X)                          \
  X(connectdb, PQconnectdb)                             \
  X(status, PQstatus)                                   \
  X(error_message, PQerrorMessage)                      \
  X(finish, PQfinish)                                   \
  X(exec, PQexec)                                       \
  X(exec_params, PQexecParams)                          \
  X(result_status, PQresultStatus)                      \
  X(result_error_message, PQresultErrorMessage)         \
  X(result_error_field, PQresultErrorField)             \
  X(clear, PQclear)                                     \
  X(ntuples, PQntuples)                                 \
  X(nfields, PQnfields)                                 \
  X(fname, PQfname)                                     \
  X(ftype, PQftype)                                     \
  X(getvalue, PQgetvalue)                               \
  X(getlength, PQgetlength)                             \
  X(getisnull, PQgetisnull)                             \
  X(put_copy_data, PQputCopyData)                       \
  X(put_copy_end, PQputCopyEnd)                         \
  X(get_copy_data, PQgetCopyData)                       \
  X(freemem, PQfreemem)                                 \
  X(escape_identifier, PQescapeIdentifier)              \
  X(get_result, PQgetResult)                            \
  X(set_notice_processor, PQsetNoticeProcessor)         \
  X(server_version, PQserverVersion)                    \
  X(used_password, PQconnectionUsedPassword)

struct LibPq {
#define DLT_LIBPQ_MEMBER(member, symbol) decltype(&symbol) member = nullptr;
  DLT_LIBPQ_FUNCTIONS(DLT_LIBPQ_MEMBER)
#undef DLT_LIBPQ_MEMBER
};

// Set (once, by EnsureLibPq) when libpq is loaded; every client holds a connection only then.
extern const LibPq* g_pq;

// Loads libpq once per process ($DLT_LIBPQ_LIBRARY or libpq.so.5); later calls return the first
// outcome. The error says how to install it.
Status EnsureLibPq();

// A libpq or server message without its trailing new line.
std::string TrimMessage(const char* m);

}  // namespace dlt::pg
