#include "destinations/sink/sink_destination.h"

#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/fault.h"
#include "common/fs.h"
#include "common/text.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_client.h"
#include "load/job_header.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

std::mutex& CallbackMutex() {
  static std::mutex mu;
  return mu;
}

// Never destroyed: a callback of the Python package must not be released after the interpreter
// has finished, at the process's exit.
SinkCallback& Callback() {
  static auto* cb = new SinkCallback();
  return *cb;
}

SinkCallback CurrentCallback() {
  std::lock_guard<std::mutex> lock(CallbackMutex());
  return Callback();
}

class SinkDestination : public Destination {
 public:
  SinkDestination(std::string name, SinkConfig config) : name_(std::move(name)), config_(std::move(config)) {}

  StatusOr<bool> IsLoaded(const std::string& load_id) override {
    (void)load_id;  // nothing is recorded at the destination; the package's own record decides
    return false;
  }

  Status Load(const PackageToLoad& p) override {
    applied_.clear();
    SinkCallback callback = CurrentCallback();
    if (!callback) {
      return FailedPrecondition(
          "destination `" + name_ + "` is a custom destination (@dlt.destination): its function can only be called "
          "by the Python process that runs the pipeline, not by this process (such as the CLI). Run the pipeline's "
          "script again to load package " + p.load_id + ".");
    }
    const Schema& schema = *p.schema;
    const std::string schema_json = schema.ToJson();
    std::vector<std::pair<std::string, fs::path>> jobs;  // (storage id, job file)
    for (const auto& j : p.jobs) {
      if (!schema.FindTable(j.table)) {
        return DataLoss("load package " + p.load_id + " has jobs for table `" + j.table + "` missing from its schema");
      }
    }
    // The package's folder is known from its job files; a package without any (only a state
    // change) has nothing for the function; the next package carries the newer state.
    if (p.jobs.empty()) return Status::Ok();
    const fs::path package_dir = PackageDir(p);
    const fs::path sink_dir = package_dir / "sink";
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(sink_dir));
    std::set<std::string> done = ReadLines(sink_dir / "completed");

