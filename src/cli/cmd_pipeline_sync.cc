// dlt pipeline <name> sync [--destination D] [--dataset-name N]
#include "cli/command.h"
#include "pipeline/sync.h"
#include "workspace/pipeline_paths.h"

namespace dlt::cli {

Status RunPipelineSync(Context& ctx, const Workspace& ws, const std::string& name,
                       const std::optional<std::string>& destination, const std::optional<std::string>& dataset,
                       bool yes) {
  // sync writes the pipeline's local state (and drops the one there): refused under a read-only
  // profile, and on a protected profile dropping local state needs the profile name typed.
  DLT_RETURN_IF_ERROR(RefuseIfReadOnly(ws, "`dlt pipeline " + name + " sync` (it writes the local pipeline state)"));
  std::filesystem::path dir = ws.pipelines_dir() / name;
  std::error_code ec;
  if (std::filesystem::exists(PipelinePaths(dir).State(), ec) || std::filesystem::exists(PipelinePaths(dir).SchemasDir(), ec)) {
    DLT_ASSIGN_OR_RETURN(bool typed,
                         ConfirmProtected(ctx, ws, "`dlt pipeline " + name + " sync` (drops the local state)", yes));
    yes = yes || typed;
  }
  SyncOptions o;
  o.pipeline_name = name;
  o.destination = destination;
  o.dataset_name = dataset;
  o.confirm = [&](const std::string& q) { return yes || ctx.console.Confirm(q, false); };
  o.out = [&](const std::string& line) { ctx.console.Out(line); };
  if (ctx.flags.debug) o.debug = [&](const std::string& line) { ctx.console.Err("DEBUG: " + line); };
  DLT_ASSIGN_OR_RETURN(SyncResult r, SyncPipeline(ws, o));
  if (r.cancelled) {
    ctx.console.Out("Nothing changed: the local state of " + name + " was kept.");
    return Status::Ok();
  }
  ctx.console.Out("Restored pipeline " + name + " from dataset " + r.dataset_name + " in " + r.destination +
                  ": state version " + std::to_string(r.state_version) +
                  (r.schema_version ? ", schema version " + std::to_string(r.schema_version) : ""));
  return Status::Ok();
}

}  // namespace dlt::cli
