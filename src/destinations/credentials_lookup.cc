#include "destinations/credentials_lookup.h"

#include <charconv>

#include "common/text.h"

namespace dlt {

namespace {

ConfigKey FieldKey(const CredentialsLookup& l, const std::string& field, bool secret) {
  ConfigKey k;
  k.sections = {"destination", l.name};
  k.embedded = {"credentials"};
  k.key = field;
  k.pipeline_name = l.pipeline;
  k.secret = secret;
  return k;
}

}  // namespace

StatusOr<std::optional<ResolvedValue>> CredentialsLookup::GetNode(const std::string& field, bool secret) const {
  return ws.config().Resolve(FieldKey(*this, field, secret));
}

StatusOr<std::optional<ResolvedValue>> CredentialsLookup::SettingNode(const std::string& key) const {
  ConfigKey k;
  k.sections = {"destination", name};
  k.key = key;
  k.pipeline_name = pipeline;
  return ws.config().Resolve(k);
}

StatusOr<std::optional<ResolvedValue>> CredentialsLookup::Get(const std::string& field, bool secret) const {
  DLT_ASSIGN_OR_RETURN(auto r, GetNode(field, secret));
  if (r && !r->value.is_scalar()) {
    return InvalidArgument("`" + text::Join(r->path, ".") + "` must be a single value, not a " +
                           (r->value.is_table() ? "table" : "list") + " (" + r->origin.Describe() + ")");
  }
  return r;
}

StatusOr<std::optional<ResolvedValue>> CredentialsLookup::Setting(const std::string& key) const {
  DLT_ASSIGN_OR_RETURN(auto r, SettingNode(key));
  if (r && !r->value.is_scalar()) {
    return InvalidArgument("`" + text::Join(r->path, ".") + "` must be a single value (" + r->origin.Describe() + ")");
  }
  return r;
}

StatusOr<bool> CredentialsLookup::ToBool(const ResolvedValue& r) {
  const std::string v = text::ToLower(r.value.text);
  if (v == "true") return true;
  if (v == "false") return false;
  return InvalidArgument("`" + text::Join(r.path, ".") + "` must be true or false, got `" + r.value.text + "` (" +
                         r.origin.Describe() + ")");
}

std::string CredentialsLookup::MissingMessage(const std::vector<std::string>& fields) const {
  const std::string profile = ws.workspace_mode() ? ws.profile() : "";
  std::vector<std::string> quoted;
  for (const auto& f : fields) quoted.push_back("`" + f + "`");
  std::string file = profile.empty() ? ".dlt/secrets.toml" : ".dlt/" + profile + ".secrets.toml";
  std::string msg = "Missing credentials for destination `" + name + "` (" + type + "): " +
                    text::Join(quoted, ", ") + ". Set them in " + file + ":\n  [destination." +
                    name + ".credentials]\n";
  for (const auto& f : fields) msg += "  " + f + " = \"...\"\n";
  msg += "or as environment variables";
  for (const auto& f : fields) msg += " " + EnvVarName({"destination", name, "credentials", f});
  return msg;
}

StatusOr<int> CredentialsLookup::ToInt(const ResolvedValue& r, int min, int max) {
  int v = 0;
  const std::string& s = r.value.text;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return InvalidArgument("`" + text::Join(r.path, ".") + "` must be a whole number between " +
                           std::to_string(min) + " and " + std::to_string(max) + ", got `" + s +
                           "` (" + r.origin.Describe() + ")");
  }
  return v;
}

}  // namespace dlt
