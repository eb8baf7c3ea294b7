// Credentials of the postgres destination type: a connection URL
// (postgresql://user:password@host:port/database?sslmode=...) or the fields of a credentials table.
#pragma once

#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "dlt/destination.h"
#include "dlt/secret.h"
#include "dlt/status.h"

namespace dlt {

struct PostgresCredentials : DestinationCredentials {
  std::string username;
  Secret password;
  std::string host = "localhost";
  int port = 5432;
  std::string database;
  int connect_timeout = 15;  // seconds
  std::string sslmode;       // empty: libpq's default
  // The URL's other query parameters (options, application_name, sslrootcert, ...), handed to
  // libpq as they are, as dlt's psycopg2 connection does (`?options=-ctimezone%3DEurope%2FParis`).
  std::vector<std::pair<std::string, std::string>> params;
  // dlt's create_indexes ([destination.<name>] create_indexes, on by default): `unique` columns
  // (every `_dlt_id`) get a UNIQUE index; off loads without building them.
  bool create_indexes = true;
  // libpq keyword/value connection string; for the driver only; never print it.
  // `more_options` (server settings, `-c name=value`) are added to the URL's `options`.
  std::string ConnectionString(std::string_view more_options = {}) const;
  // "postgresql://user:***@host:port/database"
  std::string Redacted() const override;
};

// Parses a postgresql:// (or postgres://) URL. Errors never contain the input (it holds secrets).
StatusOr<PostgresCredentials> ParsePostgresCredentials(std::string_view uri);

}  // namespace dlt
