#include "load/csv_job_reader.h"

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <simdjson.h>

#include "common/civil_date.h"

namespace dlt {

namespace {

// Whether any of the 8 bytes of `w` is ',' or '\n' (the "has a zero byte" test on each).
inline bool HasDelimiter(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return (has_zero(w ^ (kOnes * ',')) | has_zero(w ^ (kOnes * '\n'))) != 0;
}

// The first ',' or '\n' in [p, end), or end.
inline const char* FindDelimiter(const char* p, const char* end) {
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (HasDelimiter(w)) break;
    p += 8;
  }
  while (p < end && *p != ',' && *p != '\n') ++p;
  return p;
}

using civil::DaysFromCivil;
using civil::DaysInMonth;

// `n` digits at s[i]: their value, or -1.
int64_t FixedDigits(std::string_view s, size_t i, size_t n) {
  if (i + n > s.size()) return -1;
  int64_t v = 0;
  for (size_t k = i; k < i + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return -1;
    v = v * 10 + (s[k] - '0');
  }
  return v;
}

}  // namespace

CsvJobReader::CsvJobReader(std::filesystem::path path, int fd, size_t columns, size_t block_bytes)
    : path_(std::move(path)), fd_(fd), columns_(columns), buf_(std::max<size_t>(block_bytes, 64)) {
  spans_.resize(columns_);
}

CsvJobReader::~CsvJobReader() {
  if (fd_ >= 0) ::close(fd_);
}

StatusOr<std::unique_ptr<CsvJobReader>> CsvJobReader::Open(const std::filesystem::path& path, size_t columns,
                                                           size_t block_bytes) {
  if (columns == 0) return InvalidArgument("load job " + path.string() + ": no columns to read");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open load job " + path.string() + ": " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<CsvJobReader> r(new CsvJobReader(path, fd, columns, block_bytes));
  std::vector<CsvField> fields;
  DLT_ASSIGN_OR_RETURN(bool have, r->Next(fields));
  if (!have) return DataLoss("load job " + path.string() + " is empty: it has no header line");
  for (const auto& f : fields) r->header_.emplace_back(f.text);
  return r;
}

std::string CsvJobReader::Where() const { return path_.string() + ", line " + std::to_string(row_line_); }

Status CsvJobReader::Malformed(const std::string& what) const {
  return DataLoss("load job " + path_.string() + ", line " + std::to_string(next_line_) + ": " + what +
                  " (the file is damaged; drop the package with `dlt pipeline <name> drop-pending-packages` "
                  "and run again)");
}

Status CsvJobReader::Fill() {
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    checked_ = checked_ > pos_ ? checked_ - pos_ : 0;
    suspect_end_ = suspect_end_ > pos_ ? suspect_end_ - pos_ : 0;
    pos_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // one row fills the buffer
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal("cannot read load job " + path_.string() + ": " + std::strerror(errno));
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return Status::Ok();
  }
}

StatusOr<bool> CsvJobReader::Delimit(size_t& row_end, uint64_t& newlines) {
  const char* base = buf_.data();
  const char* end = base + end_;
  const char* p = base + pos_;
  newlines = 0;
  for (size_t c = 0; c < columns_; ++c) {
    Span& sp = spans_[c];
    if (p < end && *p == '"') {
      sp.quoted = true;
      sp.escaped = false;
      sp.begin = static_cast<size_t>(p + 1 - base);
      const char* q = p + 1;
      for (;;) {
        q = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
        if (!q) {
          if (!eof_) return false;
          return Malformed("a quoted field is not closed");
        }
        if (q + 1 == end && !eof_) return false;  // a doubled quote may follow
        if (q + 1 < end && q[1] == '"') {
          sp.escaped = true;
          q += 2;
          continue;
        }
        break;
      }
      sp.end = static_cast<size_t>(q - base);
      newlines += static_cast<uint64_t>(std::count(base + sp.begin, q, '\n'));
      p = q + 1;
    } else {
      sp.quoted = sp.escaped = false;
      sp.begin = static_cast<size_t>(p - base);
      p = FindDelimiter(p, end);
      sp.end = static_cast<size_t>(p - base);
    }
    const bool last = c + 1 == columns_;
    if (p == end) {
      if (!eof_) return false;
      // The writer ends every row with a line break: without one the file was cut short.
      return Malformed("the file ends inside a row (it was cut short)");
    }
    if (*p == (last ? '\n' : ',')) {
      ++p;
      continue;
    }
    if (*p == ',') return Malformed("the row has more fields than the header (" + std::to_string(columns_) + ")");
    if (*p == '\n') {
      return Malformed("the row has " + std::to_string(c + 1) + " fields, the header " + std::to_string(columns_));
    }
    return Malformed("unexpected character after a quoted field");
  }
  row_end = static_cast<size_t>(p - base);
  return true;
}

