// Placeholder until the PostgreSQL reader lands (issue #17); replaced by the reader itself.
#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

StatusOr<std::unique_ptr<SqlReader>> OpenPostgresReader(const Secret&) {
  return FailedPrecondition("sql_database: PostgreSQL sources are not available in this build yet");
}

}  // namespace dlt::sql_source
