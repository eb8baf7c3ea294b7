// Read-only and protected profiles: `[workspace.profiles.<name>] read_only / protected`.
#include "common/text.h"
#include "dlt/workspace.h"

namespace dlt {

namespace {

StatusOr<bool> ProfileFlag(const Workspace& ws, const char* key, bool default_value) {
  if (!ws.workspace_mode() || !ws.config_loaded()) return false;
  ConfigKey k;
  k.sections = {"workspace", "profiles", ws.profile()};
  k.key = key;
  k.drop_sections = false;
  DLT_ASSIGN_OR_RETURN(auto r, ws.config().Resolve(k));
  if (!r) return default_value;
  if (r->value.kind == ConfigNode::Kind::kBoolean || r->value.kind == ConfigNode::Kind::kString) {
    std::string v = text::ToLower(text::Trim(r->value.text));
    if (v == "true" || v == "1" || v == "yes") return true;
    if (v == "false" || v == "0" || v == "no") return false;
  }
  return InvalidArgument("workspace.profiles." + ws.profile() + "." + key + " must be true or false (" +
                         r->origin.Describe() + ")");
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
