#include "normalize/typed_batch.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/civil_date.h"
#include "common/iso8601.h"
#include "common/text.h"

namespace dlt {

CellStorage StorageOf(DataType type) {
  switch (type) {
    case DataType::kBigint:
    case DataType::kTimestamp:
    case DataType::kDate:
    case DataType::kTime: return CellStorage::kInt64;
    case DataType::kDouble: return CellStorage::kDouble;
    case DataType::kBool: return CellStorage::kBool;
    default: return CellStorage::kText;
  }
}

void TypedBatch::Reset(std::vector<TypedColumn> columns) {
  columns_ = std::move(columns);
  // A reader refilling the batch with batches of the same width keeps the vectors' memory: freed
  // and allocated again each batch, it was faulted in anew by the kernel every time.
  if (vectors_.size() == columns_.size()) {
    ClearRows();
  } else {
    vectors_.assign(columns_.size(), TypedVector{});
  }
}

void TypedBatch::ClearRows() {
  for (auto& v : vectors_) {
    v.nulls.clear();
    v.ints.clear();
    v.doubles.clear();
    v.bools.clear();
    v.texts.clear();
  }
}

void TypedBatch::AppendNull(size_t c) {
  TypedVector& v = vectors_[c];
  v.nulls.push_back(1);
  switch (StorageOf(columns_[c].data_type)) {
    case CellStorage::kInt64: v.ints.push_back(0); break;
    case CellStorage::kDouble: v.doubles.push_back(0); break;
    case CellStorage::kBool: v.bools.push_back(0); break;
    case CellStorage::kText: v.texts.push_empty(); break;
  }
}

void TypedBatch::AppendInt(size_t c, int64_t x) {
  vectors_[c].nulls.push_back(0);
  vectors_[c].ints.push_back(x);
}

void TypedBatch::AppendDouble(size_t c, double x) {
  vectors_[c].nulls.push_back(0);
  vectors_[c].doubles.push_back(x);
}

void TypedBatch::AppendBool(size_t c, bool x) {
  vectors_[c].nulls.push_back(0);
  vectors_[c].bools.push_back(x ? 1 : 0);
}

void TypedBatch::AppendText(size_t c, std::string_view x) {
  vectors_[c].nulls.push_back(0);
  vectors_[c].texts.push_back(x);
}

void TypedBatch::AppendRowOf(const TypedBatch& o, size_t row) {
  for (size_t c = 0; c < vectors_.size(); ++c) {
    const TypedVector& from = o.vectors_[c];
    TypedVector& to = vectors_[c];
    to.nulls.push_back(from.nulls[row]);
    switch (StorageOf(columns_[c].data_type)) {
      case CellStorage::kInt64: to.ints.push_back(from.ints[row]); break;
      case CellStorage::kDouble: to.doubles.push_back(from.doubles[row]); break;
      case CellStorage::kBool: to.bools.push_back(from.bools[row]); break;
      case CellStorage::kText: to.texts.push_back(from.texts[row]); break;
    }
  }
}

namespace {

template <typename T>
void KeepIn(std::vector<T>& v, const std::vector<uint8_t>& keep) {
  if (v.size() != keep.size()) return;  // a storage the column does not use
  size_t out = 0;
  for (size_t r = 0; r < v.size(); ++r) {
    if (!keep[r]) continue;
    if (out != r) v[out] = std::move(v[r]);
    ++out;
  }
  v.resize(out);
}

}  // namespace

void TypedBatch::KeepRows(const std::vector<uint8_t>& keep) {
  for (auto& v : vectors_) {
    KeepIn(v.nulls, keep);
    KeepIn(v.ints, keep);
    KeepIn(v.doubles, keep);
    KeepIn(v.bools, keep);
    if (v.texts.size() == keep.size()) v.texts.Keep(keep);
  }
}

void TypedBatch::CellText(size_t c, size_t row, std::string* out) const {
  const TypedVector& v = vectors_[c];
  if (v.nulls[row]) {
    out->clear();
    return;
  }
  char buf[32];
  switch (StorageOf(columns_[c].data_type)) {
    case CellStorage::kInt64: {
      switch (columns_[c].data_type) {
        case DataType::kTimestamp: *out = TimestampCell(v.ints[row]); return;
        case DataType::kDate: *out = DateCell(v.ints[row]); return;
        case DataType::kTime: *out = TimeCell(v.ints[row]); return;
        default: break;
      }
      auto r = std::to_chars(buf, buf + sizeof buf, v.ints[row]);
      out->assign(buf, r.ptr);
      return;
    }
    case CellStorage::kDouble: {
      // The shortest form that reads back to the same double, as the JSON path writes doubles.
      auto r = std::to_chars(buf, buf + sizeof buf, v.doubles[row]);
      out->assign(buf, r.ptr);
      return;
    }
    case CellStorage::kBool: out->assign(v.bools[row] ? "true" : "false"); return;
    case CellStorage::kText: out->assign(v.texts[row]); return;
  }
}


std::string TypedBatch::RowJson(size_t row) const {
  std::string out = "{";
  std::string cell;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c) out += ',';
    text::AppendJsonString(out, columns_[c].name);
    out += ':';
    if (vectors_[c].nulls[row]) {
      out += "null";
      continue;
    }
    CellText(c, row, &cell);
    switch (columns_[c].data_type) {
      case DataType::kBigint:
      case DataType::kBool:
      case DataType::kJson: out += cell; break;
      case DataType::kDouble: out += std::isfinite(vectors_[c].doubles[row]) ? cell : "null"; break;
      default: text::AppendJsonString(out, cell);
    }
  }
  return out + "}";
}

