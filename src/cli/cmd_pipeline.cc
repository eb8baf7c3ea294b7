// dlt pipeline -l | dlt pipeline <name> <operation>
#include <chrono>
#include <ctime>

#include "cli/command.h"
#include "common/fs.h"
#include "common/text.h"
#include "load/package.h"
#include "load/package_state.h"
#include "load/pipeline_state.h"
#include "normalize/schema.h"
#include "pipeline/drop.h"
#include "pipeline/run_trace.h"
#include "workspace/pipeline_paths.h"

namespace dlt::cli {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const char* const kPipelineHelp =
    "usage: dlt pipeline [-l | --list-pipelines]\n"
    "       dlt pipeline <name> [info | trace | schema | load-package | failed-jobs |\n"
    "                            drop-pending-packages | drop | sync | show]\n"
    "\n"
    "Inspects pipelines of the active profile (in .dlt/.var/<profile>/pipelines/).\n"
    "\n"
    "operations:\n"
    "  info                    state, dataset, destination, tables and packages (default)\n"
    "  trace                   the last run: steps, times, rows, outcome\n"
    "  schema [--format F] [--schema S]\n"
    "                          the default schema (or the source's schema S) as yaml\n"
    "                          (default) or json\n"
    "  load-package [LOAD_ID]  a load package (default: the newest) and its jobs\n"
    "  failed-jobs             jobs of loaded packages that failed\n"
    "  drop-pending-packages   delete packages that were extracted or normalized but not\n"
    "                          loaded (asks first; --yes to skip the question)\n"
    "  drop RESOURCE... | --drop-all [--schema S]\n"
    "                          drop the resources' tables in the destination and reset their\n"
    "                          state, in one transaction (asks first; --yes to skip); of the\n"
    "                          schema S (a source's) instead of the default schema\n"
    "  sync [--destination D] [--dataset-name N]\n"
    "                          restore state and schema from the destination (drops the local\n"
    "                          state after asking, or with --yes); with --debug it reports each step, so it\n"
    "                          doubles as a connection check\n"
    "  show [--port P] [--no-browser]\n"
    "                          open the workspace dashboard on this pipeline (see\n"
    "                          `dlt workspace show`)\n";

namespace {

void YamlScalar(std::string& out, const Json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    bool plain = !s.empty() && s.find_first_of(":#{}[],&*!|>'\"%@`\n") == std::string::npos && s.front() != ' ' &&
                 s.back() != ' ' && s != "true" && s != "false" && s != "null" && s != "yes" && s != "no" &&
                 !(std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '-');
    out += plain ? s : Json(s).dump();
  } else {
    out += v.dump();
  }
}

void Yaml(std::string& out, const Json& v, int indent) {
  std::string pad(indent, ' ');
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}\n";
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += pad + it.key() + ":";
      if ((it->is_object() || it->is_array()) && !it->empty()) {
        out += "\n";
        Yaml(out, *it, indent + 2);
      } else if (it->is_object()) {
        out += " {}\n";
      } else if (it->is_array()) {
        out += " []\n";
      } else {
        out += " ";
        YamlScalar(out, *it);
        out += "\n";
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (item.is_object() && !item.empty()) {
        std::string inner;
        Yaml(inner, item, indent + 2);
        out += pad + "- " + inner.substr(indent + 2);
      } else {
        out += pad + "- ";
        YamlScalar(out, item);
        out += "\n";
      }
    }
  }
}


StatusOr<fs::path> PipelineDir(const Workspace& ws, const std::string& name) {
  fs::path dir = ws.pipelines_dir() / name;
  std::error_code ec;
  if (name.empty() || name.find_first_of("/\\") != std::string::npos || name == "." || name == ".." ||
      !fs::is_directory(dir, ec)) {
    std::vector<std::string> names;
    for (const auto& p : ws.ListPipelines()) names.push_back(p.name);
    std::string msg = "Pipeline `" + name + "` not found in " + ws.Display(ws.pipelines_dir()) +
                      (ws.workspace_mode() ? " (profile " + ws.profile() + ")" : "") + ".";
    if (auto s = text::Suggest(name, names)) msg += " Did you mean `" + *s + "`?";
    else if (!names.empty()) msg += " Pipelines: " + text::Join(names, ", ") + ".";
    return NotFound(msg);
  }
  return dir;
}

Status List(Context& ctx, const Workspace& ws) {
  auto pipelines = ws.ListPipelines();
  if (pipelines.empty()) {
    ctx.console.Out("No pipelines found in " + ws.pipelines_dir().string());
    return Status::Ok();
  }
  ctx.console.Out(std::to_string(pipelines.size()) + " pipeline(s) found in " + ws.pipelines_dir().string());
  for (const auto& p : pipelines) {
    ctx.console.Out(p.name + (p.last_run ? " (last run: " + fsutil::FormatLocalTime(*p.last_run) + ")" : ""));
  }
  return Status::Ok();
}

