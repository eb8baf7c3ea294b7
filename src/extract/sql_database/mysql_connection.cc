// See mysql_connection.h.
#include "extract/sql_database/mysql_connection.h"

#include "config/connection_url.h"

namespace dlt::sql_source {

std::string MysqlTarget::Describe() const {
  std::string at = unix_socket.empty() ? host + ":" + std::to_string(port) : unix_socket;
  return at + " as user `" + user + "`";
}

StatusOr<MysqlTarget> ParseMysqlUrl(const Secret& secret) {
  std::string_view url = secret.reveal();
  MysqlTarget t;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgument("sql_database: a MySQL URL reads mysql://user:password@host:3306/database");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  // user:password@host:port; the password may hold '@' or ':' only percent-encoded, as in dlt.
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    DLT_ASSIGN_OR_RETURN(t.user, url::PercentDecode(userinfo.substr(0, colon), "user of the MySQL URL"));
    if (colon != std::string_view::npos) {
      DLT_ASSIGN_OR_RETURN(std::string pw, url::PercentDecode(userinfo.substr(colon + 1), "password of the MySQL URL"));
      t.password = Secret(std::move(pw));
    }
  }
  if (size_t colon = rest.rfind(':'); colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
    DLT_ASSIGN_OR_RETURN(t.port, url::ParsePort(rest.substr(colon + 1), "port of the MySQL URL"));
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) t.host = std::string(rest);
  DLT_ASSIGN_OR_RETURN(t.database, url::PercentDecode(path, "database of the MySQL URL"));
  if (t.database.empty()) {
    return InvalidArgument("sql_database: the MySQL URL names no database (mysql://user:password@" + t.host + ":" +
                           std::to_string(t.port) + "/<database>)");
  }
  DLT_ASSIGN_OR_RETURN(auto options, url::ParseQuery(query));
  for (auto& [k, v] : options) {
    if (k == "unix_socket") t.unix_socket = v;  // others (charset, ssl_*) are the Python drivers'
  }
  return t;
}

MysqlConnection::~MysqlConnection() {
  if (stream_) lib_->free_result(stream_);
  if (mysql_) lib_->close(mysql_);
}

Status MysqlConnection::Connect(const MysqlTarget& t) {
  where_ = t.Describe();
  mysql_ = lib_->init(nullptr);
  if (!mysql_) return Internal("sql_database: libmariadb could not allocate a connection");
  unsigned int connect_timeout = 10;
  lib_->options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  lib_->options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // TIMESTAMP values are stored in UTC and shown in the session's zone: UTC shows them unshifted.
  lib_->options(mysql_, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
  // A consumer slower than the server must not make it drop a long streamed result.
  lib_->options(mysql_, MYSQL_INIT_COMMAND, "SET SESSION net_write_timeout = 3600");
  const std::string& pw = t.password.reveal();
  if (!lib_->real_connect(mysql_, t.host.c_str(), t.user.c_str(), pw.c_str(), t.database.c_str(),
                          static_cast<unsigned>(t.port), t.unix_socket.empty() ? nullptr : t.unix_socket.c_str(), 0)) {
    std::string why = Error();
    // The server's text names user and host ("Access denied for user 'u'@'h' (using password:
    // YES)"); it never holds the password, but make sure.
    if (!pw.empty()) {
      for (size_t p; (p = why.find(pw)) != std::string::npos;) why.replace(p, pw.size(), std::string(Secret::kMask));
    }
    return Unavailable("sql_database: cannot connect to MySQL/MariaDB at " + where_ + ", database `" + t.database +
                       "`: " + why + " (check sources.sql_database.credentials and that the server is running)");
  }
  return Status::Ok();
}

std::string MysqlConnection::Error() const { return mysql_ ? lib_->error(mysql_) : "no connection"; }

std::string MysqlConnection::Literal(const std::string& s) {
  std::string out(s.size() * 2 + 1, '\0');
  unsigned long n = lib_->real_escape_string(mysql_, out.data(), s.data(), s.size());
  out.resize(n);
  return "'" + out + "'";
}

StatusOr<std::vector<std::vector<std::optional<std::string>>>> MysqlConnection::Query(const std::string& sql) {
  if (lib_->real_query(mysql_, sql.data(), sql.size()) != 0) {
    return Unavailable("sql_database: MySQL/MariaDB at " + where_ + " refused a catalog query: " + Error());
  }
  MYSQL_RES* res = lib_->store_result(mysql_);
  std::vector<std::vector<std::optional<std::string>>> rows;
  if (!res) return rows;
  unsigned n = lib_->num_fields(res);
  while (MYSQL_ROW row = lib_->fetch_row(res)) {
    unsigned long* len = lib_->fetch_lengths(res);
    std::vector<std::optional<std::string>> r;
    for (unsigned i = 0; i < n; ++i) {
      if (row[i]) r.emplace_back(std::string(row[i], len[i]));
      else r.emplace_back(std::nullopt);
    }
    rows.push_back(std::move(r));
  }
  lib_->free_result(res);
  return rows;
}

Status MysqlConnection::StartStream(const std::string& sql) {
  if (lib_->real_query(mysql_, sql.data(), sql.size()) != 0) {
    return Unavailable("sql_database: MySQL/MariaDB at " + where_ + " refused `" + sql + "`: " + Error());
  }
  stream_ = lib_->use_result(mysql_);
  if (!stream_) return Unavailable("sql_database: MySQL/MariaDB at " + where_ + ": " + Error());
  return Status::Ok();
}

StatusOr<MYSQL_ROW> MysqlConnection::Fetch(unsigned long** lengths) {
  MYSQL_ROW row = lib_->fetch_row(stream_);
  if (!row) {
    if (lib_->errno_(mysql_) != 0) {
      return Unavailable("sql_database: reading from MySQL/MariaDB at " + where_ + " failed: " + Error());
    }
    return static_cast<MYSQL_ROW>(nullptr);
  }
  *lengths = lib_->fetch_lengths(stream_);
  return row;
}

std::string MysqlQuote(const std::string& name) {
  std::string out = "`";
  for (char ch : name) out += ch == '`' ? std::string("``") : std::string(1, ch);
  return out + "`";
}

}  // namespace dlt::sql_source
