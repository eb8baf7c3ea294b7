#include "pipeline/pipeline_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/text.h"

namespace dlt {

namespace fs = std::filesystem;

PipelineLock::~PipelineLock() {
  if (fd_ >= 0) ::close(fd_);
}

Status PipelineLock::Acquire(const fs::path& dir, const std::string& name, double timeout_s) {
  fs::path p = dir / ".lock";
  fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return Internal("cannot open " + p.string() + ": " + std::strerror(errno));
  // With a timeout, poll until the holder is done (or dies: the kernel releases its lock).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[64] = {0};
    ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
    ::close(fd_);
    fd_ = -1;
    // Busy is a refusal (exit code 4), not a failure of this command: retrying later works.
    return PermissionDenied("Pipeline `" + name + "` is being run by another process (pid " +
                            std::string(text::Trim(holder)) + "); wait for it to finish" +
                            (timeout_s > 0 ? " (waited " + std::to_string(static_cast<long>(timeout_s)) +
                                                 " s, runtime.lock_timeout)"
                                           : std::string(" (or set [runtime] lock_timeout = <seconds> to wait)")));
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    ssize_t w = ::pwrite(fd_, pid.data(), pid.size(), 0);
    (void)w;
  }
  return Status::Ok();
}

StatusOr<double> ResolveLockTimeout(const Workspace& ws) {
  ConfigKey k;
  k.sections = {"runtime"};
  k.key = "lock_timeout";
  k.drop_sections = false;
  DLT_ASSIGN_OR_RETURN(auto v, ws.config().Resolve(k));
  if (!v) return 0.0;
  char* end = nullptr;
  const std::string& t = v->value.text;
  double d = std::strtod(t.c_str(), &end);
  if (t.empty() || *end != '\0' || !(d >= 0 && d <= 86400)) {
    return InvalidArgument("runtime.lock_timeout must be a number of seconds from 0 to 86400, got `" + t + "` (" +
                           v->origin.Describe() + ")");
  }
  return d;
}

}  // namespace dlt
