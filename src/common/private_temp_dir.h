// A fresh directory only this user can enter (mkdtemp: mode 0700), removed with what it holds
// when the object goes; path() is empty when it could not be made.
#pragma once

#include <filesystem>
#include <string>

namespace dlt {

class PrivateTempDir {
 public:
  explicit PrivateTempDir(const std::string& prefix);
  ~PrivateTempDir();
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace dlt
