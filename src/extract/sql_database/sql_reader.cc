// OpenSqlReader: the reader of a connection URL's scheme (dlt's SQLAlchemy URL forms).
#include "extract/sql_database/sql_reader.h"

#include <string_view>

namespace dlt::sql_source {

StatusOr<std::unique_ptr<SqlReader>> OpenSqlReader(const Secret& credentials) {
  std::string_view url = credentials.reveal();
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgument(
        "sql_database credentials must be a connection URL such as postgresql://user:password@host:5432/db, "
        "sqlite:///path/to/file.db or mysql://user:password@host:3306/db (set sources.sql_database.credentials)");
  }
  std::string scheme(url.substr(0, colon));
  // "postgresql+psycopg2" -> "postgresql": the driver part names a Python driver; we have our own.
  if (size_t plus = scheme.find('+'); plus != std::string::npos) scheme.resize(plus);
  if (scheme == "postgresql" || scheme == "postgres") return OpenPostgresReader(credentials);
  if (scheme == "sqlite") return OpenSqliteReader(credentials);
  if (scheme == "mysql" || scheme == "mariadb") return OpenMysqlReader(credentials);
  return InvalidArgument("sql_database: databases of scheme `" + scheme +
                         "` are not supported; use postgresql://, sqlite:/// or mysql:// (MariaDB too)");
}

}  // namespace dlt::sql_source
