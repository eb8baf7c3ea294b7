// Shared by the config_resolver_*_test.cc files (the layered configuration resolver): an
// environment, layers parsed from TOML text, config keys, and resolving a key to its text.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dlt/config.h"

namespace dlt::config_resolver_test {

inline Environment Env(std::map<std::string, std::string> vars) { return Environment(std::move(vars)); }

inline ConfigLayer Layer(ProviderKind provider, const std::string& display, const std::string& toml,
                         const std::string& profile = "", bool global = false) {
  ConfigLayer l;
  l.provider = provider;
  l.path = display;
  l.display_path = display;
  l.profile = profile;
  l.global = global;
  auto root = ParseToml(toml, display);
  if (!root.ok()) throw std::runtime_error(root.status().message());
  l.root = std::make_shared<const ConfigNode>(std::move(root).value());
  return l;
}

inline ConfigLayer Absent(ProviderKind provider, const std::string& display) {
  ConfigLayer l;
  l.provider = provider;
  l.path = display;
  l.display_path = display;
  return l;
}

inline ConfigKey Key(std::vector<std::string> sections, std::string key, std::vector<std::string> embedded = {},
                     std::string pipeline = "") {
  ConfigKey k;
  k.sections = std::move(sections);
  k.key = std::move(key);
  k.embedded = std::move(embedded);
  k.pipeline_name = std::move(pipeline);
  return k;
}

// Resolves and unwraps; a resolver error or a miss fails the test with a message.
inline std::string ResolveText(const ConfigResolver& r, const ConfigKey& k) {
  auto v = r.Resolve(k);
  if (!v.ok()) return "<error: " + v.status().message() + ">";
  if (!v->has_value()) return "<not found>";
  return (*v)->value.ToDisplayString();
}

inline std::string Joined(const std::vector<std::string>& p) {
  std::string out;
  for (const auto& s : p) out += (out.empty() ? "" : ".") + s;
  return out;
}

}  // namespace dlt::config_resolver_test
