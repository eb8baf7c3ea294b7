// Credentials of the postgres destination type: a connection URL
// (postgresql://user:password@host:port/database?sslmode=...) or the fields of a credentials table.
#pragma once

#include <string>
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
  // libpq keyword/value connection string; for the driver only; never print it.
  std::string ConnectionString() const;
  // "postgresql://user:***@host:port/database"
  std::string Redacted() const override;
};

// Parses a postgresql:// (or postgres://) URL. Errors never contain the input (it holds secrets).
StatusOr<PostgresCredentials> ParsePostgresCredentials(std::string_view uri);

}  // namespace dlt
