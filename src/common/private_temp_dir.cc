#include "common/private_temp_dir.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlt {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOwner = ".owner";
constexpr const char* kOwnerUnpublished = ".owner.new";

// Takes the owner lock of a fresh directory: the file is locked under another name and only
// then renamed to `.owner`, so a sweeper never sees an owner file that is not locked yet.
int LockOwner(const fs::path& dir) {
  const fs::path pending = dir / kOwnerUnpublished;
  int fd = ::open(pending.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX) != 0 || ::rename(pending.c_str(), (dir / kOwner).c_str()) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int PrivateTempDir::RemoveAbandoned(const fs::path& parent, const std::string& prefix) {
  std::error_code ec;
  fs::directory_iterator it(parent, ec);
  if (ec) return 0;
  int removed = 0;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    int fd = ::open((entry.path() / kOwner).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;  // not made by this class, or not finished being made
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fs::remove_all(entry.path(), ec);
      if (!ec) ++removed;
    }
    ::close(fd);
  }
  return removed;
}

PrivateTempDir::PrivateTempDir(const std::string& prefix) {
  std::error_code ec;
  const fs::path parent = fs::temp_directory_path(ec);
  if (ec) return;
  RemoveAbandoned(parent, prefix);
  std::string t = (parent / (prefix + "XXXXXX")).string();
  if (::mkdtemp(t.data()) == nullptr) return;
  owner_fd_ = LockOwner(t);
  if (owner_fd_ < 0) {
    fs::remove_all(t, ec);
    return;
  }
  path_ = t;
}

PrivateTempDir::~PrivateTempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
  if (owner_fd_ >= 0) ::close(owner_fd_);
}

}  // namespace dlt
