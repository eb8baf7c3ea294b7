#include "common/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace dlt::fsutil {

StatusOr<std::string> ReadFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("file not found: " + path.string());
    return Internal("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Internal("cannot read " + path.string() + ": " + std::strerror(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

static Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("cannot write " + path.string() + ": " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteFileAtomic(const fs::path& path, std::string_view content) { return WriteFileAtomic(path, content, 0644); }

Status WriteFileAtomic(const fs::path& path, std::string_view content, unsigned mode) {
  std::random_device rd;
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1000000);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Internal("cannot create " + tmp.string() + ": " + std::strerror(errno));
  Status s = WriteAll(fd, content, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Internal("cannot sync " + tmp.string() + ": " + std::strerror(errno));
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Internal("cannot rename " + tmp.string() + " to " + path.string() + ": " + std::strerror(errno));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status CreateDirectories(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Internal("cannot create folder " + path.string() + ": " + ec.message());
  return Status::Ok();
}

fs::path Normalize(const fs::path& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) abs = path;
  fs::path canon = fs::weakly_canonical(abs, ec);
  if (ec) return abs.lexically_normal();
  return canon;
}

bool IsWithin(const fs::path& inner, const fs::path& outer) {
  fs::path a = Normalize(inner), b = Normalize(outer);
  auto ai = a.begin(), bi = b.begin();
  for (; bi != b.end(); ++bi, ++ai) {
    if (bi->empty()) continue;  // trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

namespace {
std::string FormatFileTime(fs::file_time_type t, bool utc, const char* format) {
  auto sys = std::chrono::time_point_cast<std::chrono::seconds>(t - fs::file_time_type::clock::now() +
                                                                std::chrono::system_clock::now());
  std::time_t tt = std::chrono::system_clock::to_time_t(sys);
  std::tm tm{};
  if (utc) gmtime_r(&tt, &tm);
  else localtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string FormatLocalTime(fs::file_time_type t) { return FormatFileTime(t, false, "%Y-%m-%d %H:%M:%S"); }

std::string FormatUtcIso(fs::file_time_type t) { return FormatFileTime(t, true, "%Y-%m-%dT%H:%M:%SZ"); }

std::string DisplayPath(const fs::path& path, const fs::path& base) {
  if (!base.empty() && IsWithin(path, base)) {
    fs::path rel = Normalize(path).lexically_relative(Normalize(base));
    if (rel.empty() || rel == ".") return ".";
    return rel.string();
  }
  return path.string();
}

}  // namespace dlt::fsutil
