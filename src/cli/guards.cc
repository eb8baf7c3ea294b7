// Read-only and protected profiles at the command layer.
#include "cli/command.h"

namespace dlt::cli {

Status RefuseIfReadOnly(const Workspace& ws, std::string_view what) { return ws.CheckWritable(what); }

StatusOr<bool> ConfirmProtected(Context& ctx, const Workspace& ws, std::string_view what, bool yes) {
  DLT_ASSIGN_OR_RETURN(bool protected_profile, ws.IsProtectedProfile());
  if (!protected_profile || yes) return false;
  const std::string& p = ws.profile();
  if (!ctx.console.interactive()) {
    return PermissionDenied("Profile `" + p + "` is protected: " + std::string(what) +
                            " needs confirmation. Run it on a terminal and type the profile name, or pass --yes.");
  }
  ctx.console.Out("Profile `" + p + "` is protected. " + std::string(what) + " is destructive.");
  auto answer = ctx.console.Ask("Type the profile name (" + p + ") to proceed: ");
  if (!answer || *answer != p) {
    return Cancelled("Profile name not confirmed: " + std::string(what) + " was not run.");
  }
  return true;
}

}  // namespace dlt::cli
