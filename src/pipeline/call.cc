// What every public call of a Pipeline shares (Run, Extract, Normalize, Load, StateJson): the
// working-folder locks, the local state read, a newer state adopted from a package a crashed run
// left, the restore from the destination when the folder is new; for the writing calls also the
// run record (trace.json) and the failure they leave for last_failure().
#include <algorithm>

#include "common/fs.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;

Status Pipeline::Impl::Begin(CallLocks* locks, bool restore, bool sync) {
  mark = {"sync", "", std::nullopt};
  touched.clear();
  // Shared with other runs, never with `dlt workspace clean` (which deletes the working folder).
  DLT_RETURN_IF_ERROR(locks->folder.Acquire(dir.parent_path().parent_path(), /*exclusive=*/false, options.lock_timeout_s));
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(dir));
  DLT_RETURN_IF_ERROR(locks->pipeline.Acquire(dir, options.pipeline_name, options.lock_timeout_s));
  storage = std::make_unique<PackageStorage>(dir);
  DLT_RETURN_IF_ERROR(storage->Init());
  DLT_RETURN_IF_ERROR(LoadLocal());
  // A state that no extract has saved yet (dlt's first_run: nothing ran in this folder).
  const auto& local = state.doc().value("_local", nlohmann::ordered_json::object());
  first_run = !(local.is_object() && local.contains("first_run") && local["first_run"] == false);
  DLT_RETURN_IF_ERROR(AdoptNewerPackageState());
  if (restore) DLT_RETURN_IF_ERROR(RestoreFromDestinationIfNew(sync));
  return Status::Ok();
}

void Pipeline::Impl::Touch(const std::string& load_id) {
  if (std::find(touched.begin(), touched.end(), load_id) == touched.end()) touched.push_back(load_id);
}

StatusOr<LoadInfo> Pipeline::Impl::Call(const std::function<Status(LoadInfo&)>& body) {
  std::string started_at = NowIso();
  failure.reset();
  if (options.read_only) {
    Status s = PermissionDenied("pipeline `" + options.pipeline_name + "` is read-only in this profile: runs are refused");
    failure = RunFailure{"sync", "", false, RunFailure::Kind::kOther};
    return s;
  }
  CallLocks locks;
  // Each call connects anew, as each of dlt's steps does: a connection the last call lost (a
  // server restarted meanwhile) is never reused, and no database file stays open between calls.
  struct CloseDestination {
    Impl* im;
    ~CloseDestination() { im->dest.reset(); }
  } close_destination{this};
  if (Status s = Begin(&locks, /*restore=*/true, /*sync=*/true); !s.ok()) {
    failure = FailureOf(s);
    return s;
  }
  LoadInfo info = NewInfo();
  info.first_run = first_run;
  Status s = body(info);
  (void)WriteTrace(info, s, started_at);
  if (!s.ok()) {
    failure = FailureOf(s);
    return s;
  }
  for (const auto& id : touched) {
    auto p = PackageInfoOf(id);
    if (p.ok()) info.packages.push_back(std::move(p).value());
  }
  return info;
}

Status Pipeline::Impl::NormalizeExtracted(LoadInfo* info) {
  for (const auto& id : storage->List(PackageStage::kExtracted)) {
    // A crash between publishing the normalized package and deleting the extracted one leaves
    // both: the normalized package is complete (it was published by one rename), so the
    // extracted copy is only deleted.
    std::error_code ec;
    if (fs::exists(storage->PackageDir(PackageStage::kNormalized, id), ec) ||
        fs::exists(storage->PackageDir(PackageStage::kLoaded, id), ec)) {
      DLT_RETURN_IF_ERROR(storage->Delete(PackageStage::kExtracted, id));
      continue;
    }
    Status s = GuardPackage(PackageStage::kExtracted, id, [&] { return NormalizePackage(id, info); });
    if (!s.ok()) {
      return s.WithContext("Normalize of pending package " + id +
                           " failed; fix the cause or discard it with `dlt pipeline " + options.pipeline_name +
                           " drop-pending-packages`");
    }
  }
  return Status::Ok();
}

Status Pipeline::Impl::LoadNormalized(LoadInfo* info) {
  for (const auto& id : storage->List(PackageStage::kNormalized)) {
    DLT_RETURN_IF_ERROR(GuardPackage(PackageStage::kNormalized, id, [&] { return LoadPackage(id, info); }));
  }
  return Status::Ok();
}

Status Pipeline::Impl::ProcessPending(LoadInfo* info) {
  DLT_RETURN_IF_ERROR(NormalizeExtracted(info));
  return LoadNormalized(info);
}

}  // namespace dlt
