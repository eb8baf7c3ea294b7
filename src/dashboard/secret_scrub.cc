// The secret values the dashboard knows of, and the scrubbing of every API reply: the last line
// of defence behind redaction, so that no value of a secret leaves the process.
#include <algorithm>

#include "common/fs.h"
#include "config/secret_names.h"
#include "dashboard/api_support.h"
#include "workspace/config_view.h"

extern char** environ;

namespace dlt::dashboard {

namespace {
void AddSecret(std::set<std::string>& out, const std::string& value) {
  if (value.size() >= 4) out.insert(value);
  // The password inside a connection string, raw and percent-decoded.
  size_t scheme = value.find("://");
  if (scheme == std::string::npos) return;
  size_t at = value.rfind('@');
  if (at == std::string::npos || at < scheme + 3) return;
  std::string userinfo = value.substr(scheme + 3, at - scheme - 3);
  size_t colon = userinfo.find(':');
  if (colon == std::string::npos) return;
  std::string password = userinfo.substr(colon + 1);
  if (password.size() >= 4) out.insert(password);
  std::string decoded;
  if (PercentDecode(password, decoded, false) && decoded.size() >= 4) out.insert(decoded);
}

// Scalars of `node` whose own key is a secret name (password, token, credentials, ...); a
// non-secret member of a credentials table (host, port) is not a secret.
void CollectSecretLeaves(const ConfigNode& node, bool secret_key, std::set<std::string>& out) {
  if (node.is_scalar()) {
    if (secret_key) AddSecret(out, node.text);
    return;
  }
  for (const auto& item : node.items) CollectSecretLeaves(item, secret_key, out);
  for (const auto& [k, v] : node.members) CollectSecretLeaves(v, LooksSecret(k), out);
}

// Parts of a credentials table that name where to connect, not how to prove who one is: the
// dashboard shows them ("postgresql://loader:***@127.0.0.1:5432/dw", "unreachable at host:port").
bool ConnectionPartKey(std::string_view key) {
  for (std::string_view k : {"host", "port", "database", "username", "drivername", "connect_timeout"}) {
    if (key == k) return true;
  }
  return false;
}

// Every text value of a secrets file is a secret, whatever its key is named (`note = "..."`
// under [sources.x] of dev.secrets.toml), as `config show` treats it; but destination_type, which
// names a destination kind, and the connection parts of a credentials table. Numbers and booleans
// are left out: they carry no secret text, and scrubbing "5432" or "true" would mangle counts and
// data everywhere.
void CollectSecretsFileValues(const ConfigNode& node, std::string_view parent, std::string_view key,
                              std::set<std::string>& out) {
  if (node.is_scalar()) {
    bool text = node.kind == ConfigNode::Kind::kString || node.kind == ConfigNode::Kind::kDateTime;
    bool shown = key == "destination_type" || (parent == "credentials" && ConnectionPartKey(key));
    if (text && !shown) AddSecret(out, node.text);
    return;
  }
  for (const auto& item : node.items) CollectSecretsFileValues(item, parent, key, out);
  for (const auto& [k, v] : node.members) CollectSecretsFileValues(v, key, k, out);
}

// Replaces every secret value inside the strings (values and keys) of a JSON document. Done on
// the tree, before serializing, so JSON syntax is never touched.
std::string ScrubString(std::string text, const std::vector<const std::string*>& secrets) {
  for (const std::string* s : secrets) {
    for (size_t pos = text.find(*s); pos != std::string::npos; pos = text.find(*s, pos + 3)) {
      text.replace(pos, s->size(), "***");
    }
  }
  return text;
}

void ScrubTree(Json& doc, const std::vector<const std::string*>& secrets) {
  if (doc.is_string()) {
    doc = ScrubString(doc.get<std::string>(), secrets);
  } else if (doc.is_array()) {
    for (auto& v : doc) ScrubTree(v, secrets);
  } else if (doc.is_object()) {
    Json out = Json::object();
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      ScrubTree(it.value(), secrets);
      out[ScrubString(it.key(), secrets)] = std::move(it.value());
    }
    doc = std::move(out);
  }
}

}  // namespace

// Every secret value this workspace's profile can see: the secret keys of its TOML layers and
// the environment variables named like secrets.
std::set<std::string> KnownSecrets(const Workspace* ws) {
  std::set<std::string> out;
  if (ws != nullptr && ws->config_loaded()) {
    for (const auto& layer : ws->layers()) {
      if (!layer.present()) continue;
      if (layer.provider == ProviderKind::kSecretsToml) CollectSecretsFileValues(*layer.root, "", "", out);
      else CollectSecretLeaves(*layer.root, false, out);
    }
    for (const auto& e : ResolvedConfig(*ws)) {
      if (!e.value || !e.value->value.is_scalar()) continue;
      const std::string& v = e.value->value.text;
      bool secret_name = !e.path.empty() && LooksSecret(e.path.back());
      if (secret_name || LooksLikeUrlWithPassword(v) || LooksLikeToken(v)) AddSecret(out, v);
    }
  }
  for (char** env = environ; env != nullptr && *env != nullptr; ++env) {
    std::string_view kv(*env);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = kv.substr(0, eq);
    std::string value(kv.substr(eq + 1));
    if (LooksSecretEnvName(name) || (name.find("__") != std::string_view::npos && LooksLikeUrlWithPassword(value))) {
      AddSecret(out, value);
    }
  }
  return out;
}

void Scrub(Json& doc, const std::set<std::string>& secrets) {
  // Longest first, so that a connection string goes before the password inside it.
  std::vector<const std::string*> order;
  for (const auto& s : secrets) order.push_back(&s);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->size() > b->size(); });
  if (!order.empty()) ScrubTree(doc, order);
}

void MaskSecretKeys(Json& doc) {
  if (doc.is_array()) {
    for (auto& v : doc) MaskSecretKeys(v);
  } else if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (LooksSecret(it.key()) && !it.value().is_null() && !it.value().is_structured()) it.value() = "***";
      else MaskSecretKeys(it.value());
    }
  }
}

}  // namespace dlt::dashboard
