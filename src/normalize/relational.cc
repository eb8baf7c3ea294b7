// The only translation unit of the normalizer that includes simdjson.
#include "normalize/relational.h"

#include <simdjson.h>

#include <cmath>
#include <cstdlib>
#include <charconv>
#include <deque>
#include <cmath>
#include <random>
#include <unordered_map>

#include "common/fault.h"
#include "common/hash.h"
#include "normalize/coerce.h"

namespace dlt {

namespace dom = simdjson::dom;

std::string NewRowKey() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t a = rng(), b = rng();
  char bytes[10];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((a >> (i * 8)) & 0xff);
  bytes[8] = static_cast<char>(b & 0xff);
  bytes[9] = static_cast<char>((b >> 8) & 0xff);
  return hash::Base64Encode(std::string_view(bytes, 10), false);
}

std::string NestedRowKey(std::string_view parent_id, std::string_view table, uint64_t list_idx) {
  std::string input;
  input.reserve(parent_id.size() + table.size() + 24);
  input.append(parent_id).append("_").append(table).append("_").append(std::to_string(list_idx));
  return hash::Base64Encode(hash::Shake128(input, 10), false);
}

namespace {

struct TableState {
  size_t schema_index = 0;
  std::string name;
  std::unordered_map<std::string, int> index;  // column name -> position
  std::vector<std::string> names;              // column names in order (file headers)
  std::vector<std::string> cells;
  std::vector<char> present;
  std::vector<uint32_t> set_in_row;  // row generation that last set each column
  uint32_t generation = 0;
  int system_index[5] = {-1, -1, -1, -1, -1};  // _dlt_load_id, _dlt_id, _dlt_parent_id, _dlt_list_idx, _dlt_root_id
};

// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z": already what both DuckDB and PostgreSQL parse as a UTC instant,
// so it is written as it is (the common case; other forms go through ParseIsoTimestamp).
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
  if (s.size() == 20) return true;
  if (s[19] != '.' || s.size() < 22) return false;
  for (size_t i = 20; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

struct FlatValue {
  const std::string* column;  // owned by the normalizer's name cache
  std::string_view key;  // the source key, for error messages
  ScalarValue value;
};

struct PendingList {
  const std::string* path;  // normalized path inside the table ("payload__commits"), cached
  dom::array items;
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
  NameCache column_cache;  // prefix \x1f raw key -> column name
  NameCache child_cache;   // table \x1f path -> nested table name
  NameCache variant_cache; // column \x1f type -> variant column name
  std::string scratch;
  std::string padded;  // the record being parsed, followed by simdjson's padding
  const TableHints* declared_for = nullptr;
  const TableHints* pk_for = nullptr;
  std::vector<std::string> pk_names;  // normalized primary key columns of pk_for
  std::vector<std::string> declared_names;  // normalized names of hints->columns
  std::map<std::string, uint64_t> counts;
  std::deque<std::string> json_scratch;  // keeps minified JSON alive for a row (stable addresses)
  std::deque<std::vector<FlatValue>> values_pool;
  std::deque<std::vector<PendingList>> lists_pool;
  std::vector<std::pair<const std::string*, dom::object>> flatten_stack;
  std::vector<int> flatten_levels;
  const TableHints* hints = nullptr;
  std::string root_table;
  bool propagate_root = false;
  std::string where;

  Table& SchemaTable(TableState& t) { return schema->mutable_tables()[t.schema_index]; }

  const std::string& NormKey(std::string_view raw) {
    auto it = key_cache.find(raw);
    if (it != key_cache.end()) return it->second;
    std::string n = naming->NormalizeKey(raw);
    return key_cache.emplace(std::string(raw), std::move(n)).first->second;
  }

  // The column of `raw` inside an object at `prefix` (cached: no allocation once seen).
  const std::string& ColumnName(const std::string& prefix, std::string_view raw) {
    scratch.assign(prefix).append(1, '\x1f').append(raw);
    auto it = column_cache.find(std::string_view(scratch));
    if (it != column_cache.end()) return it->second;
    const std::string& norm = NormKey(raw);
    std::string column = norm.empty() ? std::string() : prefix.empty() ? norm : naming->MakePath({prefix, norm});
    return column_cache.emplace(scratch, std::move(column)).first->second;
  }

  const std::string& Cached(NameCache& cache, const std::string& a, std::string_view b,
                            const std::vector<std::string>& parts) {
    scratch.assign(a).append(1, '\x1f').append(b);
    auto it = cache.find(std::string_view(scratch));
    if (it != cache.end()) return it->second;
    return cache.emplace(scratch, naming->MakePath(parts)).first->second;
  }

  TableState& GetTable(const std::string& name, const std::optional<std::string>& parent) {
    auto it = tables.find(name);
    if (it != tables.end()) return *it->second;
    auto st = std::make_unique<TableState>();
    st->name = name;
    Table* t = schema->FindTable(name);
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
      return InvalidArgument(where + ": field `" + std::string(key) + "` maps to column `" + t.names[idx] +
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
    if (v.kind != ScalarValue::Kind::kString) return Status::Ok();
    if (type != DataType::kDouble && type != DataType::kDecimal && type != DataType::kWei) return Status::Ok();
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || std::isfinite(d)) return Status::Ok();
    return InvalidArgument(where + ": value \"" + std::string(v.s) + "\" of field `" + std::string(key) +
                           "` cannot be stored in the " + std::string(DataTypeName(type)) + " column `" + column +
                           "` of table `" + t.name + "`: NaN and infinity are not supported");
  }

  // Puts a value into its column, creating the column or a variant column as needed.
  Status AddValue(TableState& t, const std::string& column, const ScalarValue& v, std::string_view key) {
    if (v.kind == ScalarValue::Kind::kNull) return Status::Ok();
    auto it = t.index.find(column);
    if (it == t.index.end()) {
      Column c;
      c.name = column;
      c.data_type = InferType(v);
      if (const ColumnHint* h = DeclaredColumn(t, column)) {
        if (h->data_type) c.data_type = *h->data_type;
        if (h->nullable) c.nullable = *h->nullable;
        if (h->unique) c.unique = true;
        if (h->precision) c.precision = h->precision;
        if (h->scale) c.scale = h->scale;
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
    int idx = it->second;
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
    const std::string& variant =
        Cached(variant_cache, column, DataTypeName(vt), {column, "v_" + std::string(DataTypeName(vt))});
    auto vit = t.index.find(variant);
    int vidx;
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
      return InvalidArgument(where + ": value of field `" + std::string(key) + "` cannot be stored in column `" +
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
        return InvalidArgument(where + ": integer " + std::to_string(uint64_t(e)) + " in field `" +
                               std::string(key) + "` is larger than the bigint range (2^63-1); "
                               "quote it as a string or declare the column as decimal/text");
      case dom::element_type::DOUBLE:
        out->kind = ScalarValue::Kind::kDouble;
        out->d = double(e);
        return Status::Ok();
      case dom::element_type::STRING:
        out->kind = ScalarValue::Kind::kString;
        out->s = std::string_view(e);
        return Status::Ok();
      default:
        out->kind = ScalarValue::Kind::kJson;
        json_scratch.push_back(simdjson::minify(e));
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
    static const std::string kNoPrefix;
    auto& stack = flatten_stack;
    auto& levels = flatten_levels;
    stack.clear();
    levels.clear();
    stack.emplace_back(&kNoPrefix, obj);
    levels.push_back(level);
    while (!stack.empty()) {
      auto [prefix, o] = stack.back();
      int lvl = levels.back();
      stack.pop_back();
      levels.pop_back();
      for (auto field : o) {
        const std::string& column = ColumnName(*prefix, field.key);
        if (column.empty()) {
          return InvalidArgument(where + ": field name `" + std::string(field.key) +
                                 "` normalizes to an empty column name; rename the field");
        }
        dom::element v = field.value;
        auto type = v.type();
        bool nested = type == dom::element_type::OBJECT || type == dom::element_type::ARRAY;
        if (nested) {
          const ColumnHint* declared = DeclaredColumn(t, column);
          bool as_json = lvl + 1 > hints->max_nesting || (declared && declared->data_type == DataType::kJson);
          if (!as_json) {
            auto it = t.index.find(column);
            if (it != t.index.end() && SchemaTable(t).columns[it->second].data_type == DataType::kJson) as_json = true;
          }
          if (!as_json) {
            if (type == dom::element_type::OBJECT) {
              stack.emplace_back(&column, dom::object(v));
              levels.push_back(lvl + 1);
            } else {
              lists->push_back({&column, dom::array(v)});
            }
            continue;
          }
        }
        FlatValue fv;
        fv.column = &column;
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
    counts[t.name]++;
    return writers->AddRow(t.name, t.names, t.cells, t.present, t.cells.size());
  }

  Status SetSystem(TableState& t, const char* name, std::string_view value, bool row_key, bool parent_key,
                   bool root_key, DataType type = DataType::kText) {
    // The five system columns are looked up once per table, then by slot.
    int slot = name[5] == 'l' && name[6] == 'o' ? 0 : name[5] == 'i' ? 1 : name[5] == 'p' ? 2 : name[5] == 'l' ? 3 : 4;
    int& idx = t.system_index[slot];
    if (idx < 0 || static_cast<size_t>(idx) >= t.names.size() || t.names[idx] != name) {
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
          return InvalidArgument(where + ": the record has no value for the primary key `" + col + "` of table `" +
                                 t.name + "`");
        }
      }
    }
    for (size_t i = 0; i < st.columns.size(); ++i) {
      const Column& c = st.columns[i];
      if (!c.nullable && (i >= t.present.size() || !t.present[i])) {
        return InvalidArgument(where + ": column `" + c.name + "` of table `" + t.name +
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
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_list_idx", std::to_string(*list_idx), false, false, false, DataType::kBigint));
      DLT_RETURN_IF_ERROR(SetSystem(t, "_dlt_id", row_id, true, false, false));
    }
    DLT_RETURN_IF_ERROR(CheckNotNull(t));
    SchemaTable(t).seen_data = true;
    return WriteRow(t);
  }

  Status EmitLists(TableState& t, std::vector<PendingList>& lists, int level, const std::string& row_id,
                   const std::string& root_id) {
    for (auto& pl : lists) {
      const std::string& child = Cached(child_cache, t.name, *pl.path, {t.name, *pl.path});
      DLT_RETURN_IF_ERROR(EmitList(child, t.name, pl.items, level + 1, row_id, root_id));
    }
    return Status::Ok();
  }

  Status EmitList(const std::string& child, const std::string& parent, dom::array items, int level,
                  const std::string& parent_id, const std::string& root_id) {
    uint64_t idx = 0;
    for (dom::element item : items) {
      TableState& ct = GetTable(child, parent);
      std::string id = NestedRowKey(parent_id, child, idx);
      auto type = item.type();
      if (type == dom::element_type::OBJECT && level + 1 <= hints->max_nesting) {
        DLT_RETURN_IF_ERROR(NormalizeObject(ct, dom::object(item), level, id, &parent_id, idx, root_id));
      } else if (type == dom::element_type::ARRAY && level + 1 <= hints->max_nesting) {
        // A list inside a list: an intermediate row holding only keys, its items one level down.
        BeginRow(ct);
        DLT_RETURN_IF_ERROR(FinishRow(ct, id, &parent_id, idx, root_id));
        const std::string& grandchild = Cached(child_cache, child, "list", {child, "list"});
        DLT_RETURN_IF_ERROR(EmitList(grandchild, child, dom::array(item), level + 1, id, root_id));
      } else {
        BeginRow(ct);
        json_scratch.clear();
        ScalarValue v;
        DLT_RETURN_IF_ERROR(ToScalar(item, &v, "value"));
        DLT_RETURN_IF_ERROR(AddValue(ct, "value", v, "value"));
        DLT_RETURN_IF_ERROR(FinishRow(ct, id, &parent_id, idx, root_id));
      }
      ++idx;
    }
    return Status::Ok();
  }

  Status NormalizeRoot(dom::element e) {
    TableState& t = GetTable(root_table, std::nullopt);
    std::string id = NewRowKey();
    if (e.type() == dom::element_type::OBJECT) {
      return NormalizeObject(t, dom::object(e), 0, id, nullptr, std::nullopt, id);
    }
    // A scalar record becomes a row with a single `value` column, as in dlt.
    BeginRow(t);
    json_scratch.clear();
    ScalarValue v;
    DLT_RETURN_IF_ERROR(ToScalar(e, &v, "value"));
    DLT_RETURN_IF_ERROR(AddValue(t, "value", v, "value"));
    return FinishRow(t, id, nullptr, std::nullopt, id);
  }
};

Normalizer::Normalizer(Schema* schema, const SnakeCaseNaming* naming, std::string load_id, JobWriterSet* writers)
    : impl_(std::make_unique<Impl>()) {
  impl_->schema = schema;
  impl_->naming = naming;
  impl_->load_id = std::move(load_id);
  impl_->writers = writers;
}

Normalizer::~Normalizer() = default;

const std::map<std::string, uint64_t>& Normalizer::row_counts() const { return impl_->counts; }

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
  im.tables.erase(name);
  return Status::Ok();
}

Status Normalizer::NormalizeRecord(std::string_view json, const TableHints& hints, std::string_view where) {
  Impl& im = *impl_;
  im.hints = &hints;
  im.root_table = im.naming->NormalizeIdentifier(hints.table_name);
  im.propagate_root = im.schema->PropagatesRootKey(im.root_table);
  im.where = std::string(where);
  dom::element doc;
  // simdjson reads past the end of its input: parse from a reused buffer with the padding it
  // needs instead of letting it allocate a padded copy for every record.
  im.padded.assign(json);
  im.padded.append(simdjson::SIMDJSON_PADDING, '\0');
  auto err = im.parser.parse(im.padded.data(), json.size(), false).get(doc);
  if (err) {
    return InvalidArgument(std::string(where) + ": invalid JSON: " + simdjson::error_message(err));
  }
  if (doc.type() == dom::element_type::ARRAY) {
    uint64_t i = 0;
    for (dom::element item : dom::array(doc)) {
      im.where = std::string(where) + " (item " + std::to_string(i++) + ")";
      DLT_RETURN_IF_ERROR(im.NormalizeRoot(item));
    }
    return Status::Ok();
  }
  return im.NormalizeRoot(doc);
}

}  // namespace dlt
