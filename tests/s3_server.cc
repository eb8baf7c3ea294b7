#include "s3_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

S3Server::S3Server(const std::string& bucket) {
  const fs::path tools = fs::path(DLT_SOURCE_DIR) / "tools" / "s3rver";
  const fs::path script = tools / "sigv4-s3rver.js";
  std::error_code ec;
  if (!fs::exists(tools / "node_modules" / "s3rver" / "package.json", ec)) {
    error_ = (tools / "node_modules" / "s3rver").string() + " is missing: run scripts/bootstrap.sh (it runs `npm ci` in tools/s3rver)";
    return;
  }
  char tmpl[] = "/tmp/dlt-s3-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  fs::create_directories(dir_ / "data", ec);
  port_ = FreePort();
  const std::string log = (dir_ / "s3rver.log").string();
  // s3rver makes ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) loads
  // only from the legacy provider: without it a listing's second page answers 500.
  std::vector<std::string> args{"node", "--openssl-legacy-provider", script.string(), (dir_ / "data").string(), std::to_string(port_), bucket};
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("node", argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    if (Accepts(port_)) {
      ok_ = true;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "s3rver exited: " + ReadFile(log);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "s3rver did not listen on 127.0.0.1:" + std::to_string(port_) + " within 15 s: " + ReadFile(log);
}

S3Server::~S3Server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace dlt::testing
