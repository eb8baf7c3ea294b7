#include "pipeline/sync.h"

#include "common/fs.h"
#include "dlt/destination.h"
#include "load/pipeline_state.h"
#include "normalize/naming.h"
#include "pipeline/pipeline_naming.h"
#include "normalize/schema.h"
#include "destinations/destination_types.h"
#include "pipeline/pipeline_file.h"
#include "pipeline/pipeline_lock.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

namespace fs = std::filesystem;

StatusOr<SyncResult> SyncPipeline(const Workspace& ws, const SyncOptions& o) {
  auto debug = [&](const std::string& s) {
    if (o.debug) o.debug(s);
  };
  auto out = [&](const std::string& s) {
    if (o.out) o.out(s);
  };
  fs::path dir = ws.pipelines_dir() / o.pipeline_name;
  fs::path state_path = PipelinePaths(dir).State();
  std::error_code ec;
  std::optional<PipelineState> local;
  if (fs::exists(state_path, ec)) {
    auto st = PipelineState::Load(state_path);
    if (st.ok()) local = std::move(st).value();
    else debug("local state is unreadable: " + st.status().message());
  }
  std::string destination = o.destination.value_or("");
  std::string dataset = o.dataset_name.value_or("");
  if (local) {
    const auto& d = local->doc();
    if (destination.empty()) destination = local->DestinationName();
    if (dataset.empty() && d.contains("dataset_name") && d["dataset_name"].is_string()) {
      dataset = d["dataset_name"].get<std::string>();
    }
  }
  if (destination.empty() || dataset.empty()) {
    // No local state (e.g. after `dlt workspace clean`): the pipeline file in the workspace names
    // both, as `dlt run` would use them.
    auto file = FindPipelineFile(o.pipeline_name, ws.run_dir());
    if (file.ok()) {
      auto spec = ParsePipelineFile(*file, ws.Display(*file));
      if (spec.ok() && spec->name == o.pipeline_name) {
        if (destination.empty() && !spec->destination.empty()) {
          destination = spec->destination;
          debug("Destination `" + destination + "` from " + ws.Display(*file));
        }
        if (dataset.empty() && !spec->dataset_name.empty()) {
          dataset = spec->dataset_name;
          debug("Dataset `" + dataset + "` from " + ws.Display(*file));
        }
      } else if (!spec.ok()) {
        debug("pipeline file " + ws.Display(*file) + " not used: " + spec.status().message());
      }
    }
  }
  if (destination.empty() || dataset.empty()) {
    return InvalidArgument("Pipeline " + o.pipeline_name + " has no local state in " + ws.Display(dir) +
                           " and no pipeline file in " + ws.run_dir().string() + " names its " +
                           (destination.empty() ? std::string("destination") : std::string("dataset")) +
                           ": pass --destination and --dataset-name to restore it from the destination");
  }
  debug("Active profile: " + (ws.workspace_mode() ? ws.profile() : std::string("(classic mode)")));
  DLT_ASSIGN_OR_RETURN(DestinationConfig dest, ResolveDestination(ws, destination, o.pipeline_name));
  // Normalized as the load named it: its naming convention, shortened to what the destination takes.
  DLT_ASSIGN_OR_RETURN(SnakeCaseNaming naming, ResolvePipelineNaming(ws, o.pipeline_name, destination, dest.type));
  dataset = naming.NormalizeIdentifier(dataset);
  debug("Destination `" + destination + "` resolves to " + dest.Describe() +
        (dest.type_origin ? " (type from " + dest.type_origin->Describe() + ")" : ""));
  if (dest.credentials_origin) debug("Credentials from " + dest.credentials_origin->Describe());
  SyncResult result;
  result.destination = dest.Describe();
  result.dataset_name = dataset;
  std::string not_found = "Pipeline " + o.pipeline_name + " was not found in dataset " + dataset + " in " + destination;
  if (auto missing = MissingLocalFile(dest)) {
    debug("Database file " + missing->string() + " does not exist");
    return NotFound(not_found);
  }
  debug("Connecting to " + dest.Describe());
  DLT_ASSIGN_OR_RETURN(auto stored_in, OpenDestination(dest, {dataset, "", /*read_only=*/true}));
  debug("Connected. Looking for the state of " + o.pipeline_name + " in dataset " + dataset);
  DLT_ASSIGN_OR_RETURN(auto stored, stored_in->RetrieveState(o.pipeline_name));
  if (!stored) {
    debug("No state row for pipeline " + o.pipeline_name + " in " + dataset + "._dlt_pipeline_state");
    return NotFound(not_found);
  }
  debug("Found state version " + std::to_string(stored->version) + " from load " + stored->load_id);
  DLT_ASSIGN_OR_RETURN(PipelineState restored, PipelineState::Decode(stored->state));
  if (o.should_restore && !o.should_restore(restored.version(), restored.version_hash())) {
    debug("The local state is as new as the destination's: kept");
    result.cancelled = true;
    return result;
  }
  // Every schema the state names (dlt's schema_names: one per source), the default first.
  std::vector<std::string> schema_names = restored.SchemaNames();
  if (schema_names.empty()) schema_names.push_back(o.pipeline_name);
  std::vector<Schema> schemas;
  for (const std::string& schema_name : schema_names) {
    DLT_ASSIGN_OR_RETURN(auto schema_text, stored_in->RetrieveSchema(schema_name));
    if (!schema_text) continue;
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::FromJson(*schema_text, "schema " + schema_name + " stored in " + dataset));
    debug("Found schema " + schema_name + " version " + std::to_string(s.version()));
    schemas.push_back(std::move(s));
  }
  // A run of the pipeline writes the files dropped here: wait for it, or refuse naming its pid.
  PipelineLock lock;
  if (fs::exists(dir, ec)) {
    DLT_ASSIGN_OR_RETURN(double lock_timeout, ResolveLockTimeout(ws));
    DLT_RETURN_IF_ERROR(lock.Acquire(dir, o.pipeline_name, lock_timeout));
  }
  if (fs::exists(dir, ec) && (local || fs::exists(PipelinePaths(dir).SchemasDir(), ec))) {
    if (o.confirm && !o.confirm("About to drop the local state of the pipeline and reset all the schemas. The "
                                "destination state, data and schemas are left intact. Proceed?")) {
      result.cancelled = true;
      return result;
    }
    out("Dropping local state");
    // Everything but the lock file this command holds (a run waiting for it keeps waiting).
    std::vector<fs::path> entries;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->path() != PipelinePaths(dir).Lock()) entries.push_back(it->path());
    }
    if (ec) return Internal("cannot list " + dir.string() + ": " + ec.message());
    for (const auto& e : entries) {
      fs::remove_all(e, ec);
      if (ec) return Internal("cannot remove " + e.string() + ": " + ec.message());
    }
  }
  out("Restoring from destination");
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(PipelinePaths(dir).SchemasDir()));
  for (const Schema& schema : schemas) {
    if (!PipelinePaths::IsSchemaFileName(schema.name())) continue;  // never a path
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(PipelinePaths(dir).Schema(schema.name()), schema.ToJson(true)));
    if (&schema == &schemas.front()) result.schema_version = schema.version();
  }
  restored.doc()["_local"] = nlohmann::ordered_json::object({{"first_run", false}});
  DLT_RETURN_IF_ERROR(restored.Save(state_path));
  result.state_version = restored.version();
  return result;
}

}  // namespace dlt
