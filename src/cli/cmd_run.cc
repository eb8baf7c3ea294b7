// dlt run <pipeline file | pipeline name> [--resource NAME=PATH ...]
#include <unistd.h>

#include <mutex>

#include "cli/command.h"
#include "common/text.h"
#include "dlt/pipeline.h"
#include "extract/rest_api_source.h"
#include "pipeline/pipeline_file.h"
#include "pipeline/pipeline_lock.h"

namespace dlt::cli {

namespace fs = std::filesystem;

const char* const kRunHelp =
    "usage: dlt run <pipeline file | pipeline name> [--resource NAME=PATH ...]\n"
    "               [--destination D] [--dataset-name N] [--quiet]\n"
    "       dlt run <script.py> [SCRIPT ARGS...]\n"
    "\n"
    "Runs a declarative pipeline (a TOML file) in the active profile: finishes pending load\n"
    "packages of earlier runs, then extracts, normalizes and loads. A pipeline file can start\n"
    "with `#!/usr/bin/env -S dlt run` and be executed directly.\n"
    "Refused under a read-only profile (`access` by default, or `read_only = true` in\n"
    "[workspace.profiles.<name>]).\n"
    "A Python pipeline script (.py) is run by python3 in the workspace root with the active\n"
    "profile as WORKSPACE__PROFILE, when python3 can import the Python `dlt` package; the\n"
    "exit code is the script's.\n"
    "\n"
    "options:\n"
    "  --resource NAME=PATH  read resource NAME from PATH instead of its `path` (`-` = stdin)\n"
    "  --destination D       override the pipeline's destination\n"
    "  --dataset-name N      override the pipeline's dataset\n"
    "  --quiet, -q           no progress display\n"
    "  --yes, -y             accepted for compatibility: a run never asks for confirmation,\n"
    "                        not even under a protected profile (prod)\n";

Status RunRunCommand(Context& ctx) {
  // A Python pipeline script: everything after it is the script's own arguments.
  if (!ctx.args.empty() && ctx.args[0].ends_with(".py")) {
    return RunPythonScript(ctx, ctx.args[0], {ctx.args.begin() + 1, ctx.args.end()});
  }
  DLT_ASSIGN_OR_RETURN(ParsedArgs args, ParseArgs(ctx.args,
                                                  {{"--resource", "-r", true},
                                                   {"--destination", nullptr, true},
                                                   {"--dataset-name", nullptr, true},
                                                   {"--quiet", "-q", false},
                                                   {"--yes", "-y", false}},
                                                  "run"));
  if (args.positionals.empty()) return InvalidArgument("`dlt run` needs a pipeline file or name. See `dlt run --help`.");
  if (args.positionals[0].ends_with(".py")) {
    return InvalidArgument("options of `dlt run` go after a pipeline file, not before a Python script: run `dlt run " +
                           args.positionals[0] + " [SCRIPT ARGS...]`");
  }
  if (args.positionals.size() > 1) {
    return InvalidArgument("unexpected argument `" + args.positionals[1] + "`. See `dlt run --help`.");
  }
  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(false));
  DLT_RETURN_IF_ERROR(ws.LoadConfig());
  // A read-only profile is refused before anything happens; the pipeline would refuse too and
  // open its destination read-only.
  DLT_ASSIGN_OR_RETURN(bool read_only, ws.IsReadOnlyProfile());
  DLT_RETURN_IF_ERROR(RefuseIfReadOnly(ws, "`dlt run`"));
  DLT_ASSIGN_OR_RETURN(fs::path file, FindPipelineFile(args.positionals[0], ws.run_dir()));
  DLT_ASSIGN_OR_RETURN(PipelineFileSpec spec, ParsePipelineFile(file, ws.Display(file)));

  std::map<std::string, std::string> overrides;
  for (const auto& [k, v] : args.options) {
    if (k != "--resource") continue;
    size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--resource expects NAME=PATH (e.g. --resource events=- to read stdin), got `" + v + "`");
    }
    overrides[v.substr(0, eq)] = v.substr(eq + 1);
  }
  for (const auto& [name, path] : overrides) {
    bool found = false;
    std::vector<std::string> names;
    for (const auto& r : spec.resources) {
      names.push_back(r.options.name);
      found = found || r.options.name == name;
    }
    if (!found) {
      std::string msg = "--resource: the pipeline has no resource `" + name + "`.";
      if (auto s = text::Suggest(name, names)) msg += " Did you mean `" + *s + "`?";
      return InvalidArgument(msg + " Resources: " + text::Join(names, ", "));
    }
  }

  std::vector<Resource> resources;
  std::vector<std::pair<std::string, std::string>> source_origins;  // for the run record
  fs::path base = file.parent_path();
  if (spec.rest_api) {
    // A REST API source: resources fetch their rows over HTTP (src/extract/rest_api_source.h).
    if (!overrides.empty()) return InvalidArgument("--resource reads files; it works with filesystem sources only");
    rest_api::RunOptions ro;
    ro.pipeline_name = spec.name;
    ro.on_retry = [&ctx, mu = std::make_shared<std::mutex>()](const std::string& message) {
      std::lock_guard<std::mutex> lock(*mu);
      ctx.console.Warning(message);
    };
    ro.on_warning = ro.on_retry;
    DLT_ASSIGN_OR_RETURN(resources, rest_api::MakeResources(ws, *spec.rest_api, ro, &source_origins));
  }
  if (spec.sql_database) {
    // Tables of a SQL database (include/dlt/sql_database.h): reflected now, read when extracted.
    if (!overrides.empty()) return InvalidArgument("--resource reads files; it works with filesystem sources only");
    DLT_ASSIGN_OR_RETURN(resources, SqlDatabase(ws, *spec.sql_database));
  }
  const bool from_files = !spec.rest_api && !spec.sql_database;
  for (const auto& r : from_files ? spec.resources : std::vector<ResourceFileSpec>{}) {
    std::vector<std::string> paths = r.paths;
    if (auto it = overrides.find(r.options.name); it != overrides.end()) {
      paths = {it->second};
    }
    if (paths.empty()) {
      return InvalidArgument(ws.Display(file) + ": resource `" + r.options.name +
                             "` has no `path` (or pass --resource " + r.options.name + "=PATH)");
    }
    resources.push_back(Resource::FromFiles(r.options, paths, base, r.format));
  }

  PipelineOptions options;
  options.pipeline_name = spec.name;
  options.destination = args.Get("--destination").value_or(spec.destination);
  options.dataset_name = args.Get("--dataset-name").value_or(spec.dataset_name);
  options.progress = !args.Has("--quiet");
  options.read_only = read_only;
  options.source_config_origins = source_origins;
  DLT_ASSIGN_OR_RETURN(options.lock_timeout_s, ResolveLockTimeout(ws));
  DLT_ASSIGN_OR_RETURN(Pipeline pipeline, Pipeline::Create(ws, options));
  DLT_ASSIGN_OR_RETURN(LoadInfo info, pipeline.Run(resources));
  std::string summary = info.Summary();
  std::fputs(summary.c_str(), stdout);
  return Status::Ok();
}

}  // namespace dlt::cli
