#include "pipeline/pipeline_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/text.h"
#include "config/settings.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

namespace fs = std::filesystem;

PipelineLock::~PipelineLock() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// True when `fd` is still the file at `path`: a lock taken on a file that `workspace clean` or
// `sync` deleted (and a later run re-created) would exclude nobody.
bool IsFileAt(int fd, const fs::path& path) {
  struct stat open_st {}, path_st {};
  if (::fstat(fd, &open_st) != 0 || ::stat(path.c_str(), &path_st) != 0) return false;
  return open_st.st_nlink > 0 && open_st.st_dev == path_st.st_dev && open_st.st_ino == path_st.st_ino;
}

// Opens `path` and locks it (`op`: LOCK_EX or LOCK_SH), polling until `deadline`. Returns the
// locked descriptor, or -1 with errno EWOULDBLOCK while another holds it (the descriptor is
// then left in `*busy_fd` for reading the holder's pid), or -1 with another errno.
int LockFile(const fs::path& path, int op, std::chrono::steady_clock::time_point deadline, int* busy_fd) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    // With a timeout, poll until the holder is done (or dies: the kernel releases its lock).
    while (::flock(fd, op | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
        int err = errno;
        *busy_fd = fd;
        errno = err;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (IsFileAt(fd, path)) return fd;
    ::close(fd);  // the file was replaced while we waited: lock the one at the path now
  }
  errno = EAGAIN;
  return -1;
}

}  // namespace

Status PipelineLock::Acquire(const fs::path& dir, const std::string& name, double timeout_s) {
  fs::path p = PipelinePaths(dir).Lock();
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(timeout_s));
  int busy = -1;
  fd_ = LockFile(p, LOCK_EX, deadline, &busy);
  if (fd_ < 0 && busy < 0) return Internal("cannot lock " + p.string() + ": " + std::strerror(errno));
  if (fd_ < 0) {
    char buf[64] = {0};
    ssize_t n = ::pread(busy, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
    ::close(busy);
    // Busy is a refusal (exit code 4), not a failure of this command: retrying later works.
    return PermissionDenied("Pipeline `" + name + "` is being run by another process (pid " +
                            text::Printable(text::Trim(holder), 20) + "); wait for it to finish" +
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

WorkingFolderLock::~WorkingFolderLock() {
  if (fd_ >= 0) ::close(fd_);
}

Status WorkingFolderLock::Acquire(const fs::path& working_dir, bool exclusive, double timeout_s) {
  fs::path p = working_dir.parent_path() / (working_dir.filename().string() + ".lock");
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(timeout_s));
  int busy = -1;
  fd_ = LockFile(p, exclusive ? LOCK_EX : LOCK_SH, deadline, &busy);
  if (fd_ >= 0) return Status::Ok();
  if (busy < 0) return Internal("cannot lock " + p.string() + ": " + std::strerror(errno));
  ::close(busy);
  return PermissionDenied(exclusive ? "A pipeline of this profile is starting or running (" + p.string() +
                                          " is held); wait for it to finish"
                                    : "`dlt workspace clean` is deleting this profile's folders (" + p.string() +
                                          " is held); run again when it is done");
}

StatusOr<double> ResolveLockTimeout(const Workspace& ws) {
  // Default, range and the error text come from the settings table (config/settings.cc).
  return settings::Number(ws.config(), {"runtime"}, "lock_timeout");
}

}  // namespace dlt
