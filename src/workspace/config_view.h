// The resolved configuration of a workspace's active profile, key by key, for `dlt config`,
// `dlt profile diff`, `dlt workspace check` and the dashboard (here, below both, so that the
// dashboard does not include the CLI). Values of secrets are never rendered here: DisplayValue()
// redacts them (what looks secret: config/secret_names.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/secret_names.h"
#include "dlt/config.h"
#include "dlt/workspace.h"

namespace dlt {

// Leaf paths (scalars and arrays) of every present TOML layer, in order of first appearance.
std::vector<std::vector<std::string>> LeafPaths(const std::vector<ConfigLayer>& layers);

// A value for display: "***" when `secret` or when the value looks secret; tables render
// their members, redacting the secret ones.
std::string DisplayValue(const ConfigNode& node, bool secret);

struct ConfigEntry {
  std::vector<std::string> path;
  std::string key;  // dotted
  std::optional<ResolvedValue> value;  // unset when nothing resolved (or on error)
  bool secret = false;
  std::string error;  // resolution error (never holds a value)
};

// Resolves exactly `path` (no section dropping, no pipeline), as a run would for that path.
ConfigEntry ResolveEntry(const ConfigResolver& resolver, const std::vector<std::string>& path);

// Every leaf key found in a TOML layer of the workspace, resolved. With `filters`, only the
// keys equal to a filter or under it; a filter that matches no TOML key is resolved directly
// (so environment variables show up when requested explicitly).
std::vector<ConfigEntry> ResolvedConfig(const Workspace& ws, const std::vector<std::string>& filters = {});

// Names `X` of `[destination.X]` tables in any layer.
std::vector<std::string> NamedDestinations(const std::vector<ConfigLayer>& layers);

}  // namespace dlt
