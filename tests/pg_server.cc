#include "pg_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "test_util.h"

namespace dlt::testing {

namespace fs = std::filesystem;

namespace {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string FindBin() {
  std::error_code ec;
  std::string best;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path b = e.path() / "bin";
    if (fs::exists(b / "initdb", ec) && b.string() > best) best = b.string();
  }
  return best;
}

// Runs a server binary as the `postgres` user when we are root (the server refuses root).
RunResult RunPg(const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, "/", {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LC_ALL", "C"}});
}

}  // namespace

PostgresServer::PostgresServer() {
  bin_ = FindBin();
  if (bin_.empty()) {
    error_ = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (install Debian's postgresql)";
    return;
  }
  char tmpl[] = "/tmp/dlt-pg-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  if (::geteuid() == 0) {
    RunResult r = Run({"/bin/chown", "postgres:postgres", dir_.string()}, "/", {});
    if (r.exit_code != 0) {
      error_ = "chown failed: " + r.err;
      return;
    }
  }
  fs::path pwfile = dir_ / "pw";
  {
    RunResult r = RunPg({"/bin/sh", "-c", "echo postgres_pw > " + pwfile.string()});
    (void)r;
  }
  RunResult init = RunPg({bin_ + "/initdb", "-D", (dir_ / "data").string(), "-U", "postgres", "-E", "UTF8",
                          "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile.string()});
  if (init.exit_code != 0) {
    error_ = "initdb failed: " + init.out + init.err;
    return;
  }
  port_ = FreePort();
  if (!Start()) return;
  Psql(std::string("CREATE ROLE ") + kUser + " LOGIN PASSWORD '" + kPassword + "'");
  Psql(std::string("CREATE DATABASE ") + kDatabase + " OWNER " + kUser);
  ok_ = error_.empty();
}

bool PostgresServer::Start() {
  RunResult start = RunPg({bin_ + "/pg_ctl", "-D", (dir_ / "data").string(), "-l", (dir_ / "log").string(), "-w", "-t",
                           "60", "-o",
                           "-p " + std::to_string(port_) + " -k " + dir_.string() +
                               " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                           "start"});
  if (start.exit_code != 0) {
    error_ = "pg_ctl start failed: " + start.out + start.err + ReadFile(dir_ / "log");
    return false;
  }
  return true;
}

bool PostgresServer::Stop() {
  RunResult r = RunPg({bin_ + "/pg_ctl", "-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"});
  return r.exit_code == 0;
}

PostgresServer::~PostgresServer() {
  if (!dir_.empty()) {
    Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string PostgresServer::Psql(const std::string& sql, const std::string& database) {
  std::string out;
  if (!PsqlQuery(sql, database, &out)) {
    error_ = "psql failed: " + out;
    return "";
  }
  return out;
}

bool PostgresServer::PsqlQuery(const std::string& sql, const std::string& database, std::string* out) const {
  RunResult r = RunPg({"/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_.string(), "-p",
                       std::to_string(port_), "-U", "postgres", "-d", database, "-c", sql});
  *out = r.exit_code == 0 ? r.out : r.err;
  return r.exit_code == 0;
}

std::string PostgresServer::Url() const { return Url(kDatabase); }

std::string PostgresServer::Url(const std::string& database) const {
  return std::string("postgresql://") + kUser + ":" + kPassword + "@127.0.0.1:" + std::to_string(port_) + "/" +
         database;
}

}  // namespace dlt::testing
