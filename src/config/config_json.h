// A configuration value (TOML table, array or scalar) as JSON: tables keep their key order,
// booleans and numbers keep their kind, strings and dates are strings; a number JSON cannot hold
// (inf, nan) stays its text. Used where a TOML value is handed on as JSON (a REST API request
// body, DuckDB's connection settings).
#pragma once

#include <nlohmann/json.hpp>

#include "dlt/config.h"

namespace dlt {

nlohmann::ordered_json ConfigNodeJson(const ConfigNode& node);

}  // namespace dlt
