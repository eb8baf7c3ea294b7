// Layered configuration: environment variables > *secrets.toml > *config.toml, each TOML
// provider deep-merged over its file layers (profile file before base file, project before
// global). Every value returned carries where it came from.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/status.h"

namespace dlt {

// Where environment variables come from. By default the process environment; tests pass a map.
class Environment {
 public:
  Environment() = default;  // the process environment
  explicit Environment(std::map<std::string, std::string> vars)
      : vars_(std::make_shared<std::map<std::string, std::string>>(std::move(vars))) {}

  std::optional<std::string> Get(std::string_view name) const;

 private:
  std::shared_ptr<const std::map<std::string, std::string>> vars_;
};

struct SourceLocation {
  int line = 0;
  int column = 0;
};

// One value of a configuration tree, independent of the TOML library.
struct ConfigNode {
  enum class Kind { kString, kInteger, kFloat, kBoolean, kDateTime, kArray, kTable };

  Kind kind = Kind::kTable;
  std::string text;  // scalars: the value as text (strings unescaped)
  std::vector<std::pair<std::string, ConfigNode>> members;  // tables, in file order
  std::vector<ConfigNode> items;                            // arrays
  SourceLocation where;

  // Out of line: clang with libstdc++ cannot check the implicit one while ConfigNode is
  // incomplete (members holds pair<string, ConfigNode>).
  ConfigNode();
  bool is_table() const { return kind == Kind::kTable; }
  bool is_scalar() const { return kind != Kind::kTable && kind != Kind::kArray; }
  const ConfigNode* Find(std::string_view key) const;
  const ConfigNode* FindPath(const std::vector<std::string>& path) const;
  // Scalars as text; arrays and tables as compact TOML-like text (for display).
  std::string ToDisplayString() const;
  // Deep-merges `lower` into this table: keys already here win, recursively for tables.
  void MergeUnder(const ConfigNode& lower);
};

// Parses TOML text; errors read "<display_name>:<line>:<column>: <what>".
StatusOr<ConfigNode> ParseToml(std::string_view text, std::string_view display_name);

// Which provider a value came from, in priority order.
enum class ProviderKind { kEnvironment, kSecretsToml, kConfigToml };
std::string_view ProviderName(ProviderKind kind);  // "Environment Variables", "secrets.toml", ...

// One TOML file in the chain, present or not.
struct ConfigLayer {
  ProviderKind provider = ProviderKind::kConfigToml;
  std::filesystem::path path;
  std::string display_path;  // relative to the run dir when inside it
  std::string profile;       // the profile of a `<profile>.*.toml` file; empty for base files
  bool global = false;       // from the global settings dir (~/.dlt)
  std::shared_ptr<const ConfigNode> root;  // null when the file does not exist

  bool present() const { return root != nullptr; }
  std::string Tag() const;  // "profile: dev", "global", "global, profile: dev" or ""
};

// Where a resolved value came from.
struct ValueOrigin {
  ProviderKind provider = ProviderKind::kEnvironment;
  std::string env_var;       // for the environment provider
  std::string file;          // display path of the TOML file
  SourceLocation where;      // position in that file
  std::string profile;       // profile tag of the file
  bool global = false;

  // "env DESTINATION__WAREHOUSE__CREDENTIALS" or ".dlt/dev.secrets.toml:2:15 (profile: dev)"
  // (line and column of the value).
  std::string Describe() const;
};

// What to look up. `sections` are dropped from the end one by one when the key is not found;
// `embedded` sections (e.g. "credentials" of a destination) are always kept.
struct ConfigKey {
  std::vector<std::string> sections;
  std::vector<std::string> embedded;
  std::string key;
  std::string pipeline_name;  // when set, every path is first tried with it as a leading section
  bool secret = false;        // also true when the key's name says it is a secret
  bool drop_sections = true;

  std::string Dotted() const;  // the most specific path without pipeline: "destination.x.key"
};

// One place the resolver looked, in the order it looked.
struct ConfigCandidate {
  std::vector<std::string> path;
  ProviderKind provider = ProviderKind::kEnvironment;
  std::string location;       // env var name, or the display path of the file
  std::string tag;            // profile / global tag of the file
  const ConfigNode* value = nullptr;  // null when nothing was there
  bool wins = false;
};

struct ResolvedValue {
  ConfigNode value;
  ValueOrigin origin;
  std::vector<std::string> path;  // the path that matched
  bool secret = false;
};

// True for key names that always hold secrets: credentials, password, token, api_key, ...
// (the list is src/config/secret_names.cc, shared by every redaction of the project).
bool IsSecretKeyName(std::string_view key);

// How the resolver's error for a secret found in a config.toml file begins (dlt's
// ValueNotSecretException text; the Python binding raises that exception for it).
inline constexpr std::string_view kSecretInConfigMessage = "Provider `config.toml` cannot hold secret values";

// "destination.warehouse.credentials" -> "DESTINATION__WAREHOUSE__CREDENTIALS"
std::string EnvVarName(const std::vector<std::string>& path);

class ConfigResolver {
 public:
  ConfigResolver(Environment env, std::vector<ConfigLayer> layers)
      : env_(std::move(env)), layers_(std::move(layers)) {}

  // Finds the value for `key`: for each candidate path, most specific first, every provider is
  // tried in order. Returns nullopt when nothing matched. A secret found in a config.toml layer
  // is an error naming the key and the file.
  StatusOr<std::optional<ResolvedValue>> Resolve(const ConfigKey& key) const;

  // Every place Resolve() would look, in order, with the value found there (if any) and the
  // winner marked. Layers below the winner are listed too (they are shadowed).
  std::vector<ConfigCandidate> Explain(const ConfigKey& key) const;

  // Candidate paths in lookup order.
  static std::vector<std::vector<std::string>> CandidatePaths(const ConfigKey& key);

  const std::vector<ConfigLayer>& layers() const { return layers_; }
  const Environment& env() const { return env_; }

 private:
  Environment env_;
  std::vector<ConfigLayer> layers_;  // secrets layers first, then config layers, each in priority
  mutable std::vector<std::unique_ptr<ConfigNode>> env_nodes_;  // keeps env values alive
};

}  // namespace dlt
