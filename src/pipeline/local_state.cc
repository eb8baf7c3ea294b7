// The pipeline's local state (state.json) and schema: read at the start of a run, replaced by a
// newer state a crashed run left in a package, or restored from the destination when the
// working folder is new.
#include "common/fs.h"
#include "destinations/destination_types.h"
#include "load/package_state.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

fs::path Pipeline::Impl::StatePath() const { return PipelinePaths(dir).State(); }
fs::path Pipeline::Impl::SchemaPath() const { return PipelinePaths(dir).Schema(options.pipeline_name); }

Status Pipeline::Impl::LoadLocal() {
  std::error_code ec;
  if (fs::exists(StatePath(), ec)) {
    DLT_ASSIGN_OR_RETURN(state, PipelineState::Load(StatePath()));
  } else {
    state = PipelineState::New(options.pipeline_name);
  }
  if (fs::exists(SchemaPath(), ec)) {
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::ReadFile(SchemaPath(), "Restore it from the destination with `dlt pipeline " +
                                                                      options.pipeline_name + " sync`"));
    schema = std::make_unique<Schema>(std::move(s));
  } else {
    schema = std::make_unique<Schema>(options.pipeline_name);
  }
  Json& d = state.doc();
  d["pipeline_name"] = options.pipeline_name;
  d["dataset_name"] = options.dataset_name;
  d["default_schema_name"] = schema->name();
  d["schema_names"] = Json::array({schema->name()});
  d["destination_type"] = "dlt.destinations." + destination.type;
  d["destination_name"] = destination.name == destination.type ? Json(nullptr) : Json(destination.name);
  return Status::Ok();
}

// A package published by a run that crashed before saving state.json carries the newer state.
// It is saved to state.json at once: the package is loaded and moved away by this run, and a
// run that extracts nothing new would otherwise never write the state, leaving state.json with
// the old cursor for the run after (which would extract the package's rows again).
Status Pipeline::Impl::AdoptNewerPackageState() {
  bool adopted = false;
  for (PackageStage stage : {PackageStage::kExtracted, PackageStage::kNormalized}) {
    for (const auto& id : storage->List(stage)) {
      // A damaged package is reported by the normalize or load of it that follows.
      auto ps = ReadLoadPackageState(storage->PackageDir(stage, id) / package_file::kState, options.pipeline_name);
      if (!ps.ok() || !ps->local_state) continue;
      PipelineState local(*ps->local_state);
      if (local.version() > state.version()) {
        state = std::move(local);
        adopted = true;
      }
    }
  }
  if (adopted) DLT_RETURN_IF_ERROR(state.Save(StatePath()));
  return Status::Ok();
}

// Restores state and schema from the destination when the local folder has none (a new
// machine, or a folder wiped by `dlt workspace clean`).
Status Pipeline::Impl::RestoreFromDestinationIfNew() {
  std::error_code ec;
  if (fs::exists(StatePath(), ec)) return Status::Ok();
  if (!storage->List(PackageStage::kExtracted).empty() || !storage->List(PackageStage::kNormalized).empty()) {
    return Status::Ok();
  }
  // A database file that does not exist yet holds nothing to restore (and is not created here).
  if (MissingLocalFile(destination)) return Status::Ok();
  DLT_RETURN_IF_ERROR(OpenDestination());
  DLT_ASSIGN_OR_RETURN(auto stored, dest->RetrieveState(options.pipeline_name));
  if (!stored) return Status::Ok();
  DLT_ASSIGN_OR_RETURN(PipelineState restored, PipelineState::Decode(stored->state));
  Json local = state.doc().value("_local", Json::object());
  state = std::move(restored);
  state.doc()["_local"] = local;
  DLT_ASSIGN_OR_RETURN(auto stored_schema, dest->RetrieveSchema(options.pipeline_name));
  if (stored_schema) {
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::FromJson(*stored_schema, "stored schema"));
    schema = std::make_unique<Schema>(std::move(s));
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(SchemaPath(), schema->ToJson(true)));
  }
  DLT_RETURN_IF_ERROR(state.Save(StatePath()));
  progress.Note("Restored the state of pipeline " + options.pipeline_name + " (version " +
                std::to_string(state.version()) + ") from the destination.");
  return Status::Ok();
}

std::string Pipeline::Impl::NextLoadId() {
  std::optional<std::string> last;
  double best = 0;
  for (PackageStage stage : {PackageStage::kExtracted, PackageStage::kNormalized, PackageStage::kLoaded}) {
    for (const auto& id : storage->List(stage)) {
      double v = std::strtod(id.c_str(), nullptr);
      if (v >= best) {
        best = v;
        last = id;
      }
    }
  }
  return NewLoadId(last);
}

}  // namespace dlt
