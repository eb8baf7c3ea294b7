#include "pipeline/destination_factory.h"

#include "common/fs.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_client.h"
#include "destinations/postgres/postgres_client.h"

namespace dlt {

StatusOr<std::unique_ptr<SqlClient>> MakeSqlClient(const DestinationConfig& d, bool read_only) {
  if (const auto* c = std::get_if<DuckDbCredentials>(&d.credentials)) {
    if (!read_only) DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(c->database.parent_path()));
    DLT_ASSIGN_OR_RETURN(auto client, DuckDbClient::Open(c->database.string(), c->database.string(), read_only));
    return std::unique_ptr<SqlClient>(std::move(client));
  }
  if (const auto* m = std::get_if<MotherDuckCredentials>(&d.credentials)) {
    auto client = DuckDbClient::Open(m->ConnectionString(), m->Redacted(), read_only);
    if (!client.ok()) {
      return Unavailable("cannot connect to MotherDuck database `" + m->database + "` (destination `" + d.name +
                         "`; MotherDuck needs internet access and DuckDB's motherduck extension): " +
                         client.status().message());
    }
    return std::unique_ptr<SqlClient>(std::move(client).value());
  }
  if (const auto* p = std::get_if<PostgresCredentials>(&d.credentials)) {
    DLT_ASSIGN_OR_RETURN(auto client, PostgresClient::Connect(*p, read_only));
    return std::unique_ptr<SqlClient>(std::move(client));
  }
  return FailedPrecondition("destination `" + d.name + "` of type " + d.type + " is not supported");
}

void PreloadDestination(const DestinationConfig& d) {
  if (std::holds_alternative<DuckDbCredentials>(d.credentials) ||
      std::holds_alternative<MotherDuckCredentials>(d.credentials)) {
    (void)duckdb::EnsureLoaded();
  }
}

}  // namespace dlt