// The pipeline's schemas (dlt: one per source), the default first, as its state lists them; a
// pipeline without a state has at most the one named after it.
std::vector<std::string> SchemaNamesOf(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(PipelinePaths(dir).State(), ec)) {
    auto st = PipelineState::Load(PipelinePaths(dir).State());
    if (st.ok() && !st->SchemaNames().empty()) return st->SchemaNames();
  }
  return {name};
}

Status Info(Context& ctx, const fs::path& dir, const std::string& name) {
  Console& c = ctx.console;
  PackageStorage storage(dir);
  std::error_code ec;
  c.Out("Found pipeline " + name + " in " + dir.string());
  if (fs::exists(PipelinePaths(dir).State(), ec)) {
    DLT_ASSIGN_OR_RETURN(PipelineState st, PipelineState::Load(PipelinePaths(dir).State()));
    const Json& d = st.doc();
    c.Out("Synchronized state:");
    for (const char* k : {"_state_version", "_state_engine_version", "pipeline_name", "dataset_name",
                          "default_schema_name", "destination_type", "destination_name"}) {
      if (d.contains(k)) c.Out(std::string(k) + ": " + (d[k].is_string() ? d[k].get<std::string>() : d[k].dump()));
    }
    if (d.contains("sources")) {
      c.Out("sources:");
      c.Out(d["sources"].dump(2));
    }
    if (d.contains("_local")) {
      c.Out("Local state:");
      for (auto it = d["_local"].begin(); it != d["_local"].end(); ++it) {
        c.Out(it.key() + ": " + (it->is_string() ? it->get<std::string>() : it->dump()));
      }
    }
  } else {
    c.Out("The pipeline has no local state yet.");
  }
  for (const std::string& schema_name : SchemaNamesOf(dir, name)) {
    fs::path schema_path = PipelinePaths(dir).Schema(schema_name);
    if (!fs::exists(schema_path, ec)) continue;
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::ReadFile(schema_path, "Restore it from the destination with `dlt pipeline " +
                                                                   name + " sync`"));
    c.Out("Resources and tables in schema " + s.name() + " (version " + std::to_string(s.version()) + "):");
    for (const Table* t : s.DataTables()) {
      c.Out("  " + t->name + (t->parent ? " (nested in " + *t->parent + ")" : " (" + std::string(WriteDispositionName(s.DispositionOf(t->name))) + ")") +
            ": " + std::to_string(t->columns.size()) + " columns");
    }
  }
  auto extracted = storage.List(PackageStage::kExtracted);
  auto normalized = storage.List(PackageStage::kNormalized);
  auto loaded = storage.List(PackageStage::kLoaded);
  c.Out(std::to_string(loaded.size()) + " completed load package(s)" + (loaded.empty() ? "" : ", newest " + loaded.back()));
  if (extracted.empty() && normalized.empty()) {
    c.Out("No pending packages.");
  } else {
    c.Out(std::to_string(extracted.size() + normalized.size()) + " pending package(s): " +
          text::Join(extracted, ", ") + (extracted.empty() || normalized.empty() ? "" : ", ") + text::Join(normalized, ", ") +
          ". Run the pipeline to load them, or `dlt pipeline " + name + " drop-pending-packages`.");
  }
  return Status::Ok();
}

Status Trace(Context& ctx, const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(PipelinePaths(dir).Trace(), ec)) {
    ctx.console.Out("Pipeline " + name + " has no trace: it has not run yet.");
    return Status::Ok();
  }
  DLT_ASSIGN_OR_RETURN(RunTrace t, ReadRunTrace(PipelinePaths(dir).Trace()));
  Console& c = ctx.console;
  c.Out("Run of pipeline " + name + " started at " + t.started_at + ", finished at " + t.finished_at + ": " + t.outcome);
  if (!t.profile.empty()) {
    c.Out("profile: " + t.profile + (t.profile_selected_by.empty() ? "" : " (selected by " + t.profile_selected_by + ")"));
  }
  for (const auto& [key, origin] : t.config_origins) c.Out("config: " + key + " from " + origin);
  c.Out("destination: " + (t.destination.empty() ? std::string("(none)") : t.destination) + ", dataset: " + t.dataset_name);
  for (const auto& s : t.steps) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %-10s %8.3f s  %12llu rows", s.step.c_str(), s.seconds,
                  static_cast<unsigned long long>(s.rows));
    c.Out(buf);
  }
  if (!t.error.empty()) c.Out("error: " + t.error);
  if (!t.load_ids.empty()) c.Out("load ids: " + text::Join(t.load_ids, ", "));
  return Status::Ok();
}

