#include "pipeline/package_manifest.h"

#include "common/iso8601.h"
#include "normalize/schema.h"
#include "normalize/schema_settings.h"

namespace dlt {

using Json = nlohmann::ordered_json;

Json MergeOptionsToJson(const MergeOptions& m) {
  Json j = Json::object();
  j["strategy"] = m.strategy;
  if (m.valid_from_column) j["valid_from_column"] = *m.valid_from_column;
  if (m.valid_to_column) j["valid_to_column"] = *m.valid_to_column;
  if (m.active_record_timestamp) j["active_record_timestamp"] = *m.active_record_timestamp;
  if (m.boundary_timestamp) j["boundary_timestamp"] = *m.boundary_timestamp;
  if (m.unset_boundary_timestamp) j["boundary_timestamp"] = nullptr;
  if (m.row_version_column) j["row_version_column"] = *m.row_version_column;
  if (m.deduplicated) j["deduplicated"] = true;
  return j;
}

StatusOr<MergeOptions> MergeOptionsFromJson(const Json& j) {
  MergeOptions m;
  if (!j.is_object()) return InvalidArgument("the merge options are not an object");
  m.strategy = j.value("strategy", "delete-insert");
  if (!IsMergeStrategy(m.strategy)) return InvalidArgument("unknown merge strategy `" + m.strategy + "`");
  auto opt = [&](const char* k, std::optional<std::string>* out) {
    if (auto it = j.find(k); it != j.end() && it->is_string()) *out = it->get<std::string>();
  };
  opt("valid_from_column", &m.valid_from_column);
  opt("valid_to_column", &m.valid_to_column);
  opt("active_record_timestamp", &m.active_record_timestamp);
  opt("boundary_timestamp", &m.boundary_timestamp);
  if (auto it = j.find("boundary_timestamp"); it != j.end() && it->is_null()) m.unset_boundary_timestamp = true;
  opt("row_version_column", &m.row_version_column);
  m.deduplicated = j.value("deduplicated", false);
  return m;
}

Json HintsToJson(const ResourceOptions& o) {
  Json j = Json::object();
  j["name"] = o.name;
  j["table_name"] = o.table_name.empty() ? o.name : o.table_name;
  j["write_disposition"] = o.write_disposition;
  j["primary_key"] = o.primary_key;
  j["merge_key"] = o.merge_key;
  if (o.write_disposition == "merge") j["merge"] = MergeOptionsToJson(o.merge);
  j["max_table_nesting"] = o.max_table_nesting;
  if (o.root_key) j["root_key"] = *o.root_key;
  if (o.arrow_items) j["arrow_items"] = true;
  if (!o.file_format.empty()) j["file_format"] = o.file_format;
  j["schema_contract"] = {{"tables", o.schema_contract.tables},
                          {"columns", o.schema_contract.columns},
                          {"data_type", o.schema_contract.data_type}};
  if (o.incremental && o.incremental->cursor_path.find('.') == std::string::npos &&
      o.incremental->cursor_path.find('[') == std::string::npos) {
    std::string cursor = o.incremental->cursor_path;
    if (cursor.starts_with("$.")) cursor = cursor.substr(2);
    j["incremental_cursor"] = cursor;
  }
  auto column_json = [](const ColumnOptions& c) {
    Json cj = Json::object();
    cj["name"] = c.name;
    if (c.data_type) cj["data_type"] = *c.data_type;
    if (c.nullable) cj["nullable"] = *c.nullable;
    if (c.primary_key) cj["primary_key"] = true;
    if (c.merge_key) cj["merge_key"] = true;
    if (c.unset_primary_key) cj["primary_key"] = false;
    if (c.unset_merge_key) cj["merge_key"] = false;
    if (c.unique) cj["unique"] = true;
    if (c.precision) cj["precision"] = *c.precision;
    if (c.scale) cj["scale"] = *c.scale;
    if (c.hard_delete) cj["hard_delete"] = true;
    if (c.dedup_sort) cj["dedup_sort"] = *c.dedup_sort;
    if (c.timezone) cj["timezone"] = *c.timezone;
    if (!c.other_hints.empty()) {
      Json other = Json::object();
      for (const auto& [k, v] : c.other_hints) {
        Json parsed = Json::parse(v, nullptr, false);  // (Python's NaN is no JSON: such a hint is left out)
        if (!parsed.is_discarded()) other[k] = std::move(parsed);
      }
      cj["other_hints"] = other;
    }
    return cj;
  };
  auto columns_json = [&](const std::vector<ColumnOptions>& cs) {
    Json cols = Json::array();
    for (const auto& c : cs) cols.push_back(column_json(c));
    return cols;
  };
  j["columns"] = columns_json(o.columns);
  if (!o.nested.empty()) {
    Json nested = Json::array();
    for (const auto& n : o.nested) nested.push_back({{"path", n.path}, {"columns", columns_json(n.columns)}});
    j["nested"] = nested;
  }
  if (!o.references.empty()) {
    Json refs = Json::array();
    for (const auto& r : o.references) {
      Json rj = {{"columns", r.columns}, {"referenced_table", r.referenced_table}, {"referenced_columns", r.referenced_columns}};
      if (r.label) rj["label"] = *r.label;
      if (r.cardinality) rj["cardinality"] = *r.cardinality;
      refs.push_back(std::move(rj));
    }
    j["references"] = std::move(refs);
  }
  if (!o.schema_settings.empty()) {
    Json settings = Json::parse(o.schema_settings, nullptr, false);
    if (settings.is_object()) j["schema_settings"] = std::move(settings);
  }
  return j;
}

StatusOr<TableHints> HintsFromJson(const Json& j) {
  TableHints h;
  h.resource = j.value("name", "");
  h.table_name = j.value("table_name", h.resource);
  auto disp = ParseWriteDisposition(j.value("write_disposition", "append"));
  if (!disp) return InvalidArgument("unknown write_disposition `" + j.value("write_disposition", "") + "`");
  h.disposition = *disp;
  for (const auto& k : j.value("primary_key", Json::array())) h.primary_key.push_back(k.get<std::string>());
  for (const auto& k : j.value("merge_key", Json::array())) h.merge_key.push_back(k.get<std::string>());
  if (auto m = j.find("merge"); m != j.end()) {
    DLT_ASSIGN_OR_RETURN(h.merge, MergeOptionsFromJson(*m));
  }
  h.max_nesting = j.value("max_table_nesting", 1000);
  if (auto rk = j.find("root_key"); rk != j.end() && rk->is_boolean()) h.root_key = rk->get<bool>();
  h.arrow_items = j.value("arrow_items", false);
  if (auto ff = j.find("file_format"); ff != j.end() && ff->is_string()) h.file_format = ff->get<std::string>();
  if (auto sc = j.find("schema_contract"); sc != j.end() && sc->is_object()) {
    h.contract_tables = sc->value("tables", "evolve");
    h.contract_columns = sc->value("columns", "evolve");
    h.contract_data_type = sc->value("data_type", "evolve");
  }
  h.incremental_cursor = j.value("incremental_cursor", "");
  auto column_hint = [](const Json& cj) -> StatusOr<ColumnHint> {
    ColumnHint c;
    c.name = cj.value("name", "");
    if (cj.contains("data_type")) {
      auto t = ParseDataType(cj["data_type"].get<std::string>());
      if (!t) return InvalidArgument("column `" + c.name + "`: unknown data_type `" + cj["data_type"].get<std::string>() + "`");
      c.data_type = *t;
    }
    if (cj.contains("nullable")) c.nullable = cj["nullable"].get<bool>();
    c.primary_key = cj.value("primary_key", false);
    c.merge_key = cj.value("merge_key", false);
    c.unset_primary_key = cj.contains("primary_key") && cj["primary_key"].is_boolean() && !cj["primary_key"].get<bool>();
    c.unset_merge_key = cj.contains("merge_key") && cj["merge_key"].is_boolean() && !cj["merge_key"].get<bool>();
    c.unique = cj.value("unique", false);
    if (cj.contains("precision")) c.precision = cj["precision"].get<int>();
    c.hard_delete = cj.value("hard_delete", false);
    if (cj.contains("dedup_sort")) c.dedup_sort = cj["dedup_sort"].get<std::string>();
    if (cj.contains("timezone")) c.timezone = cj["timezone"].get<bool>();
    if (cj.contains("scale")) c.scale = cj["scale"].get<int>();
    if (auto other = cj.find("other_hints"); other != cj.end() && other->is_object()) {
      for (const auto& [k, v] : other->items()) {
        if (!v.is_discarded()) c.other_hints[k] = v;
      }
    }
    return c;
  };
  for (const auto& cj : j.value("columns", Json::array())) {
    DLT_ASSIGN_OR_RETURN(ColumnHint c, column_hint(cj));
    h.columns.push_back(std::move(c));
  }
  if (auto nested = j.find("nested"); nested != j.end() && nested->is_array()) {
    for (const auto& nj : *nested) {
      TableHints::Nested n;
      for (const auto& p : nj.value("path", Json::array())) n.path.push_back(p.get<std::string>());
      for (const auto& cj : nj.value("columns", Json::array())) {
        DLT_ASSIGN_OR_RETURN(ColumnHint c, column_hint(cj));
        n.columns.push_back(std::move(c));
      }
      h.nested.push_back(std::move(n));
    }
  }
  if (auto refs = j.find("references"); refs != j.end() && refs->is_array()) {
    for (const auto& rj : *refs) {
      TableReference r;
      for (const auto& c : rj.value("columns", Json::array())) r.columns.push_back(c.get<std::string>());
      r.referenced_table = rj.value("referenced_table", "");
      for (const auto& c : rj.value("referenced_columns", Json::array())) r.referenced_columns.push_back(c.get<std::string>());
      if (rj.contains("label")) r.label = rj["label"].get<std::string>();
      if (rj.contains("cardinality")) r.cardinality = rj["cardinality"].get<std::string>();
      h.references.push_back(std::move(r));
    }
  }
  if (auto settings = j.find("schema_settings"); settings != j.end() && settings->is_object()) {
    h.schema_settings = *settings;
  }
  return h;
}

StatusOr<std::string> JobKindOf(const Json& ps, const std::string& file_name) {
  auto kinds = ps.find(kJobKindsKey);
  if (kinds == ps.end() || !kinds->is_object()) return std::string(kJobKindJson);
  auto it = kinds->find(file_name);
  if (it == kinds->end()) return std::string(kJobKindJson);
  if (it->is_string() && (*it == kJobKindJson || *it == kJobKindTyped || *it == kJobKindParquet)) return it->get<std::string>();
  return DataLoss("load_package_state.json: job_kinds of `" + file_name + "` is " + it->dump() +
                  ", not \"json\", \"typed\" or \"parquet\" (the file was edited or damaged); drop the pending package with "
                  "`dlt pipeline <name> drop-pending-packages` and run again");
}

// The merge strategy and its options, checked before anything is extracted (dlt checks most of
// this when the load starts; the keys a strategy needs are known here already).
Status ValidateMergeOptions(const ResourceOptions& o) {
  const MergeOptions& m = o.merge;
  const std::string where = "resource `" + o.name + "`: ";
  if (!IsMergeStrategy(m.strategy)) {
    return InvalidArgument(where + "unknown merge strategy `" + m.strategy +
                           "` (use delete-insert, upsert, insert-only or scd2)");
  }
  if (o.write_disposition != "merge") return Status::Ok();
  if (m.strategy == "upsert" || m.strategy == "insert-only") {
    bool has_key = !o.primary_key.empty();
    for (const auto& c : o.columns) has_key |= c.primary_key;
    if (!has_key) {
      return InvalidArgument(where + "the `" + m.strategy + "` merge strategy needs a primary key: set primary_key " +
                             "on the resource (rows are matched on it)");
    }
  }
  for (const auto& [name, ts] : {std::pair<const char*, const std::optional<std::string>&>{"active_record_timestamp",
                                                                                           m.active_record_timestamp},
                                 {"boundary_timestamp", m.boundary_timestamp}}) {
    if (!ts) continue;
    if (m.strategy != "scd2") return InvalidArgument(where + "`" + name + "` is an option of the scd2 merge strategy only");
    auto parsed = iso8601::ParseIsoLike(*ts);
    if (!parsed || !iso8601::UtcInstant(*parsed)) {
      return InvalidArgument(where + "could not parse `" + name + "` value `" + *ts +
                             "` (use an ISO 8601 date or timestamp such as 9999-12-31 or 2024-01-01T00:00:00Z)");
    }
  }
  if (m.strategy != "scd2" && (m.valid_from_column || m.valid_to_column || m.row_version_column)) {
    return InvalidArgument(where + "validity_column_names and row_version_column_name are options of the scd2 merge strategy only");
  }
  if (m.valid_from_column && m.valid_to_column && *m.valid_from_column == *m.valid_to_column) {
    return InvalidArgument(where + "the two validity_column_names must differ");
  }
  return Status::Ok();
}

Status ValidateResourceOptions(const ResourceOptions& o) {
  if (o.name.empty()) return InvalidArgument("a resource needs a name");
  if (!o.schema_settings.empty()) {
    Json settings = Json::parse(o.schema_settings, nullptr, false);
    if (settings.is_discarded() || !settings.is_object()) {
      return InvalidArgument("resource `" + o.name + "`: schema_settings must be a JSON object of dlt's schema "
                             "settings (detections, default_hints, preferred_types)");
    }
    Status s = SchemaSettings::Compile(settings).status();
    if (!s.ok()) return s.WithContext("resource `" + o.name + "`");
  }
  if (o.name.find_first_of("./\\") != std::string::npos || o.name.size() > 200) {
    return InvalidArgument("resource name `" + o.name + "` may not contain `.`, `/` or `\\` (use table_name to name its table)");
  }
  if (!ParseWriteDisposition(o.write_disposition)) {
    return InvalidArgument("resource `" + o.name + "`: unknown write_disposition `" + o.write_disposition +
                           "` (use append, replace, merge or skip)");
  }
  if (o.incremental) {
    const IncrementalOptions& i = *o.incremental;
    const std::string where = "resource `" + o.name + "`, incremental `" + i.cursor_path + "`: ";
    if (i.last_value_func != "max" && i.last_value_func != "min") {
      return InvalidArgument(where + "last_value_func must be max or min, not `" + i.last_value_func + "`");
    }
    if (i.range_start != "closed" && i.range_start != "open") {
      return InvalidArgument(where + "range_start must be closed or open, not `" + i.range_start + "`");
    }
    if (i.range_end != "closed" && i.range_end != "open") {
      return InvalidArgument(where + "range_end must be closed or open, not `" + i.range_end + "`");
    }
    if (i.end_value_json && !i.initial_value_json) {
      return InvalidArgument(where + "end_value needs initial_value (the range to load is [initial_value, end_value))");
    }
  }
  for (const auto& c : o.columns) {
    if (c.data_type && !ParseDataType(*c.data_type)) {
      return InvalidArgument("resource `" + o.name + "`, column `" + c.name + "`: unknown data_type `" + *c.data_type +
                             "` (use text, bigint, double, bool, timestamp, date, time, decimal, json, binary)");
    }
    if (c.dedup_sort && *c.dedup_sort != "asc" && *c.dedup_sort != "desc") {
      return InvalidArgument("resource `" + o.name + "`, column `" + c.name + "`: dedup_sort must be \"asc\" or \"desc\", not `" +
                             *c.dedup_sort + "`");
    }
  }
  if (o.incremental) {
    if (o.incremental->cursor_path.empty()) return InvalidArgument("resource `" + o.name + "`: incremental needs a cursor_path");
    const auto& m = o.incremental->on_cursor_value_missing;
    if (m != "raise" && m != "include" && m != "exclude") {
      return InvalidArgument("resource `" + o.name + "`: on_cursor_value_missing must be raise, include or exclude");
    }
    if (o.incremental->initial_value_json) {
      auto v = Json::parse(*o.incremental->initial_value_json, nullptr, false);
      if (v.is_discarded()) return InvalidArgument("resource `" + o.name + "`: initial_value is not a JSON value");
    }
  }
  if (o.max_table_nesting < 0) return InvalidArgument("resource `" + o.name + "`: max_table_nesting must be >= 0");
  DLT_RETURN_IF_ERROR(ValidateMergeOptions(o));
  for (const auto& [kind, m] : {std::pair<const char*, const std::string&>{"tables", o.schema_contract.tables},
                                {"columns", o.schema_contract.columns},
                                {"data_type", o.schema_contract.data_type}}) {
    bool ok = m == "evolve" || m == "freeze" || m == "discard_row" || m == "discard_value";
    if (!ok) {
      return InvalidArgument("resource `" + o.name + "`: schema_contract." + kind +
                             " must be evolve, freeze, discard_row or discard_value, got `" + m + "`");
    }
  }
  return Status::Ok();
}


}  // namespace dlt
