// Reads the CSV load job files that JobWriterSet writes, for destinations that take rows from us
// rather than reading the files themselves (DuckDB, through a table function).
//
// The dialect is exactly the writer's: a header line, then one row per record; fields separated
// by ',', rows ended by '\n'; a field is quoted ("...", a quote inside doubled) when it needs to
// be, and an empty unquoted field is NULL while "" is the empty string. Files are read in blocks
// (a row may be of any size), checked to be UTF-8, and every row must have exactly the header's
// number of fields and end with a line break. Errors name the file and the line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/status.h"

namespace dlt {

struct CsvField {
  std::string_view text;  // unquoted and unescaped; valid until the next Next()
  bool null = false;
};

class CsvJobReader {
 public:
  // Opens `path` and reads its header, which must have `columns` fields.
  static StatusOr<std::unique_ptr<CsvJobReader>> Open(const std::filesystem::path& path, size_t columns,
                                                      size_t block_bytes = size_t{4} << 20);
  ~CsvJobReader();
  CsvJobReader(const CsvJobReader&) = delete;
  CsvJobReader& operator=(const CsvJobReader&) = delete;

  // Reads the next row into `fields` (resized to the column count); false at the end of the file.
  StatusOr<bool> Next(std::vector<CsvField>& fields);

  // The line (1-based, the header is line 1) where the row last read starts.
  uint64_t line() const { return row_line_; }
  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }

  // "<path>, line <n>": where the row last read is, for messages.
  std::string Where() const;

 private:
  CsvJobReader(std::filesystem::path path, int fd, size_t columns, size_t block_bytes);
  // Reads more of the file after what is buffered (moving the unread rest to the front first,
  // growing the buffer when the rest fills it); sets eof_ at the end of the file.
  Status Fill();
  // Finds the row that starts at pos_: fills the field boundaries; false when the buffer ends
  // first (more must be read), error when the row is malformed.
  StatusOr<bool> Delimit(size_t& row_end, uint64_t& newlines);
  Status Malformed(const std::string& what) const;

  std::filesystem::path path_;
  int fd_ = -1;
  size_t columns_;
  std::vector<char> buf_;
  size_t pos_ = 0;        // start of the next row in buf_
  size_t end_ = 0;        // end of the data in buf_
  size_t checked_ = 0;    // buf_[0, checked_) is known to be valid UTF-8
  size_t suspect_end_ = 0;  // buf_[checked_, suspect_end_) is not: checked row by row
  bool eof_ = false;
  uint64_t next_line_ = 1;
  uint64_t row_line_ = 0;
  // Field i of the row being read: [begin, end) in buf_, quoted, holds a doubled quote.
  struct Span {
    size_t begin, end;
    bool quoted, escaped;
  };
  std::vector<Span> spans_;
  std::vector<std::string> header_;
};

// The column names of a job file's header line (DataLoss when the file is missing or empty).
StatusOr<std::vector<std::string>> ReadCsvJobHeader(const std::filesystem::path& path);

// Conversions of job file text into DuckDB's storage values. They accept what the normalizer
// writes (and what DuckDB's own casts accept for these forms); false when the text is not one.
bool ParseJobBigint(std::string_view s, int64_t* out);
bool ParseJobDouble(std::string_view s, double* out);
bool ParseJobBool(std::string_view s, bool* out);
// A decimal as DECIMAL(width, scale) stores it (width up to 18): the value times 10^scale.
// [+|-]digits[.digits][(e|E)[+|-]digits], spaces around it allowed, digits beyond the scale rounded
// half away from zero, as DuckDB's cast from text rounds them; false when the text is not a number
// or the value has more than width - scale digits before the point.
bool ParseJobDecimal(std::string_view s, int width, int scale, int64_t* out);
// ISO 8601 date and time: [-]Y...-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|(+|-)HH[[:]MM]]] as
// microseconds since 1970-01-01 UTC (fraction digits beyond 6 are cut, as DuckDB does; a value
// without an offset is UTC, which is what the writer means: it always writes Z or +00:00).
// Values outside DuckDB's timestamp range are refused.
bool ParseJobTimestampMicros(std::string_view s, int64_t* out);

}  // namespace dlt
