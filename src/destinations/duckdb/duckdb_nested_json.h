// Nested DuckDB values (LIST, ARRAY, STRUCT, MAP) as JSON text, for the json cells of typed
// batches (duckdb_batch_reader.h): structs and maps become objects, lists and arrays arrays;
// numbers stay numbers (decimals with their exact digits), timestamps and dates become ISO
// strings as dlt writes them, other scalars the strings of DuckDB's VARCHAR cast.
// Internal to src/destinations/duckdb/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "destinations/duckdb/duckdb_library.h"
#include "destinations/duckdb/duckdb_types.h"
#include "destinations/duckdb/duckdb_value_renderer.h"

namespace dlt::duckdb::detail {

// Appends the value at `row` of `v` (of type `t`) as JSON; NULL as null.
void AppendJsonValue(const Api& api, Renderer& renderer, const TypeNode& t, duckdb_vector v, uint64_t row,
                     std::string& out);

// Appends `s` as a JSON string literal.
void AppendJsonString(std::string_view s, std::string& out);

// Exact decimal text of `v` with `scale` fraction digits: "-12.50", "0.001".
void AppendExactDecimal(std::string& out, __int128 v, int scale);

// The value of a DECIMAL vector at `row` by its storage type.
__int128 DecimalAt(const TypeNode& t, void* data, uint64_t row);

// Microseconds since the epoch of a TIMESTAMP[_S|_MS|_NS|_TZ] value.
int64_t TimestampMicros(duckdb_type id, void* data, uint64_t row);

}  // namespace dlt::duckdb::detail
