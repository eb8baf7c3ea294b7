// dlt config show [KEY...] [--json] [--show-secrets] | dlt config explain KEY [--pipeline NAME]
// | dlt config settings
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/text.h"
#include "config/settings.h"
#include "dlt/secret.h"
#include "workspace/config_view.h"

namespace dlt::cli {

const char* const kConfigHelp =
    "usage: dlt config show [KEY ...] [--json] [--show-secrets]\n"
    "       dlt config explain KEY [--pipeline NAME]\n"
    "       dlt config settings\n"
    "\n"
    "Shows the configuration of the active profile as a run resolves it.\n"
    "\n"
    "commands:\n"
    "  show [KEY ...]     every key found in the TOML files (or only KEY and the keys under\n"
    "                     it), its value and where it came from: an environment variable or\n"
    "                     file:line:column with the profile tag. Environment variables are\n"
    "                     shown for keys that appear in a file or are asked for.\n"
    "    --json           machine-readable output\n"
    "    --show-secrets   show secret values instead of *** (only when stdout is a terminal)\n"
    "  explain KEY        every place the resolver looks for KEY, in order: each section path\n"
    "                     (most specific first, with the pipeline name in front when given) and\n"
    "                     for each the environment variable and every TOML file; marks the\n"
    "                     value that wins, the ones it shadows (secrets as ***) and the empty\n"
    "                     ones. For a missing key, says where it could be set.\n"
    "    --pipeline NAME  also try the pipeline-prefixed paths, as a run of NAME does\n"
    "  settings           the settings this engine reads ([runtime], [workspace.settings],\n"
    "                     [workspace.profiles.<profile>]): default, allowed values, what each\n"
    "                     does; then the environment variables it reads itself\n";

namespace {

std::string OriginText(const ResolvedValue& v) { return v.origin.Describe(); }

Status Show(Context& ctx, const ParsedArgs& args) {
  Console& c = ctx.console;
  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(false));
  DLT_RETURN_IF_ERROR(ws.LoadConfig());
  std::vector<std::string> filters(args.positionals.begin() + 1, args.positionals.end());
  bool reveal = args.Has("--show-secrets") && ::isatty(STDOUT_FILENO);
  if (args.Has("--show-secrets") && !reveal) {
    c.Note("--show-secrets is ignored: stdout is not a terminal; secrets are shown as ***.");
  }
  auto entries = ResolvedConfig(ws, filters);
  std::string profile = ws.workspace_mode() ? ws.profile() : std::string();
  Status first_error = Status::Ok();
  int missing = 0;
  auto value_text = [&](const ConfigEntry& e) {
    if (reveal && e.value->value.is_scalar()) return e.value->value.text;
    return DisplayValue(e.value->value, e.secret);
  };
  if (args.Has("--json")) {
    nlohmann::ordered_json j;
    j["profile"] = ws.workspace_mode() ? nlohmann::ordered_json(profile) : nlohmann::ordered_json(nullptr);
    j["keys"] = nlohmann::ordered_json::array();
    for (const auto& e : entries) {
      nlohmann::ordered_json k;
      k["key"] = e.key;
      if (!e.error.empty()) {
        k["error"] = e.error;
        if (first_error.ok()) first_error = InvalidArgument(e.error);
      } else if (!e.value) {
        k["value"] = nullptr;
        ++missing;
      } else {
        std::string shown = value_text(e);
        if (shown == Secret::kMask) {
          k["value"] = std::string(Secret::kMask);
        } else if (e.value->value.kind == ConfigNode::Kind::kString) {
          k["value"] = e.value->value.text;
        } else {
          k["value"] = shown;
        }
        k["secret"] = e.secret;
        k["provider"] = std::string(ProviderName(e.value->origin.provider));
        k["origin"] = OriginText(*e.value);
      }
      j["keys"].push_back(std::move(k));
    }
    c.Out(j.dump(2));
  } else {
    if (ws.workspace_mode()) {
      c.Out("Configuration of profile " + c.Bold(profile, false) + " (workspace " + ws.name() + "):");
    } else {
      c.Out("Configuration (classic mode, no profiles):");
    }
    if (entries.empty()) c.Out("  (no configuration found; see `dlt workspace info -v` for the files probed)");
    for (const auto& e : entries) {
      if (!e.error.empty()) {
        c.Out("  " + e.key + ": " + c.Red("invalid", false) + " (" + e.error + ")");
        if (first_error.ok()) first_error = InvalidArgument(e.error);
      } else if (!e.value) {
        c.Out("  " + e.key + ": not set (see `dlt config explain " + e.key + "`)");
        ++missing;
      } else {
        c.Out("  " + e.key + " = " + value_text(e) + "  # " + OriginText(*e.value));
      }
    }
  }
  if (!first_error.ok()) return first_error;
  if (missing > 0 && !filters.empty() && missing == static_cast<int>(entries.size())) {
    return NotFound("not set: " + std::to_string(missing) + " key(s) asked for");
  }
  return Status::Ok();
}

std::string SuggestFile(const Workspace& ws, bool secret) {
  std::string base = secret ? "secrets.toml" : "config.toml";
  if (ws.workspace_mode()) return ".dlt/" + ws.profile() + "." + base + " (this profile) or .dlt/" + base + " (every profile)";
  return ".dlt/" + base;
}

Status Explain(Context& ctx, const ParsedArgs& args) {
  Console& c = ctx.console;
  if (args.positionals.size() != 2) {
    return InvalidArgument("`dlt config explain` needs exactly one KEY (e.g. destination.warehouse.credentials). "
                           "See `dlt config --help`.");
  }
  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(false));
  DLT_RETURN_IF_ERROR(ws.LoadConfig());
  std::vector<std::string> parts = text::Split(args.positionals[1], '.');
  for (const auto& p : parts) {
    if (p.empty()) return InvalidArgument("invalid key `" + args.positionals[1] + "`: empty section");
  }
  ConfigKey key;
  key.sections.assign(parts.begin(), parts.end() - 1);
  key.key = parts.back();
  key.pipeline_name = args.Get("--pipeline").value_or("");
  key.secret = LooksSecretPath(parts);
  auto candidates = ws.config().Explain(key);
  std::string profile = ws.workspace_mode() ? ws.profile() : std::string("(classic mode)");
  c.Out("Resolving " + c.Bold(key.Dotted(), false) + " for profile " + profile +
        (key.pipeline_name.empty() ? std::string() : ", pipeline " + key.pipeline_name) +
        (key.secret ? " (secret)" : "") + ":");
  // A setting of the engine: what it does, its default and what is allowed.
  const settings::Setting* setting = settings::Find(key.sections, key.key);
  if (setting) {
    c.Out("Setting of dlt: " + std::string(setting->doc) + ". Default: " + std::string(setting->default_text) +
          "; must be " + std::string(setting->allowed) + ".");
  }
  const ConfigCandidate* winner = nullptr;
  std::vector<std::string> last_path;
  int n = 0;
  for (const auto& cand : candidates) {
    if (cand.path != last_path) {
      last_path = cand.path;
      c.Out(std::to_string(++n) + ". " + text::Join(cand.path, "."));
    }
    std::string where = cand.provider == ProviderKind::kEnvironment ? "env " + cand.location : cand.location;
    if (!cand.tag.empty()) where += " (" + cand.tag + ")";
    std::string status;
    if (cand.value) {
      bool secret = key.secret || LooksSecretPath(cand.path) || IsSecretByOrigin(cand.provider, cand.path);
      std::string v = DisplayValue(*cand.value, secret);
      if (cand.provider != ProviderKind::kEnvironment) {
        v += " at line " + std::to_string(cand.value->where.line);
      }
      if (cand.wins) {
        winner = &cand;
        status = c.Green("WINS", false) + ": " + v;
      } else {
        status = c.Yellow("shadowed", false) + ": " + v;
      }
    } else {
      bool file_missing = false;
      if (cand.provider != ProviderKind::kEnvironment) {
        for (const auto& l : ws.layers()) {
          if (l.display_path == cand.location && !l.present()) file_missing = true;
        }
      }
      status = file_missing ? "empty (file not found)" : "empty";
    }
    c.Out("   " + (cand.wins ? std::string("* ") : std::string("  ")) + where + ": " + status);
  }
  // The resolver's own verdict (e.g. a secret in config.toml is an error for a run).
  auto resolved = ws.config().Resolve(key);
  if (!resolved.ok()) {
    c.Warning("a run would fail: " + resolved.status().message());
    return Status::Ok();
  }
  if (winner && *resolved) {
    bool secret = key.secret || IsSecretByOrigin((*resolved)->origin.provider, (*resolved)->path);
    c.Out("Result: " + DisplayValue((*resolved)->value, secret) + " from " + (*resolved)->origin.Describe());
    return Status::Ok();
  }
  c.Out("Result: " + key.Dotted() + " is not set." +
        (setting && setting->type == settings::Type::kNumber ? " A run uses the default, " +
                                                                   std::string(setting->default_text) + "."
                                                             : ""));
  c.Out("To set it, add to " + SuggestFile(ws, key.secret) + ":");
  if (!key.sections.empty()) c.Out("  [" + text::Join(key.sections, ".") + "]");
  c.Out("  " + key.key + " = ...");
  c.Out("or set the environment variable " + EnvVarName(parts) + ".");
  return Status::Ok();
}

