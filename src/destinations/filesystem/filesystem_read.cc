// The read side of the filesystem destination: the stored state and schema (restore, sync), the
// load record and the tables (the dashboard), all from the files dlt's layout puts in the bucket.
// Tables are read through the in-memory DuckDB (read_parquet / read_json / read_csv).
#include <algorithm>
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "common/fs.h"
#include "common/text.h"
#include "destinations/filesystem/filesystem_destination.h"
#include "destinations/filesystem/filesystem_layout.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

StatusOr<nlohmann::json> ReadJsonFile(const fs::path& p) {
  DLT_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(p));
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return DataLoss(p.string() + " is damaged: not a JSON object");
  return doc;
}

std::string Text(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::vector<std::pair<fs::path, std::vector<std::string>>> FilesystemDestination::SystemFiles(const std::string& table,
                                                                                                size_t parts) const {
  std::vector<std::pair<fs::path, std::vector<std::string>>> out;
  std::error_code ec;
  for (fs::directory_iterator it(dataset_dir_ / table, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with(".") || !name.ends_with(".jsonl")) continue;
    name.resize(name.size() - 6);
    // dlt splits from the right, so the first part (a pipeline or schema name) may hold "__".
    std::vector<std::string> split;
    std::string rest = name;
    while (split.size() + 1 < parts) {
      size_t at = rest.rfind("__");
      if (at == std::string::npos) break;
      split.insert(split.begin(), rest.substr(at + 2));
      rest.resize(at);
    }
    split.insert(split.begin(), rest);
    if (split.size() == parts) out.push_back({it->path(), std::move(split)});
  }
  return out;
}

std::vector<fs::path> FilesystemDestination::TableFiles(const std::string& table, const std::string& schema_name) const {
  const std::string prefix = (dataset_dir_ / TablePrefix(config_.layout, schema_name, table)).string();
  // The folder the prefix is in; every file under it whose path starts with the prefix.
  fs::path dir = fs::path(prefix).parent_path();
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name == "init" || name.starts_with(".")) continue;
    if (it->path().string().starts_with(prefix)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<bool> FilesystemDestination::DatasetExists() {
  std::error_code ec;
  return fs::exists(dataset_dir_ / "init", ec);
}

StatusOr<std::vector<LoadRecord>> FilesystemDestination::RecentLoads(size_t limit) {
  auto files = SystemFiles("_dlt_loads", 2);
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return LoadIdLess(b.second[1], a.second[1]); });
  std::vector<LoadRecord> out;
  for (const auto& [path, parts] : files) {
    if (out.size() >= limit) break;
    DLT_ASSIGN_OR_RETURN(auto doc, ReadJsonFile(path));
    LoadRecord r;
    r.load_id = Text(doc, "load_id");
    r.schema_name = Text(doc, "schema_name");
    r.status = Text(doc, "status");
    r.inserted_at = Text(doc, "inserted_at");
    r.schema_version_hash = Text(doc, "schema_version_hash");
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<std::optional<StoredState>> FilesystemDestination::RetrieveState(const std::string& pipeline_name) {
  // Only states of completed loads count: a state file without its _dlt_loads entry is what a
  // killed load left (the next run rewrites it).
  std::set<std::string> completed;
  for (const auto& [path, parts] : SystemFiles("_dlt_loads", 2)) completed.insert(parts[1]);
  std::optional<std::pair<std::string, fs::path>> newest;
  for (const auto& [path, parts] : SystemFiles("_dlt_pipeline_state", 3)) {
    if (parts[0] != pipeline_name || !completed.count(parts[1])) continue;
    if (!newest || LoadIdLess(newest->first, parts[1])) newest = {parts[1], path};
  }
  if (!newest) return std::optional<StoredState>();
  DLT_ASSIGN_OR_RETURN(auto doc, ReadJsonFile(newest->second));
  StoredState st;
  st.state = Text(doc, "state");
  std::string version = Text(doc, "version");
  std::from_chars(version.data(), version.data() + version.size(), st.version);
  st.load_id = Text(doc, "_dlt_load_id");
  if (st.load_id.empty()) st.load_id = Text(doc, "dlt_load_id");  // dlt before 0.5
  if (st.load_id.empty()) st.load_id = newest->first;
  st.created_at = Text(doc, "created_at");
  if (st.state.empty()) return DataLoss(newest->second.string() + " is damaged: it has no `state`");
  return std::optional<StoredState>(std::move(st));
}

StatusOr<std::optional<std::string>> FilesystemDestination::RetrieveSchema(const std::string& schema_name) {
  std::optional<std::pair<std::string, fs::path>> newest;
  for (const auto& [path, parts] : SystemFiles("_dlt_version", 3)) {
    if (parts[0] != schema_name) continue;
    if (!newest || LoadIdLess(newest->first, parts[1])) newest = {parts[1], path};
  }
  if (!newest) return std::optional<std::string>();
  DLT_ASSIGN_OR_RETURN(auto doc, ReadJsonFile(newest->second));
  std::string schema = Text(doc, "schema");
  if (schema.empty()) return DataLoss(newest->second.string() + " is damaged: it has no `schema`");
  return std::optional<std::string>(std::move(schema));
}

std::string FilesystemDestination::SchemaNameForReads() {
  auto loads = RecentLoads(1);
  if (loads.ok() && !loads->empty() && (*loads)[0].schema_name) return *(*loads)[0].schema_name;
  return "";
}

std::string FilesystemDestination::ReaderSql(const std::string& table) {
  const bool system = table.starts_with("_dlt");
  std::vector<fs::path> files;
  if (system) {
    for (const auto& [path, parts] : SystemFiles(table, table == "_dlt_loads" ? 2 : 3)) files.push_back(path);
  } else {
    files = TableFiles(table, SchemaNameForReads());
  }
  if (files.empty()) return "";
  std::vector<std::string> quoted;
  for (const auto& f : files) quoted.push_back(duckdb::QuoteLiteral(f.string()));
  const std::string list = "[" + text::Join(quoted, ", ") + "]";
  if (system || config_.format == FileFormat::kJsonl) return "read_json(" + list + ", format = 'newline_delimited', union_by_name = true)";
  if (config_.format == FileFormat::kCsv) return "read_csv(" + list + ", union_by_name = true)";
  return "read_parquet(" + list + ", union_by_name = true)";
}

StatusOr<std::vector<std::string>> FilesystemDestination::TableColumns(const std::string& table) {
  std::string from = ReaderSql(table);
  if (from.empty()) return std::vector<std::string>();
  DLT_ASSIGN_OR_RETURN(DuckDbClient * engine, Engine());
  DLT_ASSIGN_OR_RETURN(auto rows, engine->Query("SELECT column_name FROM (DESCRIBE SELECT * FROM " + from + ")"));
  std::vector<std::string> out;
  for (auto& r : rows) {
    if (!r.empty() && r[0]) out.push_back(*r[0]);
  }
  return out;
}

StatusOr<uint64_t> FilesystemDestination::CountRows(const std::string& table) {
  std::string from = ReaderSql(table);
  if (from.empty()) return uint64_t{0};
  DLT_ASSIGN_OR_RETURN(DuckDbClient * engine, Engine());
  DLT_ASSIGN_OR_RETURN(auto rows, engine->Query("SELECT count(*) FROM " + from));
  uint64_t v = 0;
  if (!rows.empty() && !rows[0].empty() && rows[0][0]) {
    const std::string& s = *rows[0][0];
    std::from_chars(s.data(), s.data() + s.size(), v);
  }
  return v;
}

StatusOr<RowPage> FilesystemDestination::ReadRows(const std::string& table, uint64_t limit, uint64_t offset) {
  RowPage page;
  std::string from = ReaderSql(table);
  if (from.empty()) return NotFound("table `" + table + "` has no files in " + dataset_dir_.string() + " yet");
  DLT_ASSIGN_OR_RETURN(page.columns, TableColumns(table));
  DLT_ASSIGN_OR_RETURN(page.total, CountRows(table));
  DLT_ASSIGN_OR_RETURN(DuckDbClient * engine, Engine());
  DLT_ASSIGN_OR_RETURN(page.rows, engine->Query("SELECT * FROM " + from + " LIMIT " + std::to_string(limit) +
                                                " OFFSET " + std::to_string(offset)));
  return page;
}

}  // namespace dlt
