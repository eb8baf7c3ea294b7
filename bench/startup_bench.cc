// Start-up benchmark: runs a command N times (fork + exec + wait) and prints min, median, p95
// and max wall time. Used by bench/run.sh for `dlt profile list` against the 10 ms target.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: startup_bench RUNS COMMAND [ARGS...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]);
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execvp(argv[2], argv + 2);
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    auto t1 = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "command failed (status %d)\n", status);
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  std::printf("runs=%d min=%.2fms median=%.2fms p95=%.2fms max=%.2fms\n", runs, ms.front(), pct(0.5),
              pct(0.95), ms.back());
  return 0;
}
