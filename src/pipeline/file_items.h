// Parquet files kept as the files they are ("file items"), as dlt keeps Arrow tables as Parquet
// jobs: the extract copies each file into the package instead of reading its rows; normalize
// merges the file's columns into the schema from its metadata and, for a destination that loads
// Parquet jobs itself (DuckDB; filesystem, through DuckDB), makes the file the load job, with the
// dlt columns its rows get
// (`_dlt_load_id`, `_dlt_id`) recorded in the package state (`generated_columns`); the load is
// then one INSERT ... SELECT FROM read_parquet by the destination, which fills those in. Files
// that cannot go as they are (columns to rename, nested columns, types DuckDB would convert,
// another destination) are read as typed batches at normalize instead, with the same result as
// reading them at extract.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/status.h"
#include "extract/extractor.h"
#include "load/package.h"
#include "normalize/job_writer.h"
#include "normalize/relational.h"
#include "normalize/typed_normalizer.h"

namespace dlt {

// Whether the extract keeps `source`'s files as they are: Parquet files only (rows as dicts or as
// Arrow items), without an incremental cursor (which must see every row).
bool KeepsWholeFiles(const RecordSource& source, bool incremental);

// Copies each of `source`'s files into `out_dir` as <file_stem>_<n>.0.parquet (synced), after
// checking that DuckDB reads it (errors name the file); counts its rows into `stats`.
Status ExtractWholeFiles(const RecordSource& source, const std::filesystem::path& out_dir,
                         const std::string& file_stem, ExtractStats* stats,
                         const std::function<void(const ExtractStats&, uint64_t source_bytes)>& progress);

// Normalizes the extracted file item `job` of the resource with `hints`. With `as_file` (the
// destination loads Parquet jobs) and when TypedNormalizer::NormalizeWholeFile takes it, and
// after the checks over the file (NOT NULL columns hold values, doubles are finite, as for
// batches), the file becomes the load job <table>.<id>.0.parquet in `jobs_dir` (a hard link, else
// a copy), added to `files`. Otherwise its rows are read by DuckDB and normalized by `typed` as
// batches. `records` counts the rows either way.
Status NormalizeFileItem(const PackageJob& job, const TableHints& hints, bool as_file, TypedNormalizer& typed,
                         const SnakeCaseNaming& naming, const std::filesystem::path& jobs_dir,
                         std::vector<JobFileInfo>* files, uint64_t* records);

}  // namespace dlt
