// FLOAT and DOUBLE as text, the way DuckDB casts them to VARCHAR ("1.5", "100000.0", "1e+16",
// "nan", "-inf"), including the FLOAT cases where DuckDB's formatter prints more digits than the
// shortest ones. Internal to src/destinations/duckdb/.
#pragma once

#include <string>

namespace dlt::duckdb::detail {

void AppendFloat(std::string& out, float v);
void AppendFloat(std::string& out, double v);

}  // namespace dlt::duckdb::detail
