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
  long hit = 1;  // "point:N" kills at the N-th time the point is reached
};
const Wanted* Parse() {
  const char* env = std::getenv("DLT_FAULT_KILL_AT");
  if (!env || !*env) return nullptr;
  auto* w = new Wanted;
  std::string s(env);
  size_t colon = s.find(':');
  w->point = s.substr(0, colon);
  if (colon != std::string::npos) w->hit = std::atol(s.c_str() + colon + 1);
  return w;
}
// DLT_FAULT_PAUSE_AT=point:ms: every time the point is reached the thread sleeps `ms`
// milliseconds (a test makes a step slow enough for the threads beside it to get their turn).
const Wanted* ParsePause() {
  const char* env = std::getenv("DLT_FAULT_PAUSE_AT");
  if (!env || !*env) return nullptr;
  auto* w = new Wanted;
  std::string s(env);
  size_t colon = s.find(':');
  w->point = s.substr(0, colon);
  w->hit = colon != std::string::npos ? std::atol(s.c_str() + colon + 1) : 100;
  return w;
}
}  // namespace

void FaultPoint(const char* point) {
  static const Wanted* wanted = Parse();
  static const Wanted* pause = ParsePause();
  static std::atomic<long> hits{0};
  if (pause && pause->point == point) std::this_thread::sleep_for(std::chrono::milliseconds(pause->hit));
  if (!wanted || wanted->point != point) return;
  if (++hits >= wanted->hit) {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
}

}  // namespace dlt
