// Named destinations (SPEC §5): `destination = "warehouse"` resolves through
// `destination.warehouse.destination_type` and `destination.warehouse.credentials` of the
// active profile. Credentials are parsed and validated here; connecting happens elsewhere.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dlt/config.h"
#include "dlt/secret.h"
#include "dlt/status.h"

namespace dlt {

class Workspace;

struct DuckDbCredentials {
  std::filesystem::path database;  // absolute path of the database file
};

struct MotherDuckCredentials {
  std::string database = "my_db";
  Secret token;
  // "md:<db>?motherduck_token=<token>": for the driver only; never print it.
  std::string ConnectionString() const;
  // "md:<db>?motherduck_token=***"
  std::string Redacted() const;
};

struct PostgresCredentials {
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
  std::string Redacted() const;
};

using DestinationCredentials = std::variant<DuckDbCredentials, MotherDuckCredentials, PostgresCredentials>;

struct DestinationConfig {
  std::string name;  // the name the pipeline used ("warehouse")
  std::string type;  // "duckdb", "motherduck" or "postgres"
  DestinationCredentials credentials;
  std::optional<ValueOrigin> type_origin;         // unset when the name is the type itself
  std::optional<ValueOrigin> credentials_origin;  // unset when defaults were used
  // A one-line description without secrets: "postgres postgresql://loader:***@localhost:5432/dw"
  std::string Describe() const;
};

// The destination types this tool can load into.
bool IsKnownDestinationType(std::string_view type);

// The longest table or column name a destination type takes, in characters, as dlt 1.26's
// destination capabilities give it (the smaller of max_identifier_length and
// max_column_identifier_length): postgres 63, duckdb and motherduck 65536. Names are shortened
// to this length by the naming convention (with a hash tag), so that the database never cuts
// two long names down to the same one. 0 (no limit) for an unknown type.
size_t MaxIdentifierLength(std::string_view type);

// Parsers for native credential strings. Errors never contain the input (it holds secrets).
StatusOr<PostgresCredentials> ParsePostgresCredentials(std::string_view uri);
StatusOr<MotherDuckCredentials> ParseMotherDuckCredentials(std::string_view uri);

// Resolves a named destination of the workspace's active profile (LoadConfig() first).
// `pipeline_name` adds the pipeline-prefixed lookups. The duckdb default file is
// `<local dir>/<name>.duckdb` for a named destination, `<local dir>/<pipeline>.duckdb` otherwise.
StatusOr<DestinationConfig> ResolveDestination(const Workspace& ws, std::string_view name,
                                               std::string_view pipeline_name = {});

}  // namespace dlt
