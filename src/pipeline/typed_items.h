// Normalizing the typed files a typed source's extract wrote (SQL tables, CSV/Parquet rows read
// as batches; normalize/typed_job_file.h). Two ways:
//  - as they are: for a destination that fills in the dlt columns itself
//    (DestinationType::typed_jobs_with_generated_columns: DuckDB), when every batch of the file
//    has the same columns, their names need no normalizing, none is nested and no row hash is
//    due (merge keys of dict rows), the file becomes the load job <table>.<id>.0.typed (a hard
//    link, else a copy) with `_dlt_load_id` and `_dlt_id` recorded as generated columns (package
//    state `generated_columns`, as for Parquet file items, file_items.h). Its columns merge into
//    the schema as a batch's would, and the batch checks (NOT NULL columns hold a value, doubles
//    are finite) run over one skim of the file that reads only null flags and doubles. The rows
//    are not read or written again: on a 5M-row table this was the whole normalize step.
//  - batch by batch through TypedNormalizer otherwise, as before.
// Either way the table, its columns and the rows loaded are the same.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "dlt/status.h"
#include "load/package.h"
#include "normalize/job_writer.h"
#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/typed_normalizer.h"

namespace dlt {

// Normalizes the extracted typed job `job` of the resource with `hints`. `keep_whole`: the
// destination fills in generated columns; a file kept whole is added to `files` (in `jobs_dir`).
// `records` counts the rows; `progress` is called now and then with the rows added since.
Status NormalizeTypedJob(const PackageJob& job, const TableHints& hints, bool keep_whole, TypedNormalizer& typed,
                         const SnakeCaseNaming& naming, const std::filesystem::path& jobs_dir,
                         std::vector<JobFileInfo>* files, uint64_t* records,
                         const std::function<void(uint64_t)>& progress);

}  // namespace dlt
