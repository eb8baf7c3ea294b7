// dlt: entry point. Parses the global flags, dispatches to a command, maps errors to exit codes.
#include <cstring>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/text.h"
#include "dlt/version.h"

namespace dlt::cli {

const char* const kMainHelp =
    "usage: dlt [--version] [--help] [--debug] [--non-interactive] [--profile NAME] <command> ...\n"
    "\n"
    "Creates, adds, inspects and runs data load pipelines, in workspaces with profiles.\n"
    "\n"
    "commands:\n"
    "%COMMANDS%"
    "\n"
    "options:\n"
    "  --version          show the version and exit\n"
    "  --help, -h         show this help and exit (`dlt <command> --help` for a command)\n"
    "  --debug            full error detail: causes and the configuration locations tried\n"
    "                     (secret values are never shown)\n"
    "  --non-interactive  take the default answer to every prompt (automatic when stdin is\n"
    "                     not a terminal)\n"
    "  --profile NAME     run with this profile instead of WORKSPACE__PROFILE, the pinned\n"
    "                     profile or dev\n";

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"init", "Create a pipeline from a template (dlt init dlthub:pokemon_api duckdb)", kInitHelp, RunInitCommand},
      {"run", "Run a pipeline file in the active profile", kRunHelp, RunRunCommand},
      {"pipeline", "Inspect pipelines of the active profile", kPipelineHelp, RunPipelineCommand},
      {"profile", "Manage workspace profiles", kProfileHelp, RunProfileCommand},
      {"workspace", "Manage the current workspace", kWorkspaceHelp, RunWorkspaceCommand},
      {"config", "Show and explain the resolved configuration", kConfigHelp, RunConfigCommand},
  };
  return kCommands;
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument: return 2;
    case StatusCode::kNotFound: return 3;
    case StatusCode::kPermissionDenied: return 4;
    case StatusCode::kUnavailable: return 5;
    case StatusCode::kDataLoss: return 6;
    case StatusCode::kCancelled: return 7;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInternal: return 1;
  }
  return 1;
}

StatusOr<Workspace> Context::OpenWorkspace(bool require_workspace) {
  WorkspaceOptions options;
  options.profile = flags.profile;
  DLT_ASSIGN_OR_RETURN(Workspace ws, Workspace::Open(options));
  if (require_workspace && !ws.workspace_mode()) {
    return FailedPrecondition("Workspace could not be found in `" + ws.run_dir().string() +
                              "` or its parents. To enable the workspace, create an empty file "
                              "`.workspace` in the `.dlt` settings folder:\n  mkdir -p .dlt && touch .dlt/.workspace");
  }
  if (ws.workspace_mode() && ws.profile() != kDefaultProfile && !banner_printed) {
    console.Err("Profile `" + console.Yellow(ws.profile(), true) + "` is active.");
    banner_printed = true;
  }
  return ws;
}

bool ParsedArgs::Has(std::string_view name) const { return Count(name) > 0; }

int ParsedArgs::Count(std::string_view name) const {
  int n = 0;
  for (const auto& [k, v] : options) n += k == name;
  return n;
}

std::optional<std::string> ParsedArgs::Get(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : options) {
    if (k == name) out = v;
  }
  return out;
}

StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                               std::string_view command) {
  ParsedArgs out;
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positionals || a.size() < 2 || a[0] != '-') {
      out.positionals.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = a, value;
    bool has_inline = false;
    if (a.starts_with("--")) {
      if (size_t eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        has_inline = true;
      }
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (name == s.name || (s.short_name && name == s.short_name)) spec = &s;
    }
    if (!spec) {
      // -vv counts as -v -v
      if (!a.starts_with("--") && a.size() > 2) {
        bool all = true;
        for (size_t j = 1; j < a.size() && all; ++j) {
          std::string one = std::string("-") + a[j];
          bool found = false;
          for (const auto& s : specs) {
            if (s.short_name && one == s.short_name && !s.takes_value) {
              out.options.emplace_back(s.name, "");
              found = true;
            }
          }
          all = found;
        }
        if (all) continue;
      }
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.name);
      std::string msg = "unknown option `" + name + "` for `dlt " + std::string(command) + "`.";
      if (auto s = text::Suggest(name, names)) msg += " Did you mean `" + *s + "`?";
      msg += " See `dlt " + std::string(command) + " --help`.";
      return InvalidArgument(msg);
    }
    if (spec->takes_value) {
      if (!has_inline) {
        if (i + 1 >= args.size()) {
          return InvalidArgument("option `" + name + "` of `dlt " + std::string(command) + "` needs a value");
        }
        value = args[++i];
      }
    } else if (has_inline) {
      return InvalidArgument("option `" + name + "` of `dlt " + std::string(command) + "` takes no value");
    }
    out.options.emplace_back(spec->name, value);
  }
  return out;
}

