// JSON as Python dlt hashes rows: orjson's compact output with the keys of every object sorted
// (OPT_SORT_KEYS) and orjson's float layout.
#pragma once

#include <simdjson.h>

#include <string>

namespace dlt {

// Appends `e`. `strip_markers`: typed-JSON values (dates, decimals, ... marked by the extract) as
// their plain text, as the incremental's row hashes see them; without it the marked strings are
// kept, as dlt's normalizer hashes the rows it reads back from the extract files (merge row keys).
// `skip_dlt_keys`: leaves out the keys of the top object that start with "_dlt" (dlt's row hash of
// scd2 rows ignores them; nested objects keep theirs).
void AppendSortedJson(simdjson::dom::element e, std::string& out, bool strip_markers, bool skip_dlt_keys = false);

}  // namespace dlt
