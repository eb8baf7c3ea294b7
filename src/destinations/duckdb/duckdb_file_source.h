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
#include <string_view>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/status.h"
#include "extract/batch_source.h"
#include "normalize/typed_batch.h"

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
// as RFC 4180 CSV quoted with `quote`; nullopt when every quote is closed. Used to name the line
// of a broken quote when DuckDB cannot.
std::optional<uint64_t> UnclosedQuoteLine(const std::filesystem::path& file, char quote = '"');

// What a Parquet file holds, from its metadata (its rows are not read): its columns as dlt's
// typed columns, DuckDB's type of each (as typeof() names them) and the number of rows. Errors
// name the file. (duckdb_file_inspect.cc)
struct TabularFileInfo {
  std::vector<TypedColumn> columns;
  std::vector<std::string> duckdb_types;
  uint64_t rows = 0;
};
StatusOr<TabularFileInfo> DescribeParquetFile(const std::filesystem::path& file);

// Whether a DuckDB column of `duckdb_type` goes into the column of dlt's type for it (the table
// above) with its values unchanged, so that DuckDB may load the file itself: booleans, integers
// up to 32 bits unsigned, float, double, decimal, date, time, timestamps in s/ms/us, with or
// without a time zone, blob and varchar. Not: ubigint and hugeint (decimals), nanosecond
// timestamps (rounded to microseconds), JSON, nested and other types (rendered as text).
bool LoadsUnchanged(std::string_view duckdb_type);

// For each SQL condition over the columns of the Parquet `file`, the first row (0-based) where it
// holds, or nullopt where no row does; one scan of the columns named. Errors name the file.
StatusOr<std::vector<std::optional<uint64_t>>> FirstParquetRowsWhere(const std::filesystem::path& file,
                                                                     const std::vector<std::string>& conditions);

// A source reading `files` in order; `formats[i]` is the format of files[i].
// Its RecordSource::whole_files() are the files with "csv" or "parquet".
std::unique_ptr<BatchSource> MakeFileBatchSource(std::vector<std::filesystem::path> files,
                                                 std::vector<TabularFormat> formats, CsvOptions csv);

}  // namespace dlt
