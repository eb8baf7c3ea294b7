#include <cstdlib>
#include <cstring>

#include "common/text.h"
#include "dlt/config.h"

namespace dlt {

ConfigNode::ConfigNode() = default;

std::optional<std::string> Environment::Get(std::string_view name) const {
  if (vars_) {
    auto it = vars_->find(std::string(name));
    if (it == vars_->end()) return std::nullopt;
    return it->second;
  }
  const char* v = std::getenv(std::string(name).c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

const ConfigNode* ConfigNode::Find(std::string_view key) const {
  if (kind != Kind::kTable) return nullptr;
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

const ConfigNode* ConfigNode::FindPath(const std::vector<std::string>& path) const {
  const ConfigNode* node = this;
  for (const auto& part : path) {
    node = node->Find(part);
    if (!node) return nullptr;
  }
  return node;
}

void ConfigNode::MergeUnder(const ConfigNode& lower) {
  if (!is_table() || !lower.is_table()) return;
  for (const auto& [k, v] : lower.members) {
    ConfigNode* existing = nullptr;
    for (auto& [uk, uv] : members) {
      if (uk == k) existing = &uv;
    }
    if (!existing) {
      members.emplace_back(k, v);
    } else {
      existing->MergeUnder(v);
    }
  }
}

static std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string ConfigNode::ToDisplayString() const {
  switch (kind) {
    case Kind::kArray: {
      std::vector<std::string> parts;
      for (const auto& i : items) parts.push_back(i.kind == Kind::kString ? Quote(i.text) : i.ToDisplayString());
      return "[" + text::Join(parts, ", ") + "]";
    }
    case Kind::kTable: {
      std::vector<std::string> parts;
      for (const auto& [k, v] : members) {
        parts.push_back(k + " = " + (v.kind == Kind::kString ? Quote(v.text) : v.ToDisplayString()));
      }
      return "{" + text::Join(parts, ", ") + "}";
    }
    default:
      return text;
  }
}

std::string_view ProviderName(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kEnvironment: return "Environment Variables";
    case ProviderKind::kSecretsToml: return "secrets.toml";
    case ProviderKind::kConfigToml: return "config.toml";
  }
  return "";
}

std::string ConfigLayer::Tag() const {
  std::vector<std::string> parts;
  if (global) parts.push_back("global");
  if (!profile.empty()) parts.push_back("profile: " + profile);
  return text::Join(parts, ", ");
}

std::string ValueOrigin::Describe() const {
  if (provider == ProviderKind::kEnvironment) return "env " + env_var;
  std::string out = file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  std::vector<std::string> parts;
  if (global) parts.push_back("global");
  if (!profile.empty()) parts.push_back("profile: " + profile);
  if (!parts.empty()) out += " (" + text::Join(parts, ", ") + ")";
  return out;
}

std::string ConfigKey::Dotted() const {
  std::vector<std::string> parts = sections;
  parts.insert(parts.end(), embedded.begin(), embedded.end());
  parts.push_back(key);
  return text::Join(parts, ".");
}

std::string EnvVarName(const std::vector<std::string>& path) {
  return text::ToUpper(text::Join(path, "__"));
}

}  // namespace dlt