StatusOr<bool> CsvJobReader::Next(std::vector<CsvField>& fields) {
  size_t row_end = 0;
  uint64_t newlines = 0;
  for (;;) {
    if (pos_ == end_) {
      if (eof_) return false;
      DLT_RETURN_IF_ERROR(Fill());
      continue;
    }
    DLT_ASSIGN_OR_RETURN(bool whole, Delimit(row_end, newlines));
    if (whole) break;
    DLT_RETURN_IF_ERROR(Fill());
  }
  if (row_end > checked_) {
    const char* base = buf_.data();
    bool valid = false;
    if (row_end > suspect_end_) {
      // Checked a block at a time, up to the last line break read (no character spans one).
      size_t upto = end_;
      if (!eof_) {
        const char* nl = static_cast<const char*>(::memrchr(base + row_end - 1, '\n', end_ - (row_end - 1)));
        upto = nl ? static_cast<size_t>(nl - base) + 1 : row_end;
      }
      valid = simdjson::validate_utf8(base + checked_, upto - checked_);
      if (valid) checked_ = upto;
      else suspect_end_ = upto;  // row by row up to there, to name the row
    }
    if (!valid) {
      if (!simdjson::validate_utf8(base + pos_, row_end - pos_)) {
        return Malformed("the row is not valid UTF-8 text");
      }
      checked_ = row_end;
    }
  }
  row_line_ = next_line_;
  next_line_ += 1 + newlines;
  fields.resize(columns_);
  char* base = buf_.data();
  for (size_t c = 0; c < columns_; ++c) {
    const Span& sp = spans_[c];
    size_t len = sp.end - sp.begin;
    if (sp.escaped) {  // "" -> " in place
      char* w = base + sp.begin;
      for (const char* r = w; r < base + sp.end; ++r) {
        *w++ = *r;
        if (*r == '"') ++r;
      }
      len = static_cast<size_t>(w - (base + sp.begin));
    }
    fields[c].text = std::string_view(base + sp.begin, len);
    fields[c].null = len == 0 && !sp.quoted;
  }
  pos_ = row_end;
  return true;
}

bool ParseJobBigint(std::string_view s, int64_t* out) {
  // [+|-]digits, as DuckDB casts them.
  size_t digits = !s.empty() && (s.front() == '+' || s.front() == '-') ? 1 : 0;
  if (s.size() == digits || s[digits] < '0' || s[digits] > '9') return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseJobDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseJobDecimal(std::string_view s, int width, int scale, int64_t* out) {
  if (width < 1 || width > 18 || scale < 0 || scale > width) return false;
  {
    // The usual form first: [-]digits[.digits] with at most `scale` fraction digits and at most
    // `width` digits in all, read in one pass; anything else takes the general path below.
    size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
    int64_t v = 0;
    int digits = 0, fraction = -1;
    bool plain = i < s.size();
    for (; plain && i < s.size(); ++i) {
      const char c = s[i];
      if (c >= '0' && c <= '9') {
        if (++digits > 18) {
          plain = false;  // (before v could pass 64 bits)
          break;
        }
        v = v * 10 + (c - '0');
        if (fraction >= 0) ++fraction;
      } else if (c == '.' && fraction < 0) {
        fraction = 0;
      } else {
        plain = false;
      }
    }
    // (digits before the point + scale <= 18: the scaled value fits in 64 bits)
    if (plain && digits > 0 && fraction <= scale && digits - std::max(fraction, 0) + scale <= 18) {
      for (int f = std::max(fraction, 0); f < scale; ++f) v *= 10;
      int64_t limit = 1;
      for (int k = 0; k < width; ++k) limit *= 10;
      if (v < limit) {
        *out = s[0] == '-' ? -v : v;
        return true;
      }
      return false;  // more digits than the type holds, as the general path finds too
    }
  }
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  size_t i = 0;
  const bool negative = i < s.size() && s[i] == '-';
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  // The mantissa's digits (leading zeros dropped) and how many of them stand before the point.
  char digits[40];
  size_t n = 0;
  int64_t before_point = 0;
  bool any_digit = false, point = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (n == 0 && c == '0') {  // a leading zero: before the point it counts for nothing
      if (point) --before_point;
      continue;
    }
    if (n < sizeof digits) digits[n++] = c;  // later ones lie past any digit a DECIMAL(18) keeps
    if (!point) ++before_point;
  }
  if (!any_digit) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool exp_negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i == s.size()) return false;
    int64_t exp = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) exp = std::min<int64_t>(exp * 10 + (s[i] - '0'), 100000);
    before_point += exp_negative ? -exp : exp;
  }
  if (i != s.size()) return false;
  // The value is 0.d1d2...dn x 10^before_point; kept: the first before_point + scale digits.
  const int64_t kept = n == 0 ? 0 : before_point + scale;
  if (kept > width) return false;
  int64_t v = 0;
  for (int64_t k = 0; k < kept; ++k) v = v * 10 + (k < static_cast<int64_t>(n) ? digits[k] - '0' : 0);
  if (kept >= 0 && kept < static_cast<int64_t>(n) && digits[kept] >= '5') ++v;  // half away from zero
  int64_t limit = 1;
  for (int k = 0; k < width; ++k) limit *= 10;
  if (v >= limit) return false;
  *out = negative ? -v : v;
  return true;
}

