#include "pipeline/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace dlt {

Progress::Progress(bool wanted) : enabled_(wanted && ::isatty(STDERR_FILENO)) {}

void Progress::Update(const std::string& stage, const std::string& what, uint64_t rows, uint64_t bytes, double seconds,
                      const std::string& note) {
  if (!enabled_) return;
  double mb = bytes / 1e6;
  double rate = seconds > 0 ? mb / seconds : 0;
  double rps = seconds > 0 ? rows / seconds : 0;
  std::fprintf(stderr, "\r\x1b[K%-9s %-24s %12llu rows %9.1f MB  %7.1f MB/s %10.0f rows/s", stage.c_str(),
               what.c_str(), static_cast<unsigned long long>(rows), mb, rate, rps);
  if (!note.empty()) std::fprintf(stderr, "  (%s)", note.c_str());
  std::fflush(stderr);
  line_open_ = true;
}

void Progress::Done() {
  if (!enabled_ || !line_open_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  line_open_ = false;
}

void Progress::Note(const std::string& line) {
  Done();
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace dlt
