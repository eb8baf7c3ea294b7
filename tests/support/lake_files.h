// Reading what the filesystem destination wrote, for its tests: a folder's file names and the
// destination's read side (what the dashboard and `dlt pipeline show` use) over a local bucket.
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "destinations/filesystem/filesystem_destination.h"

namespace dlt::testing {

// File names (not paths) in a folder, sorted; temporary files included so that tests see them.
inline std::vector<std::string> FileNames(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The load id a data file's name `<load_id>.<file_id>.<ext>` starts with.
inline std::string LoadId(const std::string& file_name) {
  return file_name.substr(0, file_name.find('.', file_name.find('.') + 1));
}

// The destination `lake` over the bucket folder `root`, reading `dataset`, read-only.
inline std::unique_ptr<FilesystemDestination> LakeReader(const std::filesystem::path& root, const std::string& dataset) {
  FilesystemConfig config;
  config.root = root;
  DestinationOpenOptions options;
  options.dataset = dataset;
  options.read_only = true;
  return std::make_unique<FilesystemDestination>(config, options, "lake");
}

}  // namespace dlt::testing
