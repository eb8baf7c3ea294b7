// The DuckDB C API as this module sees it: the table of the library's functions, filled when
// libduckdb is loaded (see duckdb_api.h for why it is loaded at run time instead of linked).
// Internal to src/destinations/duckdb/: it includes duckdb.h, whose include path only the files
// of this folder have.
#pragma once

#include "duckdb.h"

namespace dlt::duckdb::detail {

// Every DuckDB C function this module calls. Each becomes a member of Api with the exact type of
// its declaration in duckdb.h (decltype does not reference the symbol, so nothing is linked).
#define DLT_DUCKDB_FUNCTIONS(X)            \
  X(duckdb_library_version)                \
  X(duckdb_free)                           \
  X(duckdb_create_config)                  \
  X(duckdb_set_config)                     \
  X(duckdb_destroy_config)                 \
  X(duckdb_create_instance_cache)          \
  X(duckdb_get_or_create_from_cache)       \
  X(duckdb_close)                          \
  X(duckdb_connect)                        \
  X(duckdb_disconnect)                     \
  X(duckdb_interrupt)                      \
  X(duckdb_query)                          \
  X(duckdb_extract_statements)             \
  X(duckdb_extract_statements_error)       \
  X(duckdb_destroy_extracted)              \
  X(duckdb_prepare_extracted_statement)    \
  X(duckdb_prepare_error)                  \
  X(duckdb_destroy_prepare)                \
  X(duckdb_execute_prepared)               \
  X(duckdb_prepare)                        \
  X(duckdb_nparams)                        \
  X(duckdb_bind_varchar_length)            \
  X(duckdb_bind_null)                      \
  X(duckdb_destroy_result)                 \
  X(duckdb_result_error)                   \
  X(duckdb_result_error_type)              \
  X(duckdb_column_count)                   \
  X(duckdb_column_name)                    \
  X(duckdb_column_logical_type)            \
  X(duckdb_fetch_chunk)                    \
  X(duckdb_destroy_data_chunk)             \
  X(duckdb_data_chunk_get_size)            \
  X(duckdb_data_chunk_get_vector)          \
  X(duckdb_vector_get_data)                \
  X(duckdb_vector_get_validity)            \
  X(duckdb_list_vector_get_child)          \
  X(duckdb_array_vector_get_child)         \
  X(duckdb_struct_vector_get_child)        \
  X(duckdb_get_type_id)                    \
  X(duckdb_logical_type_get_alias)         \
  X(duckdb_destroy_logical_type)           \
  X(duckdb_decimal_width)                  \
  X(duckdb_decimal_scale)                  \
  X(duckdb_decimal_internal_type)          \
  X(duckdb_enum_internal_type)             \
  X(duckdb_enum_dictionary_size)           \
  X(duckdb_enum_dictionary_value)          \
  X(duckdb_list_type_child_type)           \
  X(duckdb_array_type_child_type)          \
  X(duckdb_array_type_array_size)          \
  X(duckdb_map_type_key_type)              \
  X(duckdb_map_type_value_type)            \
  X(duckdb_struct_type_child_count)        \
  X(duckdb_struct_type_child_name)         \
  X(duckdb_struct_type_child_type)         \
  X(duckdb_union_type_member_count)        \
  X(duckdb_union_type_member_name)         \
  X(duckdb_union_type_member_type)         \
  X(duckdb_appender_create_ext)            \
  X(duckdb_appender_error_data)            \
  X(duckdb_appender_flush)                 \
  X(duckdb_appender_close)                 \
  X(duckdb_appender_destroy)               \
  X(duckdb_appender_end_row)               \
  X(duckdb_append_varchar_length)          \
  X(duckdb_append_int64)                   \
  X(duckdb_append_double)                  \
  X(duckdb_append_bool)                    \
  X(duckdb_append_null)                    \
  X(duckdb_error_data_error_type)          \
  X(duckdb_error_data_message)             \
  X(duckdb_destroy_error_data)            \
  X(duckdb_create_logical_type)           \
  X(duckdb_create_decimal_type)           \
  X(duckdb_destroy_value)                 \
  X(duckdb_get_int64)                     \
  X(duckdb_vector_size)                   \
  X(duckdb_data_chunk_set_size)           \
  X(duckdb_vector_ensure_validity_writable) \
  X(duckdb_vector_assign_string_element_len) \
  X(duckdb_create_table_function)         \
  X(duckdb_destroy_table_function)        \
  X(duckdb_table_function_set_name)       \
  X(duckdb_table_function_add_parameter)  \
  X(duckdb_table_function_set_bind)       \
  X(duckdb_table_function_set_init)       \
  X(duckdb_table_function_set_local_init) \
  X(duckdb_table_function_set_function)   \
  X(duckdb_register_table_function)       \
  X(duckdb_bind_get_parameter)            \
  X(duckdb_bind_add_result_column)        \
  X(duckdb_bind_set_bind_data)            \
  X(duckdb_bind_set_error)                \
  X(duckdb_init_get_bind_data)            \
  X(duckdb_init_set_init_data)            \
  X(duckdb_init_set_max_threads)          \
  X(duckdb_function_get_bind_data)        \
  X(duckdb_function_get_init_data)        \
  X(duckdb_function_get_local_init_data)  \
  X(duckdb_function_set_error)           \
  X(duckdb_pending_prepared_streaming)    \
  X(duckdb_execute_pending)               \
  X(duckdb_destroy_pending)               \
  X(duckdb_pending_error)                 \
  X(duckdb_create_scalar_function)        \
  X(duckdb_destroy_scalar_function)       \
  X(duckdb_scalar_function_set_name)      \
  X(duckdb_scalar_function_set_return_type) \
  X(duckdb_scalar_function_set_volatile)  \
  X(duckdb_scalar_function_set_function)  \
  X(duckdb_register_scalar_function)

struct Api {
#define DLT_DUCKDB_MEMBER(name) decltype(&::name) name = nullptr;
  DLT_DUCKDB_FUNCTIONS(DLT_DUCKDB_MEMBER)
#undef DLT_DUCKDB_MEMBER
};

// The function table. Only valid after EnsureLoaded() succeeded (every object that holds a
// DuckDB handle implies that).
const Api& A();

// The process-wide DuckDB instance cache every Database::Open goes through (same file, same
// instance). Only valid after EnsureLoaded() succeeded.
duckdb_instance_cache InstanceCache();

}  // namespace dlt::duckdb::detail
