// Opens a SQL client for a resolved destination configuration.
#pragma once

#include <memory>

#include "dlt/destination.h"
#include "load/sql_client.h"

namespace dlt {

StatusOr<std::unique_ptr<SqlClient>> MakeSqlClient(const DestinationConfig& destination, bool read_only);

}  // namespace dlt
