#include "normalize/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/fs.h"
#include "common/hash.h"
#include "common/json_read.h"
#include "common/orjson.h"

namespace dlt {

namespace {

struct TypeName {
  DataType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {DataType::kText, "text"},         {DataType::kBigint, "bigint"},  {DataType::kDouble, "double"},
    {DataType::kBool, "bool"},         {DataType::kTimestamp, "timestamp"}, {DataType::kDate, "date"},
    {DataType::kTime, "time"},         {DataType::kDecimal, "decimal"}, {DataType::kJson, "json"},
    {DataType::kBinary, "binary"},     {DataType::kWei, "wei"},
};

Column MakeColumn(const char* name, DataType t, bool nullable) {
  Column c;
  c.name = name;
  c.data_type = t;
  c.nullable = nullable;
  return c;
}

OrderedJson ColumnToJson(const Column& c) {
  OrderedJson j = OrderedJson::object();
  j["name"] = c.name;
  j["data_type"] = DataTypeName(c.data_type);
  j["nullable"] = c.nullable;
  if (c.precision) j["precision"] = *c.precision;
  if (c.scale) j["scale"] = *c.scale;
  if (c.primary_key) j["primary_key"] = true;
  if (c.merge_key) j["merge_key"] = true;
  if (c.unique) j["unique"] = true;
  if (c.row_key) j["row_key"] = true;
  if (c.parent_key) j["parent_key"] = true;
  if (c.root_key) j["root_key"] = true;
  if (c.variant) j["variant"] = true;
  for (auto it = c.extra.begin(); it != c.extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

StatusOr<Column> ColumnFromJson(const std::string& key, const OrderedJson& j, std::string_view origin) {
  Column c;
  c.name = key;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const auto& v = it.value();
    if (k == "name") {
      if (v.is_string()) c.name = v.get<std::string>();
    } else if (k == "data_type") {
      auto t = v.is_string() ? ParseDataType(v.get<std::string>()) : std::nullopt;
      if (!t) return InvalidArgument(std::string(origin) + ": column `" + key + "` has an unknown data_type " + v.dump());
      c.data_type = *t;
    } else if (k == "nullable" && v.is_boolean()) {
      c.nullable = v.get<bool>();
    } else if (k == "precision" && v.is_number_integer()) {
      c.precision = v.get<int>();
    } else if (k == "scale" && v.is_number_integer()) {
      c.scale = v.get<int>();
    } else if (k == "primary_key" && v.is_boolean()) {
      c.primary_key = v.get<bool>();
    } else if (k == "merge_key" && v.is_boolean()) {
      c.merge_key = v.get<bool>();
    } else if (k == "unique" && v.is_boolean()) {
      c.unique = v.get<bool>();
    } else if (k == "row_key" && v.is_boolean()) {
      c.row_key = v.get<bool>();
    } else if (k == "parent_key" && v.is_boolean()) {
      c.parent_key = v.get<bool>();
    } else if (k == "root_key" && v.is_boolean()) {
      c.root_key = v.get<bool>();
    } else if (k == "variant" && v.is_boolean()) {
      c.variant = v.get<bool>();
    } else {
      c.extra[k] = v;
    }
  }
  return c;
}

// Checks every key FromJson and the normalizer use, before they are touched: a damaged schema
// file is an error naming the file and the key, never a JSON library exception.
Status CheckSchemaDocument(const OrderedJson& j, const jsonread::JsonFile& f) {
  using jsonread::Join;
  using K = jsonread::Kind;
  DLT_RETURN_IF_ERROR(f.Required(j, "", "name", K::kString));
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "version", K::kInteger));
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "engine_version", K::kInteger));
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "version_hash", K::kString));
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "previous_hashes", K::kArray));
  if (auto it = j.find("previous_hashes"); it != j.end()) DLT_RETURN_IF_ERROR(f.Each(*it, "previous_hashes", K::kString));
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "settings", K::kObject));
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "normalizers", K::kObject));
  // normalizers.json.config.propagation.{root,tables.<table>}: root key propagation is written there.
  const OrderedJson* at = &j;
  std::string where;
  for (const char* k : {"normalizers", "json", "config", "propagation"}) {
    DLT_RETURN_IF_ERROR(f.Optional(*at, where, k, K::kObject));
    auto it = at->find(k);
    if (it == at->end()) break;
    at = &*it;
    where = Join(where, k);
    if (std::string_view(k) == "propagation") {
      DLT_RETURN_IF_ERROR(f.Optional(*at, where, "root", K::kObject));
      DLT_RETURN_IF_ERROR(f.Optional(*at, where, "tables", K::kObject));
      if (auto t = at->find("tables"); t != at->end()) DLT_RETURN_IF_ERROR(f.Each(*t, Join(where, "tables"), K::kObject));
    }
  }
  DLT_RETURN_IF_ERROR(f.Optional(j, "", "tables", K::kObject));
  auto tables = j.find("tables");
  if (tables == j.end()) return Status::Ok();
  DLT_RETURN_IF_ERROR(f.Each(*tables, "tables", K::kObject));
  for (auto t = tables->begin(); t != tables->end(); ++t) {
    const std::string at_table = Join("tables", t.key());
    const OrderedJson& tj = t.value();
    for (const char* k : {"name", "parent", "resource", "description", "write_disposition"}) {
      DLT_RETURN_IF_ERROR(f.Optional(tj, at_table, k, K::kString));
    }
    if (auto wd = tj.find("write_disposition"); wd != tj.end() && !ParseWriteDisposition(wd->get<std::string>())) {
      return f.Damaged("key '" + Join(at_table, "write_disposition") + "' holds the unknown write disposition " + wd->dump());
    }
    DLT_RETURN_IF_ERROR(f.Optional(tj, at_table, "x-normalizer", K::kObject));
    if (auto xn = tj.find("x-normalizer"); xn != tj.end()) {
      DLT_RETURN_IF_ERROR(f.Optional(*xn, Join(at_table, "x-normalizer"), "seen-data", K::kBool));
    }
    DLT_RETURN_IF_ERROR(f.Optional(tj, at_table, "columns", K::kObject));
    auto cols = tj.find("columns");
    if (cols == tj.end()) continue;
    DLT_RETURN_IF_ERROR(f.Each(*cols, Join(at_table, "columns"), K::kObject));
    for (auto c = cols->begin(); c != cols->end(); ++c) {
      auto dt = c.value().find("data_type");
      if (dt == c.value().end()) continue;
      const std::string at_type = Join(Join(Join(at_table, "columns"), c.key()), "data_type");
      DLT_RETURN_IF_ERROR(f.Want(*dt, at_type, K::kString));
      if (!ParseDataType(dt->get<std::string>())) {
        return f.Damaged("key '" + at_type + "' holds the unknown data type " + dt->dump());
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view DataTypeName(DataType t) {
  for (const auto& tn : kTypeNames) {
    if (tn.type == t) return tn.name;
  }
  return "text";
}

std::optional<DataType> ParseDataType(std::string_view name) {
  for (const auto& tn : kTypeNames) {
    if (name == tn.name) return tn.type;
  }
  // older dlt names
  if (name == "complex") return DataType::kJson;
  return std::nullopt;
}

std::string_view WriteDispositionName(WriteDisposition d) {
  switch (d) {
    case WriteDisposition::kAppend: return "append";
    case WriteDisposition::kReplace: return "replace";
    case WriteDisposition::kMerge: return "merge";
    case WriteDisposition::kSkip: return "skip";
  }
  return "append";
}

std::optional<WriteDisposition> ParseWriteDisposition(std::string_view s) {
  if (s == "append") return WriteDisposition::kAppend;
  if (s == "replace") return WriteDisposition::kReplace;
  if (s == "merge") return WriteDisposition::kMerge;
  if (s == "skip") return WriteDisposition::kSkip;
  return std::nullopt;
}

bool IsMergeStrategy(std::string_view s) {
  return s == "delete-insert" || s == "insert-only" || s == "scd2" || s == "upsert";
}

std::string MergeStrategyOf(const Table& t) {
  auto it = t.extra.find("x-merge-strategy");
  if (it != t.extra.end() && it->is_string()) return it->get<std::string>();
  return "delete-insert";
}

const Column* Table::FindColumn(std::string_view n) const {
  for (const auto& c : columns) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

Column* Table::FindColumn(std::string_view n) {
  for (auto& c : columns) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

int Table::ColumnIndex(std::string_view n) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::naming() const {
  auto it = normalizers_.find("names");
  if (it == normalizers_.end() || !it->is_string()) return "snake_case";
  return it->get<std::string>();
}

void Schema::set_naming(std::string_view name) { normalizers_["names"] = std::string(name); }

Schema::Schema(std::string name) : name_(std::move(name)) {
  settings_ = OrderedJson::parse(R"({
    "detections": ["iso_timestamp"],
    "default_hints": {
      "not_null": ["_dlt_id", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_load_id"],
      "parent_key": ["_dlt_parent_id"],
      "root_key": ["_dlt_root_id"],
      "unique": ["_dlt_id"],
      "row_key": ["_dlt_id"]
    }
  })");
  normalizers_ = OrderedJson::parse(
      R"({"names": "snake_case", "json": {"module": "dlt.common.normalizers.json.relational"}})");

  Table version;
  version.name = "_dlt_version";
  version.columns = {MakeColumn("version", DataType::kBigint, false),
                     MakeColumn("engine_version", DataType::kBigint, false),
                     MakeColumn("inserted_at", DataType::kTimestamp, false),
                     MakeColumn("schema_name", DataType::kText, false),
                     MakeColumn("version_hash", DataType::kText, false),
                     MakeColumn("schema", DataType::kText, false)};
  version.write_disposition = WriteDisposition::kSkip;
  version.resource = "_dlt_version";
  version.description = "Created by DLT. Tracks schema updates";
  tables_.push_back(std::move(version));

  Table loads;
  loads.name = "_dlt_loads";
  loads.columns = {MakeColumn("load_id", DataType::kText, false), MakeColumn("schema_name", DataType::kText, true),
                   MakeColumn("status", DataType::kBigint, false),
                   MakeColumn("inserted_at", DataType::kTimestamp, false),
                   MakeColumn("schema_version_hash", DataType::kText, true)};
  loads.columns[0].precision = 64;
  loads.write_disposition = WriteDisposition::kSkip;
  loads.resource = "_dlt_loads";
  loads.description = "Created by DLT. Tracks completed loads";
  tables_.push_back(std::move(loads));

  Table state;
  state.name = "_dlt_pipeline_state";
  state.columns = {MakeColumn("version", DataType::kBigint, false),
                   MakeColumn("engine_version", DataType::kBigint, false),
                   MakeColumn("pipeline_name", DataType::kText, false),
                   MakeColumn("state", DataType::kText, false),
                   MakeColumn("created_at", DataType::kTimestamp, false),
                   MakeColumn("version_hash", DataType::kText, true),
                   MakeColumn("_dlt_load_id", DataType::kText, false),
                   MakeColumn("_dlt_id", DataType::kText, false)};
  state.columns[6].precision = 64;
  state.columns[7].unique = true;
  state.columns[7].row_key = true;
  state.write_disposition = WriteDisposition::kAppend;
  state.resource = "_dlt_pipeline_state";
  state.extra["file_format"] = "preferred";
  state.seen_data = true;
  tables_.push_back(std::move(state));
  version_hash_ = ComputeVersionHash();
}

const Table* Schema::FindTable(std::string_view n) const {
  for (const auto& t : tables_) {
    if (t.name == n) return &t;
  }
  return nullptr;
}

Table* Schema::FindTable(std::string_view n) {
  for (auto& t : tables_) {
    if (t.name == n) return &t;
  }
  return nullptr;
}

bool Schema::RemoveTable(std::string_view n) {
  for (auto it = tables_.begin(); it != tables_.end(); ++it) {
    if (it->name == n) {
      tables_.erase(it);
      return true;
    }
  }
  return false;
}

Table& Schema::AddTable(Table table) {
  tables_.push_back(std::move(table));
  return tables_.back();
}

const Table& Schema::RootOf(std::string_view name) const {
  const Table* t = FindTable(name);
  while (t && t->parent) {
    const Table* p = FindTable(*t->parent);
    if (!p) break;
    t = p;
  }
  return *t;
}

WriteDisposition Schema::DispositionOf(std::string_view name) const {
  const Table* t = FindTable(name);
  if (!t) return WriteDisposition::kAppend;
  const Table& root = RootOf(name);
  return root.write_disposition.value_or(WriteDisposition::kAppend);
}

std::vector<const Table*> Schema::NestedTablesOf(std::string_view root) const {
  std::vector<const Table*> out;
  for (const auto& t : tables_) {
    if (t.parent && t.name != root && RootOf(t.name).name == root) out.push_back(&t);
  }
  return out;
}

std::vector<const Table*> Schema::DataTables() const {
  std::vector<const Table*> out;
  for (const auto& t : tables_) {
    if (!IsSystemTable(t.name) && !t.columns.empty()) out.push_back(&t);
  }
  return out;
}

void Schema::EnableRootKeyPropagation(const std::string& root_table) {
  auto& json = normalizers_["json"];
  json["config"]["propagation"]["tables"][root_table] = OrderedJson::object({{"_dlt_id", "_dlt_root_id"}});
}

void Schema::SetRootKeyPropagation(bool on) { normalizers_["json"]["config"]["root_key_propagation"] = on; }

bool Schema::PropagatesRootKey(std::string_view root_table) const {
  auto it = normalizers_.find("json");
  if (it == normalizers_.end()) return false;
  const auto& j = *it;
  if (!j.contains("config") || !j["config"].contains("propagation")) return false;
  const auto& p = j["config"]["propagation"];
  if (p.contains("root") && p["root"].contains("_dlt_id")) return true;
  return p.contains("tables") && p["tables"].contains(std::string(root_table));
}

std::string Schema::ToJson(bool pretty) const {
  OrderedJson j = OrderedJson::object();
  j["version"] = version_;
  j["version_hash"] = version_hash_;
  j["engine_version"] = kEngineVersion;
  j["name"] = name_;
  OrderedJson tables = OrderedJson::object();
  for (const auto& t : tables_) {
    OrderedJson tj = OrderedJson::object();
    tj["name"] = t.name;
    OrderedJson cols = OrderedJson::object();
    for (const auto& c : t.columns) cols[c.name] = ColumnToJson(c);
    tj["columns"] = std::move(cols);
    if (t.write_disposition) tj["write_disposition"] = WriteDispositionName(*t.write_disposition);
    if (t.parent) tj["parent"] = *t.parent;
    if (t.resource) tj["resource"] = *t.resource;
    if (t.description) tj["description"] = *t.description;
    for (auto it = t.extra.begin(); it != t.extra.end(); ++it) tj[it.key()] = it.value();
    if (t.seen_data) tj["x-normalizer"]["seen-data"] = true;
    tables[t.name] = std::move(tj);
  }
  j["tables"] = std::move(tables);
  j["settings"] = settings_;
  j["normalizers"] = normalizers_;
  j["previous_hashes"] = previous_hashes_;
  for (auto it = extra_.begin(); it != extra_.end(); ++it) j[it.key()] = it.value();
  return pretty ? j.dump(2) : j.dump();
}

StatusOr<Schema> Schema::ReadFile(const std::filesystem::path& file, std::string_view remedy) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(file, ec);
  if (ec) abs = file;
  DLT_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(abs));
  return FromJson(text, abs.lexically_normal().string(), remedy);
}

StatusOr<Schema> Schema::FromJson(std::string_view text, std::string_view origin, std::string_view remedy) {
  OrderedJson j = OrderedJson::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return DataLoss(std::string(origin) + ": not a valid schema document (JSON could not be parsed)" +
                    (remedy.empty() ? "" : ". " + std::string(remedy)));
  }
  DLT_RETURN_IF_ERROR(CheckSchemaDocument(j, jsonread::JsonFile::Labeled(std::string(origin), std::string(remedy))));
  Schema s;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const auto& v = it.value();
    if (k == "version" && v.is_number_integer()) {
      s.version_ = v.get<int>();
    } else if (k == "version_hash" && v.is_string()) {
      s.version_hash_ = v.get<std::string>();
    } else if (k == "engine_version") {
      if (!v.is_number_integer() || v.get<int>() > kEngineVersion) {
        return FailedPrecondition(std::string(origin) + ": schema engine version " + v.dump() +
                                  " is newer than this tool supports (" + std::to_string(kEngineVersion) + ")");
      }
    } else if (k == "name" && v.is_string()) {
      s.name_ = v.get<std::string>();
    } else if (k == "settings") {
      s.settings_ = v;
    } else if (k == "normalizers") {
      s.normalizers_ = v;
    } else if (k == "previous_hashes" && v.is_array()) {
      for (const auto& h : v) {
        if (h.is_string()) s.previous_hashes_.push_back(h.get<std::string>());
      }
    } else if (k == "tables" && v.is_object()) {
      for (auto t = v.begin(); t != v.end(); ++t) {
        Table table;
        table.name = t.key();
        for (auto f = t.value().begin(); f != t.value().end(); ++f) {
          const std::string& fk = f.key();
          const auto& fv = f.value();
          if (fk == "name" && fv.is_string()) {
            table.name = fv.get<std::string>();
          } else if (fk == "columns" && fv.is_object()) {
            for (auto c = fv.begin(); c != fv.end(); ++c) {
              DLT_ASSIGN_OR_RETURN(Column col, ColumnFromJson(c.key(), c.value(), origin));
              table.columns.push_back(std::move(col));
            }
          } else if (fk == "write_disposition" && fv.is_string()) {
            table.write_disposition = ParseWriteDisposition(fv.get<std::string>());
            if (!table.write_disposition) {
              return InvalidArgument(std::string(origin) + ": table `" + table.name +
                                     "` has an unknown write_disposition " + fv.dump());
            }
          } else if (fk == "parent" && fv.is_string()) {
            table.parent = fv.get<std::string>();
          } else if (fk == "resource" && fv.is_string()) {
            table.resource = fv.get<std::string>();
          } else if (fk == "description" && fv.is_string()) {
            table.description = fv.get<std::string>();
          } else if (fk == "x-normalizer" && fv.is_object()) {
            table.seen_data = fv.value("seen-data", false);
            OrderedJson rest = fv;
            rest.erase("seen-data");
            if (!rest.empty()) table.extra["x-normalizer"] = rest;
          } else {
            table.extra[fk] = fv;
          }
        }
        s.tables_.push_back(std::move(table));
      }
    } else {
      s.extra_[k] = v;
    }
  }
  if (s.name_.empty()) return DataLoss(std::string(origin) + ": schema has no name");
  return s;
}

std::string Schema::ComputeVersionHash() const { return VersionHashOf(OrderedJson::parse(ToJson(false))); }

std::string Schema::VersionHashOf(const OrderedJson& doc) {
  nlohmann::json content = nlohmann::json::parse(doc.dump());
  content.erase("version");
  content.erase("version_hash");
  content.erase("imported_version_hash");
  content.erase("previous_hashes");
  hash::Sha3_256 h;
  std::string text;
  AppendOrjson(content, text);
  h.Update(text);
  // nlohmann::json sorts object keys: table names come sorted; columns keep their order from `doc`.
  if (auto tables = doc.find("tables"); tables != doc.end() && tables->is_object()) {
    std::vector<std::string> names;
    for (auto it = tables->begin(); it != tables->end(); ++it) names.push_back(it.key());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      h.Update(n);
      const auto& t = (*tables)[n];
      if (auto cols = t.find("columns"); cols != t.end() && cols->is_object()) {
        for (auto c = cols->begin(); c != cols->end(); ++c) h.Update(c.key());
      }
    }
  }
  return hash::Base64Encode(h.Final());
}

