// The registry of destination types: what the engine knows of each (its capabilities, how it
// reads its credentials from the profile, how it opens, which library it loads), in one table.
// Adding a destination type means adding its files under src/destinations/<type>/ and one line
// to the table in destination_types.cc; nothing else asks for a type by name.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "destinations/credentials_lookup.h"
#include "dlt/destination.h"
#include "dlt/status.h"
#include "load/destination.h"

namespace dlt {

struct DestinationType {
  std::string_view name;  // "duckdb"
  // Offered to users (`dlt init`, lists of supported types); dlt's custom destination is made
  // by Python code only (@dlt.destination), never named in configuration by hand.
  bool listed = true;
  // dlt 1.26's capabilities: the longest identifier (table or column) it takes, in characters.
  size_t max_identifier_length = 0;
  // dlt's has_case_sensitive_identifiers: `Name` and `name` are two tables or columns. Where
  // they are one (DuckDB), a case-sensitive naming convention's names are checked for collisions
  // before a load (load/identifier_collision.h).
  bool case_sensitive_identifiers = true;
  // Job files are loaded while the package is still normalized (the database works in a
  // process of its own, so the load overlaps the normalizer's CPU work instead of competing).
  bool load_while_normalizing = false;
  // The job files normalized while a slow resource is still extracted (a Python generator holds
  // one core: pipeline/pre_normalize.h) are loaded meanwhile, into the package's transaction,
  // which commits only after the package is normalized; the load no longer waits for the extract.
  bool load_while_extracting = false;
  // Tables with write_disposition merge can be loaded (rows updated in place by key).
  bool supports_merge = true;
  // Loads typed job files (normalize/typed_job_file.h) as well as CSV ones: normalize writes
  // the rows of typed batches into them instead of CSV (DuckDB reads them without parsing).
  bool reads_typed_jobs = false;
  // Loads typed job files whose dlt columns (`_dlt_load_id`, `_dlt_id`) it fills in itself (the
  // package state's `generated_columns`): normalize makes the typed files the extract wrote the
  // load jobs as they are (pipeline/typed_items.h) instead of writing their rows again.
  bool typed_jobs_with_generated_columns = false;
  // Loads Parquet job files itself (dlt's Arrow items kept as their files, pipeline/file_items.h).
  bool reads_parquet_jobs = false;
  // Reads and validates the credentials (errors never hold a value).
  StatusOr<std::shared_ptr<const DestinationCredentials>> (*resolve_credentials)(const CredentialsLookup& lookup) = nullptr;
  // Connects (read-only when asked) for the dataset of `options`.
  StatusOr<std::unique_ptr<Destination>> (*open)(const DestinationConfig& config,
                                                 const DestinationOpenOptions& options) = nullptr;
  // Loads the client library into this process ahead of open() (optional; errors left to open).
  void (*preload)() = nullptr;
  // The local file the destination lives in, when it has one (nothing to restore or browse
  // while it does not exist).
  std::optional<std::filesystem::path> (*local_file)(const DestinationConfig& config) = nullptr;
  // `dlt init`: where the template's pipeline loads ("into _local/dev/warehouse.duckdb") and,
  // when the type needs credentials, the next step that says where to put them.
  std::string_view init_loads_into;
  std::string_view init_credentials_step;
};

// Every registered type, in the order they are listed to users.
const std::vector<const DestinationType*>& DestinationTypes();
const DestinationType* FindDestinationType(std::string_view name);
// The error for a merge resource on a destination that cannot merge (names the resource, the
// destination and what to use instead), or nullopt when the type merges.
std::optional<std::string> MergeUnsupportedMessage(const DestinationType& type, std::string_view destination_name,
                                                   std::string_view table);
// "duckdb, motherduck, postgres"
std::string DestinationTypeNames();

// Opens the destination of a resolved configuration.
StatusOr<std::unique_ptr<Destination>> OpenDestination(const DestinationConfig& config, const DestinationOpenOptions& options);
// Loads what a destination of `config` needs in this process (DuckDB's library), so that it is
// ready when OpenDestination runs: the pipeline calls it on a thread of its own while it
// normalizes. Opens no connection and takes no lock.
void PreloadDestination(const DestinationConfig& config);
// The destination's local file when it has one and the file does not exist yet (a pipeline
// never loaded in this profile): nothing to restore from or browse.
std::optional<std::filesystem::path> MissingLocalFile(const DestinationConfig& config);

}  // namespace dlt
