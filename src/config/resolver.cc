#include "common/text.h"
#include "config/secret_names.h"
#include "dlt/config.h"

namespace dlt {
namespace {

bool IsSecretKey(const ConfigKey& key) { return key.secret || LooksSecret(key.key); }

ValueOrigin OriginOf(const ConfigLayer& layer, const ConfigNode& node) {
  ValueOrigin o;
  o.provider = layer.provider;
  o.file = layer.display_path;
  o.where = node.where;
  o.profile = layer.profile;
  o.global = layer.global;
  return o;
}

}  // namespace

std::vector<std::vector<std::string>> ConfigResolver::CandidatePaths(const ConfigKey& key) {
  std::vector<std::vector<std::string>> plain;
  size_t n = key.sections.size();
  for (size_t keep = n + 1; keep-- > 0;) {
    std::vector<std::string> path(key.sections.begin(), key.sections.begin() + static_cast<long>(keep));
    path.insert(path.end(), key.embedded.begin(), key.embedded.end());
    path.push_back(key.key);
    plain.push_back(std::move(path));
    if (!key.drop_sections) break;
  }
  if (key.pipeline_name.empty()) return plain;
  std::vector<std::vector<std::string>> out;
  for (const auto& p : plain) {
    std::vector<std::string> prefixed{key.pipeline_name};
    prefixed.insert(prefixed.end(), p.begin(), p.end());
    out.push_back(std::move(prefixed));
  }
  out.insert(out.end(), plain.begin(), plain.end());
  return out;
}

StatusOr<std::optional<ResolvedValue>> ConfigResolver::Resolve(const ConfigKey& key) const {
  const bool secret = IsSecretKey(key);
  for (const auto& path : CandidatePaths(key)) {
    // 1. environment variables
    std::string env_name = EnvVarName(path);
    if (auto v = env_.Get(env_name)) {
      ResolvedValue r;
      r.value.kind = ConfigNode::Kind::kString;
      r.value.text = *v;
      r.origin.provider = ProviderKind::kEnvironment;
      r.origin.env_var = env_name;
      r.path = path;
      r.secret = secret;
      return std::optional<ResolvedValue>(std::move(r));
    }
    // 2. secrets.toml layers, then 3. config.toml layers; within a provider the first layer
    // holding the path wins and lower layers are merged under it (tables only).
    for (ProviderKind provider : {ProviderKind::kSecretsToml, ProviderKind::kConfigToml}) {
      const ConfigLayer* first_layer = nullptr;
      ResolvedValue r;
      for (const ConfigLayer& layer : layers_) {
        if (layer.provider != provider || !layer.present()) continue;
        const ConfigNode* node = layer.root->FindPath(path);
        if (!node) continue;
        if (!first_layer) {
          first_layer = &layer;
          r.value = *node;
          r.origin = OriginOf(layer, *node);
        } else {
          r.value.MergeUnder(*node);
        }
        if (!r.value.is_table()) break;
      }
      if (!first_layer) continue;
      if (secret && provider == ProviderKind::kConfigToml && !r.value.is_table()) {
        return InvalidArgument(
            std::string(kSecretInConfigMessage) + " but key `" + text::Join(path, ".") +
            "` with secret value is present (" + r.origin.Describe() + "). Move it to " +
            ".dlt/secrets.toml (or .dlt/<profile>.secrets.toml) or set the environment variable " +
            EnvVarName(path) + ".");
      }
      r.path = path;
      // Whatever its key is named, a value read from a secrets file is a secret (as `config
      // show` shows it); destination_type only names a destination kind.
      r.secret = secret || (provider == ProviderKind::kSecretsToml && path.back() != "destination_type");
      return std::optional<ResolvedValue>(std::move(r));
    }
  }
  return std::optional<ResolvedValue>();
}

std::vector<ConfigCandidate> ConfigResolver::Explain(const ConfigKey& key) const {
  std::vector<ConfigCandidate> out;
  bool won = false;
  for (const auto& path : CandidatePaths(key)) {
    ConfigCandidate env;
    env.path = path;
    env.provider = ProviderKind::kEnvironment;
    env.location = EnvVarName(path);
    if (auto v = env_.Get(env.location)) {
      auto node = std::make_unique<ConfigNode>();
      node->kind = ConfigNode::Kind::kString;
      node->text = *v;
      env.value = node.get();
      env_nodes_.push_back(std::move(node));
      if (!won) env.wins = won = true;
    }
    out.push_back(std::move(env));
    for (ProviderKind provider : {ProviderKind::kSecretsToml, ProviderKind::kConfigToml}) {
      for (const ConfigLayer& layer : layers_) {
        if (layer.provider != provider) continue;
        ConfigCandidate c;
        c.path = path;
        c.provider = provider;
        c.location = layer.display_path;
        c.tag = layer.Tag();
        if (layer.present()) c.value = layer.root->FindPath(path);
        if (c.value && !won) c.wins = won = true;
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

}  // namespace dlt
