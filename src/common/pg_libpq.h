// libpq as the PostgreSQL destination and the sql_database source's PostgreSQL reader see it:
// loaded with dlopen on first use (commands that never connect start fast), its functions
// resolved into one table. In common/ so that both layers reach it; the only header that
// includes libpq-fe.h (its files need /usr/include/postgresql, set in CMakeLists.txt).
#pragma once

#include <libpq-fe.h>

#include <string>

#include "dlt/status.h"

namespace dlt::pg {

// Every libpq function the destination and the source call: the LibPq member and the symbol it is resolved from.
#define DLT_LIBPQ_FUNCTIONS(X)                          \
  X(connectdb, PQconnectdb)                             \
  X(connectdb_params, PQconnectdbParams)                \
  X(host, PQhost)                                       \
  X(port, PQport)                                       \
  X(user, PQuser)                                       \
  X(db, PQdb)                                           \
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
  X(used_password, PQconnectionUsedPassword)           \
  X(get_cancel, PQgetCancel)                            \
  X(cancel, PQcancel)                                   \
  X(free_cancel, PQfreeCancel)

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
