#include "workspace/config_view.h"

#include <algorithm>
#include <set>

#include "common/text.h"
#include "dlt/secret.h"

namespace dlt {

namespace {

void CollectLeaves(const ConfigNode& node, std::vector<std::string>& prefix,
                   std::vector<std::vector<std::string>>& out, std::set<std::string>& seen) {
  for (const auto& [k, v] : node.members) {
    prefix.push_back(k);
    if (v.is_table()) {
      CollectLeaves(v, prefix, out, seen);
    } else if (seen.insert(text::Join(prefix, "\x1f")).second) {
      out.push_back(prefix);
    }
    prefix.pop_back();
  }
}

std::string QuoteString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<std::vector<std::string>> LeafPaths(const std::vector<ConfigLayer>& layers) {
  std::vector<std::vector<std::string>> out;
  std::set<std::string> seen;
  for (const auto& l : layers) {
    if (!l.present()) continue;
    std::vector<std::string> prefix;
    CollectLeaves(*l.root, prefix, out, seen);
  }
  return out;
}

std::string DisplayValue(const ConfigNode& node, bool secret) {
  if (secret) return std::string(Secret::kMask);
  switch (node.kind) {
    case ConfigNode::Kind::kString:
      if (LooksLikeUrlWithPassword(node.text) || LooksLikeToken(node.text)) return std::string(Secret::kMask);
      return QuoteString(node.text);
    case ConfigNode::Kind::kArray: {
      std::vector<std::string> parts;
      for (const auto& i : node.items) parts.push_back(DisplayValue(i, false));
      return "[" + text::Join(parts, ", ") + "]";
    }
    case ConfigNode::Kind::kTable: {
      std::vector<std::string> parts;
      for (const auto& [k, v] : node.members) parts.push_back(k + " = " + DisplayValue(v, LooksSecret(k)));
      return "{" + text::Join(parts, ", ") + "}";
    }
    default:
      return node.text;
  }
}

ConfigEntry ResolveEntry(const ConfigResolver& resolver, const std::vector<std::string>& path) {
  ConfigEntry e;
  e.path = path;
  e.key = text::Join(path, ".");
  e.secret = LooksSecretPath(path);
  if (path.empty()) return e;
  ConfigKey k;
  k.sections.assign(path.begin(), path.end() - 1);
  k.key = path.back();
  k.drop_sections = false;
  k.secret = e.secret;
  auto r = resolver.Resolve(k);
  if (!r.ok()) {
    e.error = r.status().message();
  } else {
    e.value = std::move(*r);
    if (e.value && IsSecretByOrigin(e.value->origin.provider, path)) e.secret = true;
  }
  return e;
}

namespace {

// A TOML leaf under a table that an environment variable replaces as a whole
// (DESTINATION__WAREHOUSE__CREDENTIALS="postgresql://..." over [destination.warehouse.credentials])
// is not what a run uses: the table's key is, with the env var as its origin.
std::vector<std::vector<std::string>> EffectivePaths(const Workspace& ws, const std::vector<std::vector<std::string>>& leaves) {
  std::vector<std::vector<std::string>> out;
  std::set<std::string> seen;
  for (const auto& leaf : leaves) {
    std::vector<std::string> path = leaf;
    for (size_t n = 2; n < leaf.size(); ++n) {
      std::vector<std::string> prefix(leaf.begin(), leaf.begin() + static_cast<std::ptrdiff_t>(n));
      if (ws.env().Get(EnvVarName(prefix))) {
        path = prefix;
        break;
      }
    }
    if (seen.insert(text::Join(path, "\x1f")).second) out.push_back(std::move(path));
  }
  return out;
}

}  // namespace

std::vector<ConfigEntry> ResolvedConfig(const Workspace& ws, const std::vector<std::string>& filters) {
  std::vector<ConfigEntry> out;
  auto leaves = EffectivePaths(ws, LeafPaths(ws.layers()));
  auto matches = [](const std::vector<std::string>& path, const std::vector<std::string>& f) {
    return path.size() >= f.size() && std::equal(f.begin(), f.end(), path.begin());
  };
  if (filters.empty()) {
    for (const auto& p : leaves) out.push_back(ResolveEntry(ws.config(), p));
    return out;
  }
  std::set<std::string> done;
  for (const auto& filter : filters) {
    std::vector<std::string> f = text::Split(filter, '.');
    bool any = false;
    for (const auto& p : leaves) {
      if (!matches(p, f)) continue;
      any = true;
      if (done.insert(text::Join(p, ".")).second) out.push_back(ResolveEntry(ws.config(), p));
    }
    if (!any && done.insert(filter).second) out.push_back(ResolveEntry(ws.config(), f));
  }
  return out;
}

std::vector<std::string> NamedDestinations(const std::vector<ConfigLayer>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers) {
    if (!l.present()) continue;
    const ConfigNode* d = l.root->Find("destination");
    if (!d || !d->is_table()) continue;
    for (const auto& [k, v] : d->members) {
      if (v.is_table() && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    }
  }
  return out;
}

}  // namespace dlt
