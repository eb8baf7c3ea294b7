#include "normalize/typed_job_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

namespace dlt {

namespace {

// 04: a column's null flags only when it has a NULL (a flag byte says which), integers and text
// lengths in the narrowest width that holds the batch's values (a width byte); 03 (a development
// version) had the flags but full widths; 02 always wrote flags and full widths (still read);
// 02 to 04: timestamps, dates and times held as integers (typed_batch.h); 01 held them as text.
constexpr char kMagic[8] = {'D', 'L', 'T', 'T', 'Y', 'P', '0', '4'};
constexpr char kMagic02[8] = {'D', 'L', 'T', 'T', 'Y', 'P', '0', '2'};

// The narrowest of 1, 2, 4 and 8 bytes that holds every value of `v` as a signed integer.
uint8_t IntWidth(const int64_t* v, size_t n) {
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
  }
  if (lo >= INT8_MIN && hi <= INT8_MAX) return 1;
  if (lo >= INT16_MIN && hi <= INT16_MAX) return 2;
  if (lo >= INT32_MIN && hi <= INT32_MAX) return 4;
  return 8;
}

// `n` values of `v` as `width`-byte integers (little-endian, as every machine this builds for).
template <typename T>
void AppendNarrow(const int64_t* v, size_t n, std::string* out) {
  const size_t at = out->size();
  out->resize(at + n * sizeof(T));
  T* dst = reinterpret_cast<T*>(out->data() + at);
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<T>(v[i]);
}
void AppendNarrow(const int64_t* v, size_t n, uint8_t width, std::string* out) {
  switch (width) {
    case 1: AppendNarrow<int8_t>(v, n, out); break;
    case 2: AppendNarrow<int16_t>(v, n, out); break;
    case 4: AppendNarrow<int32_t>(v, n, out); break;
    default: out->append(reinterpret_cast<const char*>(v), n * 8); break;
  }
}
template <typename T>
void Widen(const char* in, size_t n, int64_t* out) {
  const T* src = reinterpret_cast<const T*>(in);
  for (size_t i = 0; i < n; ++i) out[i] = src[i];
}
// A header or a text cell longer than this is a corrupt length, not data.
constexpr uint32_t kMaxLength = 1u << 30;

nlohmann::json HeaderOf(const TypedBatch& b) {
  nlohmann::json cols = nlohmann::json::array();
  for (const TypedColumn& c : b.columns()) {
    nlohmann::json j = {{"name", c.name}, {"data_type", DataTypeName(c.data_type)}};
    if (c.precision) j["precision"] = *c.precision;
    if (c.scale) j["scale"] = *c.scale;
    j["nullable"] = c.nullable;
    j["timezone"] = c.timezone;
    if (c.nested) j["nested"] = true;
    cols.push_back(j);
  }
  return {{"columns", cols}};
}

}  // namespace

bool SameColumns(const std::vector<TypedColumn>& a, const std::vector<TypedColumn>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].data_type != b[i].data_type || a[i].precision != b[i].precision ||
        a[i].scale != b[i].scale || a[i].nullable != b[i].nullable || a[i].timezone != b[i].timezone ||
        a[i].nested != b[i].nested) {
      return false;
    }
  }
  return true;
}

StatusOr<TypedFileSkim> SkimTypedJobFile(const std::filesystem::path& path) {
  DLT_ASSIGN_OR_RETURN(auto reader, TypedJobReader::Open(path));
  TypedFileSkim skim;
  for (;;) {
    DLT_ASSIGN_OR_RETURN(bool more, reader->Skim(&skim));
    if (!more) break;
  }
  return skim;
}

StatusOr<std::unique_ptr<TypedJobWriter>> TypedJobWriter::Create(const std::filesystem::path& path) {
  std::unique_ptr<TypedJobWriter> w(new TypedJobWriter());
  w->path_ = path;
  w->file_ = std::fopen(path.c_str(), "wbx");
  if (!w->file_) return Internal("cannot create " + path.string() + ": " + std::strerror(errno));
  DLT_RETURN_IF_ERROR(w->Put(kMagic, sizeof kMagic));
  return w;
}

