// The relational normalizer's values (NormalizerCore, relational_impl.h): a value into its column,
// with the column's type inferred or declared (column hints), coerced, or a variant column for
// another type; the schema contract on new columns and data types. Inline, for relational.cc only.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "normalize/relational_impl.h"

namespace dlt {

namespace {

// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z": already what both DuckDB and PostgreSQL parse as a UTC instant,
// so it is written as it is (the common case; other forms go through iso8601::ParseIsoLike).
bool IsPlainIsoUtc(std::string_view s) {
  if (s.size() < 20 || s.size() > 27 || s.back() != 'Z') return false;
  static const char kPattern[] = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < 19; ++i) {
    char p = kPattern[i], c = s[i];
    if (p == 'd' ? (c < '0' || c > '9') : c != p) return false;
  }
  int mo = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  int h = (s[11] - '0') * 10 + (s[12] - '0'), mi = (s[14] - '0') * 10 + (s[15] - '0');
  int sec = (s[17] - '0') * 10 + (s[18] - '0');
  if (mo < 1 || mo > 12 || d < 1 || d > 28 || h > 23 || mi > 59 || sec > 59) return false;  // d > 28: slow path checks
  if (s.compare(0, 4, "0000") == 0) return false;  // year 0: no Python datetime, so not a timestamp for dlt
  if (s.size() == 20) return true;
  if (s[19] != '.' || s.size() < 22) return false;
  for (size_t i = 20; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

inline Status NormalizerCore::SetCell(TableState& t, int idx, std::string text, std::string_view key) {
  if (static_cast<size_t>(idx) >= t.cells.size()) {
    t.cells.resize(idx + 1);
    t.present.resize(idx + 1, 0);
    t.set_in_row.resize(idx + 1, 0);
  }
  if (t.set_in_row[idx] == t.generation) {
    return InvalidArgument(Where() + ": field `" + std::string(key) + "` maps to column `" + t.names[idx] +
                           "` of table `" + t.name +
                           "`, which another field of the same record already set (duplicate key, or two "
                           "names that are equal after normalization)");
  }
  t.set_in_row[idx] = t.generation;
  t.cells[idx] = std::move(text);
  t.present[idx] = 1;
  return Status::Ok();
}

// dlt coerces the strings "nan" and "inf" into a double column (Python float() takes them) and
// then fails to load them (the SQL literal `nan` is invalid); NaN and infinity have no portable
// SQL form, so such a value is refused here, naming it.
inline Status NormalizerCore::CheckFinite(const TableState& t, const std::string& column, DataType type,
                                          const ScalarValue& v, const std::string& text,
                                          std::string_view key) const {
  if (v.kind != ScalarValue::Kind::kString && v.kind != ScalarValue::Kind::kDecimal &&
      v.kind != ScalarValue::Kind::kWei) {
    return Status::Ok();
  }
  if (type != DataType::kDouble && type != DataType::kDecimal && type != DataType::kWei) return Status::Ok();
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || std::isfinite(d)) return Status::Ok();
  return InvalidArgument(Where() + ": value \"" + std::string(v.s) + "\" of field `" + std::string(key) +
                         "` cannot be stored in the " + std::string(DataTypeName(type)) + " column `" + column +
                         "` of table `" + t.name + "`: NaN and infinity are not supported");
}

// Puts a value into its column, creating the column or a variant column as needed.
inline Status NormalizerCore::AddValue(TableState& t, ColumnEntry& entry, const ScalarValue& v,
                                       std::string_view key) {
  if (v.kind == ScalarValue::Kind::kNull) {
    // dlt's CannotCoerceNullException: a null for a new column that a not_null hint covers
    if (!settings.standard() && settings.IsNotNull(entry.name) && FindIndex(t, entry) < 0) {
      return InvalidArgument(Where() + ": field `" + std::string(key) + "` is null, but the schema's not_null hint "
                             "covers its new column `" + entry.name + "` of table `" + t.name +
                             "` (settings.default_hints); send a value or change the hint");
    }
    return Status::Ok();
  }
  const std::string& column = entry.name;
  int found = FindIndex(t, entry);
  if (found < 0 && t.had_data && hints->contract_columns != "evolve") {
    if (hints->contract_columns == "discard_value") return Status::Ok();
    if (hints->contract_columns == "discard_row") {
      t.row_discarded = true;
      return Status::Ok();
    }
    return InvalidArgument(Where() + ": field `" + std::string(key) + "` would add the new column `" + column +
                           "` to table `" + t.name + "`, but the schema contract of resource `" + hints->resource +
                           "` freezes its columns (schema_contract.columns = \"freeze\"); nothing of this run is loaded");
  }
  if (found < 0) {
    Column c;
    c.name = column;
    std::optional<DataType> preferred;
    if (settings.standard()) {
      c.data_type = InferType(v);
    } else {
      c.data_type = settings.InferType(v, column, /*variant=*/false);
      preferred = settings.PreferredType(column);
      settings.ApplyHints(&c);
    }
    if (const ColumnHint* h = DeclaredColumn(t, column)) {
      if (h->data_type) c.data_type = *h->data_type;
      if (h->nullable) c.nullable = *h->nullable;
      if (h->unique) c.unique = true;
      if (h->precision) c.precision = h->precision;
      if (h->scale) c.scale = h->scale;
      // A column-level key flag (dlt's compound key) on a column that appears with the data.
      if (h->primary_key) c.primary_key = true, c.nullable = false;
      if (h->merge_key) c.merge_key = true;
      ApplyColumnHintProperties(*h, &c);
    }
    if (t.name == root_table) {
      if (!hints->incremental_cursor.empty() && naming->NormalizePath(hints->incremental_cursor) == column) {
        c.extra["incremental"] = true;
      }
      for (const auto& pk : hints->primary_key) {
        if (naming->NormalizePath(pk) == column) c.primary_key = true, c.nullable = false;
      }
      for (const auto& mk : hints->merge_key) {
        if (naming->NormalizePath(mk) == column) c.merge_key = true;
      }
      if (row_version_in_data && naming->NormalizePath(RowVersionColumn(hints->merge)) == column) ApplyRowVersionHints(&c);
    }
    if (auto text = CoerceToText(v, c.data_type)) {
      DLT_RETURN_IF_ERROR(CheckFinite(t, column, c.data_type, v, *text, key));
      int idx = AddColumn(t, std::move(c));
      return SetCell(t, idx, std::move(*text), key);
    }
    // As dlt: a value that does not fit its column's preferred type goes to a variant column;
    // the column itself is made by the first value that fits.
    if (preferred && c.data_type == *preferred) return AddVariant(t, column, c.data_type, v, key);
    c.data_type = BaseType(v);
    auto text = CoerceToText(v, c.data_type);
    int idx = AddColumn(t, std::move(c));
    return SetCell(t, idx, text.value_or(""), key);
  }
  int idx = found;
  DataType type = SchemaTable(t).columns[idx].data_type;
  // Fast paths: the value already has the column's type; write into the cell's buffer (its
  // capacity is reused row after row, so no allocation).
  if (static_cast<size_t>(idx) < t.cells.size() && t.set_in_row[idx] != t.generation) {
    std::string& cell = t.cells[idx];
    bool done = true;
    if (type == DataType::kText && v.kind == ScalarValue::Kind::kString) {
      cell.assign(v.s);
    } else if (type == DataType::kBigint && v.kind == ScalarValue::Kind::kInt) {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.i);
      cell.assign(buf, r.ptr);
    } else if (type == DataType::kTimestamp && v.kind == ScalarValue::Kind::kString && IsPlainIsoUtc(v.s)) {
      cell.assign(v.s);
    } else if (type == DataType::kBool && v.kind == ScalarValue::Kind::kBool) {
      cell.assign(v.b ? "true" : "false");
    } else if (type == DataType::kDouble && v.kind == ScalarValue::Kind::kDouble && std::isfinite(v.d)) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.d);
      cell.assign(buf, r.ptr);
    } else {
      done = false;
    }
    if (done) {
      t.set_in_row[idx] = t.generation;
      t.present[idx] = 1;
      return Status::Ok();
    }
  }
  if (auto text = CoerceToText(v, type)) {
    DLT_RETURN_IF_ERROR(CheckFinite(t, column, type, v, *text, key));
    return SetCell(t, idx, std::move(*text), key);
  }
  return AddVariant(t, column, type, v, key);
}

