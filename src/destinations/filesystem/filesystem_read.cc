// The read side of the filesystem destination: the stored state and schema (restore, sync), the
// load record and the tables (the dashboard), all from the files dlt's layout puts in the bucket.
// Tables are read through the in-memory DuckDB (read_parquet / read_json / read_csv).
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/fs.h"
#include "common/text.h"
#include "destinations/filesystem/filesystem_destination.h"
#include "destinations/filesystem/filesystem_layout.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

StatusOr<nlohmann::json> ReadJsonFile(FileStore& store, const std::string& p) {
  DLT_ASSIGN_OR_RETURN(auto text, store.Read(p));
  if (!text) return NotFound(store.Display(p) + " is gone (deleted while it was being read)");
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return DataLoss(store.Display(p) + " is damaged: not a JSON object");
  return doc;
}

std::string Text(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

StatusOr<std::vector<std::pair<std::string, std::vector<std::string>>>> FilesystemDestination::SystemFiles(
    const std::string& table, size_t parts) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  const std::string folder = dataset_ + table + "/";
  DLT_ASSIGN_OR_RETURN(auto files, store_->List(folder));
  for (const auto& path : files) {
    std::string name = path.substr(folder.size());
    if (name.find('/') != std::string::npos || !name.ends_with(".jsonl")) continue;
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
    if (split.size() == parts) out.push_back({path, std::move(split)});
  }
  return out;
}

StatusOr<std::vector<std::string>> FilesystemDestination::TableFiles(const std::string& table,
                                                                     const std::string& schema_name) {
  DLT_ASSIGN_OR_RETURN(auto files, store_->List(dataset_ + TablePrefix(config_.layout, schema_name, table)));
  std::vector<std::string> out;
  for (auto& f : files) {
    if (!f.ends_with("/init") && f != "init") out.push_back(std::move(f));
  }
  return out;
}

StatusOr<bool> FilesystemDestination::DatasetExists() {
  DLT_ASSIGN_OR_RETURN(auto init, store_->Read(dataset_ + "init"));
  return init.has_value();
}

StatusOr<std::vector<LoadRecord>> FilesystemDestination::RecentLoads(size_t limit) {
  DLT_ASSIGN_OR_RETURN(auto files, SystemFiles("_dlt_loads", 2));
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return LoadIdLess(b.second[1], a.second[1]); });
  std::vector<LoadRecord> out;
  for (const auto& [path, parts] : files) {
    if (out.size() >= limit) break;
    DLT_ASSIGN_OR_RETURN(auto doc, ReadJsonFile(*store_, path));
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
  DLT_ASSIGN_OR_RETURN(auto loads, SystemFiles("_dlt_loads", 2));
  for (const auto& [path, parts] : loads) completed.insert(parts[1]);
  std::optional<std::pair<std::string, std::string>> newest;
  DLT_ASSIGN_OR_RETURN(auto states, SystemFiles("_dlt_pipeline_state", 3));
  for (const auto& [path, parts] : states) {
    if (parts[0] != pipeline_name || !completed.count(parts[1])) continue;
    if (!newest || LoadIdLess(newest->first, parts[1])) newest = {parts[1], path};
  }
  if (!newest) return std::optional<StoredState>();
  DLT_ASSIGN_OR_RETURN(auto doc, ReadJsonFile(*store_, newest->second));
  StoredState st;
  st.state = Text(doc, "state");
  std::string version = Text(doc, "version");
  std::from_chars(version.data(), version.data() + version.size(), st.version);
  st.load_id = Text(doc, "_dlt_load_id");
  if (st.load_id.empty()) st.load_id = Text(doc, "dlt_load_id");  // dlt before 0.5
  if (st.load_id.empty()) st.load_id = newest->first;
  st.created_at = Text(doc, "created_at");
  if (st.state.empty()) return DataLoss(store_->Display(newest->second) + " is damaged: it has no `state`");
  return std::optional<StoredState>(std::move(st));
}

StatusOr<std::optional<std::string>> FilesystemDestination::RetrieveSchema(const std::string& schema_name) {
  std::optional<std::pair<std::string, std::string>> newest;
  DLT_ASSIGN_OR_RETURN(auto versions, SystemFiles("_dlt_version", 3));
  for (const auto& [path, parts] : versions) {
    if (parts[0] != schema_name) continue;
    if (!newest || LoadIdLess(newest->first, parts[1])) newest = {parts[1], path};
  }
  if (!newest) return std::optional<std::string>();
  DLT_ASSIGN_OR_RETURN(auto doc, ReadJsonFile(*store_, newest->second));
  std::string schema = Text(doc, "schema");
  if (schema.empty()) return DataLoss(store_->Display(newest->second) + " is damaged: it has no `schema`");
  return std::optional<std::string>(std::move(schema));
}

