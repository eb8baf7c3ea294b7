// dlt's sql_database source: the tables of a PostgreSQL, SQLite or MySQL/MariaDB database as
// resources, with their columns' types, nullability and primary keys from the database's catalog
// (src/extract/sql_database/). The same source runs `[source] type = "sql_database"` pipeline
// files and Python's `dlt.sources.sql_database.sql_database` / `sql_table`.
//
//   dlt::SqlDatabaseOptions db;                       // credentials from the active profile:
//   db.table_names = {"orders", "customers"};         //   sources.sql_database.credentials
//   auto resources = dlt::SqlDatabase(workspace, db);
//   pipeline.Run(*resources);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/secret.h"
#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

// The hints of one table, as dlt's sql_table(...) takes them. Unset fields keep what the
// catalog says: the resource is named after the table, its primary key is the table's, its
// write disposition is append.
struct SqlTableOptions {
  std::string table;                   // the table (or view) in the database
  std::optional<std::string> schema;   // default: SqlDatabaseOptions::schema, else the database's default
  std::optional<std::string> resource_name;
  std::optional<std::string> table_name;         // destination table; default: the resource name
  std::optional<std::string> write_disposition;  // append | replace | merge
  std::optional<std::vector<std::string>> primary_key;  // replaces the table's own key
  std::vector<std::string> merge_key;
  MergeOptions merge;                             // write_disposition merge: the strategy and its options
  std::optional<IncrementalOptions> incremental;  // on a column of the table: the query asks only for new rows
  std::vector<ColumnOptions> columns;             // hints over the reflected columns
  // Columns to leave out (dlt's excluded_columns); every other column is read.
  std::vector<std::string> excluded_columns;
  // dlt's schema_contract of the resource (new tables, new columns, changed types); unset: evolve.
  std::optional<SchemaContract> schema_contract;
  // dlt's sql_table(backend="pyarrow"): the rows are Arrow items (ResourceOptions::arrow_items).
  bool arrow_items = false;
  std::string file_format;  // ResourceOptions::file_format
  // dlt's add_limit, in rows: the query asks for no more (`LIMIT`, in the cursor's order).
  std::optional<uint64_t> max_rows;
};

struct SqlDatabaseOptions {
  // A connection URL (postgresql://..., sqlite:///..., mysql://...). Empty: read from the
  // active profile as sources.<section>.credentials (section "sql_database" unless set).
  Secret credentials;
  std::string section = "sql_database";
  std::optional<std::string> schema;
  std::vector<std::string> table_names;  // empty: every table of the schema (views too with include_views)
  size_t chunk_size = 50000;             // rows per batch read from the server
  std::string reflection_level = "full";  // minimal | full | full_with_precision
  bool include_views = false;
  // dlt's backend: "sqlalchemy" (rows as dicts get _dlt_id and _dlt_load_id) or "pyarrow" (the
  // rows are Arrow items, ResourceOptions::arrow_items); both are read natively.
  std::string backend = "sqlalchemy";
  // Hints of single tables; a table named here and not in table_names is added to them.
  std::vector<SqlTableOptions> tables;
  // How many connections read one big table in key ranges at once (0: one per core; 1: none).
  int parallel_chunks = 0;
};

// Connects, reflects the selected tables and returns one resource per table (in table_names
// order, else sorted by name). Errors: unreachable server or wrong password (naming host and
// user, never the password), a missing table (naming it and the schema), bad options.
StatusOr<std::vector<Resource>> SqlDatabase(const Workspace& workspace, const SqlDatabaseOptions& options);

// One table as a resource (dlt's sql_table): `options` gives the connection and defaults.
StatusOr<Resource> SqlTable(const Workspace& workspace, const SqlDatabaseOptions& options, const SqlTableOptions& table);

}  // namespace dlt
