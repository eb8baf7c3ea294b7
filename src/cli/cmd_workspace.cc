// dlt workspace [info [-v] | clean [--skip-data-dir] [--yes]]
#include <chrono>
#include <ctime>

#include "cli/command.h"
#include "common/fs.h"
#include "common/text.h"
#include "pipeline/pipeline_lock.h"

namespace dlt::cli {

namespace fs = std::filesystem;

const char* const kWorkspaceHelp =
    "usage: dlt workspace [info [-v] | clean [--skip-data-dir] [--yes] | check [--all-profiles] |\n"
    "                      show [--port P] [--no-browser]]\n"
    "\n"
    "Manage the current workspace.\n"
    "\n"
    "commands:\n"
    "  info           show the workspace, the current profile's folders, the configuration\n"
    "                 files found and the pipelines (default); -v also lists the\n"
    "                 configuration locations probed but not found and every pipeline\n"
    "  clean          delete the current profile's local data (_local/<profile>) and\n"
    "                 working folder (.dlt/.var/<profile>), then re-create them empty;\n"
    "                 remote destinations are not affected. Waits for running pipelines\n"
    "                 up to [runtime] lock_timeout, else refuses (exit code 4) naming the\n"
    "                 pid. Without a terminal it deletes only with --yes (else exit code 4).\n"
    "    --skip-data-dir  keep the working folder (pipeline state and packages)\n"
    "    --yes, -y        do not ask for confirmation (also for a protected profile)\n"
    "  check          hygiene check: secret-looking values in config.toml files, secrets\n"
    "                 files and .dlt/profile-name not ignored or tracked by git, secrets\n"
    "                 files readable by group or others, misspelt sections and keys, named\n"
    "                 destinations without a type; exits non-zero on problems\n"
    "    --all-profiles   check the configuration of every profile\n"
    "  show           start the workspace dashboard on 127.0.0.1 and open it in a browser:\n"
    "                 pipelines of every profile, their config, state, load history,\n"
    "                 schemas and data (read-only); Ctrl-C stops it\n"
    "    --port P         port to listen on (default 2718; 0 picks a free one)\n"
    "    --no-browser     only print the address\n";

namespace {


Status Info(Context& ctx, Workspace& ws, int verbose) {
  Console& c = ctx.console;
  c.Out("Workspace " + c.Bold(ws.name(), false) + ":");
  c.Out("Workspace dir: " + ws.run_dir().string());
  c.Out("Settings dir: " + ws.settings_dir().string());
  c.Out("");
  c.Out("Settings for profile " + c.Bold(ws.profile(), false) + ":");
  c.Out("  Pipelines and other working data: " + ws.working_dir().string());
  c.Out("  Locally loaded data: " + ws.local_dir().string());
  if (ws.pinned_profile() && *ws.pinned_profile() == ws.profile()) c.Out("  Profile is pinned");
  c.Out("  Profile selected by: " + std::string(ProfileSourceName(ws.profile_source())));
  std::vector<std::string> configured;
  for (const auto& p : ws.ListProfiles()) {
    if (p.configured) configured.push_back(p.name);
  }
  c.Out("Profiles with configs or pipelines: " + text::Join(configured, ", "));
  c.Out("");
  c.Out("dlt found configuration in following locations:");
  c.Out("* " + std::string(ProviderName(ProviderKind::kEnvironment)));
  int not_found = 0;
  for (ProviderKind provider : {ProviderKind::kSecretsToml, ProviderKind::kConfigToml}) {
    c.Out("* " + std::string(ProviderName(provider)));
    bool any = false;
    for (const ConfigLayer& l : ws.layers()) {
      if (l.provider != provider) continue;
      std::string tag = l.Tag();
      if (!l.present()) {
        ++not_found;
        if (verbose) {
          c.Out("    " + c.Yellow(l.path.string() + " (" + (tag.empty() ? "" : tag + ", ") + "not found)", false));
        }
        continue;
      }
      any = true;
      c.Out("    " + l.path.string() + (tag.empty() ? "" : " (" + tag + ")"));
    }
    if (!any) c.Out("    provider is empty");
  }
  if (!verbose && not_found > 0) {
    c.Out(std::to_string(not_found) + " location(s) were probed but not found. Use -v to see details.");
  }
  c.Out("");
  auto pipelines = ws.ListPipelines();
  if (pipelines.empty()) {
    c.Out("No pipelines found in " + ws.pipelines_dir().string());
  } else {
    c.Out(std::to_string(pipelines.size()) + " pipelines found in " + ws.pipelines_dir().string());
    for (const auto& p : pipelines) {
      c.Out("  " + c.Green(p.name, false) +
            (p.last_run ? " (last run: " + fsutil::FormatLocalTime(*p.last_run) + ")" : std::string(" (never run)")));
    }
  }
  return Status::Ok();
}

// Refuses to delete the run dir, the settings dir or anything outside the run dir
// (symlinks resolved, so a link pointing out of the workspace is refused too).
Status CheckDeletable(const Workspace& ws, const fs::path& dir, const std::string& what) {
  fs::path norm = fsutil::Normalize(dir);
  if (norm == fsutil::Normalize(ws.run_dir())) {
    return FailedPrecondition(what + " `" + dir.string() +
                              "` is the same as run dir (workspace root) and cannot be deleted");
  }
  if (norm == fsutil::Normalize(ws.settings_dir())) {
    return FailedPrecondition(what + " `" + dir.string() + "` is the same as settings dir and cannot be deleted");
  }
  if (!fsutil::IsWithin(norm, ws.run_dir())) {
    return FailedPrecondition(what + " `" + dir.string() +
                              "` is not within run dir (workspace root) and cannot be deleted");
  }
  if (fsutil::IsWithin(ws.settings_dir(), norm)) {
    return FailedPrecondition(what + " `" + dir.string() + "` contains the settings dir and cannot be deleted");
  }
  return Status::Ok();
}

Status Clean(Context& ctx, Workspace& ws, bool skip_data_dir, bool yes) {
  Console& c = ctx.console;
  if (!ws.workspace_mode()) return FailedPrecondition("Cannot delete local data for a context without profiles");
  DLT_RETURN_IF_ERROR(RefuseIfReadOnly(ws, "`dlt workspace clean`"));
  std::vector<std::pair<fs::path, std::string>> dirs = {{ws.local_dir(), "locally loaded data"}};
  if (!skip_data_dir) dirs.emplace_back(ws.working_dir(), "pipeline working folders");
  for (const auto& [dir, what] : dirs) {
    std::string label = what == "locally loaded data" ? "Local data dir" : "Working dir";
    DLT_RETURN_IF_ERROR(CheckDeletable(ws, dir, label));
  }
  c.Out("Local pipelines data will be removed. Remote destinations are not affected.");
  c.Out("The following dirs will be deleted:");
  for (const auto& [dir, what] : dirs) c.Out("- " + ws.Display(dir) + " (" + what + ")");
  DLT_ASSIGN_OR_RETURN(bool typed, ConfirmProtected(ctx, ws, "`dlt workspace clean`", yes));
  if (!yes && !typed) {
    // Without a terminal there is nobody to ask: refuse as under a protected profile, so that a
    // script sees that nothing happened instead of a silent success.
    if (!c.interactive()) {
      return PermissionDenied("Nothing was deleted: `dlt workspace clean` needs confirmation and there is no terminal "
                              "to ask on (stdin is not a terminal, or --non-interactive). Pass --yes to delete.");
    }
    if (!c.Confirm("Do you want to proceed?", false)) {
      c.Out("Nothing was deleted.");
      return Status::Ok();
    }
  }
  // A running pipeline writes into these folders (its working folder and its DuckDB file):
  // take every pipeline's lock first and hold them all while deleting, or delete nothing.
  DLT_ASSIGN_OR_RETURN(double lock_timeout, ResolveLockTimeout(ws));
  std::vector<PipelineLock> locks;
  for (const auto& p : ws.ListPipelines()) {
    PipelineLock lock;
    Status s = lock.Acquire(p.path, p.name, lock_timeout);
    if (!s.ok()) return Status(s.code(), s.message() + ". Nothing was deleted.");
    locks.push_back(std::move(lock));
  }
  // And no run starts meanwhile (a new pipeline's folder would not be in the list above).
  WorkingFolderLock folder_lock;
  if (Status s = folder_lock.Acquire(ws.working_dir(), /*exclusive=*/true, lock_timeout); !s.ok()) {
    return Status(s.code(), s.message() + ". Nothing was deleted.");
  }
  for (const auto& [dir, what] : dirs) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dir, ec))) {
      c.Out("Deleting " + c.Yellow(ws.Display(dir), false));
      fs::remove_all(dir, ec);
      if (ec) return Internal("cannot delete " + ws.Display(dir) + ": " + ec.message());
    }
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(dir));
  }
  return Status::Ok();
}

}  // namespace

