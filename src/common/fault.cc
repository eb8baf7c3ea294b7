#include "common/fault.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <cstring>
#include <string>

namespace dlt {

namespace {
struct Wanted {
  std::string point;
  long hit = 1;  // kill: the N-th time the point is reached kills; pause: milliseconds
};
// "point[:N]" of the environment variable `name`, N defaulting to `n`.
const Wanted* Parse(const char* name, long n) {
  const char* env = std::getenv(name);
  if (!env || !*env) return nullptr;
  auto* w = new Wanted;
  std::string s(env);
  size_t colon = s.find(':');
  w->point = s.substr(0, colon);
  w->hit = colon != std::string::npos ? std::atol(s.c_str() + colon + 1) : n;
  return w;
}
}  // namespace

void FaultPoint(const char* point) {
  static const Wanted* wanted = Parse("DLT_FAULT_KILL_AT", 1);
  // DLT_FAULT_PAUSE_AT=point:ms: every time the point is reached the thread sleeps `ms`
  // milliseconds (a test makes a step slow enough for the threads beside it to get their turn).
  static const Wanted* pause = Parse("DLT_FAULT_PAUSE_AT", 100);
  static std::atomic<long> hits{0};
  if (pause && pause->point == point) std::this_thread::sleep_for(std::chrono::milliseconds(pause->hit));
  if (!wanted || wanted->point != point) return;
  if (++hits >= wanted->hit) {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
}

}  // namespace dlt
