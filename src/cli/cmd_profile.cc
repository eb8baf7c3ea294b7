// dlt profile [NAME] [info | list | pin | unpin]
#include <map>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/text.h"
#include "dlt/destination.h"
#include "workspace/config_view.h"

namespace dlt::cli {

const char* const kProfileHelp =
    "usage: dlt profile [NAME] [info | list | pin | unpin]\n"
    "       dlt profile diff A B [--json]\n"
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
    "  unpin         remove the pin (same as `rm .dlt/profile-name`)\n"
    "  diff A B      the resolved configuration of profiles A and B side by side: keys only\n"
    "                in one, keys that differ (secrets compared, shown as ***), destination\n"
    "                types, folders and read-only / protected flags; --json for scripts\n";

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
  // A custom name nothing configures is most likely a mistake: say so, but pin as asked (the
  // files may come next). Built-ins are known profiles and are pinned quietly, as dlt does.
  if (!builtin && !ws.IsProfileConfigured(name)) {
    ctx.console.Warning("Profile `" + name + "` is not configured: no .dlt/" + name + ".secrets.toml or .dlt/" + name +
                        ".config.toml (nor in ~/.dlt/) and no pipelines. It was pinned; until you add one of these "
                        "files, runs use only the shared .dlt/config.toml and .dlt/secrets.toml.");
  }
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

struct ProfileView {
  std::string name;
  std::string working_dir, local_dir;
  std::string read_only, protected_profile;
  std::map<std::string, ConfigEntry> keys;
  std::vector<std::string> order;
  std::map<std::string, std::string> destinations;  // name -> type
};

StatusOr<ProfileView> LoadProfileView(const std::string& name) {
  DLT_RETURN_IF_ERROR(ValidateProfileName(name));
  WorkspaceOptions options;
  options.profile = name;
  DLT_ASSIGN_OR_RETURN(Workspace ws, Workspace::Open(options));
  if (!ws.workspace_mode()) {
    return FailedPrecondition("`dlt profile diff` needs a workspace. To enable the workspace:\n  mkdir -p .dlt && touch .dlt/.workspace");
  }
  DLT_RETURN_IF_ERROR(ws.LoadConfig().WithContext("profile " + name));
  ProfileView v;
  v.name = name;
  v.working_dir = ws.Display(ws.working_dir());
  v.local_dir = ws.Display(ws.local_dir());
  auto flag = [](const StatusOr<bool>& b) { return b.ok() ? (*b ? "yes" : "no") : "invalid"; };
  v.read_only = flag(ws.IsReadOnlyProfile());
  v.protected_profile = flag(ws.IsProtectedProfile());
  for (auto& e : ResolvedConfig(ws)) {
    v.order.push_back(e.key);
    v.keys.emplace(e.key, std::move(e));
  }
  for (const auto& d : NamedDestinations(ws.layers())) {
    ConfigEntry t = ResolveEntry(ws.config(), {"destination", d, "destination_type"});
    if (t.value && t.value->value.is_scalar()) {
      v.destinations[d] = t.value->value.text;
    } else {
      v.destinations[d] = IsKnownDestinationType(d) ? d : "(no destination_type)";
    }
  }
  return v;
}

// Secrets compare by value but never show it.
std::string Shown(const ConfigEntry& e) {
  if (!e.error.empty()) return "(invalid)";
  if (!e.value) return "(not set)";
  return DisplayValue(e.value->value, e.secret);
}

std::string Compared(const ConfigEntry& e) {
  if (!e.value) return "\x1f" + e.error;
  return e.value->value.ToDisplayString();
}

Status Diff(Context& ctx, const std::string& a, const std::string& b, bool json) {
  DLT_ASSIGN_OR_RETURN(ProfileView va, LoadProfileView(a));
  DLT_ASSIGN_OR_RETURN(ProfileView vb, LoadProfileView(b));
  std::vector<std::string> only_a, only_b, differ;
  int same = 0;
  for (const auto& k : va.order) {
    auto it = vb.keys.find(k);
    if (it == vb.keys.end()) {
      only_a.push_back(k);
    } else if (Compared(va.keys.at(k)) != Compared(it->second)) {
      differ.push_back(k);
    } else {
      ++same;
    }
  }
  for (const auto& k : vb.order) {
    if (!va.keys.count(k)) only_b.push_back(k);
  }
  std::vector<std::string> dests;
  for (const auto& [d, t] : va.destinations) dests.push_back(d);
  for (const auto& [d, t] : vb.destinations) {
    if (!va.destinations.count(d)) dests.push_back(d);
  }
  auto dest_type = [](const ProfileView& v, const std::string& d) {
    auto it = v.destinations.find(d);
    return it == v.destinations.end() ? std::string("(not configured)") : it->second;
  };
  Console& c = ctx.console;
  if (json) {
    using J = nlohmann::ordered_json;
    J j;
    j["profiles"] = J::array({a, b});
    j["folders"] = J::object();
    j["folders"]["working_dir"] = J::array({va.working_dir, vb.working_dir});
    j["folders"]["local_dir"] = J::array({va.local_dir, vb.local_dir});
    j["read_only"] = J::array({va.read_only == "yes", vb.read_only == "yes"});
    j["protected"] = J::array({va.protected_profile == "yes", vb.protected_profile == "yes"});
    j["destinations"] = J::object();
    for (const auto& d : dests) j["destinations"][d] = J::array({dest_type(va, d), dest_type(vb, d)});
    auto entry = [&](const ConfigEntry& e) {
      J x;
      x["value"] = Shown(e);
      x["origin"] = e.value ? J(e.value->origin.Describe()) : J(nullptr);
      x["secret"] = e.secret;
      return x;
    };
    j["only_in_a"] = J::object();
    for (const auto& k : only_a) j["only_in_a"][k] = entry(va.keys.at(k));
    j["only_in_b"] = J::object();
    for (const auto& k : only_b) j["only_in_b"][k] = entry(vb.keys.at(k));
    j["differ"] = J::object();
    for (const auto& k : differ) j["differ"][k] = J::array({entry(va.keys.at(k)), entry(vb.keys.at(k))});
    j["same"] = same;
    c.Out(j.dump(2));
    return Status::Ok();
  }
  c.Out("Profile " + c.Bold(a, false) + " vs profile " + c.Bold(b, false) + ":");
  c.Out("Folders:");
  c.Out("  working data: " + va.working_dir + " | " + vb.working_dir);
  c.Out("  local data: " + va.local_dir + " | " + vb.local_dir);
  c.Out("  read-only: " + va.read_only + " | " + vb.read_only);
  c.Out("  protected: " + va.protected_profile + " | " + vb.protected_profile);
  if (!dests.empty()) {
    c.Out("Destinations:");
    for (const auto& d : dests) c.Out("  " + d + ": " + dest_type(va, d) + " | " + dest_type(vb, d));
  }
  if (!only_a.empty()) {
    c.Out("Only in " + a + ":");
    for (const auto& k : only_a) c.Out("  " + k + " = " + Shown(va.keys.at(k)));
  }
  if (!only_b.empty()) {
    c.Out("Only in " + b + ":");
    for (const auto& k : only_b) c.Out("  " + k + " = " + Shown(vb.keys.at(k)));
  }
  if (!differ.empty()) {
    c.Out("Different:");
    for (const auto& k : differ) {
      const ConfigEntry& x = va.keys.at(k);
      const ConfigEntry& y = vb.keys.at(k);
      std::string sx = Shown(x), sy = Shown(y);
      c.Out("  " + k + ": " + sx + " | " + sy + (sx == sy ? " (differs)" : ""));
    }
  }
  c.Out(std::to_string(same) + " key(s) are the same in both profiles.");
  return Status::Ok();
}

}  // namespace

Status RunProfileCommand(Context& ctx) {
  DLT_ASSIGN_OR_RETURN(ParsedArgs args, ParseArgs(ctx.args, {{"--json", nullptr, false}}, "profile"));
  if (!args.positionals.empty() && args.positionals[0] == "diff") {
    if (args.positionals.size() != 3) {
      return InvalidArgument("`dlt profile diff` needs two profile names: dlt profile diff A B");
    }
    return Diff(ctx, args.positionals[1], args.positionals[2], args.Has("--json"));
  }
  if (args.Has("--json")) return InvalidArgument("--json is an option of `dlt profile diff`");
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
