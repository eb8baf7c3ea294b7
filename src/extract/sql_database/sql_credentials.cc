// ResolveSqlCredentials (sql_credentials.h): the URL form is taken as it is; the table form is
// turned into the URL the readers parse, its user name and password percent-encoded.
#include "extract/sql_database/sql_credentials.h"

#include <cctype>
#include <optional>
#include <string>

#include "common/text.h"
#include "dlt/config.h"

namespace dlt::sql_source {

namespace {

std::string PercentEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

ConfigKey Key(const SqlDatabaseOptions& o, const std::string& field, bool in_credentials) {
  ConfigKey k;
  k.sections = {"sources", o.section};
  if (in_credentials) k.embedded = {"credentials"};
  k.key = field;
  k.secret = true;
  return k;
}

std::string MissingMessage(const Workspace& ws, const SqlDatabaseOptions& o) {
  const std::string profile = ws.workspace_mode() ? ws.profile() : "";
  std::string file = profile.empty() ? ".dlt/secrets.toml" : ".dlt/" + profile + ".secrets.toml";
  return "sql_database: no credentials. Set them in " + file + ":\n  [sources." + o.section +
         "]\n  credentials = \"postgresql://user:password@host:5432/database\"\nor as the environment variable " +
         EnvVarName({"sources", o.section, "credentials"});
}

}  // namespace

StatusOr<Secret> ResolveSqlCredentials(const Workspace& ws, const SqlDatabaseOptions& o) {
  if (!o.credentials.empty()) return o.credentials;
  if (!ws.config_loaded()) {
    return FailedPrecondition("sql_database: Workspace::LoadConfig() must be called before reading credentials");
  }
  DLT_ASSIGN_OR_RETURN(auto native, ws.config().Resolve(Key(o, "credentials", false)));
  if (native && native->value.kind == ConfigNode::Kind::kString) return Secret(native->value.text);
  if (native && !native->value.is_table()) {
    return InvalidArgument("`" + text::Join(native->path, ".") + "` must be a connection URL or a table (" +
                           native->origin.Describe() + ")");
  }
  // The table form: each field resolved on its own, so that environment variables may set one.
  auto field = [&](const std::string& name) -> StatusOr<std::optional<std::string>> {
    DLT_ASSIGN_OR_RETURN(auto r, ws.config().Resolve(Key(o, name, true)));
    if (!r) return std::optional<std::string>();
    if (!r->value.is_scalar()) {
      return InvalidArgument("`" + text::Join(r->path, ".") + "` must be a single value (" + r->origin.Describe() + ")");
    }
    return std::optional<std::string>(r->value.text);
  };
  DLT_ASSIGN_OR_RETURN(auto driver, field("drivername"));
  DLT_ASSIGN_OR_RETURN(auto database, field("database"));
  if (!driver && !database) return InvalidArgument(MissingMessage(ws, o));
  if (!driver || !database) {
    return InvalidArgument("sql_database: the credentials table of sources." + o.section + " needs `" +
                           std::string(driver ? "database" : "drivername") +
                           "` (drivername: postgresql, mysql or sqlite)");
  }
  std::string scheme = *driver;
  if (scheme.rfind("sqlite", 0) == 0) return Secret(scheme + ":///" + *database);
  DLT_ASSIGN_OR_RETURN(auto user, field("username"));
  DLT_ASSIGN_OR_RETURN(auto password, field("password"));
  DLT_ASSIGN_OR_RETURN(auto host, field("host"));
  DLT_ASSIGN_OR_RETURN(auto port, field("port"));
  std::string url = scheme + "://";
  if (user) url += PercentEncode(*user) + (password ? ":" + PercentEncode(*password) : "") + "@";
  url += host.value_or("localhost");
  if (port) url += ":" + *port;
  url += "/" + PercentEncode(*database);
  return Secret(url);
}

}  // namespace dlt::sql_source