void Schema::SetVersionHistory(int version, std::string version_hash, std::vector<std::string> previous_hashes) {
  version_ = version;
  version_hash_ = std::move(version_hash);
  previous_hashes_ = std::move(previous_hashes);
}

OrderedJson Schema::UpdateOf(const std::vector<std::pair<std::string, std::vector<std::string>>>& columns) const {
  OrderedJson all = OrderedJson::parse(ToJson(false))["tables"];
  OrderedJson out = OrderedJson::object();
  for (const auto& [name, cols] : columns) {
    if (!all.contains(name)) continue;
    OrderedJson t = all[name];
    OrderedJson picked = OrderedJson::object();
    for (const auto& c : cols) {
      if (t["columns"].contains(c)) picked[c] = t["columns"][c];
    }
    t["columns"] = std::move(picked);
    if (!t.contains("write_disposition")) t["write_disposition"] = WriteDispositionName(DispositionOf(name));
    out[name] = std::move(t);
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> Schema::ColumnsAddedSince(const Schema& before) const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& t : tables_) {
    const Table* old = before.FindTable(t.name);
    std::vector<std::string> added;
    for (const auto& c : t.columns) {
      if (!old || !old->FindColumn(c.name)) added.push_back(c.name);
    }
    if (!added.empty()) out.push_back({t.name, std::move(added)});
  }
  return out;
}

bool Schema::BumpVersion() {
  std::string h = ComputeVersionHash();
  if (h == version_hash_) return false;
  if (!version_hash_.empty()) {
    previous_hashes_.insert(previous_hashes_.begin(), version_hash_);
    if (previous_hashes_.size() > 10) previous_hashes_.resize(10);
  }
  version_hash_ = h;
  ++version_;
  return true;
}

}  // namespace dlt
