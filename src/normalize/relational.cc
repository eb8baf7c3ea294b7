// The relational normalizer (relational.h): the Normalizer's functions, and the one translation
// unit of its parts (relational_impl.h), the only one of the normalizer that includes simdjson.
#include "normalize/relational.h"

#include <functional>

#include "normalize/relational_impl.h"
#include "normalize/relational_tables.h"
#include "normalize/relational_values.h"
#include "normalize/relational_walk.h"

namespace dlt {

// The normalizer's state, with the functions of its parts (relational_impl.h).
struct Normalizer::Impl : NormalizerCore {};

void ApplyColumnHintProperties(const ColumnHint& h, Column* c) {
  if (h.hard_delete) c->extra["hard_delete"] = true;
  if (h.dedup_sort) c->extra["dedup_sort"] = *h.dedup_sort;
  if (h.timezone) c->extra["timezone"] = *h.timezone;
  for (const auto& [k, v] : h.other_hints.items()) c->extra[k] = v;
}

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

std::string RowVersionColumn(const MergeOptions& m) { return m.row_version_column.value_or("_dlt_id"); }

void ApplyRowVersionHints(Column* c) {
  // As dlt: the row hash may repeat (a row deleted and inserted again), so it is not unique.
  c->nullable = false;
  c->unique = false;
  c->row_key = false;
  c->extra["x-row-version"] = true;
}

// The table hints of a merge strategy, as dlt's resource hints write them: `x-merge-strategy`, and
// for scd2 the two validity columns and the row version column (the root row's hash in `_dlt_id`
// unless another column is named), `x-boundary-timestamp` when one is given.
Status Normalizer::PrepareMergeStrategy(const TableHints& hints, Table* t) {
  Impl& im = *impl_;
  const MergeOptions& m = hints.merge;
  if (m.strategy != "delete-insert" || t->extra.contains("x-merge-strategy")) t->extra["x-merge-strategy"] = m.strategy;
  if (m.deduplicated) t->extra["x-stage-data-deduplicated"] = true;
  if (m.strategy != "scd2") return Status::Ok();
  if (m.boundary_timestamp) t->extra["x-boundary-timestamp"] = *m.boundary_timestamp;
  if (m.unset_boundary_timestamp) t->extra.erase("x-boundary-timestamp");  // as dlt, for None
  auto column = [&](const std::string& given) -> StatusOr<Column*> {
    std::string cname = im.naming->NormalizePath(given);
    if (cname.empty()) return InvalidArgument("scd2 column `" + given + "` normalizes to an empty name");
    if (Column* c = t->FindColumn(cname)) return c;
    Column nc;
    nc.name = cname;
    t->columns.push_back(nc);
    return &t->columns.back();
  };
  const std::string from_name = m.valid_from_column.value_or("_dlt_valid_from");
  const std::string to_name = m.valid_to_column.value_or("_dlt_valid_to");
  for (const std::string* n : {&from_name, &to_name}) {
    DLT_ASSIGN_OR_RETURN(Column * c, column(*n));
    if (c->data_type != DataType::kTimestamp && t->seen_data && c->extra.empty()) {
      return InvalidArgument("table `" + t->name + "` already has a column `" + c->name + "` of type " +
                             std::string(DataTypeName(c->data_type)) +
                             ": choose other scd2 validity_column_names");
    }
    c->data_type = DataType::kTimestamp;
    c->nullable = true;  // empty in the staging table; the load sets them
    if (n == &from_name) {
      c->extra["x-valid-from"] = true;
    } else {
      c->extra["x-valid-to"] = true;
      c->extra["x-active-record-timestamp"] =
          m.active_record_timestamp ? OrderedJson(*m.active_record_timestamp) : OrderedJson(nullptr);
    }
  }
  // The row version column gets its hints where it is (a later run), else when it appears.
  if (Column* hash = t->FindColumn(im.naming->NormalizePath(RowVersionColumn(m)))) ApplyRowVersionHints(hash);
  return Status::Ok();
}

// dlt's references of a table, one per referenced table: a hint's reference replaces a stored
// one to the same table when its column mapping differs (dlt's merge_table with
// diff_table_references: a changed label or cardinality alone keeps the stored one), others are
// kept; names normalized as dlt's normalize_table_identifiers does.
namespace {

void MergeReferences(const SnakeCaseNaming& naming, const std::vector<TableReference>& refs, Table* t) {
  OrderedJson& stored = t->extra["references"];
  if (!stored.is_array()) stored = OrderedJson::array();
  for (const auto& r : refs) {
    OrderedJson ref = OrderedJson::object();
    auto names = [&](const std::vector<std::string>& cols) {
      OrderedJson out = OrderedJson::array();
      for (const auto& c : cols) out.push_back(naming.NormalizePath(c));
      return out;
    };
    ref["columns"] = names(r.columns);
    ref["referenced_table"] = naming.NormalizePath(r.referenced_table);
    ref["referenced_columns"] = names(r.referenced_columns);
    if (r.label) ref["label"] = *r.label;
    if (r.cardinality) ref["cardinality"] = *r.cardinality;
    // columns -> referenced columns, as dlt's compare_table_references pairs them
    auto mapping = [](const OrderedJson& r) {
      std::map<std::string, std::string> m;
      const OrderedJson& a = r.contains("columns") ? r["columns"] : OrderedJson::array();
      const OrderedJson& b = r.contains("referenced_columns") ? r["referenced_columns"] : OrderedJson::array();
      for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i].is_string() && b[i].is_string()) m[a[i].get<std::string>()] = b[i].get<std::string>();
      }
      return m;
    };
    bool found = false;
    for (auto& s : stored) {
      if (s.is_object() && s.value("referenced_table", "") == ref["referenced_table"].get<std::string>()) {
        if (mapping(s) != mapping(ref)) s = ref;
        found = true;
      }
    }
    if (!found) stored.push_back(std::move(ref));
  }
}

}  // namespace

