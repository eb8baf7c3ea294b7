// File system helpers used everywhere durable state is written.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dlt/status.h"

namespace dlt::fsutil {

namespace fs = std::filesystem;

// Reads a whole file. NotFound when it does not exist.
StatusOr<std::string> ReadFile(const fs::path& path);

// Writes `content` to a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs
// the folder: readers see the old file or the new one, never a torn one.
Status WriteFileAtomic(const fs::path& path, std::string_view content);
// The same, creating the file with `mode` (before the umask), e.g. 0600 for a secrets file: the
// content is never readable by others, not even while the temporary file exists.
Status WriteFileAtomic(const fs::path& path, std::string_view content, unsigned mode);

// Creates the folder and its parents; an error names the folder.
Status CreateDirectories(const fs::path& path);

// `path` shown relative to `base` when it lies inside it, else absolute.
std::string DisplayPath(const fs::path& path, const fs::path& base);

// True when `inner` is `outer` or lies below it, comparing normalized absolute paths
// (symlinks resolved as far as they exist).
bool IsWithin(const fs::path& inner, const fs::path& outer);

// A file time as local "YYYY-MM-DD HH:MM:SS" (for "last run" columns).
std::string FormatLocalTime(fs::file_time_type t);
// "2026-11-25T10:46:16Z"
std::string FormatUtcIso(fs::file_time_type t);

// Canonical form of a path that may not exist yet (weakly_canonical, never throws).
fs::path Normalize(const fs::path& path);

}  // namespace dlt::fsutil
