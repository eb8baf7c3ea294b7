// Read-only and protected profiles: `[workspace.profiles.<name>] read_only / protected`.
#include "config/settings.h"
#include "dlt/workspace.h"

namespace dlt {

namespace {

StatusOr<bool> ProfileFlag(const Workspace& ws, const char* key, bool default_value) {
  if (!ws.workspace_mode() || !ws.config_loaded()) return false;
  DLT_ASSIGN_OR_RETURN(std::optional<bool> v, settings::Flag(ws.config(), {"workspace", "profiles", ws.profile()}, key));
  return v.value_or(default_value);
}

}  // namespace

StatusOr<bool> Workspace::IsReadOnlyProfile() const { return ProfileFlag(*this, "read_only", profile_ == "access"); }

StatusOr<bool> Workspace::IsProtectedProfile() const { return ProfileFlag(*this, "protected", profile_ == "prod"); }

Status Workspace::CheckWritable(std::string_view what) const {
  DLT_ASSIGN_OR_RETURN(bool read_only, IsReadOnlyProfile());
  if (!read_only) return Status::Ok();
  return PermissionDenied("Profile `" + profile_ + "` is read-only: " + std::string(what) +
                          " would write and is refused. Use another profile (--profile NAME), or set "
                          "`read_only = false` in [workspace.profiles." + profile_ + "].");
}

}  // namespace dlt
