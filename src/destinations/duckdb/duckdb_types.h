// The logical type of a result column, read once through the C API into a plain tree
// (TypeNode), and its name as DuckDB's typeof() writes it. The value renderer walks the same tree
// for every row. Internal to src/destinations/duckdb/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "destinations/duckdb/duckdb_library.h"
#include "dlt/status.h"

namespace dlt::duckdb::detail {

struct TypeNode {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  std::string alias;
  uint8_t width = 0, scale = 0;                  // DECIMAL
  duckdb_type storage = DUCKDB_TYPE_INVALID;     // physical type of DECIMAL and ENUM values
  std::vector<std::string> enum_values;          // ENUM
  std::vector<std::string> names;                // STRUCT fields, UNION members
  std::vector<TypeNode> children;                // LIST/ARRAY: 1, MAP: key and value, STRUCT, UNION
  uint64_t array_size = 0;                       // ARRAY

  bool IsNested() const {
    return id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_STRUCT ||
           id == DUCKDB_TYPE_MAP || id == DUCKDB_TYPE_UNION;
  }
  bool IsJson() const { return id == DUCKDB_TYPE_VARCHAR && alias == "JSON"; }
  bool IsUnnamedStruct() const { return id == DUCKDB_TYPE_STRUCT && !names.empty() && names[0].empty(); }
};

struct LogicalType {
  duckdb_logical_type t;
  explicit LogicalType(duckdb_logical_type type) : t(type) {}
  ~LogicalType() {
    if (t) A().duckdb_destroy_logical_type(&t);
  }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
};

// A string DuckDB allocated, copied and freed ("" for nullptr).
std::string TakeString(char* s);

// Reads `lt` (recursively for nested types). Fails for a type the C API does not describe, with
// a message asking to CAST the column to VARCHAR.
Status BuildType(duckdb_logical_type lt, TypeNode& node);

// DuckDB's name of the type: BIGINT, DECIMAL(38,9), INTEGER[], STRUCT(a INTEGER, "b c" VARCHAR),
// the alias (JSON) when there is one. `conn` is used once per process to read DuckDB's keywords
// (a STRUCT field named like one is quoted).
std::string TypeName(const TypeNode& t, duckdb_connection conn);

// Whether row `row` of a vector with validity mask `mask` (nullptr: all valid) holds a value.
inline bool MaskValid(const uint64_t* mask, uint64_t row) { return !mask || ((mask[row >> 6] >> (row & 63)) & 1); }

// A VARCHAR/BLOB/BIT/BIGNUM value in a vector (inlined when up to 12 bytes).
inline std::string_view StringAt(void* data, uint64_t row) {
  auto& s = static_cast<duckdb_string_t*>(data)[row];
  uint32_t len = s.value.inlined.length;
  return {len <= 12 ? s.value.inlined.inlined : s.value.pointer.ptr, len};
}

}  // namespace dlt::duckdb::detail