    std::set<std::string> seen_tables;
    for (const auto& j : p.jobs) {
      const std::string storage_id = j.table + "." + JobFileId(j.file_name);
      if (done.count(storage_id)) continue;
      DLT_ASSIGN_OR_RETURN(fs::path items, Export(schema, j, sink_dir, storage_id));
      SinkJob job{name_, p.load_id, j.table, schema_json, items, config_.format, storage_id, package_dir};
      DLT_RETURN_IF_ERROR(Hand(callback, job, sink_dir, &done));
      if (seen_tables.insert(j.table).second) {
        std::vector<std::string> cols;
        for (const auto& c : schema.FindTable(j.table)->columns) cols.push_back(c.name);
        applied_.push_back({j.table, std::move(cols)});
      }
    }
    // dlt also hands over the pipeline state row (the function skips it unless it asked for
    // dlt's tables).
    if (p.state && schema.FindTable("_dlt_pipeline_state")) {
      const std::string storage_id = "_dlt_pipeline_state.state";
      if (!done.count(storage_id)) {
        const StateRow& s = *p.state;
        nlohmann::ordered_json row;
        row["version"] = s.version;
        row["engine_version"] = s.engine_version;
        row["pipeline_name"] = s.pipeline_name;
        row["state"] = s.state;
        row["created_at"] = NowIso();
        row["version_hash"] = s.version_hash;
        row["_dlt_load_id"] = p.load_id;
        row["_dlt_id"] = s.row_id;
        const fs::path items = sink_dir / (storage_id + ".jsonl");
        DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(items, row.dump() + "\n"));
        SinkJob job{name_, p.load_id, "_dlt_pipeline_state", schema_json, items, "jsonl", storage_id, package_dir};
        DLT_RETURN_IF_ERROR(Hand(callback, job, sink_dir, &done));
      }
    }
    return Status::Ok();
  }

  const std::vector<std::pair<std::string, std::vector<std::string>>>& applied_columns() const override {
    return applied_;
  }

  StatusOr<std::optional<StoredState>> RetrieveState(const std::string&) override {
    return std::optional<StoredState>();  // as dlt: a custom destination keeps no state to restore
  }
  StatusOr<std::optional<std::string>> RetrieveSchema(const std::string&) override {
    return std::optional<std::string>();
  }
  StatusOr<bool> DatasetExists() override { return false; }
  StatusOr<std::vector<LoadRecord>> RecentLoads(size_t) override { return std::vector<LoadRecord>(); }
  StatusOr<std::vector<std::string>> TableColumns(const std::string&) override { return std::vector<std::string>(); }
  StatusOr<uint64_t> CountRows(const std::string& table) override { return NoReadSide(table); }
  StatusOr<RowPage> ReadRows(const std::string& table, uint64_t, uint64_t) override { return NoReadSide(table); }
  Status LimitReadTime(int) override { return Status::Ok(); }

 private:
  Status NoReadSide(const std::string& table) const {
    return FailedPrecondition("destination `" + name_ + "` is a custom destination (@dlt.destination): its rows of `" +
                              table + "` went to its function and cannot be read back");
  }

  // The package folder of its job files (`<package>/<jobs folder>/<file>`); there is at least one.
  static fs::path PackageDir(const PackageToLoad& p) { return p.jobs.front().path.parent_path().parent_path(); }

  static std::set<std::string> ReadLines(const fs::path& file) {
    std::set<std::string> out;
    auto text = fsutil::ReadFile(file);
    if (!text.ok()) return out;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.insert(line);
    }
    return out;
  }

  // The job's rows as a file the function's side reads: written once (under a temporary name,
  // then renamed), kept until the job is done so that a retried job reads the same rows.
  StatusOr<fs::path> Export(const Schema& schema, const PackageJob& j, const fs::path& sink_dir,
                            const std::string& storage_id) {
    const bool parquet = config_.format == "parquet";
    const fs::path target = sink_dir / (storage_id + (parquet ? ".parquet" : ".jsonl"));
    std::error_code ec;
    if (fs::exists(target, ec)) return target;
    const Table& table = *schema.FindTable(j.table);
    const bool parquet_job = IsParquetJobFile(j.path);
    if (!engine_) {
      DLT_ASSIGN_OR_RETURN(engine_, DuckDbClient::Open(":memory:", "(in memory, for destination `" + name_ + "`)", false));
    }
    std::vector<std::string> header;
    if (parquet_job) {
      DLT_ASSIGN_OR_RETURN(header, engine_->ParquetJobColumns(j.path));
    } else {
      DLT_ASSIGN_OR_RETURN(header, ReadJobHeader(j.path));
    }
    DLT_ASSIGN_OR_RETURN(auto cols, JobColumns(table, header, j.path));
    DLT_ASSIGN_OR_RETURN(auto generated, JobColumns(table, j.generated, j.path));
    const fs::path temp = sink_dir / (storage_id + ".partial");
    const char* options = parquet ? "FORMAT parquet" : "FORMAT json";
    const std::string load_id = j.path.parent_path().parent_path().filename().string();
    Status s = parquet_job ? engine_->ExportParquetJob(cols, generated, load_id, j.path, temp, options)
                           : engine_->ExportJobs(cols, {j.path}, temp, options);
    if (s.ok()) {
      fs::rename(temp, target, ec);
      if (ec) s = Internal("cannot rename " + temp.string() + " to " + target.string() + ": " + ec.message());
    }
    if (!s.ok()) {
      fs::remove(temp, ec);
      return s.WithContext("destination `" + name_ + "`, table `" + j.table + "`");
    }
    return target;
  }

  // Calls the function for one job and records the job as done when it returns (or gives it up).
  Status Hand(const SinkCallback& callback, const SinkJob& job, const fs::path& sink_dir, std::set<std::string>* done) {
    FaultPoint("sink_before_call");
    SinkResult r = callback(job);
    if (!r.status.ok() && r.failure == SinkFailure::kRetry) {
      return r.status.WithContext("destination `" + name_ + "`, table `" + job.table + "`, job " + job.storage_id);
    }
    std::string line = job.storage_id + "\n";
    auto before = fsutil::ReadFile(sink_dir / "completed");
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(sink_dir / "completed", (before.ok() ? *before : std::string()) + line));
    done->insert(job.storage_id);
    std::error_code ec;
    fs::remove(job.items, ec);
    FaultPoint("sink_after_job");
    return Status::Ok();
  }

  std::string name_;
  SinkConfig config_;
  std::unique_ptr<DuckDbClient> engine_;
  std::vector<std::pair<std::string, std::vector<std::string>>> applied_;
};

StatusOr<std::shared_ptr<const DestinationCredentials>> ResolveSinkConfig(const CredentialsLookup& l) {
  auto c = std::make_shared<SinkConfig>();
  DLT_ASSIGN_OR_RETURN(auto format, l.Setting("loader_file_format"));
  if (format) {
    const std::string& f = format->value.text;
    if (f == "parquet") c->format = "parquet";
    else if (f == "jsonl" || f == "typed-jsonl") c->format = "jsonl";
    else {
      return InvalidArgument("`" + text::Join(format->path, ".") + "` (" + format->origin.Describe() + ") is `" + f +
                             "`; a custom destination takes typed-jsonl, jsonl or parquet");
    }
  }
  return std::shared_ptr<const DestinationCredentials>(std::move(c));
}

StatusOr<std::unique_ptr<Destination>> OpenSink(const DestinationConfig& d, const DestinationOpenOptions&) {
  const auto* c = d.CredentialsAs<SinkConfig>();
  if (!c) return Internal("destination `" + d.name + "`: configuration of another type");
  return std::unique_ptr<Destination>(std::make_unique<SinkDestination>(d.name, *c));
}

void PreloadSink() { (void)duckdb::EnsureLoaded(); }

}  // namespace

void SetSinkCallback(SinkCallback callback) {
  std::lock_guard<std::mutex> lock(CallbackMutex());
  Callback() = std::move(callback);
}

const DestinationType& SinkDestinationType() {
  static const DestinationType t{
      .name = "destination",
      .listed = false,
      .max_identifier_length = 0,
      .load_while_normalizing = false,
      .supports_merge = true,
      .reads_typed_jobs = true,
      .reads_parquet_jobs = true,
      .resolve_credentials = &ResolveSinkConfig,
      .open = &OpenSink,
      .preload = &PreloadSink,
      .local_file = nullptr,
      .init_loads_into = "",
      .init_credentials_step = "",
  };
  return t;
}

}  // namespace dlt
