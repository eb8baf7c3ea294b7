#include "mariadb_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "test_util.h"

namespace dlt::testing {

namespace fs = std::filesystem;

namespace {

constexpr const char* kServer = "/usr/sbin/mariadbd";
constexpr const char* kInstallDb = "/usr/bin/mariadb-install-db";
constexpr const char* kClient = "/usr/bin/mariadb";
constexpr const char* kAdmin = "/usr/bin/mariadb-admin";

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

// The server refuses to run as root unless told to; as another user it runs as that user.
std::vector<std::string> UserFlag() {
  if (::geteuid() == 0) return {"--user=root"};
  return {};
}

}  // namespace

bool MariadbServer::Available() { return fs::exists(kServer) && fs::exists(kInstallDb) && fs::exists(kClient); }

MariadbServer::MariadbServer() {
  if (!Available()) {
    error_ = std::string(kServer) + " not found (install Debian's mariadb-server; scripts/bootstrap.sh does)";
    return;
  }
  char tmpl[] = "/tmp/dlt-mariadb-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  std::vector<std::string> install = {kInstallDb, "--no-defaults", "--datadir=" + (dir_ / "data").string(),
                                      "--auth-root-authentication-method=normal", "--skip-test-db"};
  for (auto& f : UserFlag()) install.push_back(f);
  RunResult init = Run(install, dir_, {{"LC_ALL", "C"}});
  if (init.exit_code != 0) {
    error_ = "mariadb-install-db failed: " + init.out + init.err;
    return;
  }
  port_ = FreePort();
  if (!Start()) return;
  Sql(std::string("CREATE DATABASE ") + kDatabase + " CHARACTER SET utf8mb4; CREATE USER '" + kUser +
          "'@'%' IDENTIFIED BY '" + kPassword + "'; GRANT ALL ON " + kDatabase + ".* TO '" + kUser + "'@'%';",
      "mysql");
  ok_ = error_.empty();
}

bool MariadbServer::Start() {
  std::vector<std::string> args = {kServer,
                                   "--no-defaults",
                                   "--datadir=" + (dir_ / "data").string(),
                                   "--socket=" + (dir_ / "sock").string(),
                                   "--pid-file=" + (dir_ / "pid").string(),
                                   "--log-error=" + (dir_ / "error.log").string(),
                                   "--port=" + std::to_string(port_),
                                   "--bind-address=127.0.0.1",
                                   "--skip-name-resolve",
                                   "--innodb-buffer-pool-size=16M",
                                   "--innodb-flush-log-at-trx-commit=0"};
  for (auto& f : UserFlag()) args.push_back(f);
  pid_t pid = ::fork();
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    char env0[] = "LC_ALL=C";
    char* envp[] = {env0, nullptr};
    ::execve(kServer, argv.data(), envp);
    ::_exit(127);
  }
  pid_ = pid;
  // Ready once it answers on its socket (a fresh data folder starts in about a second).
  for (int i = 0; i < 600; ++i) {
    RunResult ping = Run({kAdmin, "--no-defaults", "--socket=" + (dir_ / "sock").string(), "-uroot", "ping"}, dir_, {});
    if (ping.exit_code == 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "mariadbd exited at start: " + ReadFile(dir_ / "error.log");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  error_ = "mariadbd did not answer within 60 s: " + ReadFile(dir_ / "error.log");
  return false;
}

bool MariadbServer::Stop() {
  if (pid_ <= 0) return true;
  RunResult r = Run({kAdmin, "--no-defaults", "--socket=" + (dir_ / "sock").string(), "-uroot", "shutdown"}, dir_, {});
  if (r.exit_code != 0) ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return true;
}

MariadbServer::~MariadbServer() {
  if (!dir_.empty()) {
    Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string MariadbServer::Sql(const std::string& sql, const std::string& database) {
  RunResult r = Run({kClient, "--no-defaults", "--socket=" + (dir_ / "sock").string(), "-uroot", "-N", "-B", "-r",
                     "--default-character-set=utf8mb4", database, "-e", sql},
                    dir_, {{"LC_ALL", "C"}, {"TZ", "UTC"}});
  if (r.exit_code != 0) {
    error_ = "mariadb failed: " + r.err;
    return "";
  }
  return r.out;
}

std::string MariadbServer::Url() const {
  return std::string("mysql://") + kUser + ":" + kPassword + "@127.0.0.1:" + std::to_string(port_) + "/" + kDatabase;
}

}  // namespace dlt::testing
