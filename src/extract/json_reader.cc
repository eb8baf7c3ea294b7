// The JSON record splitter (json_reader.h): the boundaries of JSON Lines records and of the
// elements of a top-level JSON array, in the buffer that json_reader_input.cc fills.
#include "extract/json_reader.h"

#include <array>
#include <cstring>
#include <string>

namespace dlt {

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

}  // namespace dlt