Status SchemaCmd(Context& ctx, const fs::path& dir, const std::string& name, const std::string& format,
                 const std::optional<std::string>& schema_name) {
  const std::vector<std::string> names = SchemaNamesOf(dir, name);
  if (schema_name && std::find(names.begin(), names.end(), *schema_name) == names.end()) {
    std::string msg = "Pipeline " + name + " has no schema `" + *schema_name + "`.";
    if (auto s = text::Suggest(*schema_name, names)) msg += " Did you mean `" + *s + "`?";
    return NotFound(msg + " Schemas: " + text::Join(names, ", "));
  }
  fs::path path = PipelinePaths(dir).Schema(schema_name.value_or(names.front()));
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("Pipeline " + name + " has no schema yet: run it first");
  DLT_ASSIGN_OR_RETURN(Schema s, Schema::ReadFile(path, "Restore it from the destination with `dlt pipeline " + name + " sync`"));
  Json doc = Json::parse(s.ToJson());
  if (format == "json") {
    ctx.console.Out(doc.dump(2));
  } else if (format == "yaml") {
    std::string out;
    Yaml(out, doc, 0);
    std::fputs(out.c_str(), stdout);
  } else {
    return InvalidArgument("--format must be json or yaml");
  }
  return Status::Ok();
}

Status LoadPackageCmd(Context& ctx, const fs::path& dir, const std::string& name, const std::optional<std::string>& id) {
  PackageStorage storage(dir);
  std::optional<std::pair<PackageStage, std::string>> found;
  for (PackageStage st : {PackageStage::kLoaded, PackageStage::kNormalized, PackageStage::kExtracted}) {
    for (const auto& l : storage.List(st)) {
      if (id ? l == *id : (!found || std::strtod(l.c_str(), nullptr) > std::strtod(found->second.c_str(), nullptr))) {
        found = std::make_pair(st, l);
      }
    }
  }
  if (!found) return NotFound(id ? "Load package " + *id + " not found in pipeline " + name : "Pipeline " + name + " has no load packages");
  const char* stage = PipelinePaths::StageName(found->first);
  fs::path pdir = storage.PackageDir(found->first, found->second);
  ctx.console.Out("Package " + found->second + " in state " + stage + " (" + pdir.string() + ")");
  // Inspecting a damaged package is an error naming its file, as loading it would be.
  LoadPackageState ps;
  std::error_code ec;
  if (fs::exists(pdir / package_file::kState, ec)) {
    DLT_ASSIGN_OR_RETURN(ps, ReadLoadPackageState(pdir / package_file::kState, name));
  }
  if (!ps.row_counts.empty()) {
    ctx.console.Out("rows per table:");
    for (const auto& [table, n] : ps.row_counts) ctx.console.Out("  " + table + ": " + std::to_string(n));
  }
  for (const char* folder : package_file::kJobFolders) {
    auto jobs = storage.Jobs(found->first, found->second, folder);
    if (jobs.empty()) continue;
    ctx.console.Out(std::string(folder) + ":");
    for (const auto& j : jobs) {
      std::error_code ec;
      ctx.console.Out("  " + j.file_name + " (" + std::to_string(fs::file_size(j.path, ec)) + " bytes)");
    }
  }
  return Status::Ok();
}

Status FailedJobs(Context& ctx, const fs::path& dir, const std::string& name) {
  PackageStorage storage(dir);
  int n = 0;
  for (PackageStage st : {PackageStage::kLoaded, PackageStage::kNormalized}) {
    for (const auto& id : storage.List(st)) {
      for (const auto& j : storage.Jobs(st, id, "failed_jobs")) {
        ctx.console.Out(id + ": " + j.file_name);
        ++n;
      }
    }
  }
  if (n == 0) ctx.console.Out("No failed jobs found in pipeline " + name);
  return Status::Ok();
}

Status DropPending(Context& ctx, const Workspace& ws, const fs::path& dir, const std::string& name, bool yes) {
  PackageStorage storage(dir);
  auto ex = storage.List(PackageStage::kExtracted);
  auto no = storage.List(PackageStage::kNormalized);
  if (ex.empty() && no.empty()) {
    ctx.console.Out("No pending packages found in pipeline " + name);
    return Status::Ok();
  }
  ctx.console.Out(std::to_string(ex.size() + no.size()) + " pending package(s) will be deleted; their data will not be loaded.");
  DLT_ASSIGN_OR_RETURN(bool typed,
                       ConfirmProtected(ctx, ws, "`dlt pipeline " + name + " drop-pending-packages`", yes));
  if (!yes && !typed && !ctx.console.Confirm("Delete the pending packages?", false)) return Status::Ok();
  for (const auto& id : ex) DLT_RETURN_IF_ERROR(storage.Delete(PackageStage::kExtracted, id));
  for (const auto& id : no) DLT_RETURN_IF_ERROR(storage.Delete(PackageStage::kNormalized, id));
  ctx.console.Out("Deleted " + std::to_string(ex.size() + no.size()) + " pending package(s).");
  return Status::Ok();
}

}  // namespace

