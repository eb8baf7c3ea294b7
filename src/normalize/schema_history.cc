#include "normalize/schema_history.h"

namespace dlt {

namespace {

// A root table as dlt's resource hints make it at extract (DltResourceHints._hints_to_table_schema):
// declared columns with only the properties given, then the primary and merge keys (a new key
// column is {name, nullable: false, <key>: true}; an existing one gets the flag and nullable
// false unless set), then the incremental cursor column ({name, incremental: true}).
OrderedJson HintTable(const TableHints& h, const SnakeCaseNaming& naming) {
  OrderedJson cols = OrderedJson::object();
  for (const auto& c : h.columns) {
    std::string name = naming.NormalizePath(c.name);
    OrderedJson& j = cols[name];
    j["name"] = name;
    if (c.data_type) j["data_type"] = DataTypeName(*c.data_type);
    if (c.nullable) j["nullable"] = *c.nullable;
    if (c.primary_key) j["primary_key"] = true;
    if (c.merge_key) j["merge_key"] = true;
    if (c.unique) j["unique"] = true;
    if (c.precision) j["precision"] = *c.precision;
    if (c.scale) j["scale"] = *c.scale;
  }
  auto keys = [&](const std::vector<std::string>& names, const char* flag) {
    if (names.empty()) return;
    // Table-level keys replace column-level ones (dlt's remove_compound_props).
    for (auto it = cols.begin(); it != cols.end(); ++it) it.value().erase(flag);
    for (const auto& k : names) {
      std::string name = naming.NormalizePath(k);
      if (cols.contains(name)) {
        OrderedJson& j = cols[name];
        bool nullable = j.value("nullable", false);
        j[flag] = true;
        j["nullable"] = nullable;
      } else {
        cols[name] = OrderedJson{{"name", name}, {"nullable", false}, {flag, true}};
      }
    }
  };
  keys(h.primary_key, "primary_key");
  keys(h.merge_key, "merge_key");
  if (!h.incremental_cursor.empty()) {
    std::string name = naming.NormalizePath(h.incremental_cursor);
    if (!cols.contains(name)) cols[name] = OrderedJson{{"name", name}};
    cols[name]["incremental"] = true;
  }
  // dlt's merge write disposition dict (hints.py _merge_merge_disposition_dict): scd2's columns.
  OrderedJson table_extra = OrderedJson::object();
  if (h.disposition == WriteDisposition::kMerge && h.merge.strategy != "delete-insert") {
    table_extra["x-merge-strategy"] = h.merge.strategy;
  }
  if (h.disposition == WriteDisposition::kMerge && h.merge.deduplicated) table_extra["x-stage-data-deduplicated"] = true;
  if (h.disposition == WriteDisposition::kMerge && h.merge.strategy == "scd2") {
    if (h.merge.boundary_timestamp) table_extra["x-boundary-timestamp"] = *h.merge.boundary_timestamp;
    std::string from = h.merge.valid_from_column.value_or("_dlt_valid_from");
    std::string to = h.merge.valid_to_column.value_or("_dlt_valid_to");
    cols[from] = OrderedJson{{"name", from}, {"data_type", "timestamp"}, {"nullable", true}, {"x-valid-from", true}};
    cols[to] = OrderedJson{{"name", to},
                           {"data_type", "timestamp"},
                           {"nullable", true},
                           {"x-valid-to", true},
                           {"x-active-record-timestamp", h.merge.active_record_timestamp
                                                             ? OrderedJson(*h.merge.active_record_timestamp)
                                                             : OrderedJson(nullptr)}};
    std::string hash = RowVersionColumn(h.merge);
    cols[hash] = OrderedJson{{"name", hash}, {"nullable", false}, {"x-row-version", true}, {"unique", false},
                             {"row_key", false}};
  }
  std::string table = naming.NormalizeIdentifier(h.table_name);
  OrderedJson t = OrderedJson::object();
  t["name"] = table;
  t["columns"] = std::move(cols);
  t["write_disposition"] = std::string(WriteDispositionName(h.disposition));
  t["resource"] = h.resource;
  for (auto it = table_extra.begin(); it != table_extra.end(); ++it) t[it.key()] = it.value();
  return t;
}

}  // namespace

ExtractStepHashes ComputeExtractStepHashes(const Schema& normalized, const std::vector<const TableHints*>& hints,
                                           const SnakeCaseNaming& naming) {
  OrderedJson doc = OrderedJson::parse(normalized.ToJson(false));
  OrderedJson all_tables = doc["tables"];
  OrderedJson tables = OrderedJson::object();
  for (const char* sys : {"_dlt_version", "_dlt_loads"}) {
    if (all_tables.contains(sys)) tables[sys] = all_tables[sys];
  }
  for (const TableHints* h : hints) {
    OrderedJson t = HintTable(*h, naming);
    std::string name = t["name"].get<std::string>();
    tables[name] = std::move(t);
  }
  doc["tables"] = tables;
  ExtractStepHashes out;
  out.tables_added = Schema::VersionHashOf(doc);
  if (all_tables.contains("_dlt_pipeline_state")) {
    OrderedJson state = all_tables["_dlt_pipeline_state"];
    state.erase("x-normalizer");
    state["columns"].erase("_dlt_id");
    tables["_dlt_pipeline_state"] = std::move(state);
  }
  doc["tables"] = std::move(tables);
  out.state_added = Schema::VersionHashOf(doc);
  return out;
}

bool IsNewSchema(const Schema& schema) {
  return schema.version() == 1 && schema.previous_hashes().empty() &&
         schema.tables().size() == Schema(schema.name()).tables().size() &&
         schema.version_hash() == Schema(schema.name()).version_hash();
}

}  // namespace dlt
