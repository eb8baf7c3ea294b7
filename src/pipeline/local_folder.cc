// The pipeline's working folder read and dropped by callers: its state (dlt's pipeline.state),
// its schema, whether packages wait (has_pending_data), and dlt's pipeline.drop(), which wipes
// the folder so that the next run starts over from what the destination holds.
#include "common/fs.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;


StatusOr<std::string> Pipeline::StateJson() {
  Impl& im = *impl_;
  std::error_code ec;
  if (im.options.read_only) {
    // Nothing is written for a read-only pipeline: no lock file, no restore.
    DLT_RETURN_IF_ERROR(im.LoadLocal());
  } else {
    Impl::CallLocks locks;
    Status s = im.Begin(&locks);
    im.dest.reset();  // opened to restore: not kept between calls (call.cc)
    DLT_RETURN_IF_ERROR(s);
  }
  if (fs::exists(im.StatePath(), ec)) return fsutil::ReadFile(im.StatePath());
  return im.state.doc().dump();  // a pipeline that never ran: the state it starts with
}

StatusOr<std::string> Pipeline::SchemaJson(const std::string& schema_name) {
  Impl& im = *impl_;
  std::error_code ec;
  std::string name = schema_name;
  if (name.empty()) {
    // The default schema as the state on disk names it (this object may not have read it yet).
    name = im.options.schema_name.empty() ? im.options.pipeline_name : im.options.schema_name;
    if (fs::exists(im.StatePath(), ec)) {
      DLT_ASSIGN_OR_RETURN(PipelineState st, PipelineState::Load(im.StatePath()));
      if (!st.SchemaNames().empty()) name = st.SchemaNames().front();
    }
  } else {
    DLT_RETURN_IF_ERROR(Impl::ValidSchemaName(schema_name));
  }
  const fs::path path = PipelinePaths(im.dir).Schema(name);
  if (!fs::exists(path, ec)) {
    return NotFound("pipeline `" + im.options.pipeline_name + "` has no schema `" + name + "` yet (" + path.string() +
                    "): run it first");
  }
  return fsutil::ReadFile(path);
}

Status Pipeline::UseSchema(const std::string& schema_name) {
  if (!schema_name.empty()) DLT_RETURN_IF_ERROR(Impl::ValidSchemaName(schema_name));
  impl_->options.schema_name = schema_name;
  return Status::Ok();
}

Status Pipeline::UseRefresh(const std::string& mode) {
  if (!mode.empty() && mode != "drop_sources" && mode != "drop_resources" && mode != "drop_data") {
    return InvalidArgument("refresh must be drop_sources, drop_resources or drop_data, not `" + mode + "`");
  }
  impl_->options.refresh = mode;
  return Status::Ok();
}

StatusOr<bool> Pipeline::HasPendingData() {
  PackageStorage storage(impl_->dir);
  return !storage.List(PackageStage::kExtracted).empty() || !storage.List(PackageStage::kNormalized).empty();
}

Status Pipeline::DropLocal() {
  Impl& im = *impl_;
  if (im.options.read_only) {
    return PermissionDenied("pipeline `" + im.options.pipeline_name + "` is read-only in this profile: its folder is not deleted");
  }
  // The locks of a run: no run of this pipeline works in the folder meanwhile. A run waiting for
  // the pipeline lock takes it again on the new file once the folder is gone (pipeline_lock.h).
  WorkingFolderLock folder_lock;
  DLT_RETURN_IF_ERROR(folder_lock.Acquire(im.dir.parent_path().parent_path(), /*exclusive=*/false, im.options.lock_timeout_s));
  std::error_code ec;
  if (!fs::exists(im.dir, ec)) return Status::Ok();
  PipelineLock lock;
  DLT_RETURN_IF_ERROR(lock.Acquire(im.dir, im.options.pipeline_name, im.options.lock_timeout_s));
  im.storage.reset();
  fs::remove_all(im.dir, ec);
  if (ec) return Internal("cannot delete the working folder " + im.dir.string() + " of pipeline `" + im.options.pipeline_name + "`: " + ec.message());
  im.state = PipelineState::New(im.options.pipeline_name);
  im.schema.reset();
  im.failure.reset();
  return Status::Ok();
}

}  // namespace dlt
