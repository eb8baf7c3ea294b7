// `dlt run script.py`: a Python pipeline script is run by python3 with the Python `dlt` package,
// in the workspace, with the active profile passed as WORKSPACE__PROFILE. Without the package
// the command says so, and what to run instead, rather than parsing the script as TOML.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/command.h"
#include "common/text.h"

extern char** environ;

namespace dlt::cli {

namespace fs = std::filesystem;

namespace {

// The first executable `python3` on PATH (as a shell would find it), or nullopt.
std::optional<fs::path> FindPython3() {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  for (const auto& dir : text::Split(path, ':')) {
    if (dir.empty()) continue;
    // Absolute (the script runs after a chdir), and a file rather than a folder named python3.
    std::error_code ec;
    fs::path cand = fs::absolute(fs::path(dir) / "python3", ec);
    if (!ec && fs::is_regular_file(cand, ec) && ::access(cand.c_str(), X_OK) == 0) return cand;
  }
  return std::nullopt;
}

// Runs argv in `cwd` with the process environment plus `extra_env`; `quiet` sends stdout and
// stderr to /dev/null. Returns the exit code (128 + signal when killed), or -1 when it could not
// start.
int Spawn(const std::vector<std::string>& argv, const fs::path& cwd,
          const std::vector<std::pair<std::string, std::string>>& extra_env, bool quiet) {
  std::vector<std::string> envs;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const auto& [k, v] : extra_env) replaced = replaced || kv.starts_with(k + "=");
    if (!replaced) envs.push_back(kv);
  }
  for (const auto& [k, v] : extra_env) envs.push_back(k + "=" + v);
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : envs) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (quiet) {
      if (FILE* null = std::freopen("/dev/null", "w", stdout)) ::dup2(::fileno(null), 2);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  // Ctrl-C reaches the script (same process group); dlt waits for its exit code instead of dying first.
  struct sigaction ignore {}, old_int {}, old_quit {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (w < 0) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The Python package that belongs to this dlt binary: build/python beside a build's binary, or
// <prefix>/lib/python3.*/dist-packages of an installed one (`make install`). Scripts run with it
// first on PYTHONPATH, so `dlt run x.py` always uses the engine of the `dlt` that runs it.
std::optional<fs::path> OwnPythonPackageDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  std::vector<fs::path> candidates{exe.parent_path() / "python"};
  fs::path lib = exe.parent_path().parent_path() / "lib";
  for (const auto& entry : fs::directory_iterator(lib, ec)) {
    if (entry.path().filename().string().starts_with("python3")) candidates.push_back(entry.path() / "dist-packages");
  }
  for (const auto& dir : candidates) {
    for (const auto& entry : fs::directory_iterator(dir / "dlt", ec)) {
      if (entry.path().filename().string().starts_with("_native.")) return dir;
    }
  }
  return std::nullopt;
}

}  // namespace

Status RunPythonScript(Context& ctx, const std::string& script, const std::vector<std::string>& script_args) {
  DLT_ASSIGN_OR_RETURN(Workspace ws, ctx.OpenWorkspace(false));
  std::error_code ec;
  fs::path file = fs::absolute(script, ec);
  if (ec || !fs::is_regular_file(file, ec)) return NotFound("Python script not found: " + script);
  std::vector<std::pair<std::string, std::string>> env;
  if (ws.workspace_mode()) env.emplace_back("WORKSPACE__PROFILE", ws.profile());
  if (std::optional<fs::path> own = OwnPythonPackageDir()) {
    const char* before = std::getenv("PYTHONPATH");
    env.emplace_back("PYTHONPATH", own->string() + (before && *before ? ":" + std::string(before) : ""));
  }

  // What the user can run instead, from where they are: Python dlt takes the current folder as
  // the workspace, so the command starts in the workspace root.
  fs::path cwd = fs::current_path(ec);
  fs::path rel = fs::relative(file, ws.run_dir(), ec);
  std::string command = (ws.workspace_mode() ? "WORKSPACE__PROFILE=" + ws.profile() + " " : std::string()) +
                        "python3 " + (ec || rel.empty() ? file.string() : rel.string());
  if (fs::weakly_canonical(cwd, ec) != fs::weakly_canonical(ws.run_dir(), ec)) {
    command = "cd " + ws.run_dir().string() + " && " + command;
  }
  auto cannot_run = [&](const std::string& why) {
    return FailedPrecondition("Cannot run `" + script + "`: it is a Python script, and " + why +
                              ". Once the Python `dlt` package is installed, run `dlt run " + script + "` again, or `" +
                              command + "`. (`dlt run` runs pipeline files (.toml) without Python.)");
  };
  std::optional<fs::path> python = FindPython3();
  if (!python) return cannot_run("python3 was not found on PATH");
  if (Spawn({python->string(), "-c", "import dlt"}, ws.run_dir(), env, /*quiet=*/true) != 0) {
    return cannot_run("the Python `dlt` package is not importable (`python3 -c 'import dlt'` failed)");
  }
  std::vector<std::string> argv = {python->string(), file.string()};
  argv.insert(argv.end(), script_args.begin(), script_args.end());
  if (ctx.flags.debug) ctx.console.Err("DEBUG: running " + text::Join(argv, " ") + " in " + ws.run_dir().string());
  int code = Spawn(argv, ws.run_dir(), env, /*quiet=*/false);
  if (code < 0) return Internal("cannot start " + python->string() + ": " + std::strerror(errno));
  ctx.exit_code = code;
  return Status::Ok();
}

}  // namespace dlt::cli
