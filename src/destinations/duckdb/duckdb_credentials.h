// Credentials of the DuckDB-based destination types: a local DuckDB file, or a MotherDuck
// database reached through DuckDB's motherduck extension.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dlt/destination.h"
#include "dlt/secret.h"
#include "dlt/status.h"

namespace dlt {

struct DuckDbCredentials : DestinationCredentials {
  DuckDbCredentials() = default;
  explicit DuckDbCredentials(std::filesystem::path db) : database(std::move(db)) {}
  std::filesystem::path database;  // absolute path of the database file
  std::string Redacted() const override { return database.string(); }
};

struct MotherDuckCredentials : DestinationCredentials {
  std::string database = "my_db";
  Secret token;
  // "md:<db>?motherduck_token=<token>": for the driver only; never print it.
  std::string ConnectionString() const;
  // "md:<db>?motherduck_token=***"
  std::string Redacted() const override;
};

// "md:///<db>?motherduck_token=<token>" (also md:<db>, motherduck:). Errors never hold the input.
StatusOr<MotherDuckCredentials> ParseMotherDuckCredentials(std::string_view uri);

}  // namespace dlt
