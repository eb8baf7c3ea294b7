// Helpers shared by the libFuzzer targets (fuzz/*_fuzzer.cc).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dlt::fuzz {

// Splits the input at lines that are exactly "----" (the layer separator of the multi-document
// targets). At most `max_parts` parts; the rest goes into the last one.
inline std::vector<std::string_view> SplitDocuments(std::string_view in, size_t max_parts) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    size_t sep = in.find("\n----\n", start);
    if (sep == std::string_view::npos) break;
    parts.push_back(in.substr(start, sep - start));
    start = sep + 6;
  }
  parts.push_back(in.substr(start));
  return parts;
}

// A scratch folder private to this fuzzing process, created on first use: in /dev/shm when there
// is one (the targets write files for every input, and fsync on tmpfs costs nothing), else under
// $TMPDIR. Removed at exit.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                                     ? std::filesystem::path("/dev/shm")
                                     : std::filesystem::temp_directory_path();
    std::filesystem::path p = base / ("dlt-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p;
  }();
  // Registered once `dir` is constructed, so it runs before `dir` is destroyed.
  static const bool cleanup = (std::atexit([] {
                                 std::error_code ec;
                                 std::filesystem::remove_all(dir, ec);
                               }),
                               true);
  (void)cleanup;
  return dir;
}

}  // namespace dlt::fuzz
