// The only translation unit of the normalizer that includes simdjson.
#include "normalize/relational.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <random>
#include <unordered_map>

#include "common/fault.h"
#include "common/hash.h"
#include "common/typed_json.h"
#include "normalize/coerce.h"
#include "normalize/typed_json_markers.h"

namespace dlt {

namespace dom = simdjson::dom;

void NewRowKeyInto(char* out) {
  constexpr const char* kAlphabet = hash::kBase64Alphabet;
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const uint64_t a = rng(), b = rng();
  // 10 random bytes (a's 8 in little-endian order, then b's low 2) in base64 without padding:
  // 3 groups of 3 bytes and one of 1, as Base64Encode writes them.
  unsigned char bytes[10];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>((a >> (i * 8)) & 0xff);
  bytes[8] = static_cast<unsigned char>(b & 0xff);
  bytes[9] = static_cast<unsigned char>((b >> 8) & 0xff);
  for (int g = 0; g < 3; ++g) {
    const uint32_t v = (uint32_t{bytes[g * 3]} << 16) | (uint32_t{bytes[g * 3 + 1]} << 8) | bytes[g * 3 + 2];
    out[g * 4] = kAlphabet[(v >> 18) & 63];
    out[g * 4 + 1] = kAlphabet[(v >> 12) & 63];
    out[g * 4 + 2] = kAlphabet[(v >> 6) & 63];
    out[g * 4 + 3] = kAlphabet[v & 63];
  }
  out[12] = kAlphabet[(bytes[9] >> 2) & 63];
  out[13] = kAlphabet[(bytes[9] & 3) << 4];
}

void ApplyColumnHintProperties(const ColumnHint& h, Column* c) {
  if (h.hard_delete) c->extra["hard_delete"] = true;
  if (h.dedup_sort) c->extra["dedup_sort"] = *h.dedup_sort;
  if (h.timezone) c->extra["timezone"] = *h.timezone;
}

std::string NewRowKey() {
  std::string key(kRowKeyChars, '\0');
  NewRowKeyInto(key.data());
  return key;
}

std::string NestedRowKey(std::string_view parent_id, std::string_view table, uint64_t list_idx) {
  // "<parent_id>_<table>_<list_idx>", on the stack when it fits (one key per nested row).
  char stack[256];
  std::string heap;
  size_t size = parent_id.size() + table.size() + 22;
  char* p = stack;
  if (size > sizeof stack) {
    heap.resize(size);
    p = heap.data();
  }
  char* w = p;
  std::memcpy(w, parent_id.data(), parent_id.size());
  w += parent_id.size();
  *w++ = '_';
  std::memcpy(w, table.data(), table.size());
  w += table.size();
  *w++ = '_';
  w = std::to_chars(w, p + size, list_idx).ptr;
  return hash::Base64Encode(hash::Shake128(std::string_view(p, static_cast<size_t>(w - p)), 10), false);
}

namespace {

struct TableState {
  uint64_t id = 0;  // unique per normalizer (memos in ColumnEntry refer to it)
  // The table's name before shortening: the root table's name, then `__` and the normalized
  // keys down to each nested list. dlt shortens a nested table's name from this whole path, not
  // from its parent's (maybe already shortened) name.
  std::string path;
  size_t schema_index = 0;
  std::string name;
  uint64_t rows = 0;       // rows written
  int writer_slot = -1;    // JobWriterSet slot of this table
  std::vector<int> not_null;       // indices of the non-nullable columns ...
  size_t not_null_for = SIZE_MAX;  // ... computed for this many schema columns
  std::unordered_map<std::string, int> index;  // column name -> position
  std::vector<std::string> names;              // column names in order (file headers)
  std::vector<std::string> cells;
  std::vector<char> present;
  std::vector<uint32_t> set_in_row;  // row generation that last set each column
  uint32_t generation = 0;
  int system_index[5] = {-1, -1, -1, -1, -1};  // _dlt_load_id, _dlt_id, _dlt_parent_id, _dlt_list_idx, _dlt_root_id
  bool had_data = false;  // the table held data before this package (schema contracts apply)
};

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

// A column name as derived from (prefix, source key), cached, with a memo of its position in
// the table that used it last (columns of a table only ever get appended, so it stays valid).
struct ColumnEntry {
  std::string name;
  // The normalized keys from the table down to this field joined by `__`, before shortening:
  // `name` is this path shortened to the destination's limit (dlt shorten_fragments), and the
  // name of a nested object's field or of a nested list's table is built from it.
  std::string path;
  uint64_t table_id = 0;
  int idx = -1;
  size_t columns_at_miss = 0;  // idx == -1: how many columns table_id had when it was looked up
  std::string raw;  // the source key
  // As a prefix: the entries of the fields of the last object seen at this prefix, by position
  // (records mostly repeat their key order, so a field is found by one comparison).
  std::vector<ColumnEntry*> shape;
};

struct FlatValue {
  ColumnEntry* column;  // owned by the normalizer's name cache
  std::string_view key;  // the source key, for error messages
  ScalarValue value;
};

struct PendingList {
  const std::string* path;  // normalized path inside the table ("payload__commits") before shortening, cached
  dom::array items;
};

// Key of the column name cache: the prefix's cache entry (stable address) and the raw key.
struct ColumnKey {
  const void* prefix;
  std::string raw;
};
struct ColumnKeyView {
  const void* prefix;
  std::string_view raw;
};
struct ColumnKeyHash {
  using is_transparent = void;
  size_t operator()(const ColumnKeyView& k) const {
    return std::hash<std::string_view>{}(k.raw) ^ (reinterpret_cast<uintptr_t>(k.prefix) * 0x9E3779B97F4A7C15ull);
  }
  size_t operator()(const ColumnKey& k) const { return (*this)(ColumnKeyView{k.prefix, k.raw}); }
};
struct ColumnKeyEq {
  using is_transparent = void;
  static ColumnKeyView V(const ColumnKey& k) { return {k.prefix, k.raw}; }
  static ColumnKeyView V(const ColumnKeyView& k) { return k; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    ColumnKeyView x = V(a), y = V(b);
    return x.prefix == y.prefix && x.raw == y.raw;
  }
};

}  // namespace

struct Normalizer::Impl {
  Schema* schema;
  const SnakeCaseNaming* naming;
  std::string load_id;
  JobWriterSet* writers;
  dom::parser parser;
  std::unordered_map<std::string, std::unique_ptr<TableState>> tables;
  struct SvHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameCache = std::unordered_map<std::string, std::string, SvHash, std::equal_to<>>;
  NameCache key_cache;     // raw key -> normalized path
  std::unordered_map<ColumnKey, ColumnEntry, ColumnKeyHash, ColumnKeyEq> column_cache;  // (prefix, raw key) -> column
  ColumnEntry root_prefix;   // the empty prefix of top-level fields
  ColumnEntry value_column{"value", "value", 0, -1, 0, {}, {}};  // the `value` column of scalars
  ColumnEntry list_column{"list", "list", 0, -1, 0, {}, {}};     // a list in a list at max_table_nesting
  uint64_t next_table_id = 0;
  // Parent table path \x1f path inside it -> the nested table's {name, path before shortening}.
  std::unordered_map<std::string, std::pair<std::string, std::string>, SvHash, std::equal_to<>> child_cache;
  NameCache variant_cache; // column \x1f type -> variant column name
  std::string scratch;
  std::string padded;  // the record being parsed, followed by simdjson's padding
  const TableHints* declared_for = nullptr;
  const TableHints* pk_for = nullptr;
  std::vector<std::string> pk_names;  // normalized primary key columns of pk_for
  std::vector<std::string> declared_names;  // normalized names of hints->columns
  std::map<std::string, uint64_t> counts;  // rows of table states already dropped
  std::map<std::string, uint64_t> counts_view;  // row_counts(): counts plus the live tables
  std::deque<std::string> json_scratch;  // keeps minified JSON alive for a row (stable addresses)
  std::deque<std::vector<FlatValue>> values_pool;
  std::deque<std::vector<PendingList>> lists_pool;
  std::vector<std::pair<ColumnEntry*, dom::object>> flatten_stack;
  std::vector<int> flatten_levels;
  const TableHints* hints = nullptr;
  // Any data table had data before this normalizer: looked up when it is made, before it or the
  // typed normalizer sharing its schema wrote anything.
  int schema_had_data = 0;
  std::string hints_table_name;  // hints->table_name that root_table was computed from
  uint64_t prepare_epoch = 0, hints_epoch = 0;
  std::string root_table;
  bool propagate_root = false;
  // Where the current record comes from, formatted only for an error message.
  std::string_view where_text;
  const std::function<std::string()>* where_fn = nullptr;
  int64_t where_item = -1;  // item of a top-level array, or -1

