// JSON text as Python dlt hashes it: orjson's compact output with sorted keys and orjson's float
// layout (1e16, 1e-6, 0.00001, 2.0 — not Python's repr 1e+16, 1e-06). Used for the schema
// version hash, the state version hash and the incremental row hashes.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace dlt {

// A double as orjson writes it (shortest round-trip digits in ryu's layout); "null" if not finite.
std::string OrjsonFloat(double d);

// Appends `j` as compact JSON with orjson's float layout. nlohmann::json objects are std::maps,
// so keys come out sorted in byte order, as with orjson's OPT_SORT_KEYS.
void AppendOrjson(const nlohmann::json& j, std::string& out);

}  // namespace dlt
