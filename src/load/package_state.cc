#include "load/package_state.h"

#include "common/json_read.h"
#include "load/pipeline_state.h"
#include "normalize/relational.h"
#include "normalize/schema.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using jsonread::JsonFile;
using jsonread::Join;
using K = jsonread::Kind;

namespace {

// The hints HintsToJson writes for one resource.
Status CheckResourceHints(const JsonFile& f, const Json& h, const std::string& at) {
  for (const char* k : {"name", "table_name", "incremental_cursor", "file_format"}) DLT_RETURN_IF_ERROR(f.Optional(h, at, k, K::kString));
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "write_disposition", K::kString));
  if (auto wd = h.find("write_disposition"); wd != h.end() && !ParseWriteDisposition(wd->get<std::string>())) {
    return f.Damaged("key '" + Join(at, "write_disposition") + "' holds the unknown write disposition " + wd->dump());
  }
  for (const char* k : {"primary_key", "merge_key"}) {
    DLT_RETURN_IF_ERROR(f.Optional(h, at, k, K::kArray));
    if (auto it = h.find(k); it != h.end()) DLT_RETURN_IF_ERROR(f.Each(*it, Join(at, k), K::kString));
  }
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "max_table_nesting", K::kInteger));
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "arrow_items", K::kBool));
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "schema_contract", K::kObject));
  if (auto sc = h.find("schema_contract"); sc != h.end()) {
    for (const char* k : {"tables", "columns", "data_type"}) {
      DLT_RETURN_IF_ERROR(f.Optional(*sc, Join(at, "schema_contract"), k, K::kString));
    }
  }
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "schema_settings", K::kObject));
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "references", K::kArray));
  if (auto refs = h.find("references"); refs != h.end()) {
    for (size_t i = 0; i < refs->size(); ++i) {
      const Json& r = (*refs)[i];
      const std::string rat = Join(at, "references") + "[" + std::to_string(i) + "]";
      if (!r.is_object()) return f.Damaged("key '" + rat + "' is not an object");
      DLT_RETURN_IF_ERROR(f.Required(r, rat, "referenced_table", K::kString));
      for (const char* k : {"columns", "referenced_columns"}) {
        DLT_RETURN_IF_ERROR(f.Required(r, rat, k, K::kArray));
        DLT_RETURN_IF_ERROR(f.Each(r[k], Join(rat, k), K::kString));
      }
      for (const char* k : {"label", "cardinality"}) DLT_RETURN_IF_ERROR(f.Optional(r, rat, k, K::kString));
    }
  }
  DLT_RETURN_IF_ERROR(f.Optional(h, at, "columns", K::kArray));
  auto cols = h.find("columns");
  if (cols == h.end()) return Status::Ok();
  for (size_t i = 0; i < cols->size(); ++i) {
    const Json& c = (*cols)[i];
    const std::string at_col = Join(at, "columns") + "[" + std::to_string(i) + "]";
    DLT_RETURN_IF_ERROR(f.Want(c, at_col, K::kObject));
    for (const char* k : {"name", "data_type"}) DLT_RETURN_IF_ERROR(f.Optional(c, at_col, k, K::kString));
    if (auto dt = c.find("data_type"); dt != c.end() && !ParseDataType(dt->get<std::string>())) {
      return f.Damaged("key '" + Join(at_col, "data_type") + "' holds the unknown data type " + dt->dump());
    }
    for (const char* k : {"nullable", "primary_key", "merge_key", "unique"}) {
      DLT_RETURN_IF_ERROR(f.Optional(c, at_col, k, K::kBool));
    }
    for (const char* k : {"precision", "scale"}) DLT_RETURN_IF_ERROR(f.Optional(c, at_col, k, K::kInteger));
  }
  return Status::Ok();
}

StatusOr<StateRow> ReadStateRow(const JsonFile& f, const Json& s, const std::string& pipeline_name) {
  const std::string at = "pipeline_state";
  DLT_RETURN_IF_ERROR(f.Want(s, at, K::kObject));
  // The encoded state is what the load writes to _dlt_pipeline_state: without it there is no row.
  DLT_RETURN_IF_ERROR(f.Required(s, at, "state", K::kString));
  for (const char* k : {"version", "engine_version"}) DLT_RETURN_IF_ERROR(f.Optional(s, at, k, K::kInteger));
  for (const char* k : {"pipeline_name", "version_hash", "_dlt_id"}) DLT_RETURN_IF_ERROR(f.Optional(s, at, k, K::kString));
  StateRow row;
  row.version = s.value("version", 0);
  row.engine_version = s.value("engine_version", PipelineState::kEngineVersion);
  row.pipeline_name = s.value("pipeline_name", pipeline_name);
  row.state = s["state"].get<std::string>();
  row.version_hash = s.value("version_hash", "");
  row.row_id = s.contains("_dlt_id") ? s["_dlt_id"].get<std::string>() : NewRowKey();
  return row;
}

}  // namespace

