// The file an extracted typed job is kept in (<resource>.<NNN>_<part>.0.typed in the package's
// new_jobs): typed batches as they came from the source, so that normalize reads them back
// without any parsing of values. Little-endian, as every machine this builds for.
//
//   file   := "DLTTYP04" batch* end
//   batch  := 'B' u32 header_len header u64 rows column*
//             header: JSON {"columns": [{"name", "data_type", "precision"?, "scale"?,
//                                        "nullable", "timezone"}, ...]}
//   column := has_nulls (1 byte: 0 or 1), rows null flags (1 byte each, 1 = NULL) when has_nulls,
//             then the values:
//             bigint/timestamp/date/time: width (1 byte: 1, 2, 4 or 8), rows x width-byte
//               signed integers (the narrowest that holds the batch's values);
//             double rows x 8 bytes; bool rows x 1 byte;
//             text: width (1, 2 or 4), rows x width-byte lengths, then the cells' bytes one
//               after another
//   end    := 'E' u64 total rows
//
// A file without its end (a crash while writing) is refused naming the file; extract syncs the
// file before the package is published, so a published package never holds one.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlt/status.h"
#include "normalize/typed_batch.h"

namespace dlt {

class TypedJobWriter {
 public:
  // Creates the file (it must not exist).
  static StatusOr<std::unique_ptr<TypedJobWriter>> Create(const std::filesystem::path& path);
  ~TypedJobWriter();
  Status Write(const TypedBatch& batch);
  // Writes the end and closes the file, synced (fdatasync) unless `sync` is false (the caller
  // then syncs it before it counts: JobWriterSet syncs all its files at Close()).
  Status Finish(bool sync = true);
  uint64_t bytes() const { return bytes_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  TypedJobWriter() = default;
  Status Put(const void* data, size_t size);
  std::filesystem::path path_;
  FILE* file_ = nullptr;
  uint64_t bytes_ = 0;
  uint64_t rows_ = 0;
  std::string scratch_;  // a column's narrow integers, lengths or cells before they are written
  std::vector<int64_t> lengths_;  // a text column's cell lengths
};

// What SkimTypedJobFile finds in a typed file without holding its values: the first batch's
// columns, whether every batch has exactly those, the rows, and per column (of the first batch;
// meaningful while `uniform`) the first row without a value and, for doubles, the first NaN or
// infinity.
struct TypedFileSkim {
  std::vector<TypedColumn> columns;
  bool uniform = true;
  uint64_t rows = 0;
  uint64_t batches = 0;
  std::vector<std::optional<uint64_t>> first_null;
  std::vector<std::optional<uint64_t>> first_non_finite;
};

// Whether two batches' columns agree in every property.
bool SameColumns(const std::vector<TypedColumn>& a, const std::vector<TypedColumn>& b);

class TypedJobReader {
 public:
  // `what_to_do`: the advice a corrupt file's error ends with (the stage it belongs to decides).
  static StatusOr<std::unique_ptr<TypedJobReader>> Open(const std::filesystem::path& path,
                                                        std::string what_to_do = kExtractedAdvice);
  static constexpr const char* kExtractedAdvice =
      "The extracted package cannot be normalized; delete it with `dlt pipeline <name> drop-pending-packages` "
      "and run the pipeline again";
  static constexpr const char* kNormalizedAdvice =
      "The normalized package cannot be loaded; delete it with `dlt pipeline <name> drop-pending-packages` "
      "and run the pipeline again";
  const std::filesystem::path& path() const { return path_; }
  ~TypedJobReader();
  // The next batch (its columns replace `batch`'s); false after the end.
  StatusOr<bool> Next(TypedBatch* batch);
  // Reads the next batch's header and null flags (and doubles), skipping its other values, into
  // `skim`; false after the end.
  StatusOr<bool> Skim(TypedFileSkim* skim);

 private:
  TypedJobReader() = default;
  StatusOr<bool> NextHeader(std::vector<TypedColumn>* columns, uint64_t* rows);
  Status Get(void* data, size_t size);
  Status Skip(uint64_t size);
  Status GetNulls(uint64_t rows, std::vector<uint8_t>* nulls);
  // Integers of the next column (`full_width` bytes each in a format 02 file, else as its width
  // byte says); text lengths, returning their sum.
  Status GetInts(uint64_t rows, std::vector<int64_t>* ints, uint8_t full_width);
  StatusOr<uint64_t> GetLengths(uint64_t rows, std::vector<int64_t>* lengths);
  Status Corrupt(const std::string& what) const;
  std::filesystem::path path_;
  std::string what_to_do_;
  FILE* file_ = nullptr;
  uint64_t offset_ = 0;
  uint64_t rows_ = 0;
  bool done_ = false;
  bool null_flags_always_ = false;  // a file of format 02
  bool full_widths_ = false;        // a file of format 02: integers in 8 bytes, lengths in 4
  std::vector<char> narrow_;        // a column's narrow integers as read
  std::vector<int64_t> lengths_;    // a text column's cell lengths
};

// Skims the whole file (TypedJobReader::Skim); errors name the file.
StatusOr<TypedFileSkim> SkimTypedJobFile(const std::filesystem::path& path);

// The column names of a typed job file's first batch (a normalized job file holds batches of
// one set of columns); DataLoss when the file is missing, corrupt or holds no batch.
StatusOr<std::vector<std::string>> ReadTypedJobHeader(const std::filesystem::path& path);

}  // namespace dlt
