// Credentials of the DuckDB-based destination types: a local DuckDB file, or a MotherDuck
// database reached through DuckDB's motherduck extension.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlt/destination.h"
#include "dlt/secret.h"
#include "dlt/status.h"

namespace dlt {

struct DuckDbCredentials : DestinationCredentials {
  DuckDbCredentials() = default;
  explicit DuckDbCredentials(std::filesystem::path db) : database(std::move(db)) {}
  std::filesystem::path database;  // absolute path of the database file
  // dlt's connection settings, run on every connection in this order: `LOAD <extension>` for each
  // of `extensions`, `SET GLOBAL k = v` for `global_config`, `PRAGMA <p>` for `pragmas`,
  // `SET SESSION k = v` for `local_config`.
  struct SetupStatement {
    std::string key;    // the configuration key it came from, for errors
    std::string sql;    // what runs
    std::string shown;  // the statement without a setting's value (it may be a secret)
    std::string value;  // that value, masked in DuckDB's messages
  };
  std::vector<SetupStatement> setup;
  // dlt's create_indexes ([destination.<name>] create_indexes, off by default for DuckDB):
  // `unique` columns (every `_dlt_id`) get a UNIQUE constraint when their table is created.
  bool create_indexes = false;
  std::string Redacted() const override { return database.string(); }
};

struct MotherDuckCredentials : DestinationCredentials {
  std::string database = "my_db";
  Secret token;
  bool create_indexes = false;  // as DuckDbCredentials::create_indexes (dlt's MotherDuck inherits it)
  // "md:<db>?motherduck_token=<token>": for the driver only; never print it.
  std::string ConnectionString() const;
  // "md:<db>?motherduck_token=***"
  std::string Redacted() const override;
};

// "md:///<db>?motherduck_token=<token>" (also md:<db>, motherduck:). Errors never hold the input.
StatusOr<MotherDuckCredentials> ParseMotherDuckCredentials(std::string_view uri);

}  // namespace dlt
