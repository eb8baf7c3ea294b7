// A fresh directory only this user can enter (mkdtemp: mode 0700), removed with what it holds
// when the object goes; path() is empty when it could not be made.
//
// A process killed while it holds one cannot remove it, so each directory carries an owner
// file (`.owner`) that its process keeps locked (flock) for the directory's life; making a new
// directory with a prefix first removes the directories of that prefix whose owner file nobody
// holds any more (their process is gone). flock works across processes and PID namespaces, so
// a directory in use by another live process is never taken.
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

  // Removes the folders `<prefix>*` under `parent` left by processes that are gone (their owner
  // file unlocked); returns how many. Folders of other users and folders without an owner file
  // are left alone.
  static int RemoveAbandoned(const std::filesystem::path& parent, const std::string& prefix);

 private:
  std::filesystem::path path_;
  int owner_fd_ = -1;
};

}  // namespace dlt
