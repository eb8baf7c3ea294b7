// The [source] of `type = "sql_database"` pipeline files:
//
//   [source]
//   type = "sql_database"
//   credentials = "postgresql://loader@localhost:5432/shop"  # else sources.sql_database.credentials
//   schema = "public"
//   table_names = ["orders", "customers"]                  # default: every table of the schema
//   chunk_size = 50000
//   reflection_level = "full"                              # minimal | full | full_with_precision
//   include_views = false
//   parallel_chunks = 0                                    # connections per big table (0: one per core)
//
//   [[resources]]                                          # hints of one table (dlt's sql_table)
//   name = "orders"                                        # the table
//   write_disposition = "merge"                            # primary_key: the table's own unless given
//   incremental = { cursor_path = "updated_at", initial_value = "2024-01-01T00:00:00Z" }
//   excluded_columns = ["notes"]
#pragma once

#include <functional>
#include <string_view>

#include "dlt/config.h"
#include "dlt/resource.h"
#include "dlt/sql_database.h"
#include "dlt/status.h"

namespace dlt {

// Parses `source` (the [source] table) and `resources` (the [[resources]] list, or null);
// `parse_hints` reads a resource's dlt hints as for any other pipeline file resource. Errors
// name the file, line and key.
StatusOr<SqlDatabaseOptions> ParseSqlDatabaseSource(
    std::string_view display_name, const ConfigNode& source, const ConfigNode* resources,
    const std::function<StatusOr<ResourceOptions>(const ConfigNode& table, const std::string& name)>& parse_hints);

}  // namespace dlt
