#include "extract/json_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <system_error>

namespace dlt {

namespace fs = std::filesystem;

namespace {

// Byte classes for the JSON array scanner.
enum : uint8_t {
  kPlain = 0,
  kQuote,      // "
  kBackslash,  // \ (inside strings)
  kOpen,       // { [
  kClose,      // } ]
  kComma,      // ,
  kSpace,      // space, tab, CR
  kNewline,    // LF
};

struct ByteTables {
  // Bytes that end a run of uninteresting bytes: outside strings at depth 0 (where whitespace and
  // commas end a scalar), outside strings inside a container, and inside strings.
  std::array<uint8_t, 256> top{};
  std::array<uint8_t, 256> nested{};
  std::array<uint8_t, 256> str{};
  std::array<bool, 256> space{};

  constexpr ByteTables() {
    top['"'] = nested['"'] = str['"'] = kQuote;
    str['\\'] = kBackslash;
    top['{'] = top['['] = nested['{'] = nested['['] = kOpen;
    top['}'] = top[']'] = nested['}'] = nested[']'] = kClose;
    top[','] = kComma;
    top[' '] = top['\t'] = top['\r'] = kSpace;
    top['\n'] = nested['\n'] = str['\n'] = kNewline;
    space[' '] = space['\t'] = space['\r'] = space['\n'] = true;
  }
};

constexpr ByteTables kTables;

inline bool IsBlank(const char* p, size_t n) {
  // Fast path: almost every line starts with '{'.
  if (n != 0 && !kTables.space[static_cast<unsigned char>(p[0])]) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!kTables.space[static_cast<unsigned char>(p[i])]) return false;
  }
  return true;
}

std::string HumanSize(size_t n) {
  constexpr size_t kKb = 1024, kMb = 1024 * 1024, kGb = kMb * 1024;
  if (n >= kGb && n % kGb == 0) return std::to_string(n / kGb) + " GB";
  if (n >= kMb && n % kMb == 0) return std::to_string(n / kMb) + " MB";
  if (n >= kKb && n % kKb == 0) return std::to_string(n / kKb) + " KB";
  return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

}  // namespace

struct JsonRecordReader::Inflater {
  z_stream z{};
  bool initialized = false;
  bool in_member = false;  // inside a gzip member (its end not yet seen)
  std::unique_ptr<char[]> in;
  size_t in_cap = 0;

  ~Inflater() {
    if (initialized) inflateEnd(&z);
  }
};

JsonRecordReader::JsonRecordReader(std::string display_name, JsonReaderOptions options)
    : display_name_(std::move(display_name)), options_(options), format_(options.format) {
  options_.buffer_bytes = std::max<size_t>(options_.buffer_bytes, 4);
  options_.max_record_bytes = std::max<size_t>(options_.max_record_bytes, 1);
}

JsonRecordReader::~JsonRecordReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

