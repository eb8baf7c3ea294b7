// Opens a SQL client for a resolved destination configuration.
#pragma once

#include <memory>

#include "dlt/destination.h"
#include "load/sql_client.h"

namespace dlt {

StatusOr<std::unique_ptr<SqlClient>> MakeSqlClient(const DestinationConfig& destination, bool read_only);

// Loads what a client of `destination` needs in this process (DuckDB's library), so that it is
// ready when MakeSqlClient runs: the pipeline calls it on a thread of its own while it
// normalizes. Opens no connection and takes no lock; errors are left for MakeSqlClient.
void PreloadDestination(const DestinationConfig& destination);

}  // namespace dlt
