// A real MariaDB server for tests: Debian's mariadb-server binaries, a fresh data folder in a temp
// folder, a free port on 127.0.0.1, a user with a password (so that a wrong password can be
// tested). Stopped by the destructor.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace dlt::testing {

class MariadbServer {
 public:
  // True when Debian's mariadbd is installed; tests skip with a message otherwise.
  static bool Available();

  // Starts the server; on failure `ok()` is false and `error()` says why.
  MariadbServer();
  ~MariadbServer();
  MariadbServer(const MariadbServer&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // Runs SQL as root over the server's socket with the mariadb client in raw batch mode (-N -B -r: the
  // server's own text of each value, tab-separated, one row a line); returns its stdout, or ""
  // with error() set on failure.
  std::string Sql(const std::string& sql, const std::string& database = kDatabase);
  bool Stop();   // shuts the server down (for tests of an unreachable database)
  bool Start();  // starts it again on the same port

  // A database `shop` and a user `loader` with password `loader_pw_123` (all rights on it) exist.
  static constexpr const char* kUser = "loader";
  static constexpr const char* kPassword = "loader_pw_123";
  static constexpr const char* kDatabase = "shop";
  std::string Url() const;  // mysql://loader:loader_pw_123@127.0.0.1:<port>/shop

 private:
  bool ok_ = false;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::filesystem::path dir_;
};

}  // namespace dlt::testing
