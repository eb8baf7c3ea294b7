#include "destinations/duckdb/duckdb_row_key.h"

#include <string>

#include "normalize/relational.h"

namespace dlt::duckdb::detail {

namespace {

void NewRowKeys(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  (void)info;
  const Api& api = A();
  const idx_t rows = api.duckdb_data_chunk_get_size(input);
  char key[kRowKeyChars];
  for (idx_t r = 0; r < rows; ++r) {
    NewRowKeyInto(key);
    api.duckdb_vector_assign_string_element_len(output, r, key, kRowKeyChars);
  }
}

}  // namespace

bool FunctionKnown(duckdb_connection conn, const char* name, const char* type) {
  const Api& api = A();
  duckdb_result r;
  const std::string sql = std::string("SELECT 1 FROM duckdb_functions() WHERE function_name = '") + name +
                          "' AND function_type = '" + type + "'";
  bool found = false;
  if (api.duckdb_query(conn, sql.c_str(), &r) != DuckDBError) {
    duckdb_data_chunk chunk = api.duckdb_fetch_chunk(r);
    if (chunk) {
      found = api.duckdb_data_chunk_get_size(chunk) > 0;
      api.duckdb_destroy_data_chunk(&chunk);
    }
  }
  api.duckdb_destroy_result(&r);
  return found;
}

Status RegisterRowKeyFunction(duckdb_connection conn) {
  const Api& api = A();
  duckdb_scalar_function f = api.duckdb_create_scalar_function();
  api.duckdb_scalar_function_set_name(f, kRowKeyFunction);
  duckdb_logical_type varchar = api.duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  api.duckdb_scalar_function_set_return_type(f, varchar);
  api.duckdb_destroy_logical_type(&varchar);
  // A new value for every row: DuckDB must neither fold nor share it.
  api.duckdb_scalar_function_set_volatile(f);
  api.duckdb_scalar_function_set_function(f, NewRowKeys);
  const bool failed = api.duckdb_register_scalar_function(conn, f) == DuckDBError;
  api.duckdb_destroy_scalar_function(&f);
  if (!failed || FunctionKnown(conn, kRowKeyFunction, "scalar")) return Status::Ok();
  return FailedPrecondition(std::string("cannot register the scalar function ") + kRowKeyFunction + " with DuckDB");
}

}  // namespace dlt::duckdb::detail