TypedJobWriter::~TypedJobWriter() {
  if (file_) std::fclose(file_);
}

Status TypedJobWriter::Put(const void* data, size_t size) {
  if (size && std::fwrite(data, 1, size, file_) != size) {
    return Internal("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  bytes_ += size;
  return Status::Ok();
}

Status TypedJobWriter::Write(const TypedBatch& b) {
  const std::string header = HeaderOf(b).dump();
  const uint64_t rows = b.rows();
  const uint32_t header_len = static_cast<uint32_t>(header.size());
  DLT_RETURN_IF_ERROR(Put("B", 1));
  DLT_RETURN_IF_ERROR(Put(&header_len, 4));
  DLT_RETURN_IF_ERROR(Put(header.data(), header.size()));
  DLT_RETURN_IF_ERROR(Put(&rows, 8));
  for (size_t c = 0; c < b.columns().size(); ++c) {
    const TypedVector& v = b.vector(c);
    // Most columns of most batches have no NULL: their flags are left out.
    const uint8_t has_nulls = !v.nulls.empty() && std::memchr(v.nulls.data(), 1, v.nulls.size()) != nullptr;
    DLT_RETURN_IF_ERROR(Put(&has_nulls, 1));
    if (has_nulls) DLT_RETURN_IF_ERROR(Put(v.nulls.data(), v.nulls.size()));
    switch (StorageOf(b.columns()[c].data_type)) {
      case CellStorage::kInt64: {
        const uint8_t width = IntWidth(v.ints.data(), v.ints.size());
        DLT_RETURN_IF_ERROR(Put(&width, 1));
        if (width == 8) {
          DLT_RETURN_IF_ERROR(Put(v.ints.data(), v.ints.size() * 8));
        } else {
          scratch_.clear();
          AppendNarrow(v.ints.data(), v.ints.size(), width, &scratch_);
          DLT_RETURN_IF_ERROR(Put(scratch_.data(), scratch_.size()));
        }
        break;
      }
      case CellStorage::kDouble: DLT_RETURN_IF_ERROR(Put(v.doubles.data(), v.doubles.size() * 8)); break;
      case CellStorage::kBool: DLT_RETURN_IF_ERROR(Put(v.bools.data(), v.bools.size())); break;
      case CellStorage::kText: {
        std::vector<int64_t>& lengths = lengths_;
        lengths.resize(v.texts.size());
        for (size_t i = 0; i < v.texts.size(); ++i) {
          if (v.texts[i].size() >= kMaxLength) {
            return InvalidArgument("column `" + b.columns()[c].name + "`: a value of " +
                                   std::to_string(v.texts[i].size()) + " bytes is over the 1 GiB a typed cell may hold");
          }
          lengths[i] = static_cast<int64_t>(v.texts[i].size());
        }
        // Lengths as 1, 2 or 4 bytes (no length reaches 2^31).
        const uint8_t width = std::min<uint8_t>(IntWidth(lengths.data(), lengths.size()), 4);
        DLT_RETURN_IF_ERROR(Put(&width, 1));
        scratch_.clear();
        AppendNarrow(lengths.data(), lengths.size(), width, &scratch_);
        DLT_RETURN_IF_ERROR(Put(scratch_.data(), scratch_.size()));
        // One write for the column's cells, which lie back to back.
        DLT_RETURN_IF_ERROR(Put(v.texts.bytes().data(), v.texts.bytes().size()));
        break;
      }
    }
  }
  rows_ += rows;
  return Status::Ok();
}

Status TypedJobWriter::Finish(bool sync) {
  DLT_RETURN_IF_ERROR(Put("E", 1));
  DLT_RETURN_IF_ERROR(Put(&rows_, 8));
  // The extracted package is the only copy of what the source gave: durable before the state
  // that skips those rows is saved (as JSON jobs are).
  if (std::fflush(file_) != 0 || (sync && ::fdatasync(::fileno(file_)) != 0)) {
    return Internal("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  std::fclose(file_);
  file_ = nullptr;
  return Status::Ok();
}

StatusOr<std::unique_ptr<TypedJobReader>> TypedJobReader::Open(const std::filesystem::path& path,
                                                              std::string what_to_do) {
  std::unique_ptr<TypedJobReader> r(new TypedJobReader());
  r->path_ = path;
  r->what_to_do_ = std::move(what_to_do);
  r->file_ = std::fopen(path.c_str(), "rb");
  if (!r->file_) return NotFound("cannot open " + path.string() + ": " + std::strerror(errno));
  char magic[sizeof kMagic];
  DLT_RETURN_IF_ERROR(r->Get(magic, sizeof magic));
  if (std::memcmp(magic, kMagic02, sizeof kMagic02) == 0) {
    r->null_flags_always_ = true;
    r->full_widths_ = true;
  } else if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    if (std::memcmp(magic, kMagic, sizeof kMagic - 2) == 0) {
      return r->Corrupt("it was written by an older version of dlt (typed job format " + std::string(magic + 6, 2) +
                        ", this version reads " + std::string(kMagic + 6, 2) + ")");
    }
    return r->Corrupt("it does not start as a typed job file");
  }
  return r;
}

TypedJobReader::~TypedJobReader() {
  if (file_) std::fclose(file_);
}

Status TypedJobReader::Corrupt(const std::string& what) const {
  return DataLoss(path_.string() + " is corrupt at byte " + std::to_string(offset_) + ": " + what + ". " + what_to_do_);
}

Status TypedJobReader::Get(void* data, size_t size) {
  if (size && std::fread(data, 1, size, file_) != size) return Corrupt("the file ends early");
  offset_ += size;
  return Status::Ok();
}

StatusOr<bool> TypedJobReader::NextHeader(std::vector<TypedColumn>* columns, uint64_t* rows_out) {
  if (done_) return false;
  char tag = 0;
  DLT_RETURN_IF_ERROR(Get(&tag, 1));
  if (tag == 'E') {
    uint64_t total = 0;
    DLT_RETURN_IF_ERROR(Get(&total, 8));
    if (total != rows_) return Corrupt("its end counts " + std::to_string(total) + " rows, the batches hold " + std::to_string(rows_));
    done_ = true;
    return false;
  }
  if (tag != 'B') return Corrupt("a batch was expected");
  uint32_t header_len = 0;
  DLT_RETURN_IF_ERROR(Get(&header_len, 4));
  if (header_len > kMaxLength) return Corrupt("a batch header of " + std::to_string(header_len) + " bytes");
  std::string header(header_len, '\0');
  DLT_RETURN_IF_ERROR(Get(header.data(), header.size()));
  auto j = nlohmann::json::parse(header, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("columns") || !j["columns"].is_array()) {
    return Corrupt("a batch header is not valid");
  }
  columns->clear();
  for (const auto& cj : j["columns"]) {
    if (!cj.is_object() || !cj.contains("name") || !cj["name"].is_string() || !cj.contains("data_type") ||
        !cj["data_type"].is_string()) {
      return Corrupt("a column of a batch header has no name or data_type");
    }
    TypedColumn c;
    c.name = cj["name"].get<std::string>();
    auto t = ParseDataType(cj["data_type"].get<std::string>());
    if (!t) return Corrupt("column `" + c.name + "` has the unknown data_type `" + cj["data_type"].get<std::string>() + "`");
    c.data_type = *t;
    if (cj.contains("precision") && cj["precision"].is_number_integer()) c.precision = cj["precision"].get<int>();
    if (cj.contains("scale") && cj["scale"].is_number_integer()) c.scale = cj["scale"].get<int>();
    if (cj.contains("nullable") && cj["nullable"].is_boolean()) c.nullable = cj["nullable"].get<bool>();
    if (cj.contains("timezone") && cj["timezone"].is_boolean()) c.timezone = cj["timezone"].get<bool>();
    if (cj.contains("nested") && cj["nested"].is_boolean()) c.nested = cj["nested"].get<bool>();
    columns->push_back(std::move(c));
  }
  uint64_t rows = 0;
  DLT_RETURN_IF_ERROR(Get(&rows, 8));
  if (rows > (uint64_t{1} << 40)) return Corrupt("a batch of " + std::to_string(rows) + " rows");
  *rows_out = rows;
  return true;
}

Status TypedJobReader::GetNulls(uint64_t rows, std::vector<uint8_t>* nulls) {
  uint8_t has_nulls = 1;
  if (!null_flags_always_) {
    DLT_RETURN_IF_ERROR(Get(&has_nulls, 1));
    if (has_nulls > 1) return Corrupt("a column's null flag is " + std::to_string(has_nulls));
  }
  if (!has_nulls) {
    nulls->assign(rows, 0);
    return Status::Ok();
  }
  nulls->resize(rows);
  return Get(nulls->data(), rows);
}

Status TypedJobReader::GetInts(uint64_t rows, std::vector<int64_t>* ints, uint8_t full_width) {
  ints->resize(rows);
  uint8_t width = full_width;
  if (!full_widths_) {
    DLT_RETURN_IF_ERROR(Get(&width, 1));
    if (width != 1 && width != 2 && width != 4 && width != 8) return Corrupt("an integer width of " + std::to_string(width));
  }
  if (width == 8) return Get(ints->data(), rows * 8);
  if (narrow_.size() < rows * width) narrow_.resize(rows * width);
  DLT_RETURN_IF_ERROR(Get(narrow_.data(), rows * width));
  switch (width) {
    case 1: Widen<int8_t>(narrow_.data(), rows, ints->data()); break;
    case 2: Widen<int16_t>(narrow_.data(), rows, ints->data()); break;
    default: Widen<int32_t>(narrow_.data(), rows, ints->data()); break;
  }
  return Status::Ok();
}

StatusOr<uint64_t> TypedJobReader::GetLengths(uint64_t rows, std::vector<int64_t>* lengths) {
  DLT_RETURN_IF_ERROR(GetInts(rows, lengths, 4));  // format 02: u32 lengths
  uint64_t total = 0;
  for (uint64_t i = 0; i < rows; ++i) {
    const int64_t n = (*lengths)[i];
    if (n < 0 || n >= kMaxLength) return Corrupt("a cell of " + std::to_string(n) + " bytes");
    total += static_cast<uint64_t>(n);
  }
  if (total > (uint64_t{1} << 40)) return Corrupt("a column of " + std::to_string(total) + " bytes");
  return total;
}

Status TypedJobReader::Skip(uint64_t size) {
  if (size && std::fseek(file_, static_cast<long>(size), SEEK_CUR) != 0) return Corrupt("the file ends early");
  offset_ += size;
  return Status::Ok();
}

StatusOr<bool> TypedJobReader::Skim(TypedFileSkim* skim) {
  std::vector<TypedColumn> columns;
  uint64_t rows = 0;
  DLT_ASSIGN_OR_RETURN(bool more, NextHeader(&columns, &rows));
  if (!more) return false;
  const uint64_t first_row = skim->rows;
  if (skim->batches == 0) {
    skim->columns = columns;
    skim->first_null.assign(columns.size(), std::nullopt);
    skim->first_non_finite.assign(columns.size(), std::nullopt);
  } else if (skim->uniform) {
    skim->uniform = SameColumns(columns, skim->columns);
  }
  std::vector<uint8_t> nulls;
  std::vector<double> doubles;
  for (size_t c = 0; c < columns.size(); ++c) {
    DLT_RETURN_IF_ERROR(GetNulls(rows, &nulls));
    const bool tracked = skim->uniform;  // the columns of the first batch: the rows' places agree
    if (tracked && !skim->first_null[c]) {
      if (const void* at = std::memchr(nulls.data(), 1, rows)) {
        skim->first_null[c] = first_row + static_cast<uint64_t>(static_cast<const uint8_t*>(at) - nulls.data());
      }
    }
    switch (StorageOf(columns[c].data_type)) {
      case CellStorage::kInt64: {
        uint8_t width = 8;
        if (!full_widths_) DLT_RETURN_IF_ERROR(Get(&width, 1));
        if (width != 1 && width != 2 && width != 4 && width != 8) return Corrupt("an integer width of " + std::to_string(width));
        DLT_RETURN_IF_ERROR(Skip(rows * width));
        break;
      }
      case CellStorage::kBool: DLT_RETURN_IF_ERROR(Skip(rows)); break;
      case CellStorage::kDouble:
        doubles.resize(rows);
        DLT_RETURN_IF_ERROR(Get(doubles.data(), rows * 8));
        if (tracked && !skim->first_non_finite[c]) {
          for (uint64_t r = 0; r < rows; ++r) {
            if (!nulls[r] && !std::isfinite(doubles[r])) {
              skim->first_non_finite[c] = first_row + r;
              break;
            }
          }
        }
        break;
      case CellStorage::kText: {
        DLT_ASSIGN_OR_RETURN(uint64_t total, GetLengths(rows, &lengths_));
        DLT_RETURN_IF_ERROR(Skip(total));
        break;
      }
    }
  }
  rows_ += rows;
  skim->rows += rows;
  ++skim->batches;
  return true;
}

StatusOr<bool> TypedJobReader::Next(TypedBatch* b) {
  std::vector<TypedColumn> columns;
  uint64_t rows = 0;
  DLT_ASSIGN_OR_RETURN(bool more, NextHeader(&columns, &rows));
  if (!more) return false;
  b->Reset(std::move(columns));
  for (size_t c = 0; c < b->columns().size(); ++c) {
    TypedVector v;
    DLT_RETURN_IF_ERROR(GetNulls(rows, &v.nulls));
    switch (StorageOf(b->columns()[c].data_type)) {
      case CellStorage::kInt64: DLT_RETURN_IF_ERROR(GetInts(rows, &v.ints, 8)); break;
      case CellStorage::kDouble:
        v.doubles.resize(rows);
        DLT_RETURN_IF_ERROR(Get(v.doubles.data(), rows * 8));
        break;
      case CellStorage::kBool:
        v.bools.resize(rows);
        DLT_RETURN_IF_ERROR(Get(v.bools.data(), rows));
        break;
      case CellStorage::kText: {
        DLT_ASSIGN_OR_RETURN(uint64_t total, GetLengths(rows, &lengths_));
        // One read for the column's cells, straight into their buffer.
        DLT_RETURN_IF_ERROR(Get(v.texts.AppendUninitialized(lengths_.data(), rows, total), total));
        break;
      }
    }
    b->SetVector(c, std::move(v));
  }
  rows_ += rows;
  return true;
}

StatusOr<std::vector<std::string>> ReadTypedJobHeader(const std::filesystem::path& path) {
  // Only the first batch's header is read, not its cells.
  auto corrupt = [&](const std::string& what) {
    return DataLoss("load job " + path.string() + " " + what + ". " + TypedJobReader::kNormalizedAdvice);
  };
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return corrupt(std::string("cannot be opened: ") + std::strerror(errno));
  char magic[sizeof kMagic];
  char tag = 0;
  uint32_t len = 0;
  if (std::fread(magic, 1, sizeof magic, f.get()) != sizeof magic ||
      (std::memcmp(magic, kMagic, sizeof kMagic) != 0 && std::memcmp(magic, kMagic02, sizeof kMagic02) != 0)) {
    return corrupt("is not a typed job file");
  }
  if (std::fread(&tag, 1, 1, f.get()) != 1 || tag != 'B') return corrupt("holds no batch");
  if (std::fread(&len, 4, 1, f.get()) != 1 || len > kMaxLength) return corrupt("has no valid batch header");
  std::string header(len, '\0');
  if (std::fread(header.data(), 1, len, f.get()) != len) return corrupt("ends in its first batch header");
  auto j = nlohmann::json::parse(header, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("columns") || !j["columns"].is_array()) {
    return corrupt("has no valid batch header");
  }
  std::vector<std::string> names;
  for (const auto& c : j["columns"]) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) return corrupt("has a column without a name");
    names.push_back(c["name"].get<std::string>());
  }
  return names;
}

}  // namespace dlt
