#include "common/background_thread.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace dlt {

void RunAsBackgroundThread() {
#ifdef __linux__
  // On Linux a thread id names one thread for setpriority (threads have their own nice value).
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  const int now = ::getpriority(PRIO_PROCESS, tid);
  if (now < 10) (void)::setpriority(PRIO_PROCESS, tid, 10);
#endif
}

}  // namespace dlt