std::string FilesystemDestination::SchemaNameForReads() {
  auto loads = RecentLoads(1);
  if (loads.ok() && !loads->empty() && (*loads)[0].schema_name) return *(*loads)[0].schema_name;
  return "";
}

StatusOr<std::string> FilesystemDestination::ReaderSql(const std::string& table) {
  const bool system = table.starts_with("_dlt");
  std::vector<std::string> files;
  if (system) {
    DLT_ASSIGN_OR_RETURN(auto sys, SystemFiles(table, table == "_dlt_loads" ? 2 : 3));
    for (const auto& [path, parts] : sys) files.push_back(path);
  } else {
    DLT_ASSIGN_OR_RETURN(files, TableFiles(table, SchemaNameForReads()));
  }
  if (files.empty()) return std::string();
  // Each file is read by the reader of its own format (its extension): a table whose files were
  // written in several formats (the setting changed between loads, or run(loader_file_format=))
  // reads as one, its columns matched by name.
  std::map<FileFormat, std::vector<std::string>> by_format;
  for (const auto& f : files) {
    FileFormat format = system ? FileFormat::kJsonl : config_.FormatFor(false);
    const std::string name = fs::path(f).filename().string();
    if (name.ends_with(".parquet")) format = FileFormat::kParquet;
    else if (name.find(".jsonl") != std::string::npos) format = FileFormat::kJsonl;
    else if (name.find(".csv") != std::string::npos) format = FileFormat::kCsv;
    // DuckDB reads local files: those of an S3 bucket are downloaded first.
    DLT_ASSIGN_OR_RETURN(fs::path local, store_->LocalCopy(f));
    by_format[format].push_back(duckdb::QuoteLiteral(local.string()));
  }
  std::vector<std::string> readers;
  for (const auto& [format, quoted] : by_format) {
    const std::string list = "[" + text::Join(quoted, ", ") + "]";
    switch (format) {
      case FileFormat::kJsonl:
        readers.push_back("read_json(" + list + ", format = 'newline_delimited', union_by_name = true)");
        break;
      case FileFormat::kCsv: readers.push_back("read_csv(" + list + ", union_by_name = true)"); break;
      case FileFormat::kParquet: readers.push_back("read_parquet(" + list + ", union_by_name = true)"); break;
    }
  }
  if (readers.size() == 1) return readers[0];
  return "(SELECT * FROM " + text::Join(readers, " UNION ALL BY NAME SELECT * FROM ") + ")";
}

StatusOr<std::vector<std::string>> FilesystemDestination::TableColumns(const std::string& table) {
  DLT_ASSIGN_OR_RETURN(std::string from, ReaderSql(table));
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
  DLT_ASSIGN_OR_RETURN(std::string from, ReaderSql(table));
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
  DLT_ASSIGN_OR_RETURN(std::string from, ReaderSql(table));
  if (from.empty()) return NotFound("table `" + table + "` has no files in " + store_->Display(dataset_) + " yet");
  DLT_ASSIGN_OR_RETURN(page.columns, TableColumns(table));
  DLT_ASSIGN_OR_RETURN(page.total, CountRows(table));
  DLT_ASSIGN_OR_RETURN(DuckDbClient * engine, Engine());
  DLT_ASSIGN_OR_RETURN(page.rows, engine->Query("SELECT * FROM " + from + " LIMIT " + std::to_string(limit) +
                                                " OFFSET " + std::to_string(offset)));
  return page;
}

StatusOr<std::optional<std::string>> FilesystemDestination::NewestLoadId(const std::string& table) {
  if (table.starts_with("_dlt")) return std::optional<std::string>();
  DLT_ASSIGN_OR_RETURN(auto columns, TableColumns(table));
  if (std::find(columns.begin(), columns.end(), "_dlt_load_id") == columns.end()) return std::optional<std::string>();
  DLT_ASSIGN_OR_RETURN(std::string from, ReaderSql(table));
  DLT_ASSIGN_OR_RETURN(DuckDbClient * engine, Engine());
  // Distinct ids (one per load), compared as the numbers they are.
  DLT_ASSIGN_OR_RETURN(auto rows, engine->Query("SELECT DISTINCT CAST(_dlt_load_id AS VARCHAR) FROM " + from));
  std::optional<std::string> newest;
  for (const auto& r : rows) {
    if (r.empty() || !r[0]) continue;
    if (!newest || LoadIdLess(*newest, *r[0])) newest = *r[0];
  }
  return newest;
}

}  // namespace dlt
