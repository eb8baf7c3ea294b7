// dlt profile [NAME] [info | list | pin | unpin]
#include "cli/command.h"
#include "common/text.h"

namespace dlt::cli {

const char* const kProfileHelp =
    "usage: dlt profile [NAME] [info | list | pin | unpin]\n"
    "\n"
    "Manage workspace profiles. The active profile is chosen by, first match wins:\n"
    "--profile NAME, the WORKSPACE__PROFILE environment variable, the pin file\n"
    ".dlt/profile-name, and the default `dev`.\n"
    "\n"
    "commands:\n"
    "  info          show the current profile and the pinned one (default)\n"
    "  list          list the available profiles\n"
    "  NAME pin      pin profile NAME to the workspace (writes .dlt/profile-name)\n"
    "  pin           show the pinned profile\n"
    "  unpin         remove the pin (same as `rm .dlt/profile-name`)\n";

namespace {

const std::vector<std::string> kOps = {"info", "list", "pin", "unpin"};

bool IsOp(const std::string& s) {
  for (const auto& op : kOps) {
    if (s == op) return true;
  }
  return false;
}

Status Info(Context& ctx, const Workspace& ws) {
  ctx.console.Out("Current profile: " + ws.profile());
  if (ws.pinned_profile()) ctx.console.Out("Pinned profile: " + *ws.pinned_profile());
  return Status::Ok();
}

Status List(Context& ctx, const Workspace& ws) {
  ctx.console.Out("Available profiles:");
  for (const auto& p : ws.ListProfiles()) {
    std::string markers;
    if (p.current) markers += " (current)";
    if (p.configured) markers += " (configured)";
    ctx.console.Out("* " + ctx.console.Bold(p.name, false) + markers + " - " + p.description);
  }
  return Status::Ok();
}

Status Pin(Context& ctx, const Workspace& ws, const std::string& name) {
  DLT_RETURN_IF_ERROR(ValidateProfileName(name));
  bool builtin = false;
  for (const auto& p : BuiltinProfiles()) builtin = builtin || name == p.name;
  if (!builtin && !ws.IsProfileConfigured(name)) {
    std::vector<std::string> known;
    for (const auto& p : ws.ListProfiles()) known.push_back(p.name);
    if (auto s = text::Suggest(name, known)) {
      return NotFound("Profile `" + name + "` is not configured. Did you mean `" + *s +
                      "`? (to create a custom profile, add .dlt/" + name + ".secrets.toml or .dlt/" +
                      name + ".config.toml first)");
    }
  }
  ctx.console.Out("Will pin the profile " + name + " to current Workspace.");
  DLT_RETURN_IF_ERROR(ws.Pin(name));
  if (auto env = ws.env().Get("WORKSPACE__PROFILE"); env && !text::Trim(*env).empty() && *env != name) {
    ctx.console.Note("WORKSPACE__PROFILE=" + std::string(text::Trim(*env)) +
                     " is set and takes precedence over the pinned profile.");
  }
  return Status::Ok();
}

Status ShowPin(Context& ctx, const Workspace& ws) {
  if (ws.pinned_profile()) {
    ctx.console.Out("Currently pinned profile is: " + *ws.pinned_profile() +
                    ". To unpin remove .dlt/profile-name file.");
  } else {
    ctx.console.Out("No pinned profile.");
  }
  return Status::Ok();
}

Status Unpin(Context& ctx, const Workspace& ws) {
  if (!ws.pinned_profile()) {
    // The file may exist but be empty.
    (void)ws.Unpin();
    ctx.console.Out("No pinned profile.");
    return Status::Ok();
  }
  DLT_RETURN_IF_ERROR(ws.Unpin());
  ctx.console.Out("Unpinned profile " + *ws.pinned_profile() + ".");
  return Status::Ok();
}

}  // namespace

Status RunProfileCommand(Context& ctx) {
  DLT_ASSIGN_OR_RETURN(ParsedArgs args, ParseArgs(ctx.args, {}, "profile"));
  std::optional<std::string> name;
  std::string op = "info";
  auto& pos = args.positionals;
  if (pos.size() > 2) {
    return InvalidArgument("too many arguments for `dlt profile`: " + pos[2] + ". See `dlt profile --help`.");
  }
  if (!pos.empty()) {
    if (IsOp(pos[0])) {
      op = pos[0];
      if (pos.size() > 1) {
        return InvalidArgument("unexpected argument `" + pos[1] + "` after `dlt profile " + op +
                               "`. To pin a profile: dlt profile " + pos[1] + " pin");
      }
    } else {
      name = pos[0];
      if (pos.size() > 1) op = pos[1];
    }
  }
  if (!IsOp(op)) {
    std::string msg = "unknown profile command `" + op + "`.";
    if (auto s = text::Suggest(op, kOps)) msg += " Did you mean `" + *s + "`?";
    return InvalidArgument(msg + " See `dlt profile --help`.");
  }

  // A lone word close to a command ("lsit") is a typo, not a profile name.
  if (name && pos.size() == 1) {
    DLT_RETURN_IF_ERROR(ValidateProfileName(*name));
    bool builtin = false;
    for (const auto& p : BuiltinProfiles()) builtin = builtin || *name == p.name;
    if (!builtin) {
      if (auto s = text::Suggest(*name, kOps)) {
        return InvalidArgument("unknown profile command `" + *name + "`. Did you mean `" + *s +
                               "`? See `dlt profile --help`.");
      }
    }
  }

  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(true));
  if (op == "info") return Info(ctx, ws);
  if (op == "list") return List(ctx, ws);
  if (op == "unpin") return Unpin(ctx, ws);
  // pin
  if (name) return Pin(ctx, ws, *name);
  return ShowPin(ctx, ws);
}

}  // namespace dlt::cli