// The settings table (src/config/settings.cc), for users: what can be set and what it does.
Status ListSettings(Context& ctx, const ParsedArgs& args) {
  Console& c = ctx.console;
  if (args.positionals.size() != 1) return InvalidArgument("`dlt config settings` takes no KEY. See `dlt config --help`.");
  std::string section;
  for (const settings::Setting& s : settings::Table()) {
    if (s.section != section) {
      section = std::string(s.section);
      c.Out("[" + section + "]");
    }
    c.Out("  " + std::string(s.name) + " = " + std::string(s.default_text) + "  # " + std::string(s.doc) + "; " +
          std::string(s.allowed));
  }
  c.Out("Every key can also be set as an environment variable (RUNTIME__LOCK_TIMEOUT). "
        "[normalize], [load], [extract] and [data_writer] settings of dlt are accepted and not used.");
  c.Out("Environment variables:");
  for (const settings::EnvVar& e : settings::EnvVars()) c.Out("  " + std::string(e.name) + "  # " + std::string(e.doc));
  return Status::Ok();
}

}  // namespace

Status RunConfigCommand(Context& ctx) {
  DLT_ASSIGN_OR_RETURN(ParsedArgs args, ParseArgs(ctx.args,
                                                  {{"--json", nullptr, false},
                                                   {"--show-secrets", nullptr, false},
                                                   {"--pipeline", nullptr, true}},
                                                  "config"));
  std::string op = args.positionals.empty() ? "show" : args.positionals[0];
  if (args.positionals.empty()) args.positionals.push_back("show");
  if (op == "show") return Show(ctx, args);
  if (op == "explain") return Explain(ctx, args);
  if (op == "settings") return ListSettings(ctx, args);
  std::string msg = "unknown config command `" + op + "`.";
  if (auto s = text::Suggest(op, {"show", "explain", "settings"})) msg += " Did you mean `" + *s + "`?";
  return InvalidArgument(msg + " See `dlt config --help`.");
}

}  // namespace dlt::cli
