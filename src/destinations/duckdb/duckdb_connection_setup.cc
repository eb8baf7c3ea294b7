// dlt's DuckDB connection settings (DuckDbCredentials: extensions, global_config, pragmas,
// local_config under `destination.<name>.credentials`): read from the profile as TOML lists and
// tables, or as JSON text (environment variables), turned into the statements every connection
// runs first.
#include "destinations/duckdb/duckdb_connection_setup.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "config/config_json.h"

namespace dlt {

namespace {

using Json = nlohmann::ordered_json;

bool IsName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  }
  return true;
}

// The field's value as JSON of the wanted kind: a TOML list/table, or text holding JSON.
StatusOr<std::optional<Json>> Field(const CredentialsLookup& l, const std::string& field, bool table) {
  DLT_ASSIGN_OR_RETURN(auto r, l.GetNode(field));
  if (!r) return std::optional<Json>();
  Json v = r->value.is_scalar() ? Json::parse(r->value.text, nullptr, false) : ConfigNodeJson(r->value);
  if (v.is_discarded() || (table ? !v.is_object() : !v.is_array())) {
    return InvalidArgument("`" + text::Join(r->path, ".") + "` (" + r->origin.Describe() + ") must be " +
                           (table ? "a table of settings, e.g. {\"threads\": 4}" : "a list of names, e.g. [\"httpfs\"]"));
  }
  return std::optional<Json>(std::move(v));
}

std::string Literal(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

StatusOr<std::vector<DuckDbCredentials::SetupStatement>> DuckDbConnectionSetup(const CredentialsLookup& l) {
  std::vector<DuckDbCredentials::SetupStatement> out;
  const std::string prefix = "destination." + l.name + ".credentials.";
  DLT_ASSIGN_OR_RETURN(auto extensions, Field(l, "extensions", false));
  if (extensions) {
    for (const auto& e : *extensions) {
      if (!e.is_string() || !IsName(e.get<std::string>())) {
        return InvalidArgument("`" + prefix + "extensions` holds `" + e.dump() + "`, which is not an extension name");
      }
      const std::string sql = "LOAD " + e.get<std::string>();
      out.push_back({prefix + "extensions", sql, sql, ""});
    }
  }
  for (const auto& [field, scope] : {std::pair{"global_config", "GLOBAL"}, std::pair{"pragmas", ""},
                                     std::pair{"local_config", "SESSION"}}) {
    const bool table = *scope != '\0';
    DLT_ASSIGN_OR_RETURN(auto v, Field(l, field, table));
    if (!v) continue;
    if (table) {
      for (const auto& [k, val] : v->items()) {
        if (!IsName(k)) return InvalidArgument("`" + prefix + field + "` holds the key `" + k + "`, which is not a setting name");
        const std::string set = "SET " + std::string(scope) + " " + k;
        out.push_back({prefix + field, set + " = " + Literal(val), set + " = ...",
                       val.is_string() ? val.get<std::string>() : val.dump()});
      }
    } else {
      for (const auto& p : *v) {
        // A pragma may carry an argument (`enable_profiling = 'json'`): DuckDB parses it.
        if (!p.is_string() || p.get<std::string>().find(';') != std::string::npos) {
          return InvalidArgument("`" + prefix + field + "` holds `" + p.dump() + "`, which is not one pragma");
        }
        const std::string sql = "PRAGMA " + p.get<std::string>();
        out.push_back({prefix + field, sql, sql, ""});
      }
    }
  }
  return out;
}

}  // namespace dlt
