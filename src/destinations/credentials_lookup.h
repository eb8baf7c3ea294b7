// How a destination type reads its credentials from the active profile: the native form (one
// string under `destination.<name>.credentials`) or the fields of the credentials table, each
// with dlt's lookup rules (pipeline-prefixed first, then the destination's section). Messages
// name keys, files and environment variables, never values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dlt/config.h"
#include "dlt/status.h"
#include "dlt/workspace.h"

namespace dlt {

struct CredentialsLookup {
  const Workspace& ws;
  std::string name;      // the destination's name ("warehouse")
  std::string type;      // its type ("postgres")
  std::string pipeline;  // the pipeline name, or empty
  // `credentials` when it is a single string (a connection URL, a file path), else nullopt.
  std::optional<std::string> native;
  // " (<where the credentials came from>)" or empty, for messages.
  std::string where;

  // One field of the credentials table (`destination.<name>.credentials.<field>`); must be a
  // single value.
  StatusOr<std::optional<ResolvedValue>> Get(const std::string& field, bool secret = false) const;
  // A setting of the destination beside its credentials (`destination.<name>.<key>`: layout,
  // create_indexes, ...); must be a single value.
  StatusOr<std::optional<ResolvedValue>> Setting(const std::string& key) const;
  // Get and Setting for values that may also be a table or a list (DuckDB's pragmas, filesystem
  // extra_placeholders).
  StatusOr<std::optional<ResolvedValue>> GetNode(const std::string& field, bool secret = false) const;
  StatusOr<std::optional<ResolvedValue>> SettingNode(const std::string& key) const;
  // A whole number of `r` between `min` and `max`, else an error naming the key and origin.
  static StatusOr<int> ToInt(const ResolvedValue& r, int min, int max);
  // true/false (TOML booleans, or the texts true/false in any case), else an error naming the key.
  static StatusOr<bool> ToBool(const ResolvedValue& r);
  // "Missing credentials for destination `warehouse` (postgres): `password`. Set them in ..."
  std::string MissingMessage(const std::vector<std::string>& fields) const;
};

}  // namespace dlt
