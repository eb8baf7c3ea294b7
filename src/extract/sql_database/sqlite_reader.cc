// Placeholder until the SQLite reader lands (issue #17); replaced by the reader itself.
#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

StatusOr<std::unique_ptr<SqlReader>> OpenSqliteReader(const Secret&) {
  return FailedPrecondition("sql_database: SQLite sources are not available in this build yet");
}

}  // namespace dlt::sql_source