bool ParseJobBool(std::string_view s, bool* out) {
  auto is = [&](std::string_view word) {
    if (s.size() != word.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] + 32) : s[i];
      if (c != word[i]) return false;
    }
    return true;
  };
  if (is("true") || is("t") || is("1")) {
    *out = true;
    return true;
  }
  if (is("false") || is("f") || is("0")) {
    *out = false;
    return true;
  }
  return false;
}

bool ParseJobTimestampMicros(std::string_view s, int64_t* out) {
  size_t i = 0;
  bool negative_year = false;
  if (i < s.size() && s[i] == '-') {
    negative_year = true;
    ++i;
  }
  int64_t year = 0;
  size_t year_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - year_start < 9) year = year * 10 + (s[i++] - '0');
  if (i == year_start || i >= s.size() || s[i] != '-') return false;
  if (negative_year) year = -year;
  int64_t month = FixedDigits(s, i + 1, 2), day = FixedDigits(s, i + 4, 2);
  if (month < 1 || month > 12 || i + 3 >= s.size() || s[i + 3] != '-' || day < 1 ||
      day > DaysInMonth(year, static_cast<int>(month))) {
    return false;
  }
  i += 6;
  int64_t hour = 0, minute = 0, second = 0, micros = 0, offset_minutes = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    hour = FixedDigits(s, i + 1, 2);
    minute = FixedDigits(s, i + 4, 2);
    if (hour < 0 || hour > 23 || i + 3 >= s.size() || s[i + 3] != ':' || minute < 0 || minute > 59) return false;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      second = FixedDigits(s, i + 1, 2);
      if (second < 0 || second > 59) return false;
      i += 3;
      if (i < s.size() && s[i] == '.') {
        ++i;
        size_t start = i;
        int digits = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
          if (digits < 6) {
            micros = micros * 10 + (s[i] - '0');
            ++digits;
          }
        }
        if (i == start) return false;
        for (; digits < 6; ++digits) micros *= 10;
      }
    }
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      int64_t oh = FixedDigits(s, i + 1, 2), om = 0;
      if (oh < 0 || oh > 23) return false;
      size_t j = i + 3;
      if (j < s.size() && s[j] == ':') {
        om = FixedDigits(s, j + 1, 2);
        if (om < 0) return false;
        j += 3;
      } else if (j < s.size()) {
        om = FixedDigits(s, j, 2);
        if (om < 0) return false;
        j += 2;
      }
      if (om > 59) return false;
      offset_minutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
      i = j;
    }
  }
  if (i != s.size()) return false;
  int64_t seconds = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day)) * 86400 + hour * 3600 +
                    minute * 60 + second - offset_minutes * 60;
  int64_t result;
  if (__builtin_mul_overflow(seconds, int64_t{1000000}, &result) || __builtin_add_overflow(result, micros, &result)) {
    return false;
  }
  // DuckDB's range: 290309-12-22 BC to 294247-01-10 04:00:54.775806 (INT64_MAX is infinity).
  constexpr int64_t kMin = -9223372022400000000LL;
  if (result < kMin || result == INT64_MAX) return false;
  *out = result;
  return true;
}

StatusOr<std::vector<std::string>> ReadCsvJobHeader(const std::filesystem::path& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return DataLoss("load job file missing: " + path.string());
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  int c;
  while ((c = std::fgetc(f)) != EOF) {
    any = true;
    if (quoted) {
      if (c == '"') {
        int n = std::fgetc(f);
        if (n == '"') {
          cur += '"';
        } else {
          quoted = false;
          if (n == EOF) break;
          std::ungetc(n, f);
        }
      } else {
        cur += static_cast<char>(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else if (c == '\n') {
      break;
    } else {
      cur += static_cast<char>(c);
    }
  }
  std::fclose(f);
  if (!any) return DataLoss("load job file is empty (truncated): " + path.string());
  out.push_back(std::move(cur));
  return out;
}


}  // namespace dlt
