// dlt.sources.sql_database from Python (see py_sql_database.cc): the connection and reflection
// options of one sql_database()/sql_table() call, kept by the engine (credentials as a Secret).
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/sql_database.h"
#include "dlt/workspace.h"

namespace dlt::python {

class PyWorkspace;

class PySqlDatabase {
 public:
  // {"credentials": str|None, "section", "schema", "table_names", "chunk_size",
  //  "reflection_level", "include_views"} as python/dlt/sources/sql_database/ passes them.
  explicit PySqlDatabase(const pybind11::dict& options);
  // Connects and reads the catalog: {"ok": True, "tables": [{name, table, primary_key,
  // write_disposition}]} or {"ok": False, "message", "code"}.
  pybind11::dict Reflect(const PyWorkspace& ws) const;
  // The columns of one table as the catalog gives them: {"ok": True, "columns": [{name,
  // data_type, nullable, precision, scale}]} (data_type left out at reflection_level minimal).
  pybind11::dict Columns(const PyWorkspace& ws, const std::string& table, const std::optional<std::string>& schema) const;
  // The engine's resources of the tables the pipeline runs, one dict of hints each
  // (SqlTableResource._sql_options: the resource hints plus table, schema, excluded_columns).
  StatusOr<std::vector<Resource>> Make(const Workspace& ws, const pybind11::list& tables) const;

 private:
  SqlDatabaseOptions options_;
};

void RegisterSqlDatabase(pybind11::module_& m);

}  // namespace dlt::python
