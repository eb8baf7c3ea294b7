// Where the sql_database source finds its connection: SqlDatabaseOptions::credentials, else the
// active profile's `sources.<section>.credentials`, as a URL or as a table of dlt's
// ConnectionStringCredentials fields (drivername, host, port, username, password, database).
#pragma once

#include "dlt/secret.h"
#include "dlt/sql_database.h"
#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt::sql_source {

// The connection URL. Errors name the keys and files to set, never a value.
StatusOr<Secret> ResolveSqlCredentials(const Workspace& ws, const SqlDatabaseOptions& options);

}  // namespace dlt::sql_source