Status RunWorkspaceCommand(Context& ctx) {
  static const std::vector<std::string> kOps = {"info", "clean", "show", "check"};
  DLT_ASSIGN_OR_RETURN(ParsedArgs args,
                       ParseArgs(ctx.args,
                                 {{"--verbose", "-v", false},
                                  {"--skip-data-dir", nullptr, false},
                                  {"--yes", "-y", false},
                                  {"--all-profiles", nullptr, false},
                                  {"--port", nullptr, true},
                                  {"--no-browser", nullptr, false}},
                                 "workspace"));
  std::string op = args.positionals.empty() ? "info" : args.positionals[0];
  if (args.positionals.size() > 1) {
    return InvalidArgument("unexpected argument `" + args.positionals[1] + "`. See `dlt workspace --help`.");
  }
  bool known = false;
  for (const auto& o : kOps) known = known || o == op;
  if (!known) {
    std::string msg = "unknown workspace command `" + op + "`.";
    if (auto s = text::Suggest(op, kOps)) msg += " Did you mean `" + *s + "`?";
    return InvalidArgument(msg + " See `dlt workspace --help`.");
  }
  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(true));
  if (op == "check") return RunWorkspaceCheck(ctx, ws, args.Has("--all-profiles"));
  DLT_RETURN_IF_ERROR(ws.LoadConfig());
  if (op == "info") return Info(ctx, ws, args.Count("--verbose"));
  if (op == "clean") return Clean(ctx, ws, args.Has("--skip-data-dir"), args.Has("--yes"));
  DLT_ASSIGN_OR_RETURN(int port, ParsePortOption(args));
  return RunDashboard(ctx, ws, "#/profiles/" + (ws.workspace_mode() ? ws.profile() : std::string("-")), port, !args.Has("--no-browser"));
}

}  // namespace dlt::cli
