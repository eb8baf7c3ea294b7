// File globs (json_reader.h): a pattern's files (ExpandGlob, `**` for any folders) and one name
// against a pattern segment (GlobMatch).
#include "extract/json_reader.h"

#include <algorithm>
#include <system_error>

namespace dlt {

namespace fs = std::filesystem;

namespace {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// Matches one character class starting at pattern[p] == '['. Returns false when the class is not
// closed (then '[' is a literal); otherwise sets *next past the ']' and *matched.
bool MatchClass(std::string_view pattern, size_t p, char c, size_t* next, bool* matched) {
  size_t j = p + 1;
  bool negate = false;
  if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
    negate = true;
    ++j;
  }
  bool hit = false;
  bool first = true;
  for (; j < pattern.size(); ++j) {
    char lo = pattern[j];
    if (lo == ']' && !first) {
      *next = j + 1;
      *matched = hit != negate;
      return true;
    }
    first = false;
    if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
      char hi = pattern[j + 2];
      if (static_cast<unsigned char>(c) >= static_cast<unsigned char>(lo) &&
          static_cast<unsigned char>(c) <= static_cast<unsigned char>(hi)) {
        hit = true;
      }
      j += 2;
    } else if (c == lo) {
      hit = true;
    }
  }
  return false;
}

void Walk(const fs::path& dir, const std::vector<std::string>& segs, size_t k,
          std::vector<fs::path>* out) {
  std::error_code ec;
  if (k == segs.size()) {
    if (fs::is_regular_file(dir, ec)) out->push_back(dir);
    return;
  }
  const std::string& seg = segs[k];
  const bool last = k + 1 == segs.size();
  if (seg == "**") {
    Walk(dir, segs, k + 1, out);  // no folder at all
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      std::error_code ec2;
      if (entry.is_directory(ec2) && !entry.is_symlink(ec2)) {
        Walk(entry.path(), segs, k, out);  // symlinked folders are not followed (no cycles)
      } else if (last && entry.is_regular_file(ec2)) {
        out->push_back(entry.path());
      }
    }
    return;
  }
  if (!HasWildcard(seg)) {
    fs::path next = dir / seg;
    if (fs::exists(next, ec)) Walk(next, segs, k + 1, out);
    return;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || (name[0] == '.' && seg[0] != '.')) continue;
    if (GlobMatch(seg, name)) Walk(it->path(), segs, k + 1, out);
  }
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view name) {
  constexpr size_t kNone = std::string_view::npos;
  size_t p = 0, n = 0, star_p = kNone, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        star_p = ++p;
        star_n = n;
        continue;
      }
      if (c == '?') {
        ++p;
        ++n;
        continue;
      }
      size_t next = 0;
      bool matched = false;
      if (c == '[' && MatchClass(pattern, p, name[n], &next, &matched)) {
        if (matched) {
          p = next;
          ++n;
          continue;
        }
      } else if (c == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star_p == kNone) return false;
    p = star_p;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

StatusOr<std::vector<fs::path>> ExpandGlob(std::string_view pattern, const fs::path& base_dir) {
  if (pattern.empty()) return InvalidArgument("empty file pattern");
  const fs::path pattern_path{std::string(pattern)};
  std::error_code ec;
  if (!HasWildcard(pattern)) {
    fs::path p = pattern_path.is_absolute() ? pattern_path : base_dir / pattern_path;
    if (fs::is_regular_file(p, ec)) return std::vector<fs::path>{p};
    if (fs::is_directory(p, ec)) {
      return InvalidArgument(std::string(pattern) + " is a folder, not a file (use a pattern such as " +
                             std::string(pattern) + "/*.jsonl)");
    }
    return NotFound("file not found: " + std::string(pattern));
  }
  fs::path root = pattern_path.is_absolute() ? pattern_path.root_path() : base_dir;
  std::vector<std::string> segs;
  size_t from = 0;
  while (from <= pattern.size()) {
    size_t slash = pattern.find('/', from);
    if (slash == std::string_view::npos) slash = pattern.size();
    std::string_view seg = pattern.substr(from, slash - from);
    if (!seg.empty() && seg != ".") segs.emplace_back(seg);
    from = slash + 1;
  }
  std::vector<fs::path> out;
  Walk(root, segs, 0, &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) {
    return NotFound("no files match '" + std::string(pattern) + "' (in " + root.string() + ")");
  }
  return out;
}

}  // namespace dlt
