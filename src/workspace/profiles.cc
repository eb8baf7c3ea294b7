#include "dlt/workspace.h"

#include "common/text.h"

namespace dlt {

const std::vector<BuiltinProfile>& BuiltinProfiles() {
  static const std::vector<BuiltinProfile> kProfiles = {
      {"dev", "dev profile, workspace default"},
      {"prod", "production profile, assumed by pipelines deployed in Runtime"},
      {"tests", "profile assumed when running tests"},
      {"access",
       "production profile, assumed by interactive notebooks in Runtime, typically with limited "
       "access rights"},
  };
  return kProfiles;
}

std::string_view ProfileSourceName(ProfileSource source) {
  switch (source) {
    case ProfileSource::kFlag: return "--profile flag";
    case ProfileSource::kEnv: return "WORKSPACE__PROFILE environment variable";
    case ProfileSource::kPin: return "pin file .dlt/profile-name";
    case ProfileSource::kDefault: return "default";
  }
  return "";
}

Status ValidateProfileName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '-';
    if (!allowed) ok = false;
  }
  if (!ok) {
    // The name may come from a damaged pin file: shown escaped and cut, never raw.
    return InvalidArgument("Invalid profile name `" + text::Printable(name, 64) +
                           "`: use 1 to 64 letters, digits, `_` or `-` (the name is used in file "
                           "and folder names)");
  }
  return Status::Ok();
}

}  // namespace dlt