// A value that does not fit the type of `column`: into the variant column named after the value's
// own type, <column>__v_<type>, made when first needed.
inline Status NormalizerCore::AddVariant(TableState& t, const std::string& column, DataType type,
                                         const ScalarValue& v, std::string_view key) {
  DataType vt = BaseType(v);
  scratch.assign(column).append(1, '\x1f').append(DataTypeName(vt));
  auto cached_variant = variant_cache.find(std::string_view(scratch));
  if (cached_variant == variant_cache.end()) {
    cached_variant = variant_cache.emplace(scratch, naming->MakePath({column, "v_" + std::string(DataTypeName(vt))})).first;
  }
  const std::string& variant = cached_variant->second;
  auto vit = t.index.find(variant);
  int vidx;
  if (vit == t.index.end() && hints->contract_data_type != "evolve") {
    if (hints->contract_data_type == "discard_value") return Status::Ok();
    if (hints->contract_data_type == "discard_row") {
      t.row_discarded = true;
      return Status::Ok();
    }
    return InvalidArgument(Where() + ": field `" + std::string(key) + "` has a " + std::string(DataTypeName(vt)) +
                           " value that does not fit the " + std::string(DataTypeName(type)) + " column `" + column +
                           "` of table `" + t.name + "`, and the schema contract of resource `" + hints->resource +
                           "` freezes data types (schema_contract.data_type = \"freeze\"); nothing of this run is loaded");
  }
  if (vit == t.index.end()) {
    Column c;
    c.name = variant;
    c.data_type = vt;
    c.variant = true;
    if (!settings.standard()) settings.ApplyHints(&c);  // dlt's default hints, on variants too
    vidx = AddColumn(t, std::move(c));
  } else {
    vidx = vit->second;
  }
  auto text = CoerceToText(v, SchemaTable(t).columns[vidx].data_type);
  if (!text) {
    return InvalidArgument(Where() + ": value of field `" + std::string(key) + "` cannot be stored in column `" +
                           variant + "` of table `" + t.name + "`");
  }
  return SetCell(t, vidx, std::move(*text), key);
}

inline const ColumnHint* NormalizerCore::DeclaredColumn(const TableState& t, const std::string& column) {
  if (t.name != root_table || hints->columns.empty()) return nullptr;
  if (declared_for != hints) {
    declared_for = hints;
    declared_names.clear();
    for (const auto& c : hints->columns) declared_names.push_back(naming->NormalizePath(c.name));
  }
  for (size_t i = 0; i < declared_names.size(); ++i) {
    if (declared_names[i] == column) return &hints->columns[i];
  }
  return nullptr;
}

}  // namespace dlt
