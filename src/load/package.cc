#include "load/package.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include "common/fs.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

void SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

fs::path PackageStorage::StageDir(PackageStage stage) const { return PipelinePaths(dir_).StageDir(stage); }

fs::path PackageStorage::PackageDir(PackageStage stage, const std::string& load_id) const {
  return StageDir(stage) / load_id;
}

Status PackageStorage::Init() {
  const PipelinePaths folder(dir_);
  for (const fs::path& sub : {folder.StageDir(PackageStage::kExtracted), folder.NewPackagesDir(),
                              folder.StageDir(PackageStage::kNormalized), folder.StageDir(PackageStage::kLoaded),
                              folder.SchemasDir()}) {
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(sub));
  }
  for (const fs::path& v : {folder.NormalizeVersion(), folder.LoadVersion()}) {
    std::error_code ec;
    if (!fs::exists(v, ec)) DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(v, "1.0.0"));
  }
  // Temporary packages of a crashed run were never published: nothing refers to them.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder.NewPackagesDir(), ec)) fs::remove_all(e.path(), ec);
  return Status::Ok();
}

std::vector<std::string> PackageStorage::List(PackageStage stage) const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(StageDir(stage), ec)) {
    if (e.is_directory(ec)) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    double da = std::strtod(a.c_str(), nullptr), db = std::strtod(b.c_str(), nullptr);
    return da != db ? da < db : a < b;
  });
  return out;
}

StatusOr<fs::path> PackageStorage::BeginPackage(const std::string& load_id) const {
  fs::path tmp = PipelinePaths(dir_).NewPackagesDir() / load_id;
  std::error_code ec;
  fs::remove_all(tmp, ec);
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(tmp / package_file::kNewJobs));
  return tmp;
}

Status PackageStorage::Publish(const fs::path& temp_dir, PackageStage stage, const std::string& load_id) const {
  fs::path target = PackageDir(stage, load_id);
  std::error_code ec;
  for (const char* sub : package_file::kJobFolders) {
    fs::create_directories(temp_dir / sub, ec);
  }
  SyncDir(temp_dir / package_file::kNewJobs);
  SyncDir(temp_dir);
  fs::rename(temp_dir, target, ec);
  if (ec) return Internal("cannot publish package " + load_id + " to " + target.string() + ": " + ec.message());
  SyncDir(target.parent_path());
  return Status::Ok();
}

Status PackageStorage::Move(const std::string& load_id, PackageStage from, PackageStage to) const {
  fs::path src = PackageDir(from, load_id), dst = PackageDir(to, load_id);
  std::error_code ec;
  if (!fs::exists(src, ec)) return NotFound("package " + load_id + " not found in " + src.string());
  fs::rename(src, dst, ec);
  if (ec) return Internal("cannot move package " + load_id + " to " + dst.string() + ": " + ec.message());
  SyncDir(dst.parent_path());
  SyncDir(src.parent_path());
  return Status::Ok();
}

PackageStorage::~PackageStorage() {
  for (auto& t : discards_) t.join();
}

Status PackageStorage::Discard(PackageStage stage, const std::string& load_id) {
  fs::path from = PackageDir(stage, load_id);
  fs::path to = PipelinePaths(dir_).NewPackagesDir() / (load_id + ".discarded");
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::rename(from, to, ec);
  if (ec) return Delete(stage, load_id);
  discards_.emplace_back([to] {
    std::error_code ignored;
    fs::remove_all(to, ignored);
  });
  return Status::Ok();
}

Status PackageStorage::Delete(PackageStage stage, const std::string& load_id) const {
  std::error_code ec;
  fs::remove_all(PackageDir(stage, load_id), ec);
  if (ec) return Internal("cannot delete package " + load_id + ": " + ec.message());
  return Status::Ok();
}

std::vector<PackageJob> PackageStorage::Jobs(PackageStage stage, const std::string& load_id, const char* folder) const {
  std::vector<PackageJob> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(PackageDir(stage, load_id) / folder, ec)) {
    if (!e.is_regular_file(ec)) continue;
    PackageJob j;
    j.path = e.path();
    j.file_name = e.path().filename().string();
    j.table = j.file_name.substr(0, j.file_name.find('.'));
    out.push_back(std::move(j));
  }
  std::sort(out.begin(), out.end(), [](const PackageJob& a, const PackageJob& b) { return a.file_name < b.file_name; });
  return out;
}

Status PackageStorage::WriteJson(const fs::path& path, const nlohmann::ordered_json& doc) {
  return fsutil::WriteFileAtomic(path, doc.dump());
}

std::string NewLoadId(const std::optional<std::string>& after) {
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (after) {
    double prev = std::strtod(after->c_str(), nullptr);
    if (now <= prev) now = std::nextafter(prev, prev + 1) + 1e-6;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, now);
  std::string s(buf, p);
  if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
  return s;
}

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1000000));
  return buf;
}

}  // namespace dlt
