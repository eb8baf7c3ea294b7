// Where the filesystem destination's files live: a local folder or an S3 bucket. The destination
// writes, lists, reads and deletes through this interface only, with paths relative to the
// bucket root ("<dataset>/<table>/<file>", "/"-separated).
//
// Publishing is atomic from a reader's view in both: a local file is written under a hidden
// temporary name beside its final one and renamed; an S3 object appears whole with its single PUT.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "destinations/filesystem/filesystem_config.h"
#include "dlt/status.h"

namespace dlt {

class FileStore {
 public:
  virtual ~FileStore() = default;

  // Every file whose path starts with `prefix`, sorted; hidden (temporary) files are left out.
  virtual StatusOr<std::vector<std::string>> List(const std::string& prefix) = 0;
  // The content of a file, nullopt when there is none.
  virtual StatusOr<std::optional<std::string>> Read(const std::string& path) = 0;
  virtual Status Write(const std::string& path, std::string_view content) = 0;
  virtual Status Delete(const std::string& path) = 0;

  // A local file to write what becomes `path` (its old content, left by a killed run, removed),
  // then Publish() makes it `path`; Discard() drops it after a failure.
  virtual StatusOr<std::filesystem::path> Stage(const std::string& path) = 0;
  virtual Status Publish(const std::filesystem::path& staged, const std::string& path) = 0;
  virtual void Discard(const std::filesystem::path& staged) = 0;

  // A local file with the content of `path` for DuckDB to read: the file itself, or a copy.
  virtual StatusOr<std::filesystem::path> LocalCopy(const std::string& path) = 0;
  // The file as users name it: an absolute path or s3://bucket/key.
  virtual std::string Display(const std::string& path) const = 0;
};

// The store of a configured bucket_url.
std::unique_ptr<FileStore> OpenFileStore(const FilesystemConfig& config);

}  // namespace dlt
