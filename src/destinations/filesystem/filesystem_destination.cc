#include "destinations/filesystem/filesystem_destination.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/fault.h"
#include "common/fs.h"
#include "common/hash.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/filesystem/filesystem_layout.h"
#include "load/job_header.h"

namespace dlt {

using Json = nlohmann::ordered_json;

const DestinationType& FilesystemDestinationType();

std::string PathSafeHash(const std::string& version_hash) {
  auto bytes = hash::Base64Decode(version_hash);
  return bytes.ok() ? hash::ToHex(*bytes) : version_hash;
}

bool LoadIdLess(const std::string& a, const std::string& b) {
  double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  return x != y ? x < y : a < b;
}

FilesystemDestination::FilesystemDestination(FilesystemConfig config, DestinationOpenOptions options, std::string name)
    : config_(std::move(config)), options_(std::move(options)), name_(std::move(name)) {
  dataset_ = options_.dataset + "/";
  store_ = OpenFileStore(config_);
}

FilesystemDestination::~FilesystemDestination() = default;

StatusOr<bool> FilesystemDestination::IsLoaded(const std::string& load_id) {
  DLT_ASSIGN_OR_RETURN(auto loads, SystemFiles("_dlt_loads", 2));
  for (const auto& [path, parts] : loads) {
    if (parts[1] == load_id) return true;
  }
  return false;
}

Status FilesystemDestination::DeleteTableFiles(const std::string& table, const std::string& schema_name,
                                               const std::vector<std::string>& keep) {
  std::set<std::string> kept(keep.begin(), keep.end());
  DLT_ASSIGN_OR_RETURN(auto files, TableFiles(table, schema_name));
  for (const auto& f : files) {
    if (kept.count(f)) continue;
    if (Status s = store_->Delete(f); !s.ok()) return s.WithContext("table `" + table + "`");
  }
  return Status::Ok();
}

Status FilesystemDestination::Load(const PackageToLoad& p) {
  const Schema& schema = *p.schema;
  applied_.clear();
  std::map<std::string, std::vector<const PackageJob*>> by_table;
  std::set<std::string> roots;
  for (const auto& j : p.jobs) {
    if (!schema.FindTable(j.table)) return DataLoss("load package " + p.load_id + " has jobs for table `" + j.table + "` missing from its schema");
    by_table[j.table].push_back(&j);
    roots.insert(schema.RootOf(j.table).name);
  }
  for (const auto& r : p.replace_tables) {
    if (schema.FindTable(r)) roots.insert(r);
  }
  // Nothing is written when a table asks for what files cannot do (the pipeline refuses such a
  // resource before extracting; this catches packages made before the destination changed).
  std::map<std::string, FileFormat> formats;
  for (const auto& r : roots) {
    const Table& root = *schema.FindTable(r);
    if (root.write_disposition.value_or(WriteDisposition::kAppend) == WriteDisposition::kMerge) {
      return InvalidArgument(*MergeUnsupportedMessage(FilesystemDestinationType(), name_, r) +
                             "; then discard this package with `dlt pipeline <pipeline> drop-pending-packages`");
    }
    // As dlt picks a table's file format: the table's file_format hint (a resource's, or
    // run(loader_file_format=...), kept in the schema), else the one set for the destination,
    // else by the kind of its items. A hint of "preferred", or of a format files cannot have
    // (insert_values, ...), is passed over, as dlt's normalize does (the Python package warns).
    FileFormat format = config_.FormatFor(root.resource && p.arrow_resources.count(*root.resource) > 0);
    if (auto ff = root.extra.find("file_format"); ff != root.extra.end() && ff->is_string()) {
      if (auto hinted = ParseFileFormat(ff->get<std::string>())) format = *hinted;
    }
    formats[r] = format;
  }
  DLT_ASSIGN_OR_RETURN(auto init, store_->Read(dataset_ + "init"));
  if (!init) {
    // dlt's storage version 2: compressed files carry ".gz".
    DLT_RETURN_IF_ERROR(store_->Write(dataset_ + "init", R"({"initial_version": 2, "current_version": 2})"));
  }
  for (const auto& t : p.drop_tables) DLT_RETURN_IF_ERROR(DeleteTableFiles(t, schema.name(), {}));
  // Emptied tables (refresh="drop_data") lose their files; their schema stays.
  for (const auto& t : p.truncate_tables) DLT_RETURN_IF_ERROR(DeleteTableFiles(t, schema.name(), {}));

  // The schema version, once per version hash (dlt names the file with a time; the load id is one).
  const std::string hash_hex = PathSafeHash(schema.version_hash());
  bool have_version = false;
  DLT_ASSIGN_OR_RETURN(auto versions, SystemFiles("_dlt_version", 3));
  for (const auto& [path, parts] : versions) {
    have_version = have_version || (parts[0] == schema.name() && parts[2] == hash_hex);
  }
  if (!have_version) {
    Json v;
    v["version_hash"] = schema.version_hash();
    v["schema_name"] = schema.name();
    v["version"] = schema.version();
    v["engine_version"] = Schema::kEngineVersion;
    v["inserted_at"] = NowIso();
    v["schema"] = schema.ToJson();
    DLT_RETURN_IF_ERROR(store_->Write(dataset_ + "_dlt_version/" + schema.name() + "__" + p.load_id + "__" + hash_hex + ".jsonl", v.dump()));
  }

  for (const auto& rname : roots) {
    const Table& root = *schema.FindTable(rname);
    WriteDisposition disp = root.write_disposition.value_or(WriteDisposition::kAppend);
    if (disp == WriteDisposition::kSkip) continue;
    const FileFormat format = formats.at(rname);
    std::vector<const Table*> family{&root};
    for (const Table* t : schema.NestedTablesOf(rname)) family.push_back(t);
    std::map<std::string, std::vector<std::string>> written;
    std::vector<ExportTask> tasks;
    for (const Table* t : family) {
      auto it = by_table.find(t->name);
      if (it == by_table.end()) continue;
      DLT_ASSIGN_OR_RETURN(auto existing, TableFiles(t->name, schema.name()));
      if (existing.empty()) {
        std::vector<std::string> cols;
        for (const auto& c : t->columns) cols.push_back(c.name);
        applied_.push_back({t->name, std::move(cols)});
      }
      for (const PackageJob* j : it->second) {
        LayoutValues v{schema.name(), t->name, p.load_id, JobFileId(j->file_name), FileFormatExtension(format, config_.compress)};
        tasks.push_back({t, j, dataset_ + ExpandLayout(config_.layout, v, config_.layout_settings), &p.load_id, format});
        written[t->name].push_back(tasks.back().target);
      }
    }
    // The family's files are written together (several at once); a run killed meanwhile leaves
    // complete files under names the next run writes again.
    DLT_RETURN_IF_ERROR(ExportAll(tasks));
    for (size_t i = 0; i < written.size(); ++i) FaultPoint("load_table");
    // Replace: the old files go only once every new file is complete.
    if (disp == WriteDisposition::kReplace) {
      for (const Table* t : family) DLT_RETURN_IF_ERROR(DeleteTableFiles(t->name, schema.name(), written[t->name]));
    }
  }

  FaultPoint("load_before_state_row");
  if (p.state) {
    const StateRow& s = *p.state;
    Json doc;
    doc["version"] = s.version;
    doc["engine_version"] = s.engine_version;
    doc["pipeline_name"] = s.pipeline_name;
    doc["state"] = s.state;
    doc["created_at"] = NowIso();
    doc["version_hash"] = s.version_hash;
    doc["_dlt_load_id"] = p.load_id;
    DLT_RETURN_IF_ERROR(store_->Write(dataset_ + "_dlt_pipeline_state/" + s.pipeline_name + "__" + p.load_id + "__" +
                                          PathSafeHash(s.version_hash) + ".jsonl",
                                      doc.dump()));
    // As dlt: only the newest max_state_files states of the pipeline are kept.
    if (config_.max_state_files > 0) {
      std::vector<std::pair<std::string, std::string>> mine;
      DLT_ASSIGN_OR_RETURN(auto states, SystemFiles("_dlt_pipeline_state", 3));
      for (const auto& [path, parts] : states) {
        if (parts[0] == s.pipeline_name) mine.push_back({parts[1], path});
      }
      std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return LoadIdLess(b.first, a.first); });
      for (size_t i = static_cast<size_t>(config_.max_state_files); i < mine.size(); ++i) {
        DLT_RETURN_IF_ERROR(store_->Delete(mine[i].second));
      }
    }
  }
  FaultPoint("load_before_loads_row");
  Json load;
  load["load_id"] = p.load_id;
  load["schema_name"] = schema.name();
  load["status"] = 0;
  load["inserted_at"] = NowIso();
  load["schema_version_hash"] = schema.version_hash();
  return store_->Write(dataset_ + "_dlt_loads/" + schema.name() + "__" + p.load_id + ".jsonl", load.dump());
}

namespace {

StatusOr<std::unique_ptr<Destination>> OpenFilesystem(const DestinationConfig& d, const DestinationOpenOptions& o) {
  const auto* c = d.CredentialsAs<FilesystemConfig>();
  if (!c) return Internal("destination `" + d.name + "`: configuration of another type");
  return std::unique_ptr<Destination>(std::make_unique<FilesystemDestination>(*c, o, d.name));
}

void PreloadFilesystem() { (void)duckdb::EnsureLoaded(); }

}  // namespace

const DestinationType& FilesystemDestinationType() {
  static const DestinationType t{
      .name = "filesystem",
      .max_identifier_length = 65536,
      .load_while_normalizing = false,
      .supports_merge = false,
      .reads_typed_jobs = true,
      .reads_parquet_jobs = true,
      .resolve_credentials = &ResolveFilesystemConfig,
      .open = &OpenFilesystem,
      .preload = &PreloadFilesystem,
      .local_file = nullptr,
      .init_loads_into = "JSON Lines files into _local/dev/files/",
      .init_credentials_step = "",
  };
  return t;
}

}  // namespace dlt
