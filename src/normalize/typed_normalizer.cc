#include "normalize/typed_normalizer.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/fault.h"
#include "common/text.h"

namespace dlt {

TypedNormalizer::TypedNormalizer(Schema* schema, const SnakeCaseNaming* naming, std::string load_id,
                                 JobWriterSet* writers, Normalizer* json)
    : schema_(schema), naming_(naming), load_id_(std::move(load_id)), writers_(writers), json_(json) {
  // Before anything of this package is written (by this or the JSON normalizer).
  for (const Table& table : schema_->tables()) {
    schema_had_data_ |= table.seen_data && !schema_->IsSystemTable(table.name);
  }
}

StatusOr<int> TypedNormalizer::TargetColumn(Table& t, bool had_data, const TypedColumn& c, const TableHints& hints,
                                           const std::string& where) {
  const std::string name = naming_->NormalizeKey(c.name);
  if (name.empty()) {
    return InvalidArgument(where + ": column name `" + c.name + "` normalizes to an empty column name; rename it");
  }
  int idx = t.ColumnIndex(name);
  if (idx >= 0) {
    const Column& existing = t.columns[static_cast<size_t>(idx)];
    if (existing.data_type == c.data_type) return idx;
    if (hints.contract_data_type == "discard_value") return kDiscardValues;
    if (hints.contract_data_type == "discard_row") return kDiscardRows;
    if (!hints.arrow_items && hints.contract_data_type != "freeze") return kViaJson;
    std::string why = hints.contract_data_type == "freeze"
                          ? "the schema contract of resource `" + hints.resource +
                                "` freezes data types (schema_contract.data_type = \"freeze\")"
                          : "Arrow items do not make variant columns";
    return InvalidArgument(where + ": column `" + c.name + "` is " + std::string(DataTypeName(c.data_type)) +
                           ", but column `" + name + "` of table `" + t.name + "` is " +
                           std::string(DataTypeName(existing.data_type)) + " (" + why +
                           "); cast the column in the source, declare its type on the resource, or drop the table; "
                           "nothing of this run is loaded");
  }
  if (had_data && hints.contract_columns != "evolve") {
    if (hints.contract_columns == "discard_value") return kDiscardValues;
    if (hints.contract_columns == "discard_row") return kDiscardRows;
    return InvalidArgument(where + ": column `" + c.name + "` would add the new column `" + name + "` to table `" +
                           t.name + "`, but the schema contract of resource `" + hints.resource +
                           "` freezes its columns (schema_contract.columns = \"freeze\"); nothing of this run is loaded");
  }
  Column col;
  col.name = name;
  col.data_type = c.data_type;
  col.precision = c.precision;
  col.scale = c.scale;
  // Rows loaded before have no value for a column added now: NOT NULL only on a new table.
  col.nullable = had_data ? true : c.nullable;
  if (c.data_type == DataType::kTimestamp && !c.timezone) col.extra["timezone"] = false;
  // Hints declared on the resource win over the batch's (the types agree: checked by Prepare,
  // which created every declared column that has a type).
  for (const ColumnHint& h : hints.columns) {
    if (naming_->NormalizePath(h.name) != name) continue;
    if (h.nullable) col.nullable = *h.nullable;
    if (h.unique) col.unique = true;
    if (h.precision) col.precision = h.precision;
    if (h.scale) col.scale = h.scale;
    ApplyColumnHintProperties(h, &col);
  }
  for (const auto& pk : hints.primary_key) {
    if (naming_->NormalizePath(pk) == name) col.primary_key = true, col.nullable = false;
  }
  for (const auto& mk : hints.merge_key) {
    if (naming_->NormalizePath(mk) == name) col.merge_key = true;
  }
  if (!hints.incremental_cursor.empty() && naming_->NormalizePath(hints.incremental_cursor) == name) {
    col.extra["incremental"] = true;
  }
  t.columns.push_back(std::move(col));
  return static_cast<int>(t.columns.size() - 1);
}

bool TypedNormalizer::IsGeneratedColumn(const std::string& name, const TableHints& hints) const {
  const std::string key = naming_->NormalizeKey(name);
  if (key == "_dlt_load_id") return !hints.arrow_items || arrow_dlt_load_id_;
  if (key == "_dlt_id") return !hints.arrow_items || arrow_dlt_id_;
  return false;
}

int TypedNormalizer::SystemColumn(Table& t, const char* name, bool row_key) {
  int idx = t.ColumnIndex(name);
  if (idx >= 0) return idx;
  Column c;
  c.name = name;
  c.data_type = DataType::kText;
  c.nullable = false;
  c.unique = row_key;
  c.row_key = row_key;
  t.columns.push_back(std::move(c));
  return static_cast<int>(t.columns.size() - 1);
}

Status TypedNormalizer::WriteTypedJob(TypedBatch& batch, const Table& t, const std::vector<int>& source_of,
                                      int load_id_idx, int id_idx) {
  const size_t rows = batch.rows();
  std::vector<TypedColumn> out_cols;
  out_cols.reserve(t.columns.size());
  for (const Column& c : t.columns) {
    TypedColumn oc;
    oc.name = c.name;
    oc.data_type = c.data_type;
    oc.precision = c.precision;
    oc.scale = c.scale;
    oc.nullable = c.nullable;
    auto tz = c.extra.find("timezone");
    oc.timezone = !(tz != c.extra.end() && tz->is_boolean() && !tz->get<bool>());
    out_cols.push_back(std::move(oc));
  }
  TypedBatch out(std::move(out_cols));
  for (size_t i = 0; i < t.columns.size(); ++i) {
    TypedVector v;
    if (static_cast<int>(i) == load_id_idx) {
      v.nulls.assign(rows, 0);
      v.texts.assign(rows, load_id_);
    } else if (static_cast<int>(i) == id_idx) {
      v.nulls.assign(rows, 0);
      v.texts.reserve(rows);
      for (size_t r = 0; r < rows; ++r) v.texts.push_back(NewRowKey());
    } else if (source_of[i] >= 0) {
      v = batch.TakeVector(static_cast<size_t>(source_of[i]));
    } else {
      // A column of the table this batch has no values for: NULL in every row.
      v.nulls.assign(rows, 1);
      switch (StorageOf(t.columns[i].data_type)) {
        case CellStorage::kInt64: v.ints.assign(rows, 0); break;
        case CellStorage::kDouble: v.doubles.assign(rows, 0.0); break;
        case CellStorage::kBool: v.bools.assign(rows, 0); break;
        case CellStorage::kText: v.texts.assign(rows, std::string_view()); break;
      }
    }
    out.SetVector(i, std::move(v));
  }
  FaultPoint("normalize_row");
  return writers_->AddBatch(writers_->Slot(t.name), out);
}

bool TypedNormalizer::HashedRowKeys(const TableHints& hints) {
  // dlt's key and row hashes are of the row as dlt's JSON of its dict: such rows take the JSON
  // normalizer's way, which computes them exactly as for rows from Python (NormalizeNestedRows).
  return hints.disposition == WriteDisposition::kMerge && hints.merge.strategy != "delete-insert" && !hints.arrow_items;
}

Status TypedNormalizer::CheckArrowMergeStrategy(const TableHints& hints, const std::string& where) {
  if (!hints.arrow_items || hints.disposition != WriteDisposition::kMerge || hints.merge.strategy != "scd2" ||
      hints.merge.row_version_column) {
    return Status::Ok();
  }
  return InvalidArgument(where + ": resource `" + hints.resource +
                         "` loads Arrow items with the scd2 merge strategy, whose row version hash this engine "
                         "computes only for dict rows: name a column of the source that holds a hash of the row "
                         "(write_disposition row_version_column_name), or read the rows as dicts (no use_pyarrow / "
                         "pyarrow backend)");
}

Status TypedNormalizer::NormalizeNestedRows(const TypedBatch& batch, const TableHints& hints,
                                            const std::string& where) {
  std::string json, cell;
  for (size_t r = 0; r < batch.rows(); ++r) {
    json.clear();
    AppendBatchRowJson(batch, r, json, cell);
    FaultPoint("normalize_row");
    DLT_RETURN_IF_ERROR(json_->NormalizeRecord(json, hints, where + " row " + std::to_string(r + 1)));
  }
  return Status::Ok();
}

StatusOr<Table*> TypedNormalizer::RootTable(const TableHints& hints, const std::string& where, const char* what) {
  const std::string root = naming_->NormalizeIdentifier(hints.table_name);
  Table* t = schema_->FindTable(root);
  const bool had_data = t && had_data_.emplace(root, t->seen_data).first->second;
  if (!had_data && schema_had_data_ && (hints.contract_tables == "discard_row" || hints.contract_tables == "discard_value")) {
    return nullptr;  // the rows of a new table are discarded (Normalizer::Prepare did not add it)
  }
  if (!t) return Internal(where + ": table `" + root + "` was not prepared");
  if (!had_data && hints.contract_tables == "freeze" && schema_had_data_) {
    return InvalidArgument(where + ": the " + what + " would create the new table `" + root +
                           "`, but the schema contract of resource `" + hints.resource +
                           "` freezes tables (schema_contract.tables = \"freeze\"); nothing of this run is loaded");
  }
  // The JSON normalizer sees the columns added here when it next writes this table.
  json_->ForgetTable(root);
  return t;
}

StatusOr<bool> TypedNormalizer::NormalizeWholeFile(const std::vector<TypedColumn>& cols, uint64_t rows,
                                                  const TableHints& hints, const std::string& where,
                                                  std::vector<std::string>* generated,
                                                  std::vector<std::pair<std::string, bool>>* not_null) {
  not_null->clear();
  generated->clear();
  if (hints.disposition == WriteDisposition::kSkip || HashedRowKeys(hints)) return false;
  DLT_RETURN_IF_ERROR(CheckArrowMergeStrategy(hints, where));
  for (const TypedColumn& c : cols) {
    if (c.nested || naming_->NormalizeKey(c.name) != c.name) return false;
  }
  DLT_ASSIGN_OR_RETURN(Table * tp, RootTable(hints, where, "file"));
  if (!tp) return false;  // discarded: its batches are skipped by NormalizeBatch
  Table& t = *tp;
  const std::string root = t.name;
  const bool had_data = had_data_.at(root);
  // A file that holds the dlt columns the load fills in (one written by dlt, with `_dlt_id` and
  // `_dlt_load_id`) goes as batches, which give those columns new values (as dlt's normalizer).
  for (const TypedColumn& c : cols) {
    if (IsGeneratedColumn(c.name, hints)) return false;
  }
  std::vector<int> target(cols.size(), -1);
  for (size_t c = 0; c < cols.size(); ++c) {
    DLT_ASSIGN_OR_RETURN(target[c], TargetColumn(t, had_data, cols[c], hints, where));
    if (target[c] < 0) return false;
    for (size_t p = 0; p < c; ++p) {
      if (target[p] == target[c]) {
        return InvalidArgument(where + ": columns `" + cols[p].name + "` and `" + cols[c].name +
                               "` both normalize to column `" + t.columns[static_cast<size_t>(target[c])].name +
                               "` of table `" + root + "`; rename one");
      }
    }
  }
  const int load_id_idx = !hints.arrow_items || arrow_dlt_load_id_ ? SystemColumn(t, "_dlt_load_id", false) : -1;
  const int id_idx = !hints.arrow_items || arrow_dlt_id_ ? SystemColumn(t, "_dlt_id", true) : -1;
  if (load_id_idx >= 0) generated->push_back(t.columns[static_cast<size_t>(load_id_idx)].name);
  if (id_idx >= 0) generated->push_back(t.columns[static_cast<size_t>(id_idx)].name);
  if (rows == 0) return true;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& col = t.columns[i];
    if (static_cast<int>(i) == load_id_idx || static_cast<int>(i) == id_idx) continue;
    if (col.nullable && !col.primary_key) continue;
    auto at = std::find(target.begin(), target.end(), static_cast<int>(i));
    if (at == target.end()) {
      return InvalidArgument(where + ": column `" + col.name + "` of table `" + root + "` is declared not null" +
                             (col.primary_key ? " (primary key)" : "") + " but the file has no such column");
    }
    not_null->emplace_back(cols[static_cast<size_t>(at - target.begin())].name, col.primary_key);
  }
  t.seen_data = true;
  counts_[root] += rows;
  return true;
}

