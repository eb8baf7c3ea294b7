// Placeholder until the MySQL/MariaDB reader lands (issue #17); replaced by the reader itself.
#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

StatusOr<std::unique_ptr<SqlReader>> OpenMysqlReader(const Secret&) {
  return FailedPrecondition("sql_database: MySQL/MariaDB sources are not available in this build yet");
}

}  // namespace dlt::sql_source
