// Internals of the REST API configuration reader (rest_api_config.cc), shared with the readers
// of its parts (rest_api_config_parts.cc): the file being read, and how one TOML node becomes a
// paginator, an auth, an incremental or an endpoint, each error naming file:line:column.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/text.h"
#include "extract/rest_api_config.h"

namespace dlt::rest_api::config_internal {

using Kind = ConfigNode::Kind;

// The pipeline file being read.
struct Ctx {
  std::string file;
  std::string source_name;
  bool allow_inline_secrets = false;

  Status Error(const ConfigNode& n, const std::string& what) const {
    return InvalidArgument(file + ":" + std::to_string(n.where.line) + ":" + std::to_string(n.where.column) + ": " + what);
  }

  // A literal secret in the pipeline file: say where it belongs instead.
  Status SecretInFile(const ConfigNode& n, const std::string& what, const std::string& key) const {
    std::string env = "SOURCES__" + text::ToUpper(source_name) + "__" + text::ToUpper(key);
    return Error(n, what + " is a secret and does not belong in the pipeline file (pipeline files are meant to be "
                           "committed). Remove it and put it in .dlt/secrets.toml (or .dlt/<profile>.secrets.toml):\n"
                           "  [sources." + source_name + "]\n  " + key + " = \"...\"\n"
                           "or set the environment variable " + env + ".");
  }
};

Status UnknownKey(const Ctx& c, const ConfigNode& n, const std::string& key, const std::string& where,
                  const std::vector<std::string>& known);

StatusOr<std::string> Str(const Ctx& c, const ConfigNode& n, const std::string& key);

StatusOr<int64_t> Int(const Ctx& c, const ConfigNode& n, const std::string& key);

StatusOr<bool> Bool(const Ctx& c, const ConfigNode& n, const std::string& key);

StatusOr<std::vector<std::string>> Strs(const Ctx& c, const ConfigNode& n, const std::string& key);

// A scalar as the text sent in a URL.
inline std::string ScalarText(const ConfigNode& n) { return n.text; }

// A scalar as JSON text (for incremental values).
std::string ScalarJson(const ConfigNode& n);

ConfigNode TableNode(SourceLocation where);

// Headers as written. A header whose name says it carries credentials is refused in pipeline files;
// given in code (allow_inline_secrets) its name goes into `secret_names`.
Status CheckHeaders(const Ctx& c, const ConfigNode& n, std::vector<std::pair<std::string, std::string>>* out,
                    std::vector<std::string>* secret_names);

StatusOr<PaginatorSpec> ParsePaginator(const Ctx& c, const ConfigNode& n);

StatusOr<AuthSpec> ParseAuth(const Ctx& c, const ConfigNode& n);

StatusOr<IncrementalParamSpec> ParseIncremental(const Ctx& c, const ConfigNode& n, bool in_params);

Status ParseEndpoint(const Ctx& c, const ConfigNode& n, EndpointSpec* e);

}  // namespace dlt::rest_api::config_internal
