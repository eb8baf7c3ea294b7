#include "pipeline/drop.h"

#include <algorithm>
#include <set>

#include "common/fs.h"
#include "common/text.h"
#include "dlt/destination.h"
#include "load/package.h"
#include "load/pipeline_state.h"
#include "normalize/naming.h"
#include "pipeline/pipeline_naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "destinations/destination_types.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

namespace fs = std::filesystem;

StatusOr<DropResult> DropResources(const Workspace& ws, const DropOptions& o) {
  fs::path dir = ws.pipelines_dir() / o.pipeline_name;
  std::error_code ec;
  if (!fs::exists(PipelinePaths(dir).State(), ec)) {
    return NotFound("Pipeline " + o.pipeline_name + " has no local state in " + ws.Display(dir) +
                    ": restore it first with `dlt pipeline " + o.pipeline_name + " sync`");
  }
  PackageStorage storage(dir);
  if (!storage.List(PackageStage::kExtracted).empty() || !storage.List(PackageStage::kNormalized).empty()) {
    return FailedPrecondition("Pipeline " + o.pipeline_name +
                              " has pending load packages: run it to load them, or discard them with `dlt pipeline " +
                              o.pipeline_name + " drop-pending-packages`, then drop");
  }
  DLT_ASSIGN_OR_RETURN(PipelineState state, PipelineState::Load(PipelinePaths(dir).State()));
  std::string schema_name = o.schema_name.empty() ? state.doc().value("default_schema_name", o.pipeline_name) : o.schema_name;
  if (!o.schema_name.empty()) {
    std::vector<std::string> names = state.SchemaNames();
    if (std::find(names.begin(), names.end(), schema_name) == names.end()) {
      std::string msg = "Pipeline " + o.pipeline_name + " has no schema `" + schema_name + "`.";
      if (auto s = text::Suggest(schema_name, names)) msg += " Did you mean `" + *s + "`?";
      return NotFound(msg + " Schemas: " + text::Join(names, ", "));
    }
  }
  fs::path schema_path = PipelinePaths(dir).Schema(schema_name);
  DLT_ASSIGN_OR_RETURN(Schema schema, Schema::ReadFile(schema_path, "Restore it from the destination with `dlt pipeline " +
                                                                         o.pipeline_name + " sync`"));

  std::set<std::string> known;
  for (const Table* t : schema.DataTables()) {
    if (!t->parent && t->resource) known.insert(*t->resource);
  }
  std::set<std::string> selected;
  if (o.drop_all) {
    selected = known;
  } else {
    if (o.resources.empty()) {
      return InvalidArgument("name the resources to drop, or pass --drop-all. Resources: " +
                             text::Join(std::vector<std::string>(known.begin(), known.end()), ", "));
    }
    for (const auto& r : o.resources) {
      if (!known.count(r)) {
        std::vector<std::string> names(known.begin(), known.end());
        std::string msg = "Pipeline " + o.pipeline_name + " has no resource `" + r + "` in schema `" + schema_name + "`.";
        if (auto s = text::Suggest(r, names)) msg += " Did you mean `" + *s + "`?";
        msg += " Resources: " + text::Join(names, ", ");
        std::vector<std::string> others = state.SchemaNames();
        std::erase(others, schema_name);
        if (!others.empty()) msg += ". Its other schemas (one per source): " + text::Join(others, ", ") + "; pick one with --schema";
        return NotFound(msg);
      }
      selected.insert(r);
    }
  }
  DropResult result;
  result.resources.assign(selected.begin(), selected.end());
  // Nested tables first, then their roots.
  std::vector<std::string> roots;
  for (const Table* t : schema.DataTables()) {
    if (!t->parent && t->resource && selected.count(*t->resource)) roots.push_back(t->name);
  }
  for (const auto& root : roots) {
    auto nested = schema.NestedTablesOf(root);
    for (auto it = nested.rbegin(); it != nested.rend(); ++it) result.tables.push_back((*it)->name);
    result.tables.push_back(root);
  }
  if (o.confirm && !o.confirm(result.tables)) {
    result.cancelled = true;
    return result;
  }
  if (!o.truncate_only) {
    for (const auto& t : result.tables) schema.RemoveTable(t);
    schema.BumpVersion();
  }
  for (const auto& r : selected) state.ResetResourceState(schema_name, r);
  state.BumpIfChanged();

  std::string destination = state.DestinationName();
  const auto& d = state.doc();
  std::string dataset = d.value("dataset_name", "");
  DLT_ASSIGN_OR_RETURN(DestinationConfig dest, ResolveDestination(ws, destination, o.pipeline_name));
  // The dataset names as the load made them (its naming convention, shortened to the destination's limit).
  DLT_ASSIGN_OR_RETURN(SnakeCaseNaming naming, ResolvePipelineNaming(ws, o.pipeline_name, destination, dest.type));
  if (!dataset.empty()) dataset = naming.NormalizeIdentifier(dataset);
  DLT_ASSIGN_OR_RETURN(auto destination_client,
                       OpenDestination(dest, {dataset, naming.NormalizeIdentifier(dataset + "_staging"), false}));

  std::optional<std::string> last;
  for (const auto& id : storage.List(PackageStage::kLoaded)) last = id;
  result.load_id = NewLoadId(last);
  PackageToLoad p;
  p.load_id = result.load_id;
  p.schema = &schema;
  (o.truncate_only ? p.truncate_tables : p.drop_tables) = result.tables;
  StateRow row;
  row.version = state.version();
  row.engine_version = PipelineState::kEngineVersion;
  row.pipeline_name = o.pipeline_name;
  row.state = state.Encode();
  row.version_hash = state.version_hash();
  row.row_id = NewRowKey();
  p.state = row;
  DLT_RETURN_IF_ERROR(destination_client->Load(p));
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(schema_path, schema.ToJson(true)));
  DLT_RETURN_IF_ERROR(state.Save(PipelinePaths(dir).State()));
  return result;
}

}  // namespace dlt
