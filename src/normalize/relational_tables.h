// The relational normalizer's tables (NormalizerCore, relational_impl.h): their states next to the
// schema's tables, the names of their columns and nested tables (shortened as dlt shortens them,
// cached), and the schema contract on new tables. Inline, for relational.cc only.
#pragma once

#include "normalize/relational_impl.h"

namespace dlt {

inline const std::string& NormalizerCore::NormKey(std::string_view raw) {
  auto it = key_cache.find(raw);
  if (it != key_cache.end()) return it->second;
  std::string n = naming->NormalizeKey(raw);
  return key_cache.emplace(std::string(raw), std::move(n)).first->second;
}

// The column of `raw` inside an object at `prefix` (cached: no allocation once seen).
inline ColumnEntry& NormalizerCore::ColumnName(const ColumnEntry& prefix, std::string_view raw) {
  auto it = column_cache.find(ColumnKeyView{&prefix, raw});
  if (it != column_cache.end()) return it->second;
  const std::string& norm = NormKey(raw);
  ColumnEntry e;
  e.raw = std::string(raw);
  if (!norm.empty()) {
    e.path = prefix.path.empty() ? norm : prefix.path + std::string(naming->path_separator()) + norm;
    e.name = prefix.path.empty() ? norm : naming->MakePath({prefix.path, norm});
  }
  return column_cache.emplace(ColumnKey{&prefix, std::string(raw)}, std::move(e)).first->second;
}

// The nested table of list `b` in the table whose unshortened path is `a`: its name
// (naming->MakePath({a, b})) and its own unshortened path (cached; built only on a miss).
inline const std::pair<std::string, std::string>& NormalizerCore::ChildTable(const std::string& a,
                                                                             std::string_view b) {
  scratch.assign(a).append(1, '\x1f').append(b);
  auto it = child_cache.find(std::string_view(scratch));
  if (it != child_cache.end()) return it->second;
  std::string path = a + std::string(naming->path_separator()) + std::string(b);
  std::string name = naming->MakePath({a, std::string(b)});
  return child_cache.emplace(scratch, std::make_pair(std::move(name), std::move(path))).first->second;
}

// Position of the column of `e` in table `t`, or -1.
inline int NormalizerCore::FindIndex(TableState& t, ColumnEntry& e) {
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
inline TableState& NormalizerCore::GetTable(const std::string& name, const std::optional<std::string>& parent,
                                            const std::string* path) {
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
    // dlt's nested_hints: a new nested table starts with its declared columns (Prepare checked
    // the hints; a column without a data type gets its hints when it appears: none here).
    for (const auto& n : parent ? hints->nested : std::vector<TableHints::Nested>{}) {
      if (NestedTableName(*naming, root_table, n.path) != name) continue;
      for (const auto& h : n.columns) (void)DeclareColumnHint(*naming, &nt, h);
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
inline Status NormalizerCore::CheckNewTable(const TableState& t) {
  if (t.had_data || hints->contract_tables != "freeze" || schema_had_data <= 0) return Status::Ok();
  return InvalidArgument(Where() + ": the record would create the new table `" + t.name +
                         "`, but the schema contract of resource `" + hints->resource +
                         "` freezes tables (schema_contract.tables = \"freeze\"); nothing of this run is loaded");
}

inline bool NormalizerCore::DiscardsNewTable(const std::string& name) {
  const std::string& mode = hints->contract_tables;
  if (mode == "evolve" || mode == "freeze" || schema_had_data <= 0) return false;
  // As CheckNewTable: a table counts as new unless it held data before this package.
  auto it = tables.find(name);
  if (it != tables.end()) return !it->second->had_data;
  const Table* t = schema->FindTable(name);
  return t == nullptr || !t->seen_data;
}

inline int NormalizerCore::AddColumn(TableState& t, Column c) {
  Table& st = SchemaTable(t);
  st.columns.push_back(std::move(c));
  int idx = static_cast<int>(t.names.size());
  t.names.push_back(st.columns.back().name);
  t.index[t.names.back()] = idx;
  return idx;
}

}  // namespace dlt
