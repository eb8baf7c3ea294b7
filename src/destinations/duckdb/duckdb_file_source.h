// CSV and Parquet files as typed batches: each file is read by an in-memory DuckDB
// (read_csv with its sniffer: header, delimiter, quoting, gzip and per-column types; read_parquet
// with the file's own types) and its result chunks become TypedBatch columns directly
// (duckdb_batch_reader.h), never JSON. Files are read one after another,
// each with its own columns: a later file with other columns simply yields batches of other
// columns. Errors name the file (and, for CSV, DuckDB's line). Resource::FromFiles
// (src/pipeline/file_resource.cc) picks this source for CSV and Parquet files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/status.h"
#include "extract/batch_source.h"

namespace dlt {

enum class TabularFormat { kCsv, kParquet };

// The tabular format of a file by its name (.csv, .csv.gz, .tsv, .parquet, case-insensitive), or
// nullopt (a JSON file, read by the JSON reader).
std::optional<TabularFormat> TabularFormatOf(const std::filesystem::path& file);

// The format named in a resource ("csv", "parquet"), or nullopt for the JSON formats.
std::optional<TabularFormat> ParseTabularFormat(const std::string& format);

// The table function call that reads `file`: read_csv('f', delim = ',', header = true) or
// read_parquet('f').
std::string TabularScanSql(const std::filesystem::path& file, TabularFormat format, const CsvOptions& csv);

// The line (1-based) where a quote opens that is never closed, reading `file` (plain or gzip)
// as RFC 4180 CSV; nullopt when every quote is closed. Used to name the line of a broken quote
// when DuckDB cannot.
std::optional<uint64_t> UnclosedQuoteLine(const std::filesystem::path& file);

// A source reading `files` in order; `formats[i]` is the format of files[i].
std::unique_ptr<BatchSource> MakeFileBatchSource(std::vector<std::filesystem::path> files,
                                                 std::vector<TabularFormat> formats, CsvOptions csv);

}  // namespace dlt
