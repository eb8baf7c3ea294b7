#include "test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dlt::testing {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary);
  f << content;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

std::vector<std::string> BuildEnv(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  bool has_path = false;
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
    has_path = has_path || k == "PATH";
  }
  if (!has_path) out.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  return out;
}

[[noreturn]] void Exec(const std::vector<std::string>& argv, const fs::path& cwd,
                       const std::vector<std::string>& env) {
  if (::chdir(cwd.c_str()) != 0) _exit(127);
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  ::execve(a[0], a.data(), e.data());
  _exit(127);
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

RunResult Run(const std::vector<std::string>& argv, const fs::path& cwd,
              const std::map<std::string, std::string>& env, const std::string& input) {
  int in[2], out[2], err[2];
  // Close-on-exec: a program started by another thread at the same time must not inherit these
  // pipes (it would hold them open, and this call would wait for that program too). dup2 below
  // clears the flag on the child's 0, 1 and 2.
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
    throw std::runtime_error("pipe failed");
  }
  auto envv = BuildEnv(env);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    Exec(argv, cwd, envv);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  signal(SIGPIPE, SIG_IGN);
  if (!input.empty()) {
    ssize_t n = ::write(in[1], input.data(), input.size());
    (void)n;
  }
  ::close(in[1]);
  RunResult r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  r.exit_code = WaitExit(pid);
  return r;
}

RunResult RunInTerminal(const std::vector<std::string>& argv, const fs::path& cwd,
                        const std::map<std::string, std::string>& env, const std::string& input) {
  auto envv = BuildEnv(env);
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) Exec(argv, cwd, envv);
  if (!input.empty()) {
    ssize_t n = ::write(master, input.data(), input.size());
    (void)n;
  }
  RunResult r;
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    int rc = ::poll(&p, 1, 10000);
    if (rc <= 0) break;
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    r.out.append(buf, static_cast<size_t>(n));
  }
  ::close(master);
  r.exit_code = WaitExit(pid);
  // The terminal turns "\n" into "\r\n".
  std::string clean;
  for (char ch : r.out) {
    if (ch != '\r') clean += ch;
  }
  r.out = clean;
  return r;
}

std::vector<std::string> FilesContaining(const std::filesystem::path& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string().ends_with("secrets.toml")) continue;
    if (ReadFile(e.path()).find(needle) != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

}  // namespace dlt::testing