  std::string Where() const {
    std::string w = where_fn ? (*where_fn)() : std::string(where_text);
    if (where_item >= 0) w += " (item " + std::to_string(where_item) + ")";
    return w;
  }

  Table& SchemaTable(TableState& t) { return schema->mutable_tables()[t.schema_index]; }

  const std::string& NormKey(std::string_view raw) {
    auto it = key_cache.find(raw);
    if (it != key_cache.end()) return it->second;
    std::string n = naming->NormalizeKey(raw);
    return key_cache.emplace(std::string(raw), std::move(n)).first->second;
  }

  // The column of `raw` inside an object at `prefix` (cached: no allocation once seen).
  ColumnEntry& ColumnName(const ColumnEntry& prefix, std::string_view raw) {
    auto it = column_cache.find(ColumnKeyView{&prefix, raw});
    if (it != column_cache.end()) return it->second;
    const std::string& norm = NormKey(raw);
    ColumnEntry e;
    e.raw = std::string(raw);
    if (!norm.empty()) {
      e.path = prefix.path.empty() ? norm : prefix.path + std::string(SnakeCaseNaming::kPathSeparator) + norm;
      e.name = prefix.path.empty() ? norm : naming->MakePath({prefix.path, norm});
    }
    return column_cache.emplace(ColumnKey{&prefix, std::string(raw)}, std::move(e)).first->second;
  }

