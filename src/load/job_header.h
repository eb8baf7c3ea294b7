// The columns of a normalized load job file, whatever its format: CSV jobs (a header line,
// load/csv_job_reader.h) and typed jobs (normalize/typed_job_file.h), which normalize writes for
// destinations that read them (DestinationType::reads_typed_jobs).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dlt/status.h"

namespace dlt {

// Whether `path` is a typed job file (its name ends in .typed).
bool IsTypedJobFile(const std::filesystem::path& path);
// Whether `path` is a Parquet job file (dlt's Arrow items kept as their file,
// pipeline/file_items.h); its columns are read by the destination (SqlClient::ParquetJobColumns).
bool IsParquetJobFile(const std::filesystem::path& path);

// The column names of a job file in the order its values come (DataLoss when it is missing or
// damaged, naming the file). Not for Parquet jobs (an error).
StatusOr<std::vector<std::string>> ReadJobHeader(const std::filesystem::path& path);

// The schema columns of `names` (a job's header) in `table`; DataLoss naming the column and the
// job file `job` when one is not in the table.
struct Column;
struct Table;
StatusOr<std::vector<const Column*>> JobColumns(const Table& table, const std::vector<std::string>& names,
                                                const std::filesystem::path& job);

// The file id of a job file name (`<table>.<file id>.<retry>.<ext>`), what dlt's file layouts
// and job ids use.
std::string JobFileId(const std::string& job_file_name);

// The error for a typed job given to a destination that reads only CSV jobs (a package
// normalized for DuckDB, then loaded after the pipeline's destination changed): names the file
// and the destination, and says what to do.
Status TypedJobUnsupported(const std::filesystem::path& path, const std::string& destination);
// The same for a Parquet job.
Status ParquetJobUnsupported(const std::filesystem::path& path, const std::string& destination);

}  // namespace dlt
