// Resolution of named destinations against the active profile's configuration.
#include "dlt/destination.h"

#include <charconv>

#include "common/fs.h"
#include "common/text.h"
#include "dlt/workspace.h"

namespace dlt {
namespace fs = std::filesystem;

namespace {

const char* const kKnownTypes[] = {"duckdb", "motherduck", "postgres"};
// Types Python dlt knows but this tool does not load into (yet).
const char* const kForeignTypes[] = {"bigquery", "snowflake", "redshift", "mssql", "synapse",
                                     "databricks", "athena", "clickhouse", "filesystem", "weaviate",
                                     "qdrant", "lancedb", "dremio", "sqlalchemy", "fabric", "ducklake"};

struct FieldLookup {
  const Workspace& ws;
  std::string name;
  std::string pipeline;

  ConfigKey Key(const std::string& field, bool secret) const {
    ConfigKey k;
    k.sections = {"destination", name};
    k.embedded = {"credentials"};
    k.key = field;
    k.pipeline_name = pipeline;
    k.secret = secret;
    return k;
  }

  StatusOr<std::optional<ResolvedValue>> Get(const std::string& field, bool secret = false) const {
    DLT_ASSIGN_OR_RETURN(auto r, ws.config().Resolve(Key(field, secret)));
    if (r && !r->value.is_scalar()) {
      return InvalidArgument("`" + text::Join(r->path, ".") + "` must be a single value, not a " +
                             (r->value.is_table() ? "table" : "list") + " (" + r->origin.Describe() + ")");
    }
    return r;
  }
};

std::string MissingMessage(const std::string& name, const std::string& type, const std::string& profile,
                           const std::vector<std::string>& fields) {
  std::vector<std::string> quoted;
  for (const auto& f : fields) quoted.push_back("`" + f + "`");
  std::string file = profile.empty() ? ".dlt/secrets.toml" : ".dlt/" + profile + ".secrets.toml";
  std::string msg = "Missing credentials for destination `" + name + "` (" + type + "): " +
                    text::Join(quoted, ", ") + ". Set them in " + file + ":\n  [destination." +
                    name + ".credentials]\n";
  for (const auto& f : fields) msg += "  " + f + " = \"...\"\n";
  msg += "or as environment variables";
  for (const auto& f : fields) msg += " " + EnvVarName({"destination", name, "credentials", f});
  return msg;
}

StatusOr<int> ToInt(const ResolvedValue& r, int min, int max) {
  int v = 0;
  const std::string& s = r.value.text;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return InvalidArgument("`" + text::Join(r.path, ".") + "` must be a whole number between " +
                           std::to_string(min) + " and " + std::to_string(max) + ", got `" + s +
                           "` (" + r.origin.Describe() + ")");
  }
  return v;
}

}  // namespace

bool IsKnownDestinationType(std::string_view type) {
  for (const char* t : kKnownTypes) {
    if (type == t) return true;
  }
  return false;
}

size_t MaxIdentifierLength(std::string_view type) {
  // PostgreSQL keeps NAMEDATALEN - 1 = 63 bytes and cuts longer names itself; dlt counts the
  // limit in characters, so a name of multi-byte characters may still be cut (as in dlt).
  if (type == "postgres") return 63;
  if (type == "duckdb" || type == "motherduck") return 65536;
  return 0;
}

std::string DestinationConfig::Describe() const {
  std::string out = type;
  if (const auto* d = std::get_if<DuckDbCredentials>(&credentials)) {
    out += " " + d->database.string();
  } else if (const auto* m = std::get_if<MotherDuckCredentials>(&credentials)) {
    out += " " + m->Redacted();
  } else if (const auto* p = std::get_if<PostgresCredentials>(&credentials)) {
    out += " " + p->Redacted();
  }
  return out;
}

