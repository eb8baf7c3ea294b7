// Streaming splitter of JSON input into records: JSON Lines (one record per line) or one top-level
// JSON array (its elements are the records), plain or gzip-compressed, from a file or stdin.
// The input is never held in memory as a whole: records are string_views into a reused buffer.
// The splitter finds record boundaries only; the text inside a record is validated by the parser
// that consumes it. Structural problems it does see are InvalidArgument errors worded
// "<display_name>:<line>: <what>".
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/status.h"

namespace dlt {

enum class JsonFormat { kAuto, kJsonLines, kJsonArray };

struct RawRecord {
  // The record's text; valid until the next Next(). At least JsonRecordReader::kReadableTail
  // bytes after its end are readable (not necessarily zero), so a parser that reads ahead, like
  // simdjson, can work on it in place.
  std::string_view json;
  uint64_t line = 0;      // 1-based line where the record starts
  uint64_t index = 0;     // 0-based record number
};

struct JsonReaderOptions {
  // kAuto: the first byte that is not whitespace (after an optional UTF-8 BOM) decides:
  // '[' means a JSON array, anything else JSON Lines.
  JsonFormat format = JsonFormat::kAuto;
  // A longer record is an error; at most max_record_bytes + buffer_bytes are ever buffered.
  size_t max_record_bytes = 100 * 1024 * 1024;
  // Size of one read from the file (and of the compressed-input buffer for gzip).
  size_t buffer_bytes = 1 << 20;
};

class JsonRecordReader {
 public:
  static constexpr size_t kReadableTail = 64;

  // `path` "-" reads standard input (display name "<stdin>"). Gzip input is recognized by its
  // magic bytes (1f 8b), whatever the file is called; multi-member gzip files are read whole.
  // NotFound when the file does not exist.
  static StatusOr<std::unique_ptr<JsonRecordReader>> Open(const std::filesystem::path& path,
                                                          JsonReaderOptions options = {});
  // Reads records from `data` (not compressed). For tests and small inputs.
  static std::unique_ptr<JsonRecordReader> FromString(std::string data, std::string display_name,
                                                      JsonReaderOptions options = {});

  ~JsonRecordReader();
  JsonRecordReader(const JsonRecordReader&) = delete;
  JsonRecordReader& operator=(const JsonRecordReader&) = delete;

  // Stores the next record in `out` and returns true; false at the end of the input. An error is
  // sticky: later calls return it again.
  StatusOr<bool> Next(RawRecord* out);

  const std::string& display_name() const { return display_name_; }
  // Uncompressed bytes consumed so far: up to the end of the last record returned.
  uint64_t bytes_read() const { return discarded_ + pos_; }
  // Bytes read from the underlying file or stream as stored (compressed size for gzip input).
  uint64_t compressed_bytes_read() const { return raw_bytes_read_; }
  bool gzip() const { return gzip_ != nullptr; }
  // The format in use; kAuto until the first Next() call has looked at the input.
  JsonFormat format() const { return format_; }

 private:
  struct Inflater;

  JsonRecordReader(std::string display_name, JsonReaderOptions options);

  Status Start(int fd, bool owns_fd);
  // Reads more input after end_, first dropping the consumed bytes before pos_ (offsets relative
  // to pos_ stay valid). Sets eof_ when nothing more comes.
  Status Fill();
  Status FillGzip();
  StatusOr<size_t> ReadRaw(char* dst, size_t cap);
  Status Fail(uint64_t line, std::string_view what);
  Status SizeError(uint64_t line);

  StatusOr<bool> NextImpl(RawRecord* out);
  Status Begin();
  // Moves pos_ over whitespace (counting lines) and returns the first other byte, or -1 at the
  // end of the input. With `whole_lines`, pos_ stops at the start of that byte's line.
  StatusOr<int> PeekNonSpace(bool whole_lines);
  StatusOr<bool> NextLine(RawRecord* out);
  StatusOr<bool> NextElement(RawRecord* out);
  Status CheckTrailer();

  std::string display_name_;
  JsonReaderOptions options_;
  JsonFormat format_ = JsonFormat::kAuto;

  int fd_ = -1;
  bool owns_fd_ = false;
  bool raw_eof_ = false;
  std::unique_ptr<Inflater> gzip_;
  uint64_t raw_bytes_read_ = 0;

  // The buffer: [0, end_) of data_ holds data, cap_ bytes are usable. It is heap_ when reading
  // a file, owned_ (the whole input) for FromString.
  std::unique_ptr<char[]> heap_;
  std::string owned_;
  char* data_ = nullptr;
  size_t cap_ = 0;
  size_t end_ = 0;          // end of valid data
  size_t pos_ = 0;          // first byte not yet consumed
  bool eof_ = false;        // no more data after end_
  uint64_t discarded_ = 0;  // bytes dropped from the front of the buffer so far

  bool started_ = false;
  bool done_ = false;
  Status error_;
  uint64_t line_ = 1;   // line of the scan position
  uint64_t index_ = 0;  // records returned so far

  size_t scanned_ = 0;              // JSON Lines: bytes after pos_ already searched for '\n'
  uint64_t line_prefix_dropped_ = 0;  // JSON Lines: leading whitespace of the line dropped
  uint64_t array_line_ = 0;         // JSON array: line of the top-level '['
  bool expect_separator_ = false;   // JSON array: an element was returned; ',' or ']' follows
};

// Expands a glob relative to `base_dir` (or an absolute pattern): `*`, `?` and `[abc]` / `[a-z]`
// / `[!abc]` within one path segment, `**` as a whole segment for any number of folders
// (including none). Like the shell, wildcards do not match names that start with '.' unless the
// pattern segment does. Only files are returned, sorted, without duplicates. A pattern without
// wildcards returns that file if it exists. No match: NotFound naming the pattern.
StatusOr<std::vector<std::filesystem::path>> ExpandGlob(std::string_view pattern,
                                                        const std::filesystem::path& base_dir);

// True when `name` matches the single-segment glob `pattern` (`*`, `?`, `[...]`).
bool GlobMatch(std::string_view pattern, std::string_view name);

}  // namespace dlt
