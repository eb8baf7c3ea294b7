// The pipeline's local state (state.json) and schema: read at the start of a run, replaced by a
// newer state a crashed run left in a package, restored from the destination when the working
// folder is new, and synchronized with the destination by the calls that extract or load.
#include "common/fs.h"
#include "destinations/destination_types.h"
#include "load/package_state.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

fs::path Pipeline::Impl::StatePath() const { return PipelinePaths(dir).State(); }
fs::path Pipeline::Impl::SchemaPath() const { return PipelinePaths(dir).Schema(schema ? schema->name() : WorkingSchemaName()); }

// dlt's default schema: the first one the pipeline extracted into (the state names it); for a
// pipeline that never ran, the one its first extract will use.
std::string Pipeline::Impl::DefaultSchemaName() const {
  auto it = state.doc().find("default_schema_name");
  if (it != state.doc().end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  return options.schema_name.empty() ? options.pipeline_name : options.schema_name;
}

// The schema extracts use: a source's own (PipelineOptions::schema_name), else the default.
std::string Pipeline::Impl::WorkingSchemaName() const {
  return options.schema_name.empty() ? DefaultSchemaName() : options.schema_name;
}

// A schema name is the name of a file in the pipeline's schemas/ folder. (dlt's own rule, a
// Python identifier of at most 64 characters, is the Python layer's InvalidSchemaName; the
// default schema of a pipeline is named after it, whatever characters its name has.)
Status Pipeline::Impl::ValidSchemaName(const std::string& name) {
  if (PipelinePaths::IsSchemaFileName(name)) return Status::Ok();
  return InvalidArgument("`" + name + "` is an invalid schema/source name: it names a file of the pipeline's "
                         "schemas/ folder, so it must not be empty, start with a dot or hold / or \\");
}

Status Pipeline::Impl::UseSchema(const std::string& name) {
  if (schema && schema->name() == name) return Status::Ok();
  // Names come from packages and states on disk too: never a path.
  DLT_RETURN_IF_ERROR(ValidSchemaName(name));
  const fs::path path = PipelinePaths(dir).Schema(name);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::ReadFile(path, "Restore it from the destination with `dlt pipeline " +
                                                              options.pipeline_name + " sync`"));
    // The names of its tables and columns were made with its naming convention: another one would
    // give other names to the same data.
    auto stored = ParseNamingConvention(s.naming());
    // A pipeline without a destination names as its stored schema does (dlt keeps the
    // convention in the schema; a custom destination's is `direct`).
    if (stored && *stored != naming.convention() && destination.type.empty()) {
      naming = SnakeCaseNaming(naming.max_length(), *stored);
    }
    if (!stored || *stored != naming.convention()) {
      return FailedPrecondition("schema `" + name + "` of pipeline `" + options.pipeline_name + "` names its tables and "
                                "columns with the naming convention `" + s.naming() + "`, but this run uses `" +
                                std::string(naming.name()) + "` (`[schema] naming`, or the destination's "
                                "naming_convention: a custom destination's is `direct`). Keep the convention, or give the "
                                "pipeline that uses the other one a name of its own");
    }
    schema = std::make_unique<Schema>(std::move(s));
  } else {
    schema = std::make_unique<Schema>(name);
    schema->set_naming(naming.name());
  }
  // dlt's schema_names: every schema of the pipeline, the default first.
  Json& names = state.doc()["schema_names"];
  if (!names.is_array()) names = Json::array();
  bool listed = false;
  for (const auto& n : names) listed = listed || (n.is_string() && n.get<std::string>() == name);
  if (!listed) names.push_back(name);
  return Status::Ok();
}

Status Pipeline::Impl::LoadLocal() {
  std::error_code ec;
  if (fs::exists(StatePath(), ec)) {
    DLT_ASSIGN_OR_RETURN(state, PipelineState::Load(StatePath()));
  } else {
    state = PipelineState::New(options.pipeline_name);
  }
  Json& d = state.doc();
  d["pipeline_name"] = options.pipeline_name;
  d["dataset_name"] = options.dataset_name;
  d["default_schema_name"] = DefaultSchemaName();
  if (!d.contains("schema_names") || !d["schema_names"].is_array()) d["schema_names"] = Json::array({DefaultSchemaName()});
  schema.reset();
  DLT_RETURN_IF_ERROR(UseSchema(WorkingSchemaName()));
  // As dlt: a pipeline without a destination keeps the one its state names.
  if (!destination.type.empty()) {
    d["destination_type"] = "dlt.destinations." + destination.type;
    d["destination_name"] = destination.name == destination.type ? Json(nullptr) : Json(destination.name);
  }
  return Status::Ok();
}