StatusOr<DestinationConfig> ResolveDestination(const Workspace& ws, std::string_view name_view,
                                               std::string_view pipeline_view) {
  const std::string name(name_view), pipeline(pipeline_view);
  DestinationConfig out;
  out.name = name;

  ConfigKey type_key;
  type_key.sections = {"destination", name};
  type_key.key = "destination_type";
  type_key.pipeline_name = pipeline;
  type_key.drop_sections = false;
  DLT_ASSIGN_OR_RETURN(auto type, ws.config().Resolve(type_key));
  if (type) {
    out.type = type->value.text;
    out.type_origin = type->origin;
  } else if (IsKnownDestinationType(name)) {
    out.type = name;
  } else {
    std::vector<std::string> known(std::begin(kKnownTypes), std::end(kKnownTypes));
    std::string hint;
    if (auto s = text::Suggest(name, known)) hint = " Did you mean `" + *s + "`?";
    std::string where = ws.workspace_mode() ? ".dlt/" + ws.profile() + ".secrets.toml (or .dlt/config.toml)" : ".dlt/config.toml";
    return NotFound("Destination `" + name + "` is not configured" +
                    (ws.workspace_mode() ? " in profile `" + ws.profile() + "`" : std::string()) +
                    " and is not a destination type." + hint + " Configure it in " + where +
                    ":\n  [destination." + name + "]\n  destination_type = \"duckdb\"\nor set " +
                    EnvVarName({"destination", name, "destination_type"}) + "=duckdb");
  }
  if (!IsKnownDestinationType(out.type)) {
    std::string where = out.type_origin ? " (" + out.type_origin->Describe() + ")" : "";
    for (const char* t : kForeignTypes) {
      if (out.type == t) {
        return InvalidArgument("Destination type `" + out.type + "` of destination `" + name + "`" +
                               where + " is not supported by this tool; supported types: duckdb, motherduck, postgres");
      }
    }
    std::vector<std::string> known(std::begin(kKnownTypes), std::end(kKnownTypes));
    std::string hint;
    if (auto s = text::Suggest(out.type, known)) hint = " Did you mean `" + *s + "`?";
    return InvalidArgument("Unknown destination type `" + out.type + "` for destination `" + name + "`" +
                           where + "." + hint + " Supported types: duckdb, motherduck, postgres");
  }

  ConfigKey cred_key;
  cred_key.sections = {"destination", name};
  cred_key.key = "credentials";
  cred_key.pipeline_name = pipeline;
  DLT_ASSIGN_OR_RETURN(auto native, ws.config().Resolve(cred_key));
  std::optional<std::string> native_text;
  if (native) {
    out.credentials_origin = native->origin;
    if (native->value.kind == ConfigNode::Kind::kString) {
      native_text = native->value.text;
    } else if (!native->value.is_table()) {
      return InvalidArgument("`" + text::Join(native->path, ".") + "` must be a string or a table (" +
                             native->origin.Describe() + ")");
    }
  }
  const std::string where = out.credentials_origin ? " (" + out.credentials_origin->Describe() + ")" : "";
  FieldLookup field{ws, name, pipeline};

  if (out.type == "duckdb") {
    DuckDbCredentials c;
    std::optional<std::string> path = native_text;
    if (!path) {
      DLT_ASSIGN_OR_RETURN(auto db, field.Get("database"));
      if (db) path = db->value.text;
    }
    if (path && !path->empty()) {
      fs::path p(*path);
      if (p.string().starts_with("duckdb:///")) p = p.string().substr(10);
      // A URL is not a DuckDB file: most likely credentials of another destination type (with a
      // password in it) under a duckdb destination. Never used as a file name, never echoed.
      const std::string& ps = p.string();
      size_t at = ps.find('@');
      if (ps.find("://") != std::string::npos || (at != std::string::npos && ps.rfind(':', at) != std::string::npos)) {
        return InvalidArgument("destination `" + name + "` is of type duckdb but its credentials" + where +
                               " are a URL, not a database file path; check destination_type (the value is not shown: it may hold a password)");
      }
      c.database = p.is_absolute() ? p : ws.local_dir() / p;
    } else {
      bool named = name != out.type || pipeline.empty();
      c.database = ws.local_dir() / ((named ? name : pipeline) + ".duckdb");
    }
    c.database = fsutil::Normalize(c.database);
    out.credentials = std::move(c);
  } else if (out.type == "motherduck") {
    MotherDuckCredentials c;
    if (native_text) {
      auto parsed = ParseMotherDuckCredentials(*native_text);
      if (!parsed.ok()) return parsed.status().WithContext("destination `" + name + "`" + where);
      c = std::move(parsed).value();
    } else {
      DLT_ASSIGN_OR_RETURN(auto db, field.Get("database"));
      if (db && !db->value.text.empty()) c.database = db->value.text;
      DLT_ASSIGN_OR_RETURN(auto pw, field.Get("password", true));
      if (!pw) {
        DLT_ASSIGN_OR_RETURN(pw, field.Get("token", true));
      }
      if (pw) c.token = Secret(pw->value.text);
    }
    if (c.token.empty()) {
      if (auto t = ws.env().Get("MOTHERDUCK_TOKEN"); t && !t->empty()) c.token = Secret(*t);
      else if (auto t2 = ws.env().Get("motherduck_token"); t2 && !t2->empty()) c.token = Secret(*t2);
    }
    if (c.token.empty()) {
      return InvalidArgument(MissingMessage(name, out.type, ws.workspace_mode() ? ws.profile() : "", {"password"}) +
                             " (the MotherDuck token; MOTHERDUCK_TOKEN works too)");
    }
    out.credentials = std::move(c);
  } else {  // postgres
    PostgresCredentials c;
    if (native_text) {
      auto parsed = ParsePostgresCredentials(*native_text);
      if (!parsed.ok()) return parsed.status().WithContext("destination `" + name + "`" + where);
      c = std::move(parsed).value();
    } else {
      std::vector<std::string> missing;
      DLT_ASSIGN_OR_RETURN(auto db, field.Get("database"));
      if (db) c.database = db->value.text; else missing.push_back("database");
      DLT_ASSIGN_OR_RETURN(auto user, field.Get("username"));
      if (!user) {
        DLT_ASSIGN_OR_RETURN(user, field.Get("user"));
      }
      if (user) c.username = user->value.text; else missing.push_back("username");
      DLT_ASSIGN_OR_RETURN(auto pw, field.Get("password", true));
      if (pw) c.password = Secret(pw->value.text);
      DLT_ASSIGN_OR_RETURN(auto host, field.Get("host"));
      if (host) c.host = host->value.text;
      DLT_ASSIGN_OR_RETURN(auto port, field.Get("port"));
      if (port) {
        DLT_ASSIGN_OR_RETURN(c.port, ToInt(*port, 1, 65535));
      }
      DLT_ASSIGN_OR_RETURN(auto timeout, field.Get("connect_timeout"));
      if (timeout) {
        DLT_ASSIGN_OR_RETURN(c.connect_timeout, ToInt(*timeout, 0, 86400));
      }
      DLT_ASSIGN_OR_RETURN(auto ssl, field.Get("sslmode"));
      if (ssl) c.sslmode = ssl->value.text;
      if (!missing.empty()) {
        return InvalidArgument(MissingMessage(name, out.type, ws.workspace_mode() ? ws.profile() : "", missing));
      }
    }
    static const char* const kSslModes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
    if (!c.sslmode.empty()) {
      bool ok = false;
      for (const char* m : kSslModes) ok = ok || c.sslmode == m;
      if (!ok) {
        return InvalidArgument("sslmode `" + c.sslmode + "` of destination `" + name +
                               "` is not one of disable, allow, prefer, require, verify-ca, verify-full");
      }
    }
    out.credentials = std::move(c);
  }
  return out;
}

}  // namespace dlt