  // The nested table of list `b` in the table whose unshortened path is `a`: its name
  // (naming->MakePath({a, b})) and its own unshortened path (cached; built only on a miss).
  const std::pair<std::string, std::string>& ChildTable(const std::string& a, std::string_view b) {
    scratch.assign(a).append(1, '\x1f').append(b);
    auto it = child_cache.find(std::string_view(scratch));
    if (it != child_cache.end()) return it->second;
    std::string path = a + std::string(SnakeCaseNaming::kPathSeparator) + std::string(b);
    std::string name = naming->MakePath({a, std::string(b)});
    return child_cache.emplace(scratch, std::make_pair(std::move(name), std::move(path))).first->second;
  }

  // Position of the column of `e` in table `t`, or -1.
  int FindIndex(TableState& t, ColumnEntry& e) {
    // A miss stays valid until the table gets a column (nested objects and lists are looked up
    // for every record, and are not columns).
    if (e.table_id == t.id && (e.idx >= 0 || e.columns_at_miss == t.index.size())) return e.idx;
    auto it = t.index.find(e.name);
    e.table_id = t.id;
    if (it == t.index.end()) {
      e.idx = -1;
      e.columns_at_miss = t.index.size();
      return -1;
    }
    e.idx = it->second;
    return e.idx;
  }

