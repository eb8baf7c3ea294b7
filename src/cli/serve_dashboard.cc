// `dlt workspace show` and `dlt pipeline <name> show`: serve the dashboard until Ctrl-C.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cctype>
#include <cstdlib>

#include "cli/command.h"
#include "dashboard/dashboard.h"
#include "dashboard/http_server.h"

namespace dlt::cli {

namespace {

std::atomic<int> g_stop_fd{-1};

void OnStopSignal(int) {
  int fd = g_stop_fd.load();
  if (fd >= 0) {
    char b = 1;
    [[maybe_unused]] ssize_t n = ::write(fd, &b, 1);
  }
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest(path);
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Opens `url` in the user's browser when there is one: $BROWSER, or xdg-open on a desktop.
// Detached (double fork), with its output discarded. Returns false when no browser was found.
bool OpenBrowser(const std::string& url) {
  std::string program;
  if (const char* b = std::getenv("BROWSER"); b != nullptr && *b != '\0') {
    program = std::string(b).substr(0, std::string_view(b).find(':'));  // a list: the first one
  } else if ((std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr) && OnPath("xdg-open")) {
    program = "xdg-open";
  } else {
    return false;
  }
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    FILE* null = std::fopen("/dev/null", "r+");
    if (null != nullptr) {
      ::dup2(::fileno(null), 0);
      ::dup2(::fileno(null), 1);
      ::dup2(::fileno(null), 2);
    }
    ::execlp(program.c_str(), program.c_str(), url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return true;
}

// A random access token for this run of the dashboard (DLT_DASHBOARD_TOKEN sets a fixed one, for
// scripts): 32 hex digits from the kernel's random source.
StatusOr<std::string> AccessToken() {
  if (const char* fixed = std::getenv("DLT_DASHBOARD_TOKEN"); fixed != nullptr && *fixed != '\0') {
    std::string t(fixed);
    bool ok = t.size() >= 16 && t.size() <= 128 && std::all_of(t.begin(), t.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!ok) return InvalidArgument("DLT_DASHBOARD_TOKEN must be 16 to 128 letters, digits, '-' or '_'");
    return t;
  }
  unsigned char bytes[16];
  FILE* f = std::fopen("/dev/urandom", "rb");
  bool ok = f != nullptr && std::fread(bytes, 1, sizeof bytes, f) == sizeof bytes;
  if (f != nullptr) std::fclose(f);
  if (!ok) return Internal("cannot read /dev/urandom for the dashboard's access token");
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

StatusOr<int> ParsePortOption(const ParsedArgs& args) {
  auto v = args.Get("--port");
  if (!v) return 2718;
  bool digits = !v->empty() && v->size() <= 5 &&
                std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(*v) > 65535) {
    return InvalidArgument("--port must be a number between 0 and 65535 (0 picks a free port), got `" + *v + "`");
  }
  return std::stoi(*v);
}

Status RunDashboard(Context& ctx, const Workspace& ws, const std::string& route, int port, bool open_browser) {
  DLT_ASSIGN_OR_RETURN(auto server, dashboard::HttpServer::Bind(port));
  WorkspaceOptions options;
  options.start_dir = ws.run_dir();
  options.profile = ctx.flags.profile;
  DLT_ASSIGN_OR_RETURN(std::string token, AccessToken());
  dashboard::Dashboard app(options, server->port(), token);
  std::string url = "http://127.0.0.1:" + std::to_string(server->port()) + "/?token=" + token;
  std::string page = url + route;
  if (!ws.workspace_mode()) {
    ctx.console.Note("No workspace here (classic mode): the dashboard shows the pipelines of " +
                     ws.Display(ws.pipelines_dir()) + " without profiles.");
  }
  ctx.console.Out("Workspace dashboard" +
                  (ws.workspace_mode() ? " of " + ws.name() + " (profile " + ws.profile() + ")" : std::string()) +
                  " at " + page);
  ctx.console.Out("Serving from 127.0.0.1 only, read-only; the address carries this run's access token. "
                  "Press Ctrl-C to stop.");
  std::fflush(stdout);
  if (open_browser && !OpenBrowser(page)) {
    ctx.console.Note("No browser found (set $BROWSER to choose one): open " + page + " yourself.");
  }
  g_stop_fd.store(server->stop_fd());
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  // A second Ctrl-C while requests finish kills the process the usual way.
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  struct sigaction old_int {}, old_term {};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  server->Serve([&app](const dashboard::HttpRequest& r) { return app.Handle(r); },
                [&app](const dashboard::HttpRequest& r) { return app.Admit(r); });
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  g_stop_fd.store(-1);
  ctx.console.Err("Dashboard stopped.");
  return Status::Ok();
}

}  // namespace dlt::cli
