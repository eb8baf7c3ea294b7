// The postgres destination type: its registry entry (destination_types.h). PostgreSQL works in
// a process of its own, so job files are loaded while the package is still normalized.
#include <memory>

#include "destinations/destination_types.h"
#include "destinations/postgres/postgres_client.h"
#include "destinations/postgres/postgres_credentials.h"
#include "load/sql_destination.h"

namespace dlt {

namespace {

StatusOr<std::shared_ptr<const DestinationCredentials>> ResolvePostgres(const CredentialsLookup& l) {
  PostgresCredentials c;
  if (l.native) {
    auto parsed = ParsePostgresCredentials(*l.native);
    if (!parsed.ok()) return parsed.status().WithContext("destination `" + l.name + "`" + l.where);
    c = std::move(parsed).value();
  } else {
    std::vector<std::string> missing;
    DLT_ASSIGN_OR_RETURN(auto db, l.Get("database"));
    if (db) c.database = db->value.text; else missing.push_back("database");
    DLT_ASSIGN_OR_RETURN(auto user, l.Get("username"));
    if (!user) {
      DLT_ASSIGN_OR_RETURN(user, l.Get("user"));
    }
    if (user) c.username = user->value.text; else missing.push_back("username");
    DLT_ASSIGN_OR_RETURN(auto pw, l.Get("password", true));
    if (pw) c.password = Secret(pw->value.text);
    DLT_ASSIGN_OR_RETURN(auto host, l.Get("host"));
    if (host) c.host = host->value.text;
    DLT_ASSIGN_OR_RETURN(auto port, l.Get("port"));
    if (port) {
      DLT_ASSIGN_OR_RETURN(c.port, CredentialsLookup::ToInt(*port, 1, 65535));
    }
    DLT_ASSIGN_OR_RETURN(auto timeout, l.Get("connect_timeout"));
    if (timeout) {
      DLT_ASSIGN_OR_RETURN(c.connect_timeout, CredentialsLookup::ToInt(*timeout, 0, 86400));
    }
    DLT_ASSIGN_OR_RETURN(auto ssl, l.Get("sslmode"));
    if (ssl) c.sslmode = ssl->value.text;
    if (!missing.empty()) {
      return InvalidArgument(l.MissingMessage(missing));
    }
  }
  static const char* const kSslModes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
  if (!c.sslmode.empty()) {
    bool ok = false;
    for (const char* m : kSslModes) ok = ok || c.sslmode == m;
    if (!ok) {
      return InvalidArgument("sslmode `" + c.sslmode + "` of destination `" + l.name +
                             "` is not one of disable, allow, prefer, require, verify-ca, verify-full");
    }
  }
  DLT_ASSIGN_OR_RETURN(auto indexes, l.Setting("create_indexes"));
  if (indexes) {
    DLT_ASSIGN_OR_RETURN(c.create_indexes, CredentialsLookup::ToBool(*indexes));
  }
  return std::shared_ptr<const DestinationCredentials>(std::make_shared<PostgresCredentials>(std::move(c)));
}

StatusOr<std::unique_ptr<Destination>> OpenPostgres(const DestinationConfig& d, const DestinationOpenOptions& o) {
  const auto* p = d.CredentialsAs<PostgresCredentials>();
  if (!p) return Internal("destination `" + d.name + "`: credentials of another type");
  DLT_ASSIGN_OR_RETURN(auto client, PostgresClient::Connect(*p, o.read_only));
  return std::unique_ptr<Destination>(std::make_unique<SqlDestination>(std::move(client), o, true));
}

}  // namespace

const DestinationType& PostgresDestinationType() {
  // PostgreSQL keeps NAMEDATALEN - 1 = 63 bytes and cuts longer names itself; dlt counts the
  // limit in characters, so a name of multi-byte characters may still be cut (as in dlt).
  static const DestinationType t{
      .name = "postgres",
      .max_identifier_length = 63,
      .load_while_normalizing = true,
      .resolve_credentials = &ResolvePostgres,
      .open = &OpenPostgres,
      .preload = nullptr,
      .local_file = nullptr,
      .init_loads_into = "into postgres",
      .init_credentials_step = "Add the PostgreSQL credentials to .dlt/secrets.toml: uncomment `credentials = ...` under\n"
                               "[destination.warehouse] (or .dlt/<profile>.secrets.toml for one profile).",
  };
  return t;
}

}  // namespace dlt