Status TypedNormalizer::NormalizeBatch(TypedBatch& batch, const TableHints& hints, const std::string& where) {
  DLT_RETURN_IF_ERROR(batch.Validate(where));
  DLT_ASSIGN_OR_RETURN(Table * tp, RootTable(hints, where, "batch"));
  if (!tp) return Status::Ok();  // a new table whose rows the tables contract discards
  Table& t = *tp;
  const std::string root = t.name;
  const bool had_data = had_data_.at(root);

  const auto& cols = batch.columns();
  bool nested = false;
  std::vector<int> target(cols.size(), -1);
  for (size_t c = 0; c < cols.size(); ++c) {
    // Nested data gets its columns and tables from the JSON normalizer; in Arrow items it stays
    // one json column (as dlt loads Arrow structs and lists).
    if (cols[c].nested && !hints.arrow_items) {
      nested = true;
      continue;
    }
    // The batch's own `_dlt_id` / `_dlt_load_id` (rows of a file written by dlt): the columns the
    // normalizer gives every row replace them, as dlt's do.
    if (IsGeneratedColumn(cols[c].name, hints)) continue;
    DLT_ASSIGN_OR_RETURN(target[c], TargetColumn(t, had_data, cols[c], hints, where));
    for (size_t p = 0; p < c; ++p) {
      if (target[c] >= 0 && target[p] == target[c]) {
        return InvalidArgument(where + ": columns `" + cols[p].name + "` and `" + cols[c].name +
                               "` both normalize to column `" + t.columns[static_cast<size_t>(target[c])].name +
                               "` of table `" + root + "`; rename one");
      }
    }
  }
  // discard_row: rows with a value in a column the contract refuses are removed, then the column.
  std::vector<uint8_t> keep;
  for (size_t c = 0; c < cols.size(); ++c) {
    if (target[c] != kDiscardRows) continue;
    const TypedVector& v = batch.vector(c);
    if (keep.empty()) keep.assign(batch.rows(), 1);
    for (size_t r = 0; r < keep.size(); ++r) keep[r] &= v.nulls[r];
  }
  if (!keep.empty()) batch.KeepRows(keep);
  DLT_RETURN_IF_ERROR(CheckArrowMergeStrategy(hints, where));
  const bool via_json = std::find(target.begin(), target.end(), kViaJson) != target.end();
  if (nested || via_json || HashedRowKeys(hints)) {
    if (hints.disposition == WriteDisposition::kSkip) return Status::Ok();
    json_->ForgetTable(root);  // the columns made above
    return NormalizeNestedRows(batch, hints, where);
  }
  const bool add_load_id = !hints.arrow_items || arrow_dlt_load_id_;
  const bool add_id = !hints.arrow_items || arrow_dlt_id_;
  const int load_id_idx = add_load_id ? SystemColumn(t, "_dlt_load_id", false) : -1;
  const int id_idx = add_id ? SystemColumn(t, "_dlt_id", true) : -1;

  // Every NOT NULL column gets a value in every row (checked per batch, before anything is written).
  const size_t rows = batch.rows();
  std::vector<int> source_of(t.columns.size(), -1);  // schema column -> batch column
  for (size_t c = 0; c < cols.size(); ++c) {
    if (target[c] >= 0) source_of[static_cast<size_t>(target[c])] = static_cast<int>(c);
  }
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& col = t.columns[i];
    if (static_cast<int>(i) == load_id_idx || static_cast<int>(i) == id_idx || rows == 0) continue;
    int src = source_of[i];
    if (src >= 0 && col.data_type == DataType::kDouble) {
      const TypedVector& v = batch.vector(static_cast<size_t>(src));
      for (size_t r = 0; r < rows; ++r) {
        if (!v.nulls[r] && !std::isfinite(v.doubles[r])) {
          return InvalidArgument(where + " row " + std::to_string(r + 1) + ": column `" +
                                 cols[static_cast<size_t>(src)].name +
                                 "` holds NaN or infinity, which have no portable SQL form; send NULL instead");
        }
      }
    }
    if (col.nullable && !col.primary_key) continue;
    if (src < 0) {
      return InvalidArgument(where + ": column `" + col.name + "` of table `" + root + "` is declared not null" +
                             (col.primary_key ? " (primary key)" : "") + " but the batch has no such column");
    }
    const TypedVector& v = batch.vector(static_cast<size_t>(src));
    for (size_t r = 0; r < rows; ++r) {
      if (v.nulls[r]) {
        return InvalidArgument(where + " row " + std::to_string(r + 1) + ": column `" + col.name + "` of table `" +
                               root + "` is declared not null" + (col.primary_key ? " (primary key)" : "") +
                               " but the row has no value for it");
      }
    }
  }
  if (rows == 0) return Status::Ok();
  t.seen_data = true;
  if (hints.disposition == WriteDisposition::kSkip) return Status::Ok();
  if (writers_->typed_jobs()) {
    DLT_RETURN_IF_ERROR(WriteTypedJob(batch, t, source_of, load_id_idx, id_idx));
    counts_[root] += rows;
    return Status::Ok();
  }

  std::vector<std::string> names;
  names.reserve(t.columns.size());
  for (const Column& c : t.columns) names.push_back(c.name);
  std::vector<std::string> cells(names.size());
  std::vector<char> present(names.size(), 0);
  const int slot = writers_->Slot(root);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t i = 0; i < names.size(); ++i) {
      int src = source_of[i];
      if (src < 0 || batch.IsNull(static_cast<size_t>(src), r)) {
        present[i] = 0;
        continue;
      }
      batch.CellText(static_cast<size_t>(src), r, &cells[i]);
      present[i] = 1;
    }
    if (load_id_idx >= 0) {
      cells[static_cast<size_t>(load_id_idx)] = load_id_;
      present[static_cast<size_t>(load_id_idx)] = 1;
    }
    if (id_idx >= 0) {
      cells[static_cast<size_t>(id_idx)] = NewRowKey();
      present[static_cast<size_t>(id_idx)] = 1;
    }
    FaultPoint("normalize_row");
    DLT_RETURN_IF_ERROR(writers_->AddRow(slot, names, cells, present, names.size()));
  }
  counts_[root] += rows;
  return Status::Ok();
}

}  // namespace dlt