Status DeclareColumnHint(const SnakeCaseNaming& naming, Table* t, const ColumnHint& h) {
  std::string cname = naming.NormalizePath(h.name);
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
    return InvalidArgument("column `" + cname + "` of table `" + t->name + "` already has type " +
                           std::string(DataTypeName(c->data_type)) + " and cannot be declared " +
                           std::string(DataTypeName(*h.data_type)));
  }
  if (h.nullable) c->nullable = *h.nullable;
  if (h.primary_key) c->primary_key = true, c->nullable = false;
  if (h.merge_key) c->merge_key = true;
  if (h.unset_primary_key) c->primary_key = false;  // `primary_key: False`, as dlt unsets it
  if (h.unset_merge_key) c->merge_key = false;
  if (h.unique) c->unique = true;
  if (h.precision) c->precision = h.precision;
  if (h.scale) c->scale = h.scale;
  ApplyColumnHintProperties(h, c);
  return Status::Ok();
}

std::string NestedTableName(const SnakeCaseNaming& naming, const std::string& root, const std::vector<std::string>& path) {
  if (path.empty()) return "";
  // As the normalizer names them (NormalizerCore::ChildTable): the parent's unshortened path and
  // the list's normalized key, shortened together.
  std::string parent = root;
  for (size_t i = 0; i + 1 < path.size(); ++i) parent += std::string(naming.path_separator()) + naming.NormalizeKey(path[i]);
  return naming.MakePath({parent, naming.NormalizeKey(path.back())});
}

Status Normalizer::Prepare(const TableHints& hints) {
  Impl& im = *impl_;
  if (!hints.schema_settings.is_null()) {
    auto set = SetSchemaSettings(&im.schema->mutable_settings(), hints.schema_settings, *im.naming);
    if (!set.ok()) return set.status().WithContext("resource `" + hints.resource + "`");
  }
  DLT_RETURN_IF_ERROR(im.CompileSettings());
  std::string name = im.naming->NormalizeIdentifier(hints.table_name);
  if (name.empty()) return InvalidArgument("table name `" + hints.table_name + "` normalizes to an empty name");
  Table* t = im.schema->FindTable(name);
  if (t && t->parent) {
    return InvalidArgument("table `" + name + "` of resource `" + hints.resource +
                           "` is already a nested table of `" + *t->parent + "`; choose another table name");
  }
  if (!t && im.schema_had_data > 0 &&
      (hints.contract_tables == "discard_row" || hints.contract_tables == "discard_value")) {
    // A new table whose rows the contract discards (NormalizeRoot): as in dlt, it does not enter
    // the schema.
    ++im.prepare_epoch;
    return Status::Ok();
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
  if (!hints.file_format.empty()) t->extra["file_format"] = hints.file_format;
  if (!hints.references.empty()) MergeReferences(*im.naming, hints.references, t);
  auto declare = [&](const ColumnHint& h) { return DeclareColumnHint(*im.naming, t, h); };
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
  // dlt's nested_hints: nested tables that exist get their column hints now (a type that
  // conflicts fails here); new ones when the normalizer makes them (GetTable).
  for (const auto& n : hints.nested) {
    const std::string nested_name = NestedTableName(*im.naming, name, n.path);
    if (nested_name.empty()) return InvalidArgument("nested_hints of resource `" + hints.resource + "`: an empty path");
    Table* nt = im.schema->FindTable(nested_name);
    if (!nt) continue;
    if (nt->parent == std::nullopt) {
      return InvalidArgument("nested_hints of resource `" + hints.resource + "`: `" + nested_name +
                             "` is a root table, not a nested table of `" + name + "`");
    }
    for (const auto& h : n.columns) DLT_RETURN_IF_ERROR(DeclareColumnHint(*im.naming, nt, h));
  }
  if (!hints.incremental_cursor.empty()) {
    if (Column* c = t->FindColumn(im.naming->NormalizePath(hints.incremental_cursor))) c->extra["incremental"] = true;
  }
  if (hints.disposition == WriteDisposition::kMerge) DLT_RETURN_IF_ERROR(PrepareMergeStrategy(hints, t));
  // dlt's root key (_dlt_root_id) for the strategies that replace nested rows by their root row.
  // A source's root_key (dlt's root_key_propagation) decides when given; a table that already
  // propagates it keeps doing so (its nested tables have the column).
  if (hints.root_key) im.schema->SetRootKeyPropagation(*hints.root_key);
  if (hints.root_key.value_or(hints.disposition == WriteDisposition::kMerge && hints.merge.strategy != "scd2")) {
    im.schema->EnableRootKeyPropagation(name);
  }
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
