// The extract of a resource whose records name their own tables (dlt's table_name functions:
// `@dlt.resource(table_name=lambda item: item["type"])`). Each table gets its own job files, so
// normalize gives every table the resource's hints under that table's name (nested tables
// follow each); the resource keeps one incremental cursor over all its records, as dlt keeps it
// per resource, applied before a record is routed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "extract/extractor.h"

namespace dlt {

// Reads `source` (routes_tables() is true) into `out_dir`/<stem>_<part>.0.jsonl files, where
// `stem_for(table)` names a table's files when its first record arrives (the caller registers
// the table's hints under that stem). A record must be a JSON object; one whose table is empty
// fails the extract naming it. Parts of about `part_bytes` each per table (0 = one file).
Status ExtractRoutedResource(RecordSource& source, const std::filesystem::path& out_dir,
                             const std::function<std::string(const std::string& table)>& stem_for,
                             const std::optional<IncrementalSpec>& incremental,
                             nlohmann::ordered_json* incremental_state, ExtractStats* stats,
                             const std::function<void(const ExtractStats&, uint64_t)>& progress,
                             uint64_t part_bytes);

}  // namespace dlt
