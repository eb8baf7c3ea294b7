// The load step: a normalized package goes into the destination in one transaction with its
// _dlt_loads row, then moves to load/loaded/. Pending packages of earlier runs go first.
#include "common/fault.h"
#include "common/fs.h"
#include "normalize/job_writer.h"
#include "normalize/relational.h"
#include "destinations/destination_types.h"
#include "load/identifier_collision.h"
#include "load/package_state.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Status Pipeline::Impl::LoadPackage(const std::string& load_id, LoadInfo* info) {
  if (StreamInProgress() && !(streamed && streamed->load_id == load_id)) AbortStream();
  Status s = LoadPackageImpl(load_id, info);
  // A transaction opened while normalizing is never left open.
  AbortStream();
  streamed.reset();
  return s;
}

Status Pipeline::Impl::LoadPackageImpl(const std::string& load_id, LoadInfo* info) {
  auto t0 = std::chrono::steady_clock::now();
  std::string started_at = NowIso();
  mark = {"load", load_id, std::nullopt};
  fs::path dir = storage->PackageDir(PackageStage::kNormalized, load_id);
  if (Status s = OpenDestination(); !s.ok()) {
    // Credentials that do not parse are configuration; anything else is the destination's.
    mark.kind = s.code() == StatusCode::kInvalidArgument ? RunFailure::Kind::kConfig : RunFailure::Kind::kDestination;
    return s;
  }
  DLT_ASSIGN_OR_RETURN(LoadPackageState ps, ReadLoadPackageState(dir / package_file::kState, options.pipeline_name));
  auto is_loaded = dest->IsLoaded(load_id);
  if (!is_loaded.ok()) mark.kind = RunFailure::Kind::kDestination;
  DLT_ASSIGN_OR_RETURN(bool loaded, std::move(is_loaded));
  if (loaded) AbortStream();
  uint64_t rows = 0;
  // What the load created in the destination (dlt's applied_schema_updates.json); nothing is
  // known of a package found committed after a crash.
  Json applied = Json::object();
  if (!loaded) {
    DLT_ASSIGN_OR_RETURN(Schema pkg_schema, Schema::ReadFile(dir / package_file::kSchema, "Discard the package with `dlt pipeline " +
                                                                 options.pipeline_name + " drop-pending-packages`, then restore the state with `dlt pipeline " +
                                                                 options.pipeline_name + " sync`"));
    // (a case-insensitive convention's names cannot differ only by case)
    if (const DestinationType* type = FindDestinationType(destination.type);
        type && !type->case_sensitive_identifiers && naming.case_sensitive()) {
      if (auto collision = FindIdentifierCollision(pkg_schema)) {
        mark.kind = RunFailure::Kind::kOther;
        return FailedPrecondition(*collision + " The package is kept: drop it with `dlt pipeline " + options.pipeline_name +
                                  " drop-pending-packages` once the data or the naming convention is changed");
      }
    }
    if (auto too_long = FindTooLongIdentifier(pkg_schema, naming.max_length(), destination.type)) {
      mark.kind = RunFailure::Kind::kOther;
      return FailedPrecondition(*too_long + " The package is kept: drop it with `dlt pipeline " + options.pipeline_name +
                                " drop-pending-packages` and extract again with the destination given");
    }
    PackageToLoad p;
    p.load_id = load_id;
    p.created_at = ps.doc.value("created_at", "");
    if (auto res = ps.doc.find("resources"); res != ps.doc.end() && res->is_object()) {
      for (const auto& [key, hints] : res->items()) {
        if (!hints.is_object()) continue;
        auto arrow = hints.find("arrow_items");
        if (arrow == hints.end() || !arrow->is_boolean() || !arrow->get<bool>()) continue;
        auto name = hints.find("name");
        p.arrow_resources.insert(name != hints.end() && name->is_string() ? name->get<std::string>() : key);
      }
    }
    p.schema = &pkg_schema;
    p.jobs = storage->Jobs(PackageStage::kNormalized, load_id);
    for (auto& j : p.jobs) {
      if (auto g = ps.generated_columns.find(j.file_name); g != ps.generated_columns.end()) j.generated = g->second;
    }
    // Job files of very long (deeply nested) table names carry a shortened stem.
    for (auto& j : p.jobs) {
      if (pkg_schema.FindTable(j.table)) continue;
      for (const auto& t : pkg_schema.tables()) {
        if (JobWriterSet::JobFileStem(t.name) == j.table) {
          j.table = t.name;
          break;
        }
      }
    }
    if (streamed && streamed->load_id == load_id && StreamInProgress()) {
      // Part of the package was loaded while it was normalized, in the transaction still open.
      std::erase_if(p.jobs, [&](const PackageJob& j) { return streamed->files.count(j.file_name) > 0; });
      p.streamed_tables.assign(streamed->tables.begin(), streamed->tables.end());
    }
    streamed.reset();
    // A job file cut at a line boundary would load fewer rows without any CSV error.
    for (const auto& j : p.jobs) {
      auto size = ps.job_bytes.find(j.file_name);
      if (size == ps.job_bytes.end()) continue;
      std::error_code ec;
      uint64_t want = size->second, have = fs::file_size(j.path, ec);
      if (ec || have != want) {
        return DataLoss("load job " + j.path.string() + " has " + std::to_string(ec ? 0 : have) + " bytes, " +
                        std::to_string(want) + " when it was written: the package is corrupt. Discard it with `dlt pipeline " +
                        options.pipeline_name + " drop-pending-packages`, then restore the state with `dlt pipeline " +
                        options.pipeline_name + " sync`");
      }
    }
    p.replace_tables = ps.replace_tables;
    p.drop_tables = ps.dropped_tables;
    p.truncate_tables = ps.truncated_tables;
    p.state = ps.pipeline_state;
    uint64_t package_rows = 0;
    for (const auto& [table, n] : ps.row_counts) package_rows += n;
    progress.Update("load", destination.type, package_rows, 0, SecondsSince(t0));
    // Before the step's own work on the destination: a stream that began while the package was
    // normalized (PostgreSQL) passed this point then; one that began while extracting did not
    // (stream_load.cc), so that a crash here leaves the package pending as without it.
    if (!StreamInProgress() || stream_while_extracting) FaultPoint("load_before_transaction");
    Status s = dest->Load(p);
    progress.Done();
    if (!s.ok()) {
      mark.kind = RunFailure::Kind::kDestination;
      return s.WithContext("Load of package " + load_id + " into " + destination.Describe() + " failed (the package is kept and will be loaded by the next run)");
    }
    applied = pkg_schema.UpdateOf(dest->applied_columns());
  }
  for (const auto& [table, n] : ps.row_counts) {
    info->rows_per_table[table] += n;
    rows += n;
  }
  FaultPoint("load_after_commit");
  std::error_code ec;
  fs::rename(dir / package_file::kNewJobs, dir / "completed_jobs_tmp", ec);
  if (!ec) {
    fs::remove_all(dir / package_file::kCompletedJobs, ec);
    fs::rename(dir / "completed_jobs_tmp", dir / package_file::kCompletedJobs, ec);
  }
  // As dlt: the package keeps an empty new_jobs/, the applied update replaces schema_updates.json.
  fs::create_directories(dir / package_file::kNewJobs, ec);
  DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(dir / package_file::kAppliedSchemaUpdates, applied));
  fs::remove(dir / package_file::kSchemaUpdates, ec);
  FaultPoint("load_before_package_completed");
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(dir / package_file::kCompleted, "loaded"));
  FaultPoint("load_before_package_move");
  DLT_RETURN_IF_ERROR(storage->Move(load_id, PackageStage::kNormalized, PackageStage::kLoaded));
  FaultPoint("after_load");
  info->load_ids.push_back(load_id);
  info->steps.push_back({"load", SecondsSince(t0), rows, 0, started_at, NowIso()});
  Touch(load_id);
  return Status::Ok();
}

}  // namespace dlt