Status TypedBatch::Validate(std::string_view where) const {
  std::set<std::string_view> names;
  const size_t n = rows();
  for (size_t c = 0; c < columns_.size(); ++c) {
    const TypedColumn& col = columns_[c];
    std::string what = std::string(where) + ", column `" + col.name + "`";
    if (col.name.empty()) return InvalidArgument(std::string(where) + ": column " + std::to_string(c + 1) + " has no name");
    if (!names.insert(col.name).second) return InvalidArgument(what + ": the batch has two columns of this name");
    if (col.data_type == DataType::kWei) return InvalidArgument(what + ": typed batches do not carry wei; use decimal");
    const TypedVector& v = vectors_[c];
    size_t stored = 0;
    switch (StorageOf(col.data_type)) {
      case CellStorage::kInt64: stored = v.ints.size(); break;
      case CellStorage::kDouble: stored = v.doubles.size(); break;
      case CellStorage::kBool: stored = v.bools.size(); break;
      case CellStorage::kText: stored = v.texts.size(); break;
    }
    if (v.nulls.size() != n || stored != n) {
      return InvalidArgument(what + " (" + std::string(DataTypeName(col.data_type)) + "): has " +
                             std::to_string(stored) + " values in its storage and " + std::to_string(v.nulls.size()) +
                             " null flags, the batch has " + std::to_string(n) +
                             " rows (append each value with the Append* of the column's type)");
    }
  }
  return Status::Ok();
}

std::string TimestampCell(int64_t micros) {
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  return iso8601::FormatUtc(secs, static_cast<int>(frac));
}

std::string DateCell(int64_t days) {
  civil::CivilDate d = civil::CivilFromDays(days);
  if (d.year < 0 || d.year > 9999) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(d.year), d.month, d.day);
    return buf;
  }
  // Digits written directly (a cell per row of a date column; snprintf cost more than the rest).
  char buf[10];
  int y = static_cast<int>(d.year);
  for (int i = 3; i >= 0; --i, y /= 10) buf[i] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + d.month / 10);
  buf[6] = static_cast<char>('0' + d.month % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + d.day / 10);
  buf[9] = static_cast<char>('0' + d.day % 10);
  return std::string(buf, 10);
}

std::string TimeCell(int64_t micros) {
  int64_t s = micros / 1000000, f = micros % 1000000;
  char buf[32];
  if (f) {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%06lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60), static_cast<long long>(f));
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  }
  return buf;
}

std::string BinaryCell(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

void AppendBatchRowJson(const TypedBatch& batch, size_t r, std::string& json, std::string& cell, bool as_python) {
  // dlt's typed-JSON markers (common/typed_json.h) keep the types JSON has no form for.
  static constexpr const char* kDecimal = "\xEF\x80\xA6";
  static constexpr const char* kDateTime = "\xEF\x80\xA7";
  static constexpr const char* kDate = "\xEF\x80\xA8";
  static constexpr const char* kHexBytes = "\xEF\x80\xAA";
  static constexpr const char* kTime = "\xEF\x80\xAD";
  static constexpr std::string_view kUtc = "+00:00";
  const auto& cols = batch.columns();
  json += '{';
  bool first = true;
  for (size_t c = 0; c < cols.size(); ++c) {
    if (batch.IsNull(c, r)) continue;  // as a dict without the key: no column for all-NULL data
    if (!first) json += ',';
    first = false;
    text::AppendJsonString(json, cols[c].name);
    json += ':';
    batch.CellText(c, r, &cell);
    switch (cols[c].data_type) {
      case DataType::kBigint:
      case DataType::kBool:
      case DataType::kJson: json += cell; break;
      case DataType::kDouble:
        if (!std::isfinite(batch.vector(c).doubles[r])) {
          json += "null";
          break;
        }
        json += cell;
        if (as_python && cell.find_first_of(".eEn") == std::string::npos) json += ".0";
        break;
      case DataType::kDecimal: text::AppendJsonString(json, kDecimal + cell); break;
      case DataType::kTimestamp:
        if (as_python && !cols[c].timezone && std::string_view(cell).ends_with(kUtc)) cell.resize(cell.size() - kUtc.size());
        text::AppendJsonString(json, kDateTime + cell);
        break;
      case DataType::kDate: text::AppendJsonString(json, kDate + cell); break;
      case DataType::kTime: text::AppendJsonString(json, kTime + cell); break;
      case DataType::kBinary:
        // `\x` and hex digits (BinaryCell): dlt's hex-bytes form is the digits alone.
        text::AppendJsonString(json, kHexBytes + cell.substr(cell.size() >= 2 ? 2 : 0));
        break;
      default: text::AppendJsonString(json, cell);
    }
  }
  json += '}';
}

}  // namespace dlt
