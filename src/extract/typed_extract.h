// The extract step for sources that yield typed batches: batches go into typed job files
// (normalize/typed_job_file.h) of the extracted package as they are, after the incremental
// cursor, with the same durability as JSON jobs.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "extract/extractor.h"

namespace dlt {

// Extracts a kTyped `source` into `out_dir`/<file_stem>_<part>.0.typed files of about
// `part_bytes` each (0 = one file); arguments as ExtractResource's. Rows pass the incremental
// cursor as JSON records would (cursor compare, last value, boundary de-duplication by key or
// row hash), their values seen as JSON: bigint/double/bool as numbers and booleans, json cells
// as JSON, every other type as its text cell. `closed` is called with each part file once it is
// finished and synced (pipeline/pre_normalize.h loads it while the extract goes on).
Status ExtractTypedResource(RecordSource& source, const std::filesystem::path& out_dir, const std::string& file_stem,
                            const std::optional<IncrementalSpec>& incremental,
                            nlohmann::ordered_json* incremental_state, ExtractStats* stats,
                            const std::function<void(const ExtractStats&, uint64_t source_bytes)>& progress = {},
                            uint64_t part_bytes = 64ull << 20,
                            const std::function<void(const std::filesystem::path&)>& closed = {});

}  // namespace dlt
