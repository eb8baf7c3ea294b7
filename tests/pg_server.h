// A real PostgreSQL server for tests: Debian's postgresql binaries, a fresh cluster in a temp
// folder, a free port on 127.0.0.1, password authentication over TCP. Stopped by the destructor.
#pragma once

#include <filesystem>
#include <string>

namespace dlt::testing {

class PostgresServer {
 public:
  // Starts the server; on failure `ok()` is false and `error()` says why.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // Runs SQL as the superuser through psql; returns its stdout ("" on error, see last_error()).
  std::string Psql(const std::string& sql, const std::string& database = "postgres");
  // The same without touching error(): safe to call from several threads at once. Returns false
  // (and the error text in `out`) when psql fails.
  bool PsqlQuery(const std::string& sql, const std::string& database, std::string* out) const;
  bool Stop();   // stops the server (for tests of an unreachable destination)
  bool Start();  // starts it again on the same port

  // A database `dw` and a role `loader` with password `loader_pw_123` exist after start.
  static constexpr const char* kUser = "loader";
  static constexpr const char* kPassword = "loader_pw_123";
  static constexpr const char* kDatabase = "dw";
  std::string Url() const;  // postgresql://loader:loader_pw_123@127.0.0.1:<port>/dw
  std::string Url(const std::string& database) const;  // the same for another database

 private:
  bool ok_ = false;
  std::string error_;
  int port_ = 0;
  std::filesystem::path dir_;
  std::string bin_;
};

}  // namespace dlt::testing