const Json& LoadPackageState::resources() const {
  static const Json kEmpty = Json::object();
  auto it = doc.find("resources");
  return it == doc.end() ? kEmpty : *it;
}

std::optional<std::string> LoadPackageState::schema_name() const {
  auto it = doc.find("schema_name");
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

StatusOr<LoadPackageState> ReadLoadPackageState(const fs::path& file, const std::string& pipeline_name) {
  const std::string id = file.parent_path().filename().string();
  JsonFile f(file, "Discard the package with `dlt pipeline " + pipeline_name +
                       " drop-pending-packages`, then restore the state with `dlt pipeline " + pipeline_name + " sync`");
  auto in_package = [&](const Status& s) { return s.ok() ? s : s.WithContext("load package " + id); };
  LoadPackageState ps;
  {
    auto doc = f.ReadObject();
    if (!doc.ok()) return doc.status().code() == StatusCode::kDataLoss ? in_package(doc.status()) : doc.status();
    ps.doc = std::move(doc).value();
  }
  const Json& d = ps.doc;
  Status s = f.Optional(d, "", "created_at", K::kString);
  if (s.ok()) s = f.Optional(d, "", "schema_name", K::kString);
  if (s.ok()) s = f.Optional(d, "", "resources", K::kObject);
  if (s.ok()) s = f.Each(ps.resources(), "resources", K::kObject);
  for (auto it = ps.resources().begin(); s.ok() && it != ps.resources().end(); ++it) {
    s = CheckResourceHints(f, it.value(), Join("resources", it.key()));
  }
  if (s.ok() && d.contains("local_state")) {
    s = PipelineState::Validate(d["local_state"], f, "local_state");
    if (s.ok()) ps.local_state = d["local_state"];
  }
  if (s.ok() && d.contains("pipeline_state")) {
    auto row = ReadStateRow(f, d["pipeline_state"], pipeline_name);
    if (row.ok()) ps.pipeline_state = std::move(row).value();
    else s = row.status();
  }
  if (s.ok()) s = f.Optional(d, "", "replace_tables", K::kArray);
  if (s.ok() && d.contains("replace_tables")) {
    s = f.Each(d["replace_tables"], "replace_tables", K::kString);
    if (s.ok()) ps.replace_tables = d["replace_tables"].get<std::vector<std::string>>();
  }
  if (s.ok()) s = f.Optional(d, "", "dropped_tables", K::kArray);
  if (s.ok() && d.contains("dropped_tables")) {
    s = f.Each(d["dropped_tables"], "dropped_tables", K::kString);
    if (s.ok()) ps.dropped_tables = d["dropped_tables"].get<std::vector<std::string>>();
  }
  if (s.ok()) s = f.Optional(d, "", "truncated_tables", K::kArray);
  if (s.ok() && d.contains("truncated_tables")) {
    s = f.Each(d["truncated_tables"], "truncated_tables", K::kString);
    if (s.ok()) ps.truncated_tables = d["truncated_tables"].get<std::vector<std::string>>();
  }
  for (const char* k : {"row_counts", "job_bytes"}) {
    if (s.ok()) s = f.Optional(d, "", k, K::kObject);
    if (s.ok() && d.contains(k)) s = f.Each(d[k], k, K::kUnsigned);
  }
  if (s.ok()) s = f.Optional(d, "", kGeneratedColumnsKey, K::kObject);
  if (s.ok() && d.contains(kGeneratedColumnsKey)) {
    const Json& g = d[kGeneratedColumnsKey];
    s = f.Each(g, kGeneratedColumnsKey, K::kArray);
    for (auto it = g.begin(); s.ok() && it != g.end(); ++it) {
      s = f.Each(it.value(), Join(kGeneratedColumnsKey, it.key()), K::kString);
    }
  }
  if (!s.ok()) return in_package(s);
  if (auto g = d.find(kGeneratedColumnsKey); g != d.end()) {
    for (auto it = g->begin(); it != g->end(); ++it) ps.generated_columns[it.key()] = it->get<std::vector<std::string>>();
  }
  if (auto rc = d.find("row_counts"); rc != d.end()) {
    for (auto it = rc->begin(); it != rc->end(); ++it) ps.row_counts.emplace_back(it.key(), it->get<uint64_t>());
  }
  if (auto jb = d.find("job_bytes"); jb != d.end()) {
    for (auto it = jb->begin(); it != jb->end(); ++it) ps.job_bytes[it.key()] = it->get<uint64_t>();
  }
  return ps;
}

}  // namespace dlt