// As dlt's steps leave the pipeline's properties in its state: a load into a destination that
// the local state does not name yet (the packages were extracted without one) records it, so
// that `dlt.pipeline(name)` and `dlt pipeline <name> ...` find it later.
Status Pipeline::Impl::RecordDestinationInState() {
  std::error_code ec;
  if (destination.type.empty() || !fs::exists(StatePath(), ec)) return Status::Ok();
  DLT_ASSIGN_OR_RETURN(PipelineState stored, PipelineState::Load(StatePath()));
  const Json& d = state.doc();
  const Json& s = stored.doc();
  for (const char* key : {"destination_type", "destination_name"}) {
    if (s.value(key, Json()) != d.value(key, Json())) {
      state.BumpIfChanged();
      return state.Save(StatePath());
    }
  }
  return Status::Ok();
}

// Every schema file of the pipeline (the local state is reset when its dataset is gone).
Status Pipeline::Impl::RemoveLocalSchemas() {
  std::error_code ec;
  const fs::path schemas = PipelinePaths(dir).SchemasDir();
  if (!fs::exists(schemas, ec)) return Status::Ok();
  for (const auto& e : fs::directory_iterator(schemas, ec)) {
    const std::string f = e.path().filename().string();
    if (f.size() > 12 && f.ends_with(".schema.json")) {
      fs::remove(e.path(), ec);
      if (ec) return Internal("cannot remove " + e.path().string() + ": " + ec.message());
    }
  }
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
// machine, or a folder wiped by `dlt workspace clean`). With `sync` (the calls that extract or
// load), a folder that has a state is synchronized with the destination as dlt's run does
// (its sync_destination): when the dataset is gone from the destination (dropped, the DuckDB
// file deleted, another dataset_name), the local state and schema are reset, so that the run
// loads everything again instead of only what comes after cursors kept for data that is no
// longer there; when the destination holds a state of this pipeline at least as new as the
// local one and different (another machine ran the pipeline since), it replaces the local one,
// so that rows loaded there are not loaded twice. Packages not loaded yet are finished first:
// nothing is synchronized while there are any.
Status Pipeline::Impl::RestoreFromDestinationIfNew(bool sync) {
  std::error_code ec;
  const bool has_local = fs::exists(StatePath(), ec);
  if (has_local && !sync) return Status::Ok();
  if (!storage->List(PackageStage::kExtracted).empty() || !storage->List(PackageStage::kNormalized).empty()) {
    return Status::Ok();
  }
  auto reset_local = [&](const std::string& why) -> Status {
    fs::remove(StatePath(), ec);
    if (ec) return Internal("cannot remove " + StatePath().string() + ": " + ec.message());
    DLT_RETURN_IF_ERROR(RemoveLocalSchemas());
    DLT_RETURN_IF_ERROR(LoadLocal());
    first_run = true;
    progress.Note(why + ": the local state of pipeline " + options.pipeline_name +
                  " was reset, so this run loads everything again (as dlt does).");
    return Status::Ok();
  };
  if (destination.type.empty()) return Status::Ok();  // no destination to restore from
  // A database file that does not exist holds nothing to restore (and is not created here).
  if (MissingLocalFile(destination)) {
    if (!has_local) return Status::Ok();
    return reset_local("The database file of destination `" + destination.name + "` does not exist");
  }
  DLT_RETURN_IF_ERROR(OpenDestination());
  if (has_local) {
    DLT_ASSIGN_OR_RETURN(bool exists, dest->DatasetExists());
    if (!exists) {
      return reset_local("Dataset `" + options.dataset_name + "` does not exist in " + destination.Describe());
    }
  }
  DLT_ASSIGN_OR_RETURN(auto stored, dest->RetrieveState(options.pipeline_name));
  if (!stored) return Status::Ok();
  DLT_ASSIGN_OR_RETURN(PipelineState restored, PipelineState::Decode(stored->state));
  if (has_local && (restored.version() < state.version() || restored.version_hash() == state.version_hash())) {
    return Status::Ok();  // the local state is as new as the destination's
  }
  Json local = state.doc().value("_local", Json::object());
  state = std::move(restored);
  state.doc()["_local"] = local;
  // Every schema the restored state names (dlt's schema_names), each as stored last.
  for (const std::string& name : state.SchemaNames()) {
    DLT_ASSIGN_OR_RETURN(auto stored_schema, dest->RetrieveSchema(name));
    if (!stored_schema) continue;
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::FromJson(*stored_schema, "stored schema " + name));
    if (!ValidSchemaName(s.name()).ok()) continue;  // not a file name: never written
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(PipelinePaths(dir).Schema(s.name()), s.ToJson(true)));
  }
  schema.reset();
  DLT_RETURN_IF_ERROR(UseSchema(WorkingSchemaName()));
  DLT_RETURN_IF_ERROR(state.Save(StatePath()));
  progress.Note(std::string(has_local ? "Took the newer state" : "Restored the state") + " of pipeline " +
                options.pipeline_name + " (version " + std::to_string(state.version()) + ") from the destination.");
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
