// dlt's DuckDB connection settings (duckdb.md "Additional configuration"): `extensions` loaded,
// `global_config` and `local_config` set, `pragmas` run on every connection of the destination.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "destinations/credentials_lookup.h"
#include "destinations/duckdb/duckdb_credentials.h"
#include "dlt/status.h"

namespace dlt {

// The statements, each with the key it came from (`destination.duckdb.credentials.pragmas`), in
// dlt's order: LOAD extensions, SET GLOBAL, PRAGMA, SET SESSION. Errors name the key.
StatusOr<std::vector<DuckDbCredentials::SetupStatement>> DuckDbConnectionSetup(const CredentialsLookup& l);

}  // namespace dlt
