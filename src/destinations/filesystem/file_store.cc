#include "destinations/filesystem/file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include "common/fs.h"
#include "common/private_temp_dir.h"
#include "destinations/filesystem/s3_client.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

// Flushes a file that another writer (DuckDB) closed, so that the rename publishes its content.
Status SyncFile(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return Internal("cannot open " + p.string() + " to flush it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Internal("cannot flush " + p.string());
  return Status::Ok();
}

class LocalFileStore : public FileStore {
 public:
  explicit LocalFileStore(fs::path root) : root_(std::move(root)) {}

  StatusOr<std::vector<std::string>> List(const std::string& prefix) override {
    const std::string full = (root_ / prefix).string();
    // The folder the prefix is in; every file under it whose path starts with the prefix.
    fs::path dir = prefix.ends_with("/") ? fs::path(full) : fs::path(full).parent_path();
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->path().filename().string().starts_with(".")) continue;
      if (!it->path().string().starts_with(full)) continue;
      out.push_back(it->path().lexically_relative(root_).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  StatusOr<std::optional<std::string>> Read(const std::string& path) override {
    std::error_code ec;
    if (!fs::exists(root_ / path, ec)) return std::optional<std::string>();
    DLT_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(root_ / path));
    return std::optional<std::string>(std::move(text));
  }

  Status Write(const std::string& path, std::string_view content) override {
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories((root_ / path).parent_path()));
    return fsutil::WriteFileAtomic(root_ / path, content);
  }

  Status Delete(const std::string& path) override {
    std::error_code ec;
    fs::remove(root_ / path, ec);
    if (ec) return Internal("cannot delete " + Display(path) + ": " + ec.message());
    return Status::Ok();
  }

  StatusOr<fs::path> Stage(const std::string& path) override {
    const fs::path target = root_ / path;
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(target.parent_path()));
    // Hidden, and never matched by a `*.parquet` glob.
    fs::path temp = target.parent_path() / ("." + target.filename().string() + ".tmp");
    std::error_code ec;
    fs::remove(temp, ec);  // what a load killed while writing this file left
    return temp;
  }

  Status Publish(const fs::path& staged, const std::string& path) override {
    DLT_RETURN_IF_ERROR(SyncFile(staged));
    std::error_code ec;
    fs::rename(staged, root_ / path, ec);
    if (ec) return Internal("cannot rename " + staged.string() + " to " + Display(path) + ": " + ec.message());
    return Status::Ok();
  }

  void Discard(const fs::path& staged) override {
    std::error_code ec;
    fs::remove(staged, ec);
  }

  StatusOr<fs::path> LocalCopy(const std::string& path) override { return root_ / path; }
  std::string Display(const std::string& path) const override { return (root_ / path).string(); }

 private:
  fs::path root_;
};

class S3FileStore : public FileStore {
 public:
  explicit S3FileStore(const S3Settings& s) : s3_(s) {}

  StatusOr<std::vector<std::string>> List(const std::string& prefix) override {
    DLT_ASSIGN_OR_RETURN(auto keys, s3_.List(Key(prefix)));
    std::vector<std::string> out;
    const size_t strip = s3_.settings().prefix.empty() ? 0 : s3_.settings().prefix.size() + 1;
    for (auto& k : keys) {
      if (k.size() <= strip) continue;
      std::string rel = k.substr(strip);
      size_t slash = rel.rfind('/');
      if (rel[slash == std::string::npos ? 0 : slash + 1] == '.') continue;
      out.push_back(std::move(rel));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  StatusOr<std::optional<std::string>> Read(const std::string& path) override { return s3_.Get(Key(path)); }
  Status Write(const std::string& path, std::string_view content) override {
    return s3_.Put(Key(path), std::string(content));
  }
  Status Delete(const std::string& path) override { return s3_.Delete(Key(path)); }

  StatusOr<fs::path> Stage(const std::string& path) override {
    DLT_ASSIGN_OR_RETURN(fs::path dir, TempDir());
    fs::path p = dir / (std::to_string(counter_++) + "-" + fs::path(path).filename().string());
    std::error_code ec;
    fs::remove(p, ec);
    return p;
  }

  Status Publish(const fs::path& staged, const std::string& path) override {
    Status s = s3_.Upload(Key(path), staged);
    Discard(staged);
    return s;
  }

  void Discard(const fs::path& staged) override {
    std::error_code ec;
    fs::remove(staged, ec);
  }

  StatusOr<fs::path> LocalCopy(const std::string& path) override {
    DLT_ASSIGN_OR_RETURN(auto content, s3_.Get(Key(path)));
    if (!content) return NotFound(Display(path) + " is gone (deleted while it was being read)");
    DLT_ASSIGN_OR_RETURN(fs::path dir, TempDir());
    // Same file name, so that DuckDB picks the reader and compression from the extension.
    fs::path p = dir / ("read-" + std::to_string(counter_++)) / fs::path(path).filename();
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(p.parent_path()));
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(p, *content));
    return p;
  }

  std::string Display(const std::string& path) const override { return s3_.Display(Key(path)); }

 private:
  std::string Key(const std::string& path) const {
    return s3_.settings().prefix.empty() ? path : s3_.settings().prefix + "/" + path;
  }
  // Data files are produced by DuckDB here before their upload; removed with the store, and by
  // the next store made on this machine when the process was killed.
  StatusOr<fs::path> TempDir() {
    if (!temp_) {
      auto dir = std::make_unique<PrivateTempDir>("dlt-upload-");
      if (dir->path().empty()) {
        std::error_code ec;
        return Internal("cannot create a temporary folder in " + fs::temp_directory_path(ec).string() +
                        " for the files to upload: check that it is writable (TMPDIR)");
      }
      temp_ = std::move(dir);
    }
    return temp_->path();
  }

  S3Client s3_;
  std::unique_ptr<PrivateTempDir> temp_;
  uint64_t counter_ = 0;
};

}  // namespace

std::unique_ptr<FileStore> OpenFileStore(const FilesystemConfig& config) {
  if (config.s3) return std::make_unique<S3FileStore>(*config.s3);
  return std::make_unique<LocalFileStore>(config.root);
}

}  // namespace dlt
