// A value of a result vector as DuckDB's VARCHAR text, nested types included: LIST "[1, 2]",
// ARRAY, STRUCT "{'a': 1}" (unnamed "(1, 2)"), MAP "{k=v}", UNION. It walks the column's TypeNode
// and the vector's children together, and quotes an element the way DuckDB does where it could be
// misread. Scalars are written by duckdb_value_text / duckdb_float_text.
// Internal to src/destinations/duckdb/.
#pragma once

#include <cstdint>
#include <string>

#include "destinations/duckdb/duckdb_library.h"
#include "destinations/duckdb/duckdb_types.h"

namespace dlt::duckdb::detail {

class Renderer {
 public:
  explicit Renderer(const Api& api) : api_(api) {}

  bool Valid(duckdb_vector v, uint64_t row) const {
    return MaskValid(api_.duckdb_vector_get_validity(v), row);
  }

  // A top-level value (the caller checked it is not NULL).
  void Top(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out);

 private:
  // kElement: a LIST/STRUCT/MAP part, quoted when it could be misread; kRaw: written as is
  // (ARRAY elements, the value of a UNION).
  enum class Ctx { kElement, kRaw };
  void Child(const TypeNode& t, duckdb_vector v, uint64_t row, Ctx ctx, std::string& out);
  void Nested(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out);
  void Scalar(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out);
  uint64_t EnumIndex(const TypeNode& t, void* data, uint64_t row);
  __int128 DecimalValue(const TypeNode& t, void* data, uint64_t row);

  template <typename T>
  static T At(void* data, uint64_t row) {
    return static_cast<T*>(data)[row];
  }

  const Api& api_;
  std::string scratch_;
};

}  // namespace dlt::duckdb::detail