StatusOr<std::unique_ptr<JsonRecordReader>> JsonRecordReader::Open(const fs::path& path,
                                                                   JsonReaderOptions options) {
  if (path == "-") {
    std::unique_ptr<JsonRecordReader> r(new JsonRecordReader("<stdin>", options));
    DLT_RETURN_IF_ERROR(r->Start(STDIN_FILENO, /*owns_fd=*/false));
    return r;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("file not found: " + path.string());
    return InvalidArgument("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path.string() + " is a folder, not a file");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::unique_ptr<JsonRecordReader> r(new JsonRecordReader(path.string(), options));
  DLT_RETURN_IF_ERROR(r->Start(fd, /*owns_fd=*/true));
  return r;
}

std::unique_ptr<JsonRecordReader> JsonRecordReader::FromString(std::string data,
                                                               std::string display_name,
                                                               JsonReaderOptions options) {
  std::unique_ptr<JsonRecordReader> r(new JsonRecordReader(std::move(display_name), options));
  r->owned_ = std::move(data);
  r->cap_ = r->end_ = r->owned_.size();
  r->owned_.reserve(r->owned_.size() + kReadableTail);  // allocated, hence readable
  r->data_ = r->owned_.data();
  r->eof_ = r->raw_eof_ = true;
  return r;
}

Status JsonRecordReader::Start(int fd, bool owns_fd) {
  fd_ = fd;
  owns_fd_ = owns_fd;
  cap_ = options_.buffer_bytes;
  heap_ = std::make_unique_for_overwrite<char[]>(cap_ + kReadableTail);
  data_ = heap_.get();
  while (end_ < 2 && !raw_eof_) {
    DLT_ASSIGN_OR_RETURN(size_t n, ReadRaw(data_ + end_, cap_ - end_));
    end_ += n;
  }
  if (end_ >= 2 && static_cast<unsigned char>(data_[0]) == 0x1f &&
      static_cast<unsigned char>(data_[1]) == 0x8b) {
    auto g = std::make_unique<Inflater>();
    g->in_cap = options_.buffer_bytes;
    g->in = std::make_unique_for_overwrite<char[]>(g->in_cap);
    std::memcpy(g->in.get(), data_, end_);
    g->z.next_in = reinterpret_cast<Bytef*>(g->in.get());
    g->z.avail_in = static_cast<uInt>(end_);
    end_ = 0;
    if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
      return Internal("cannot start gzip decompression for " + display_name_);
    }
    g->initialized = true;
    gzip_ = std::move(g);
  } else {
    eof_ = raw_eof_;
  }
  return Status::Ok();
}

StatusOr<size_t> JsonRecordReader::ReadRaw(char* dst, size_t cap) {
  cap = std::min<size_t>(cap, 1u << 30);
  for (;;) {
    ssize_t n = ::read(fd_, dst, cap);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("cannot read " + display_name_ + ": " + std::strerror(errno));
    }
    if (n == 0) raw_eof_ = true;
    raw_bytes_read_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
}

Status JsonRecordReader::Fill() {
  if (eof_) return Status::Ok();
  if (pos_ > 0) {
    size_t keep = end_ - pos_;
    if (keep != 0) std::memmove(data_, data_ + pos_, keep);
    discarded_ += pos_;
    end_ = keep;
    pos_ = 0;
  }
  if (cap_ - end_ < options_.buffer_bytes) {
    // Callers only fill while the pending record is within max_record_bytes (+1 for a CR), so the
    // buffer never grows past max_record_bytes + buffer_bytes + 2.
    size_t limit = options_.max_record_bytes + options_.buffer_bytes + 2;
    size_t want = std::max(end_ + options_.buffer_bytes, std::min(cap_ * 2, limit));
    auto bigger = std::make_unique_for_overwrite<char[]>(want + kReadableTail);
    if (end_ != 0) std::memcpy(bigger.get(), data_, end_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    cap_ = want;
  }
  if (gzip_) return FillGzip();
  DLT_ASSIGN_OR_RETURN(size_t n, ReadRaw(data_ + end_, cap_ - end_));
  end_ += n;
  if (n == 0) eof_ = true;
  return Status::Ok();
}

Status JsonRecordReader::FillGzip() {
  Inflater& g = *gzip_;
  const uInt room = static_cast<uInt>(std::min<size_t>(cap_ - end_, UINT_MAX));
  g.z.next_out = reinterpret_cast<Bytef*>(data_ + end_);
  g.z.avail_out = room;
  while (g.z.avail_out == room) {
    if (g.z.avail_in == 0) {
      if (!raw_eof_) {
        DLT_ASSIGN_OR_RETURN(size_t n, ReadRaw(g.in.get(), g.in_cap));
        g.z.next_in = reinterpret_cast<Bytef*>(g.in.get());
        g.z.avail_in = static_cast<uInt>(n);
      }
      if (g.z.avail_in == 0) {
        if (g.in_member) {
          return DataLoss(display_name_ +
                          ": truncated gzip stream: the file ends in the middle of compressed data");
        }
        eof_ = true;
        break;
      }
    }
    if (!g.in_member) {
      // Zero bytes after a member are padding (gzip(1) and Python's gzip skip them too).
      while (g.z.avail_in > 0 && *g.z.next_in == 0) {
        ++g.z.next_in;
        --g.z.avail_in;
      }
      if (g.z.avail_in == 0) continue;
      inflateReset(&g.z);
      g.in_member = true;
    }
    int rc = inflate(&g.z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      g.in_member = false;
    } else if (rc == Z_BUF_ERROR && g.z.avail_in == 0) {
      continue;  // needs more input
    } else if (rc != Z_OK) {
      std::string detail = g.z.msg ? g.z.msg : "error " + std::to_string(rc);
      return DataLoss(display_name_ + ": corrupt gzip data (" + detail + ")");
    }
  }
  end_ += room - g.z.avail_out;
  return Status::Ok();
}

Status JsonRecordReader::Fail(uint64_t line, std::string_view what) {
  return InvalidArgument(display_name_ + ":" + std::to_string(line) + ": " + std::string(what));
}

Status JsonRecordReader::SizeError(uint64_t line) {
  return Fail(line, "record exceeds the " + HumanSize(options_.max_record_bytes) +
                        " limit (max_record_bytes)");
}

StatusOr<bool> JsonRecordReader::Next(RawRecord* out) {
  if (!error_.ok()) return error_;
  StatusOr<bool> r = NextImpl(out);
  if (!r.ok()) {
    error_ = r.status();
    done_ = true;
  }
  return r;
}

StatusOr<bool> JsonRecordReader::NextImpl(RawRecord* out) {
  if (done_) return false;
  if (!started_) {
    started_ = true;
    DLT_RETURN_IF_ERROR(Begin());
  }
  if (format_ == JsonFormat::kJsonArray) return NextElement(out);
  return NextLine(out);
}

Status JsonRecordReader::Begin() {
  while (end_ - pos_ < 3 && !eof_) DLT_RETURN_IF_ERROR(Fill());
  if (end_ - pos_ >= 3 && std::memcmp(data_ + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  if (format_ == JsonFormat::kAuto) {
    DLT_ASSIGN_OR_RETURN(int c, PeekNonSpace(/*whole_lines=*/true));
    format_ = c == '[' ? JsonFormat::kJsonArray : JsonFormat::kJsonLines;
  }
  if (format_ == JsonFormat::kJsonArray) {
    DLT_ASSIGN_OR_RETURN(int c, PeekNonSpace(/*whole_lines=*/false));
    if (c < 0) return Fail(line_, "expected a JSON array, found an empty input");
    if (c != '[') return Fail(line_, "expected a JSON array (starting with '[')");
    array_line_ = line_;
    ++pos_;
  }
  return Status::Ok();
}

StatusOr<int> JsonRecordReader::PeekNonSpace(bool whole_lines) {
  size_t i = pos_;
  for (;;) {
    for (; i < end_; ++i) {
      unsigned char c = static_cast<unsigned char>(data_[i]);
      if (c == '\n') {
        ++line_;
        if (whole_lines) {
          pos_ = i + 1;
          line_prefix_dropped_ = 0;
        }
      } else if (!kTables.space[c]) {
        if (!whole_lines) pos_ = i;
        return static_cast<int>(c);
      }
    }
    if (eof_) {
      pos_ = end_;
      return -1;
    }
    if (!whole_lines || end_ - pos_ > options_.max_record_bytes) {
      // Drop the whitespace. For whole lines, NextLine() still counts it toward the line's size.
      if (whole_lines) line_prefix_dropped_ += i - pos_;
      pos_ = i;
    }
    size_t off = i - pos_;
    DLT_RETURN_IF_ERROR(Fill());
    i = pos_ + off;
  }
}

StatusOr<bool> JsonRecordReader::NextLine(RawRecord* out) {
  const size_t max = options_.max_record_bytes;
  for (;;) {
    const size_t start = pos_;
    const char* from = data_ + start + scanned_;
    const void* nl = std::memchr(from, '\n', end_ - start - scanned_);
    if (nl != nullptr) {
      const size_t stop = static_cast<size_t>(static_cast<const char*>(nl) - data_);
      size_t len = stop - start;
      if (len != 0 && data_[stop - 1] == '\r') --len;
      const uint64_t line = line_++;
      const uint64_t full = len + line_prefix_dropped_;
      pos_ = stop + 1;
      scanned_ = 0;
      line_prefix_dropped_ = 0;
      if (IsBlank(data_ + start, len)) continue;
      if (full > max) return SizeError(line);
      out->json = std::string_view(data_ + start, len);
      out->line = line;
      out->index = index_++;
      return true;
    }
    size_t len = end_ - start;
    if (len != 0 && data_[end_ - 1] == '\r') --len;
    if (eof_) {
      // The last line, without a line ending.
      done_ = true;
      pos_ = end_;
      scanned_ = 0;
      if (IsBlank(data_ + start, len)) return false;
      if (len + line_prefix_dropped_ > max) return SizeError(line_);
      out->json = std::string_view(data_ + start, len);
      out->line = line_;
      out->index = index_++;
      return true;
    }
    if (len + line_prefix_dropped_ > max) {
      if (!IsBlank(data_ + start, end_ - start)) return SizeError(line_);
      // A long run of whitespace: drop it but remember its size (the line may go on).
      line_prefix_dropped_ += end_ - start;
      pos_ = end_;
      scanned_ = 0;
    } else {
      scanned_ = end_ - start;
    }
    DLT_RETURN_IF_ERROR(Fill());
  }
}

StatusOr<bool> JsonRecordReader::NextElement(RawRecord* out) {
  for (;;) {
    DLT_ASSIGN_OR_RETURN(int c, PeekNonSpace(/*whole_lines=*/false));
    if (c < 0) {
      return Fail(line_, "unterminated JSON array (the array opened on line " +
                             std::to_string(array_line_) + " has no closing ']')");
    }
    if (c == ']') {
      ++pos_;
      done_ = true;
      DLT_RETURN_IF_ERROR(CheckTrailer());
      return false;
    }
    if (c == ',') {  // commas between elements are skipped
      ++pos_;
      expect_separator_ = false;
      continue;
    }
    if (expect_separator_) return Fail(line_, "expected ',' or ']' after an array element");
    if (c == '}') return Fail(line_, "unexpected '}' in the JSON array");
    break;
  }

  // The element starts at pos_. Scan to its end, tracking strings (with escapes) and the nesting
  // depth of {} and []. Scan state lives in locals: Fill() keeps everything from pos_ on.
  const uint64_t start_line = line_;
  const char opener = data_[pos_];
  const size_t max = options_.max_record_bytes;
  size_t i = pos_;
  uint64_t depth = 0;
  bool in_string = false;
  bool escape = false;
  uint64_t string_line = 0;
  size_t stop = 0;
  for (;;) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(data_) + i;
    const unsigned char* const e = reinterpret_cast<const unsigned char*>(data_) + end_;
    while (p < e) {
      if (in_string) {
        if (escape) {
          escape = false;
          if (*p == '\n') ++line_;
          ++p;
          continue;
        }
        while (p < e && kTables.str[*p] == kPlain) ++p;
        if (p == e) break;
        const uint8_t k = kTables.str[*p++];
        if (k == kQuote) {
          in_string = false;
          if (depth == 0) goto found;
        } else if (k == kBackslash) {
          escape = true;
        } else {
          ++line_;
        }
      } else {
        const auto& table = depth == 0 ? kTables.top : kTables.nested;
        while (p < e && table[*p] == kPlain) ++p;
        if (p == e) break;
        switch (table[*p]) {
          case kQuote:
            in_string = true;
            string_line = line_;
            ++p;
            break;
          case kOpen:
            ++depth;
            ++p;
            break;
          case kClose:
            if (depth == 0) goto found;  // ']' right after a scalar
            ++p;
            if (--depth == 0) goto found;
            break;
          case kNewline:
            if (depth == 0) goto found;
            ++line_;
            ++p;
            break;
          default:  // comma or whitespace at depth 0: the end of a scalar
            goto found;
        }
      }
    }
    i = static_cast<size_t>(p - reinterpret_cast<const unsigned char*>(data_));
    // Too long already: that is the error, whatever else is wrong (the same with any buffer size).
    if (i - pos_ > max) return SizeError(start_line);
    if (eof_) {
      if (in_string) return Fail(string_line, "unterminated string");
      if (depth > 0) {
        return Fail(start_line, opener == '{'   ? "unterminated JSON object"
                                : opener == '[' ? "unterminated JSON array"
                                                : "unterminated JSON value");
      }
      return Fail(line_, "unterminated JSON array (the array opened on line " +
                             std::to_string(array_line_) + " has no closing ']')");
    }
    i -= pos_;  // Fill() moves the data from pos_ to the front of the buffer
    DLT_RETURN_IF_ERROR(Fill());
    i += pos_;
    continue;
  found:
    stop = static_cast<size_t>(p - reinterpret_cast<const unsigned char*>(data_));
    break;
  }
  const size_t len = stop - pos_;
  if (len > max) return SizeError(start_line);
  out->json = std::string_view(data_ + pos_, len);
  out->line = start_line;
  out->index = index_++;
  pos_ = stop;
  expect_separator_ = true;
  return true;
}

Status JsonRecordReader::CheckTrailer() {
  DLT_ASSIGN_OR_RETURN(int c, PeekNonSpace(/*whole_lines=*/false));
  if (c >= 0) return Fail(line_, "unexpected text after the JSON array");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Globs

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