Status RunPipelineCommand(Context& ctx) {
  static const std::vector<std::string> kOps = {"info", "trace", "schema", "load-package", "failed-jobs",
                                                "drop-pending-packages", "sync", "drop", "show"};
  DLT_ASSIGN_OR_RETURN(ParsedArgs args, ParseArgs(ctx.args,
                                                  {{"--list-pipelines", "-l", false},
                                                   {"--list", nullptr, false},
                                                   {"--format", nullptr, true},
                                                   {"--yes", "-y", false},
                                                   {"--verbose", "-v", false},
                                                   {"--destination", nullptr, true},
                                                   {"--dataset-name", nullptr, true},
                                                   {"--drop-all", nullptr, false},
                                                   {"--schema", nullptr, true},
                                                   {"--port", nullptr, true},
                                                   {"--no-browser", nullptr, false}},
                                                  "pipeline"));
  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(false));
  DLT_RETURN_IF_ERROR(ws.LoadConfig());
  if (args.Has("--list-pipelines") || args.Has("--list") || args.positionals.empty()) return List(ctx, ws);
  const std::string& name = args.positionals[0];
  std::string op = args.positionals.size() > 1 ? args.positionals[1] : "info";
  if (std::find(kOps.begin(), kOps.end(), op) == kOps.end()) {
    std::string msg = "unknown pipeline operation `" + op + "`.";
    if (auto s = text::Suggest(op, kOps)) msg += " Did you mean `" + *s + "`?";
    return InvalidArgument(msg + " See `dlt pipeline --help`.");
  }
  // Refused under a read-only profile before anything is looked at.
  if (op == "drop-pending-packages" || op == "drop") {
    DLT_RETURN_IF_ERROR(RefuseIfReadOnly(ws, "`dlt pipeline " + name + " " + op + "`"));
  }
  if (op == "sync") {
    return RunPipelineSync(ctx, ws, name, args.Get("--destination"), args.Get("--dataset-name"), args.Has("--yes"));
  }
  DLT_ASSIGN_OR_RETURN(fs::path dir, PipelineDir(ws, name));
  if (op == "drop") {
    DropOptions d;
    d.pipeline_name = name;
    d.drop_all = args.Has("--drop-all");
    if (auto s = args.Get("--schema")) d.schema_name = *s;
    d.resources.assign(args.positionals.begin() + 2, args.positionals.end());
    bool yes = args.Has("--yes");
    // A protected profile asks for the profile name first (typing it answers the question below).
    DLT_ASSIGN_OR_RETURN(bool typed, ConfirmProtected(ctx, ws, "`dlt pipeline " + name + " drop`", yes));
    yes = yes || typed;
    d.confirm = [&](const std::vector<std::string>& tables) {
      ctx.console.Out("About to drop tables " + text::Join(tables, ", ") +
                      " from the destination and reset the state of their resources.");
      return yes || ctx.console.Confirm("Do you want to proceed?", false);
    };
    DLT_ASSIGN_OR_RETURN(DropResult r, DropResources(ws, d));
    if (r.cancelled) {
      ctx.console.Out("Nothing dropped.");
      return Status::Ok();
    }
    ctx.console.Out("Dropped " + std::to_string(r.tables.size()) + " table(s) and reset resource(s) " +
                    text::Join(r.resources, ", ") + " (load " + r.load_id + ").");
    return Status::Ok();
  }
  if (op == "info") return Info(ctx, dir, name);
  if (op == "show") {
    DLT_ASSIGN_OR_RETURN(int port, ParsePortOption(args));
    return RunDashboard(ctx, ws, "#/profiles/" + (ws.workspace_mode() ? ws.profile() : std::string("-")) + "/pipelines/" + name, port, !args.Has("--no-browser"));
  }
  if (op == "trace") return Trace(ctx, dir, name);
  if (op == "schema") return SchemaCmd(ctx, dir, name, args.Get("--format").value_or("yaml"), args.Get("--schema"));
  if (op == "load-package") {
    std::optional<std::string> id;
    if (args.positionals.size() > 2) id = args.positionals[2];
    return LoadPackageCmd(ctx, dir, name, id);
  }
  if (op == "failed-jobs") return FailedJobs(ctx, dir, name);
  return DropPending(ctx, ws, dir, name, args.Has("--yes"));
}

}  // namespace dlt::cli
