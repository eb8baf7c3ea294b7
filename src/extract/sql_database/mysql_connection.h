// One connection to a MySQL/MariaDB server through libmariadb: the parts of a connection URL
// (mysql://user:password@host:port/db), connecting with the session set up for reading (UTC,
// utf8mb4), and queries whose rows are streamed (mysql_use_result: never a whole table in
// memory). Messages name host, port and user, never the password.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dlt/secret.h"
#include "dlt/status.h"
#include "extract/sql_database/mariadb_library.h"

namespace dlt::sql_source {

struct MysqlTarget {
  std::string host = "localhost";
  int port = 3306;
  std::string user;
  Secret password;
  std::string database;
  std::string unix_socket;  // ?unix_socket=/path (SQLAlchemy's option), else TCP
  // "host:port as user `u`", for messages.
  std::string Describe() const;
};

// mysql://, mysql+pymysql://, mysql+mysqldb://, mariadb://, mariadb+mariadbconnector://
StatusOr<MysqlTarget> ParseMysqlUrl(const Secret& url);

class MysqlConnection {
 public:
  explicit MysqlConnection(const LibMariadb* lib) : lib_(lib) {}
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;

  // Connects and sets time_zone to UTC (TIMESTAMP values read as UTC instants) and utf8mb4.
  Status Connect(const MysqlTarget& target);
  // Runs `sql` and keeps every row (for the small catalog queries). NULL cells as nullopt.
  StatusOr<std::vector<std::vector<std::optional<std::string>>>> Query(const std::string& sql);
  // Runs `sql` and streams its rows: Fetch returns the next one (nullptr at the end), with the
  // lengths of its cells in *lengths.
  Status StartStream(const std::string& sql);
  StatusOr<MYSQL_ROW> Fetch(unsigned long** lengths);
  // `s` as a quoted SQL string literal, escaped for the connection's character set.
  std::string Literal(const std::string& s);
  std::string Error() const;
  const LibMariadb& lib() const { return *lib_; }
  const std::string& where() const { return where_; }

 private:
  const LibMariadb* lib_;
  MYSQL* mysql_ = nullptr;
  MYSQL_RES* stream_ = nullptr;
  std::string where_;  // "127.0.0.1:3306 as user `loader`"
};

// `name` quoted as a MySQL identifier (`a``b`).
std::string MysqlQuote(const std::string& name);

}  // namespace dlt::sql_source
