// The walk over a record (NormalizerCore, relational_impl.h), as dlt's relational JSON normalizer:
// objects flattened into the columns of a row, lists into rows of nested tables with their row keys
// and system columns. Inline, for relational.cc only (see relational_impl.h).
#pragma once

#include <algorithm>
#include <charconv>

#include "common/fault.h"
#include "common/hash.h"
#include "common/sorted_json.h"
#include "common/text.h"
#include "common/typed_json.h"
#include "normalize/relational_impl.h"
#include "normalize/typed_json_markers.h"

namespace dlt {

inline void NormalizerCore::BeginRow(TableState& t) {
  ++t.generation;
  t.row_discarded = false;
  t.cells.resize(t.names.size());
  t.present.assign(t.names.size(), 0);
  t.set_in_row.resize(t.names.size(), 0);
}

inline Status NormalizerCore::ToScalar(dom::element e, ScalarValue* out, std::string_view key) {
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

// Flattens an object into (column, value) pairs of one row. Nested objects are expanded
// last-in-first-out, as dlt does; lists are collected for nested tables.
inline Status NormalizerCore::Flatten(TableState& t, dom::object obj, int level,
                                      std::vector<FlatValue>* values, std::vector<PendingList>* lists) {
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
          // dlt keeps a value whole when the schema's preferred type of its column is json
          if (idx < 0 && !settings.standard() && settings.PreferredType(column) == DataType::kJson) as_json = true;
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

inline Status NormalizerCore::WriteRow(TableState& t) {
  if (hints->disposition == WriteDisposition::kSkip) return Status::Ok();
  FaultPoint("normalize_row");
  ++t.rows;
  return writers->AddRow(t.writer_slot, t.names, t.cells, t.present, t.cells.size());
}

inline Status NormalizerCore::SetSystem(TableState& t, const char* name, std::string_view value, bool row_key,
                                        bool parent_key, bool root_key, DataType type) {
  // The five system columns are looked up once per table, then by slot.
  int slot = name[5] == 'l' && name[6] == 'o' ? 0 : name[5] == 'i' ? 1 : name[5] == 'p' ? 2 : name[5] == 'l' ? 3 : 4;
  int& idx = t.system_index[slot];
  if (idx < 0) {
    auto it = t.index.find(name);
    if (it == t.index.end()) {
      Column c;
      c.name = name;
      if (!settings.standard()) settings.ApplyHints(&c);  // e.g. partition on _dlt_load_id; the keys below win
      c.data_type = type;
      c.nullable = false;
      c.unique = row_key;
      c.row_key = row_key;
      c.parent_key = parent_key;
      c.root_key = root_key;
      // scd2 keeps the row's version hash in the root's _dlt_id, which is then not unique.
      if (slot == 1 && root_id_kind == RootId::kRowHash && t.name == root_table) ApplyRowVersionHints(&c);
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

inline Status NormalizerCore::CheckNotNull(TableState& t) {
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

inline Status NormalizerCore::NormalizeObject(TableState& t, dom::object obj, int level,
                                              const std::string& row_id, const std::string* parent_id,
                                              std::optional<uint64_t> list_idx, const std::string& root_id) {
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
  // As dlt: a row that brings its own `_dlt_id` (rows dlt wrote, loaded again) keeps it when it is
  // truthy (a non-empty string, a non-zero integer), and its nested rows hang off it; a falsy one
  // gets a new id. Either way the column is the system column, with its hints (FinishRow).
  std::string own_id;
  for (const auto& fv : values) {
    const std::string& name = fv.column->name;
    if (name.size() == 7 && name == "_dlt_id") {
      if (fv.value.kind == ScalarValue::Kind::kString && !fv.value.s.empty()) own_id.assign(fv.value.s);
      if (fv.value.kind == ScalarValue::Kind::kInt && fv.value.i != 0) own_id = std::to_string(fv.value.i);
      continue;
    }
    DLT_RETURN_IF_ERROR(AddValue(t, *fv.column, fv.value, fv.key));
  }
  // A row a schema contract discards (discard_row) is not written, and its nested rows are not
  // walked (dlt does not descend into a discarded row); its parent and siblings stay.
  if (t.row_discarded) return Status::Ok();
  if (!own_id.empty()) {
    const std::string& root = parent_id ? root_id : own_id;
    DLT_RETURN_IF_ERROR(FinishRow(t, own_id, parent_id, list_idx, root));
    return EmitLists(t, lists, level, own_id, root);
  }
  DLT_RETURN_IF_ERROR(FinishRow(t, row_id, parent_id, list_idx, root_id));
  return EmitLists(t, lists, level, row_id, root_id);
}

inline Status NormalizerCore::FinishRow(TableState& t, const std::string& row_id, const std::string* parent_id,
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

namespace walk_detail {

// Items of a list (simdjson's count saturates at 0xFFFFFF).
inline uint64_t ListSize(dom::array items) {
  uint64_t n = items.size();
  if (n < 0xFFFFFF) return n;
  n = 0;
  for (dom::element e : items) (void)e, ++n;
  return n;
}

// Row keys computed ahead for at most this many nested rows at once (a row's lists, or a part
// of one long list), so that memory does not grow with a list's length.
inline constexpr uint64_t kKeysAhead = 256;

}  // namespace walk_detail

inline Status NormalizerCore::EmitLists(TableState& t, std::vector<PendingList>& lists, int level,
                                        const std::string& row_id, const std::string& root_id) {
  if (lists.empty()) return Status::Ok();
  // The keys of every item of the row's lists at once, unless there are many.
  uint64_t items = 0;
  for (auto& pl : lists) {
    pl.child = &ChildTable(t.path, *pl.path);
    pl.count = walk_detail::ListSize(pl.items);
    items += pl.count;
  }
  const bool ahead = items <= walk_detail::kKeysAhead;
  if (row_keys_pool.size() <= static_cast<size_t>(level)) row_keys_pool.resize(level + 1);
  std::vector<std::string>& keys = row_keys_pool[level];
  if (ahead) {
    for (const auto& pl : lists) {
      for (uint64_t i = 0; i < pl.count; ++i) key_batch.Add(row_id, pl.child->first, i);
    }
    key_batch.Compute(&keys);
  }
  size_t at = 0;
  for (const auto& pl : lists) {
    DLT_RETURN_IF_ERROR(EmitList(pl.child->first, pl.child->second, t.name, pl.items, level + 1, row_id, root_id,
                                 ahead ? keys.data() + at : nullptr));
    at += pl.count;
  }
  return Status::Ok();
}

inline Status NormalizerCore::EmitList(const std::string& child, const std::string& child_path,
                                       const std::string& parent, dom::array items, int level,
                                       const std::string& parent_id, const std::string& root_id,
                                       const std::string* keys) {
  uint64_t idx = 0;
  TableState* ctp = nullptr;
  // Without keys from EmitLists, they are computed here, kKeysAhead items at a time.
  std::vector<std::string>* own = nullptr;
  uint64_t size = 0;
  if (!keys) {
    if (list_keys_pool.size() <= static_cast<size_t>(level)) list_keys_pool.resize(level + 1);
    own = &list_keys_pool[level];
    size = walk_detail::ListSize(items);
  }
  for (dom::element item : items) {
    if (!ctp) {
      if (DiscardsNewTable(child)) return Status::Ok();
      ctp = &GetTable(child, parent, &child_path);
      DLT_RETURN_IF_ERROR(CheckNewTable(*ctp));
    }
    TableState& ct = *ctp;
    if (own && idx % walk_detail::kKeysAhead == 0) {
      const uint64_t end = std::min(size, idx + walk_detail::kKeysAhead);
      for (uint64_t i = idx; i < end; ++i) key_batch.Add(parent_id, child, i);
      key_batch.Compute(own);
    }
    const std::string& id = own ? (*own)[idx % walk_detail::kKeysAhead] : keys[idx];
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
          EmitList(grandchild.first, grandchild.second, child, dom::array(item), level + 1, id, root_id, nullptr));
    } else {
      // A scalar in the column `value`; a list at the limit as the json column `list`.
      const bool list = type == dom::element_type::ARRAY;
      ColumnEntry& column = list ? list_column : value_column;
      BeginRow(ct);
      json_scratch.clear();
      ScalarValue v;
      DLT_RETURN_IF_ERROR(ToScalar(item, &v, column.name));
      DLT_RETURN_IF_ERROR(AddValue(ct, column, v, column.name));
      if (!ct.row_discarded) DLT_RETURN_IF_ERROR(FinishRow(ct, id, &parent_id, idx, root_id));
    }
    ++idx;
  }
  return Status::Ok();
}

inline Status NormalizerCore::NormalizeText(std::string_view json, const TableHints& h, bool readable_tail) {
  if (hints != &h || hints_epoch != prepare_epoch || hints_table_name != h.table_name) {
    root_table = naming->NormalizeIdentifier(h.table_name);
    propagate_root = schema->PropagatesRootKey(root_table);
    hints_table_name = h.table_name;
    hints_epoch = prepare_epoch;
    hints = &h;
    PrepareRootId();
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

inline Status NormalizerCore::NormalizeRoot(dom::element e) {
  if (DiscardsNewTable(root_table)) return Status::Ok();
  TableState& t = GetTable(root_table, std::nullopt);
  DLT_RETURN_IF_ERROR(CheckNewTable(t));
  std::string id = RootRowId(e);
  if (e.type() == dom::element_type::OBJECT) {
    return NormalizeObject(t, dom::object(e), 0, id, nullptr, std::nullopt, id);
  }
  // A scalar record becomes a row with a single `value` column, as in dlt.
  BeginRow(t);
  json_scratch.clear();
  ScalarValue v;
  DLT_RETURN_IF_ERROR(ToScalar(e, &v, "value"));
  DLT_RETURN_IF_ERROR(AddValue(t, value_column, v, "value"));
  if (t.row_discarded) return Status::Ok();
  return FinishRow(t, id, nullptr, std::nullopt, id);
}

inline void NormalizerCore::PrepareRootId() {
  root_id_kind = RootId::kRandom;
  row_version_in_data = false;
  key_hash_names.clear();
  if (hints->disposition != WriteDisposition::kMerge) return;
  const std::string& strategy = hints->merge.strategy;
  if (strategy == "upsert" || strategy == "insert-only") {
    root_id_kind = RootId::kKeyHash;
    auto add = [&](const std::string& n) {
      if (std::find(key_hash_names.begin(), key_hash_names.end(), n) == key_hash_names.end()) key_hash_names.push_back(n);
    };
    for (const auto& pk : hints->primary_key) add(naming->NormalizePath(pk));
    for (const auto& c : hints->columns) {
      if (c.primary_key) add(naming->NormalizePath(c.name));
    }
    if (const Table* st = schema->FindTable(root_table)) {
      for (const auto& c : st->columns) {
        if (c.primary_key) add(c.name);
      }
    }
    // dlt's JSON of the key has its keys sorted.
    std::sort(key_hash_names.begin(), key_hash_names.end());
  } else if (strategy == "scd2") {
    if (naming->NormalizePath(RowVersionColumn(hints->merge)) == "_dlt_id") {
      root_id_kind = RootId::kRowHash;
    } else {
      row_version_in_data = true;
    }
  }
}

// The value of the flattened field `name` (a normalized path: "id", "user__id") of `obj`, as JSON.
inline bool NormalizerCore::AppendKeyValue(dom::object obj, std::string_view name, std::string& out) {
  for (auto field : obj) {
    const std::string& key = NormKey(field.key);
    if (key == name) {
      if (field.value.is_null()) return false;
      AppendSortedJson(field.value, out, /*strip_markers=*/false);
      return true;
    }
    const std::string_view sep = naming->path_separator();
    if (field.value.is_object() && name.size() > key.size() + sep.size() && name.starts_with(key) &&
        name.substr(key.size(), sep.size()) == sep) {
      if (AppendKeyValue(dom::object(field.value), name.substr(key.size() + sep.size()), out)) return true;
    }
  }
  return false;
}

// A root row's `_dlt_id` as dlt makes it (relational.py _add_row_id): random, or 10 bytes of
// SHAKE-128 in base64 of the record's JSON as dlt writes it (sorted keys, typed values with their
// markers): of the primary key's fields (upsert, insert-only) or of the whole record but its
// "_dlt" keys (scd2).
inline std::string NormalizerCore::RootRowId(dom::element e) {
  if (root_id_kind == RootId::kRandom) return NewRowKey();
  std::string& json = hash_scratch;
  json.clear();
  const bool object = e.type() == dom::element_type::OBJECT;
  if (root_id_kind == RootId::kRowHash) {
    if (object) {
      AppendSortedJson(e, json, /*strip_markers=*/false, /*skip_dlt_keys=*/true);
    } else {
      json += "{\"value\":";  // a scalar record is the row {"value": ...}
      AppendSortedJson(e, json, /*strip_markers=*/false);
      json += '}';
    }
  } else {
    if (!object || key_hash_names.empty()) return NewRowKey();  // refused by CheckNotNull
    json += '{';
    for (size_t i = 0; i < key_hash_names.size(); ++i) {
      if (i) json += ',';
      text::AppendJsonString(json, key_hash_names[i], /*short_escapes=*/true);
      json += ':';
      if (!AppendKeyValue(dom::object(e), key_hash_names[i], json)) return NewRowKey();  // refused by CheckNotNull
    }
    json += '}';
  }
  return hash::Base64Encode(hash::Shake128(json, 10), false);
}

}  // namespace dlt