  // `path`: the table's name before shortening (see TableState::path); the name itself when null.
  TableState& GetTable(const std::string& name, const std::optional<std::string>& parent,
                       const std::string* path = nullptr) {
    auto it = tables.find(name);
    if (it != tables.end()) return *it->second;
    auto st = std::make_unique<TableState>();
    st->id = ++next_table_id;
    st->name = name;
    st->path = path ? *path : name;
    st->writer_slot = writers->Slot(name);
    Table* t = schema->FindTable(name);
    st->had_data = t != nullptr && t->seen_data;
    if (!t) {
      Table nt;
      nt.name = name;
      nt.parent = parent;
      if (!parent) {
        nt.write_disposition = hints->disposition;
        nt.resource = hints->resource;
      }
      schema->AddTable(std::move(nt));
    }
    const auto& all = schema->tables();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].name == name) st->schema_index = i;
    }
    for (const auto& c : all[st->schema_index].columns) {
      st->index[c.name] = static_cast<int>(st->names.size());
      st->names.push_back(c.name);
    }
    return *tables.emplace(name, std::move(st)).first->second;
  }

  // Schema contracts (TableHints::contract_*): a table that would be created.
  Status CheckNewTable(const TableState& t) {
    if (t.had_data || hints->contract_tables != "freeze" || schema_had_data <= 0) return Status::Ok();
    return InvalidArgument(Where() + ": the record would create the new table `" + t.name +
                           "`, but the schema contract of resource `" + hints->resource +
                           "` freezes tables (schema_contract.tables = \"freeze\"); nothing of this run is loaded");
  }

  int AddColumn(TableState& t, Column c) {
    Table& st = SchemaTable(t);
    st.columns.push_back(std::move(c));
    int idx = static_cast<int>(t.names.size());
    t.names.push_back(st.columns.back().name);
    t.index[t.names.back()] = idx;
    return idx;
  }

  void BeginRow(TableState& t) {
    ++t.generation;
    t.cells.resize(t.names.size());
    t.present.assign(t.names.size(), 0);
    t.set_in_row.resize(t.names.size(), 0);
  }

  Status SetCell(TableState& t, int idx, std::string text, std::string_view key) {
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
  Status CheckFinite(const TableState& t, const std::string& column, DataType type, const ScalarValue& v,
                     const std::string& text, std::string_view key) const {
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
  Status AddValue(TableState& t, ColumnEntry& entry, const ScalarValue& v, std::string_view key) {
    if (v.kind == ScalarValue::Kind::kNull) return Status::Ok();
    const std::string& column = entry.name;
    int found = FindIndex(t, entry);
    if (found < 0 && t.had_data && hints->contract_columns != "evolve") {
      if (hints->contract_columns == "discard_value") return Status::Ok();
      return InvalidArgument(Where() + ": field `" + std::string(key) + "` would add the new column `" + column +
                             "` to table `" + t.name + "`, but the schema contract of resource `" + hints->resource +
                             "` freezes its columns (schema_contract.columns = \"freeze\"); nothing of this run is loaded");
    }
    if (found < 0) {
      Column c;
      c.name = column;
      c.data_type = InferType(v);
      if (const ColumnHint* h = DeclaredColumn(t, column)) {
        if (h->data_type) c.data_type = *h->data_type;
        if (h->nullable) c.nullable = *h->nullable;
        if (h->unique) c.unique = true;
        if (h->precision) c.precision = h->precision;
        if (h->scale) c.scale = h->scale;
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
      }
      if (auto text = CoerceToText(v, c.data_type)) {
        DLT_RETURN_IF_ERROR(CheckFinite(t, column, c.data_type, v, *text, key));
        int idx = AddColumn(t, std::move(c));
        return SetCell(t, idx, std::move(*text), key);
      }
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
    // A variant column named after the value's own type: <column>__v_<type>.
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

  Status ToScalar(dom::element e, ScalarValue* out, std::string_view key) {
    switch (e.type()) {
      case dom::element_type::NULL_VALUE:
        out->kind = ScalarValue::Kind::kNull;
        return Status::Ok();
      case dom::element_type::BOOL:
        out->kind = ScalarValue::Kind::kBool;
        out->b = bool(e);
        return Status::Ok();
      case dom::element_type::INT64:
        out->kind = ScalarValue::Kind::kInt;
        out->i = int64_t(e);
        return Status::Ok();
      case dom::element_type::UINT64:
        return InvalidArgument(Where() + ": integer " + std::to_string(uint64_t(e)) + " in field `" +
                               std::string(key) + "` is larger than the bigint range (2^63-1); "
                               "quote it as a string or declare the column as decimal/text");
      case dom::element_type::DOUBLE:
        out->kind = ScalarValue::Kind::kDouble;
        out->d = double(e);
        return Status::Ok();
      case dom::element_type::STRING: {
        std::string_view str(e);
        // dlt's typed-JSON values; a string that cannot start with a marker (EF 80 ..) is not
        // looked at again (the common case, on the hot path).
        if (str.size() > 3 && static_cast<unsigned char>(str[0]) == 0xEF) {
          ReadMarkedString(str, out);
        } else {
          out->kind = ScalarValue::Kind::kString;
          out->s = str;
        }
        return Status::Ok();
      }
      default:
        out->kind = ScalarValue::Kind::kJson;
        json_scratch.push_back(simdjson::minify(e));
        // json cells hold typed-JSON values without their markers (dlt custom_pua_remove)
        if (typed_json::MayHaveMarker(json_scratch.back())) json_scratch.back() = typed_json::StripInJson(json_scratch.back());
        out->s = json_scratch.back();
        return Status::Ok();
    }
  }

  const ColumnHint* DeclaredColumn(const TableState& t, const std::string& column) {
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

  // Flattens an object into (column, value) pairs of one row. Nested objects are expanded
  // last-in-first-out, as dlt does; lists are collected for nested tables.
  Status Flatten(TableState& t, dom::object obj, int level, std::vector<FlatValue>* values,
                 std::vector<PendingList>* lists) {
    auto& stack = flatten_stack;
    auto& levels = flatten_levels;
    stack.clear();
    levels.clear();
    stack.emplace_back(&root_prefix, obj);
    levels.push_back(level);
    while (!stack.empty()) {
      auto [prefix, o] = stack.back();
      int lvl = levels.back();
      stack.pop_back();
      levels.pop_back();
      auto& shape = prefix->shape;
      size_t pos = 0;
      for (auto field : o) {
        ColumnEntry* found;
        if (pos < shape.size() && shape[pos]->raw == field.key) {
          found = shape[pos];
        } else {
          found = &ColumnName(*prefix, field.key);
          if (pos < shape.size()) {
            shape[pos] = found;
          } else if (pos < 1024) {
            shape.push_back(found);
          }
        }
        ++pos;
        ColumnEntry& entry = *found;
        const std::string& column = entry.name;
        if (column.empty()) {
          return InvalidArgument(Where() + ": field name `" + std::string(field.key) +
                                 "` normalizes to an empty column name; rename the field");
        }
        dom::element v = field.value;
        auto type = v.type();
        bool nested = type == dom::element_type::OBJECT || type == dom::element_type::ARRAY;
        if (nested) {
          const ColumnHint* declared = DeclaredColumn(t, column);
          bool as_json = lvl + 1 > hints->max_nesting || (declared && declared->data_type == DataType::kJson);
          if (!as_json) {
            int idx = FindIndex(t, entry);
            if (idx >= 0 && SchemaTable(t).columns[idx].data_type == DataType::kJson) as_json = true;
          }
          if (!as_json) {
            if (type == dom::element_type::OBJECT) {
              stack.emplace_back(&entry, dom::object(v));
              levels.push_back(lvl + 1);
            } else {
              lists->push_back({&entry.path, dom::array(v)});
            }
            continue;
          }
        }
        FlatValue fv;
        fv.column = &entry;
        fv.key = field.key;
        DLT_RETURN_IF_ERROR(ToScalar(v, &fv.value, field.key));
        values->push_back(fv);
      }
    }
    return Status::Ok();
  }

  Status WriteRow(TableState& t) {
    if (hints->disposition == WriteDisposition::kSkip) return Status::Ok();
    FaultPoint("normalize_row");
    ++t.rows;
    return writers->AddRow(t.writer_slot, t.names, t.cells, t.present, t.cells.size());
  }

  Status SetSystem(TableState& t, const char* name, std::string_view value, bool row_key, bool parent_key,
                   bool root_key, DataType type = DataType::kText) {
    // The five system columns are looked up once per table, then by slot.
    int slot = name[5] == 'l' && name[6] == 'o' ? 0 : name[5] == 'i' ? 1 : name[5] == 'p' ? 2 : name[5] == 'l' ? 3 : 4;
    int& idx = t.system_index[slot];
    if (idx < 0) {
      auto it = t.index.find(name);
      if (it == t.index.end()) {
        Column c;
        c.name = name;
        c.data_type = type;
        c.nullable = false;
        c.unique = row_key;
        c.row_key = row_key;
        c.parent_key = parent_key;
        c.root_key = root_key;
        idx = AddColumn(t, std::move(c));
      } else {
        idx = it->second;
      }
    }
    if (static_cast<size_t>(idx) < t.cells.size() && t.set_in_row[idx] != t.generation) {
      t.cells[idx].assign(value);
      t.set_in_row[idx] = t.generation;
      t.present[idx] = 1;
      return Status::Ok();
    }
    return SetCell(t, idx, std::string(value), name);
  }


  Status CheckNotNull(TableState& t) {
    const Table& st = SchemaTable(t);
    if (t.name == root_table) {
      if (pk_for != hints) {
        pk_for = hints;
        pk_names.clear();
        for (const auto& pk : hints->primary_key) pk_names.push_back(naming->NormalizePath(pk));
      }
      for (const auto& col : pk_names) {
        auto it = t.index.find(col);
        if (it == t.index.end() || static_cast<size_t>(it->second) >= t.present.size() || !t.present[it->second]) {
          return InvalidArgument(Where() + ": the record has no value for the primary key `" + col + "` of table `" +
                                 t.name + "`");
        }
      }
    }
    if (t.not_null_for != st.columns.size()) {
      t.not_null.clear();
      for (size_t i = 0; i < st.columns.size(); ++i) {
        if (!st.columns[i].nullable) t.not_null.push_back(static_cast<int>(i));
      }
      t.not_null_for = st.columns.size();
    }
    for (int ni : t.not_null) {
      size_t i = static_cast<size_t>(ni);
      const Column& c = st.columns[i];
      if (i >= t.present.size() || !t.present[i]) {
        return InvalidArgument(Where() + ": column `" + c.name + "` of table `" + t.name +
                               "` is declared not null" + (c.primary_key ? " (primary key)" : "") +
                               " but the record has no value for it");
      }
    }
    return Status::Ok();
  }

  Status NormalizeObject(TableState& t, dom::object obj, int level, const std::string& row_id,
                         const std::string* parent_id, std::optional<uint64_t> list_idx,
                         const std::string& root_id) {
    BeginRow(t);
    json_scratch.clear();
    // Buffers reused row after row; one pair per nesting level because the lists of a row are
    // still being walked while its nested rows are normalized.
    if (values_pool.size() <= static_cast<size_t>(level)) {
      values_pool.resize(level + 1);
      lists_pool.resize(level + 1);
    }
    std::vector<FlatValue>& values = values_pool[level];
    std::vector<PendingList>& lists = lists_pool[level];
    values.clear();
    lists.clear();
    DLT_RETURN_IF_ERROR(Flatten(t, obj, level, &values, &lists));
    for (const auto& fv : values) DLT_RETURN_IF_ERROR(AddValue(t, *fv.column, fv.value, fv.key));
    DLT_RETURN_IF_ERROR(FinishRow(t, row_id, parent_id, list_idx, root_id));
    return EmitLists(t, lists, level, row_id, root_id);
  }

  Status FinishRow(TableState& t, const std::string& row_id, const std::string* parent_id,
                   std::optional<uint64_t> list_idx, const std::string& root_id) {
    if (!parent_id) {
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_load_id", load_id, false, false, false));
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_id", row_id, true, false, false));
    } else {
      if (propagate_root) DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_root_id", root_id, false, false, true));
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_parent_id", *parent_id, false, true, false));
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, *list_idx);
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_list_idx", std::string_view(buf, static_cast<size_t>(r.ptr - buf)), false,
                                    false, false, DataType::kBigint));
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_id", row_id, true, false, false));
    }
    DLT_RETURN_IF_ERROR(CheckNotNull(t));
    SchemaTable(t).seen_data = true;
    return WriteRow(t);
  }

  Status EmitLists(TableState& t, std::vector<PendingList>& lists, int level, const std::string& row_id,
                   const std::string& root_id) {
    for (auto& pl : lists) {
      const auto& child = ChildTable(t.path, *pl.path);
      DLT_RETURN_IF_ERROR(EmitList(child.first, child.second, t.name, pl.items, level + 1, row_id, root_id));
    }
    return Status::Ok();
  }

  Status EmitList(const std::string& child, const std::string& child_path, const std::string& parent,
                  dom::array items, int level, const std::string& parent_id, const std::string& root_id) {
    uint64_t idx = 0;
    TableState* ctp = nullptr;
    for (dom::element item : items) {
      if (!ctp) {
        ctp = &GetTable(child, parent, &child_path);
        DLT_RETURN_IF_ERROR(CheckNewTable(*ctp));
      }
      TableState& ct = *ctp;
      std::string id = NestedRowKey(parent_id, child, idx);
      auto type = item.type();
      // As dlt: an object is a row of this table however deep it is (at max_table_nesting its
      // own nested values become json columns, Flatten); a list inside a list is a row wrapping
      // it as its field `list`, which is a table one level down while the nesting allows,
      // else the row's json column `list`.
      if (type == dom::element_type::OBJECT) {
        DLT_RETURN_IF_ERROR(NormalizeObject(ct, dom::object(item), level, id, &parent_id, idx, root_id));
      } else if (type == dom::element_type::ARRAY && level + 1 < hints->max_nesting) {
        // The wrapping row holds only keys, the list's items one level down.
        BeginRow(ct);
        DLT_RETURN_IF_ERROR(FinishRow(ct, id, &parent_id, idx, root_id));
        const auto& grandchild = ChildTable(child_path, "list");
        DLT_RETURN_IF_ERROR(
            EmitList(grandchild.first, grandchild.second, child, dom::array(item), level + 1, id, root_id));
      } else {
        // A scalar in the column `value`; a list at the limit as the json column `list`.
        const bool list = type == dom::element_type::ARRAY;
        ColumnEntry& column = list ? list_column : value_column;
        BeginRow(ct);
        json_scratch.clear();
        ScalarValue v;
        DLT_RETURN_IF_ERROR(ToScalar(item, &v, column.name));
        DLT_RETURN_IF_ERROR(AddValue(ct, column, v, column.name));
        DLT_RETURN_IF_ERROR(FinishRow(ct, id, &parent_id, idx, root_id));
      }
      ++idx;
    }
    return Status::Ok();
  }

  Status NormalizeText(std::string_view json, const TableHints& h, bool readable_tail = false) {
    if (hints != &h || hints_epoch != prepare_epoch || hints_table_name != h.table_name) {
      root_table = naming->NormalizeIdentifier(h.table_name);
      propagate_root = schema->PropagatesRootKey(root_table);
      hints_table_name = h.table_name;
      hints_epoch = prepare_epoch;
    }
    hints = &h;
    where_item = -1;
    dom::element doc;
    // simdjson reads past the end of its input: unless the caller's buffer goes on long enough,
    // parse from a reused buffer with the padding it needs (instead of letting it allocate a
    // padded copy for every record).
    const char* text = json.data();
    if (!readable_tail) {
      padded.assign(json);
      padded.append(simdjson::SIMDJSON_PADDING, '\0');
      text = padded.data();
    }
    auto err = parser.parse(text, json.size(), false).get(doc);
    if (err) return InvalidArgument(Where() + ": invalid JSON: " + simdjson::error_message(err));
    if (doc.type() == dom::element_type::ARRAY) {
      int64_t i = 0;
      for (dom::element item : dom::array(doc)) {
        where_item = i++;
        DLT_RETURN_IF_ERROR(NormalizeRoot(item));
      }
      where_item = -1;
      return Status::Ok();
    }
    return NormalizeRoot(doc);
  }

  Status NormalizeRoot(dom::element e) {
    TableState& t = GetTable(root_table, std::nullopt);
    DLT_RETURN_IF_ERROR(CheckNewTable(t));
    std::string id = NewRowKey();
    if (e.type() == dom::element_type::OBJECT) {
      return NormalizeObject(t, dom::object(e), 0, id, nullptr, std::nullopt, id);
    }
    // A scalar record becomes a row with a single `value` column, as in dlt.
    BeginRow(t);
    json_scratch.clear();
    ScalarValue v;
    DLT_RETURN_IF_ERROR(ToScalar(e, &v, "value"));
    DLT_RETURN_IF_ERROR(AddValue(t, value_column, v, "value"));
    return FinishRow(t, id, nullptr, std::nullopt, id);
  }
};

Normalizer::Normalizer(Schema* schema, const SnakeCaseNaming* naming, std::string load_id, JobWriterSet* writers)
    : impl_(std::make_unique<Impl>()) {
  impl_->schema = schema;
  impl_->naming = naming;
  impl_->load_id = std::move(load_id);
  impl_->writers = writers;
  for (const Table& table : schema->tables()) {
    impl_->schema_had_data |= table.seen_data && !schema->IsSystemTable(table.name);
  }
}

Normalizer::~Normalizer() = default;

const std::map<std::string, uint64_t>& Normalizer::row_counts() const {
  impl_->counts_view = impl_->counts;
  for (const auto& [name, t] : impl_->tables) {
    if (t->rows) impl_->counts_view[name] += t->rows;
  }
  return impl_->counts_view;
}

void Normalizer::ForgetTable(const std::string& table) {
  Impl& im = *impl_;
  if (auto it = im.tables.find(table); it != im.tables.end()) {
    if (it->second->rows) im.counts[table] += it->second->rows;
    im.tables.erase(it);
  }
}

Status Normalizer::Prepare(const TableHints& hints) {
  Impl& im = *impl_;
  std::string name = im.naming->NormalizeIdentifier(hints.table_name);
  if (name.empty()) return InvalidArgument("table name `" + hints.table_name + "` normalizes to an empty name");
  Table* t = im.schema->FindTable(name);
  if (t && t->parent) {
    return InvalidArgument("table `" + name + "` of resource `" + hints.resource +
                           "` is already a nested table of `" + *t->parent + "`; choose another table name");
  }
  if (!t) {
    Table nt;
    nt.name = name;
    nt.write_disposition = hints.disposition;
    nt.resource = hints.resource;
    t = &im.schema->AddTable(std::move(nt));
  }
  t->write_disposition = hints.disposition;
  if (!t->resource) t->resource = hints.resource;
  auto declare = [&](const ColumnHint& h) -> Status {
    std::string cname = im.naming->NormalizePath(h.name);
    if (cname.empty()) return InvalidArgument("column hint `" + h.name + "` normalizes to an empty name");
    Column* c = t->FindColumn(cname);
    if (!c) {
      if (!h.data_type) return Status::Ok();  // created when data arrives, hints applied below
      Column nc;
      nc.name = cname;
      nc.data_type = *h.data_type;
      t->columns.push_back(nc);
      c = &t->columns.back();
    } else if (h.data_type && c->data_type != *h.data_type) {
      return InvalidArgument("column `" + cname + "` of table `" + name + "` already has type " +
                             std::string(DataTypeName(c->data_type)) + " and cannot be declared " +
                             std::string(DataTypeName(*h.data_type)));
    }
    if (h.nullable) c->nullable = *h.nullable;
    if (h.primary_key) c->primary_key = true, c->nullable = false;
    if (h.merge_key) c->merge_key = true;
    if (h.unique) c->unique = true;
    if (h.precision) c->precision = h.precision;
    if (h.scale) c->scale = h.scale;
    ApplyColumnHintProperties(h, c);
    return Status::Ok();
  };
  std::vector<ColumnHint> all = hints.columns;
  for (const auto& pk : hints.primary_key) {
    ColumnHint h;
    h.name = pk;
    h.primary_key = true;
    all.push_back(h);
  }
  for (const auto& mk : hints.merge_key) {
    ColumnHint h;
    h.name = mk;
    h.merge_key = true;
    all.push_back(h);
  }
  for (const auto& h : all) DLT_RETURN_IF_ERROR(declare(h));
  if (!hints.incremental_cursor.empty()) {
    if (Column* c = t->FindColumn(im.naming->NormalizePath(hints.incremental_cursor))) c->extra["incremental"] = true;
  }
  if (hints.disposition == WriteDisposition::kMerge) im.schema->EnableRootKeyPropagation(name);
  // Column hints for columns that do not exist yet are applied when the columns appear.
  if (auto it = im.tables.find(name); it != im.tables.end()) {
    if (it->second->rows) im.counts[name] += it->second->rows;
    im.tables.erase(it);
  }
  ++im.prepare_epoch;
  return Status::Ok();
}

Status Normalizer::NormalizeRecord(std::string_view json, const TableHints& hints, std::string_view where) {
  impl_->where_fn = nullptr;
  impl_->where_text = where;
  return impl_->NormalizeText(json, hints);
}

const size_t Normalizer::kParserPadding = simdjson::SIMDJSON_PADDING;

Status Normalizer::NormalizeRecord(std::string_view json, const TableHints& hints,
                                   const std::function<std::string()>& where, bool readable_tail) {
  impl_->where_fn = &where;
  impl_->where_text = {};
  Status s = impl_->NormalizeText(json, hints, readable_tail);
  impl_->where_fn = nullptr;
  return s;
}

}  // namespace dlt
