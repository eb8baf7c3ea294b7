// The command table and what every command receives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/console.h"
#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt::cli {

struct GlobalFlags {
  bool debug = false;
  bool non_interactive = false;
  std::optional<std::string> profile;
};

struct Context {
  Console& console;
  GlobalFlags flags;
  std::vector<std::string> args;  // the command's own arguments (global flags removed)

  // Opens the workspace with the global flags; prints the profile banner once.
  StatusOr<Workspace> OpenWorkspace(bool require_workspace);
  bool banner_printed = false;
  // The process exit code when the command succeeds (`dlt run script.py` forwards the script's).
  int exit_code = 0;
};

struct CommandSpec {
  const char* name;
  const char* summary;
  const char* help;  // full help text, shown by `dlt <command> --help`
  Status (*run)(Context& ctx);
};

const std::vector<CommandSpec>& Commands();
// The help of one operation (`dlt pipeline shop sync --help`) from the group's help text, or
// nullopt when `rest` names none (src/cli/op_help.cc).
std::optional<std::string> OperationHelp(const CommandSpec& spec, const std::vector<std::string>& rest);

// Commands, defined one group per file.
Status RunProfileCommand(Context& ctx);
Status RunWorkspaceCommand(Context& ctx);
Status RunRunCommand(Context& ctx);
// `dlt run script.py [ARGS...]` (src/cli/cmd_run_python.cc).
Status RunPythonScript(Context& ctx, const std::string& script, const std::vector<std::string>& script_args);
Status RunPipelineCommand(Context& ctx);
Status RunInitCommand(Context& ctx);
Status RunPipelineSync(Context& ctx, const Workspace& ws, const std::string& name,
                       const std::optional<std::string>& destination, const std::optional<std::string>& dataset,
                       bool yes);
Status RunConfigCommand(Context& ctx);
Status RunWorkspaceCheck(Context& ctx, Workspace& ws, bool all_profiles);
extern const char* const kConfigHelp;
extern const char* const kProfileHelp;
extern const char* const kWorkspaceHelp;
extern const char* const kRunHelp;
extern const char* const kPipelineHelp;
extern const char* const kInitHelp;

// Guards of destructive commands (src/cli/guards.cc).
// Refuses (PermissionDenied) when the active profile is read-only; `what` names the command.
Status RefuseIfReadOnly(const Workspace& ws, std::string_view what);
// For a protected profile (`protected = true`, default for prod): `yes` passes; on a terminal the
// user must type the profile name (Cancelled otherwise); non-interactive without `yes` refuses
// (PermissionDenied). Returns true when the user confirmed by typing the name (so the usual
// y/N question can be skipped), false when the profile is not protected or `yes` was given.
StatusOr<bool> ConfirmProtected(Context& ctx, const Workspace& ws, std::string_view what, bool yes);

// Exit code for a status: the single place that maps errors to process exit codes.
int ExitCodeFor(const Status& status);

// Splits options from positionals. Known flags (taking a value or not) are collected; an
// unknown option is an error with a suggestion.
struct ParsedArgs {
  std::vector<std::string> positionals;
  std::vector<std::pair<std::string, std::string>> options;  // name -> value ("" for flags)
  bool Has(std::string_view name) const;
  std::optional<std::string> Get(std::string_view name) const;
  int Count(std::string_view name) const;
};
struct OptionSpec {
  const char* name;       // "--verbose"
  const char* short_name; // "-v" or nullptr
  bool takes_value;
};
StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                               std::string_view command);

// The dashboard (src/dashboard/serve.cc): serves until Ctrl-C; `route` is the page to open
// ("#/profiles/dev", "#/profiles/dev/pipelines/x").
Status RunDashboard(Context& ctx, const Workspace& ws, const std::string& route, int port, bool open_browser);
// --port of the show commands (default 2718).
StatusOr<int> ParsePortOption(const ParsedArgs& args);

}  // namespace dlt::cli
