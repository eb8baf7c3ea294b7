// Named destinations (SPEC §5): `destination = "warehouse"` resolves through
// `destination.warehouse.destination_type` and `destination.warehouse.credentials` of the
// active profile. Credentials are parsed and validated here; connecting happens elsewhere.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dlt/config.h"
#include "dlt/secret.h"
#include "dlt/status.h"

namespace dlt {

class Workspace;

// The credentials of one destination type. Each type defines its own (src/destinations/<type>/);
// code that needs the fields of a type asks for them with DestinationConfig::CredentialsAs<T>().
class DestinationCredentials {
 public:
  virtual ~DestinationCredentials() = default;
  // A one-line description without secrets: "postgresql://loader:***@localhost:5432/dw",
  // the path of a DuckDB file.
  virtual std::string Redacted() const = 0;
};

struct DestinationConfig {
  std::string name;  // the name the pipeline used ("warehouse")
  std::string type;  // a registered destination type: "duckdb", "motherduck", "postgres"
  std::shared_ptr<const DestinationCredentials> credentials;
  std::optional<ValueOrigin> type_origin;         // unset when the name is the type itself
  std::optional<ValueOrigin> credentials_origin;  // unset when defaults were used
  // A one-line description without secrets: "postgres postgresql://loader:***@localhost:5432/dw"
  std::string Describe() const;
  // The credentials as the type's own struct, or nullptr when they are of another type.
  template <class T>
  const T* CredentialsAs() const {
    return dynamic_cast<const T*>(credentials.get());
  }
};

// The destination types this tool can load into (the registry of src/destinations/).
bool IsKnownDestinationType(std::string_view type);

// The longest table or column name a destination type takes, in characters, as dlt 1.26's
// destination capabilities give it (the smaller of max_identifier_length and
// max_column_identifier_length): postgres 63, duckdb and motherduck 65536. Names are shortened
// to this length by the naming convention (with a hash tag), so that the database never cuts
// two long names down to the same one. 0 (no limit) for an unknown type.
size_t MaxIdentifierLength(std::string_view type);

// Resolves a named destination of the workspace's active profile (LoadConfig() first).
// `pipeline_name` adds the pipeline-prefixed lookups. The duckdb default file is
// `<local dir>/<name>.duckdb` for a named destination, `<local dir>/<pipeline>.duckdb` otherwise.
StatusOr<DestinationConfig> ResolveDestination(const Workspace& ws, std::string_view name,
                                               std::string_view pipeline_name = {});

}  // namespace dlt