namespace {

std::string MainHelp() {
  std::string commands;
  for (const auto& c : Commands()) {
    std::string name = c.name;
    commands += "  " + name + std::string(name.size() < 18 ? 18 - name.size() : 1, ' ') + c.summary + "\n";
  }
  std::string help = kMainHelp;
  help.replace(help.find("%COMMANDS%"), 10, commands);
  return help;
}

int Main(int argc, char** argv) {
  Console console;
  GlobalFlags flags;
  std::vector<std::string> rest;
  bool want_help = false, want_version = false;
  std::string command;

  // Global flags are accepted anywhere before `--`.
  bool passthrough = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (passthrough) {
      rest.push_back(a);
      continue;
    }
    if (a == "--") {
      passthrough = true;
      rest.push_back(a);
    } else if (a == "--debug") {
      flags.debug = true;
    } else if (a == "--non-interactive") {
      flags.non_interactive = true;
    } else if (a == "--version") {
      want_version = true;
    } else if (a == "--help" || a == "-h") {
      want_help = true;
    } else if (a == "--profile" || a.starts_with("--profile=")) {
      std::string value;
      if (a == "--profile") {
        if (i + 1 >= argc) {
          console.Error("option `--profile` needs a profile name");
          return 2;
        }
        value = argv[++i];
      } else {
        value = a.substr(10);
      }
      Status valid = ValidateProfileName(value);
      if (!valid.ok()) {
        console.Error(valid.message());
        return ExitCodeFor(valid);
      }
      flags.profile = value;
    } else if (command.empty() && !a.starts_with("-")) {
      command = a;
    } else {
      rest.push_back(a);
    }
  }

  if (want_version && command.empty()) {
    console.Out(std::string("dlt ") + DLT_VERSION + " (compatible with dlt " + DLT_COMPATIBLE_VERSION + ")");
    return 0;
  }
  if (command.empty()) {
    if (!rest.empty()) {
      console.Error("unknown option `" + rest.front() + "`. See `dlt --help`.");
      return 2;
    }
    std::string help = MainHelp();
    if (want_help) {
      std::fputs(help.c_str(), stdout);
      return 0;
    }
    std::fputs(help.c_str(), stderr);
    return 2;
  }

  const CommandSpec* spec = nullptr;
  for (const auto& c : Commands()) {
    if (command == c.name) spec = &c;
  }
  if (!spec) {
    std::vector<std::string> names;
    for (const auto& c : Commands()) names.push_back(c.name);
    std::string msg = "unknown command `" + command + "`.";
    if (auto s = text::Suggest(command, names)) msg += " Did you mean `" + *s + "`?";
    msg += " See `dlt --help`.";
    console.Error(msg);
    return 2;
  }
  if (want_help) {
    std::optional<std::string> op_help = OperationHelp(*spec, rest);
    std::fputs(op_help ? op_help->c_str() : spec->help, stdout);
    return 0;
  }
  if (flags.non_interactive) {
    console.set_non_interactive();
  }

  Context ctx{console, flags, rest};
  Status status;
  // The last resort: an exception no layer turned into a Status ends the command with a message
  // and exit code 1, not with std::terminate and a core dump.
  try {
    status = spec->run(ctx);
  } catch (const std::exception& e) {
    status = Internal(std::string("unexpected error: ") + e.what() +
                      " (nothing more was done; run again with --debug and report it if it persists)");
  }
  if (!status.ok()) {
    console.Error(status.message());
    if (flags.debug) {
      console.Err("  error code: " + std::string(StatusCodeName(status.code())) + " (exit code " +
                  std::to_string(ExitCodeFor(status)) + ")");
    }
    return ExitCodeFor(status);
  }
  return ctx.exit_code;
}

}  // namespace
}  // namespace dlt::cli

int main(int argc, char** argv) { return dlt::cli::Main(argc, argv); }
