// See duckdb_value_text.h. The unit tests compare these with DuckDB's own casts.
#include "destinations/duckdb/duckdb_value_text.h"

#include <vector>

#include "common/civil_date.h"

namespace dlt::duckdb::detail {

void AppendUint128(std::string& out, unsigned __int128 v) {
  char buf[40];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  out.append(p, buf + sizeof buf);
}

void AppendInt128(std::string& out, __int128 v) {
  if (v < 0) {
    out += '-';
    AppendUint128(out, static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v));
  } else {
    AppendUint128(out, static_cast<unsigned __int128>(v));
  }
}

__int128 ToInt128(duckdb_hugeint h) {
  return static_cast<__int128>((static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64) | h.lower);
}

// Like DuckDB: "1.50", "-0.05", and without the leading zero when width == scale (".001").
void AppendDecimal(std::string& out, __int128 v, int width, int scale) {
  if (scale == 0) {
    AppendInt128(out, v);
    return;
  }
  unsigned __int128 mag = v < 0 ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v)
                                : static_cast<unsigned __int128>(v);
  std::string digits;
  AppendUint128(digits, mag);
  const size_t min_digits = static_cast<size_t>(scale) + (width > scale ? 1 : 0);
  if (digits.size() < min_digits) digits.insert(0, min_digits - digits.size(), '0');
  if (v < 0) out += '-';
  out.append(digits, 0, digits.size() - static_cast<size_t>(scale));
  out += '.';
  out.append(digits, digits.size() - static_cast<size_t>(scale), std::string::npos);
}

void AppendPadded(std::string& out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int pad = width - static_cast<int>(r.ptr - buf); pad > 0; --pad) out += '0';
  out.append(buf, r.ptr);
}

// ".5", ".000001", ".123456789": `frac` of 10^digits, trailing zeros dropped; nothing if 0.
void AppendFraction(std::string& out, int64_t frac, int digits) {
  if (frac == 0) return;
  out += '.';
  std::string f;
  AppendPadded(f, frac, digits);
  while (!f.empty() && f.back() == '0') f.pop_back();
  out += f;
}

void AppendTimeOfDay(std::string& out, int64_t units, int64_t per_second, int digits) {
  int64_t secs = units / per_second;
  AppendPadded(out, secs / 3600, 2);
  out += ':';
  AppendPadded(out, secs / 60 % 60, 2);
  out += ':';
  AppendPadded(out, secs % 60, 2);
  AppendFraction(out, units % per_second, digits);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 to "YYYY-MM-DD", with " (BC)" for years before 1 (proleptic Gregorian).
void AppendDate(std::string& out, int64_t days) {
  const civil::CivilDate cd = civil::CivilFromDays(days);
  const int64_t y = cd.year, m = cd.month, d = cd.day;
  bool bc = y <= 0;
  AppendPadded(out, bc ? 1 - y : y, 4);
  out += '-';
  AppendPadded(out, m, 2);
  out += '-';
  AppendPadded(out, d, 2);
  if (bc) out += " (BC)";
}

constexpr int64_t kTimestampInfinity = INT64_MAX;
constexpr int64_t kTimestampNegInfinity = -INT64_MAX;

// `value` counts `units_per_second` units since 1970-01-01 00:00:00.
void AppendTimestamp(std::string& out, int64_t value, int64_t units_per_second, int digits, bool tz) {
  if (value == kTimestampInfinity) {
    out += "infinity";
    return;
  }
  if (value == kTimestampNegInfinity) {
    out += "-infinity";
    return;
  }
  const int64_t per_day = 86400 * units_per_second;
  int64_t days = FloorDiv(value, per_day);
  AppendDate(out, days);
  out += ' ';
  AppendTimeOfDay(out, value - days * per_day, units_per_second, digits);
  if (tz) out += "+00";
}

void AppendInterval(std::string& out, const duckdb_interval& iv) {
  size_t start = out.size();
  auto part = [&](int64_t v, const char* unit) {
    if (v == 0) return;
    if (out.size() != start) out += ' ';
    AppendInt(out, v);
    out += ' ';
    out += unit;
    if (v != 1 && v != -1) out += 's';
  };
  int32_t years = iv.months / 12;
  part(years, "year");
  part(iv.months - years * 12, "month");
  part(iv.days, "day");
  if (iv.micros != 0) {
    if (out.size() != start) out += ' ';
    uint64_t micros = static_cast<uint64_t>(iv.micros);
    if (iv.micros < 0) {
      out += '-';
      micros = 0 - micros;
    }
    uint64_t hours = micros / 3600000000ULL;
    micros -= hours * 3600000000ULL;
    if (hours < 10) out += '0';
    AppendInt(out, hours);
    out += ':';
    AppendPadded(out, static_cast<int64_t>(micros / 60000000ULL), 2);
    micros %= 60000000ULL;
    out += ':';
    AppendPadded(out, static_cast<int64_t>(micros / 1000000ULL), 2);
    AppendFraction(out, static_cast<int64_t>(micros % 1000000ULL), 6);
  } else if (out.size() == start) {
    out += "00:00:00";
  }
}

void AppendTimeTz(std::string& out, uint64_t bits) {
  constexpr int64_t kMaxOffset = 16 * 60 * 60 - 1;
  int64_t micros = static_cast<int64_t>(bits >> 24);
  int64_t offset = kMaxOffset - static_cast<int64_t>(bits & 0xFFFFFF);
  AppendTimeOfDay(out, micros, 1000000, 6);
  out += offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  AppendPadded(out, offset / 3600, 2);
  if (offset % 3600 != 0) {
    out += ':';
    AppendPadded(out, offset / 60 % 60, 2);
    if (offset % 60 != 0) {
      out += ':';
      AppendPadded(out, offset % 60, 2);
    }
  }
}

const char kHexUpper[] = "0123456789ABCDEF";
const char kHexLower[] = "0123456789abcdef";

void AppendBlob(std::string& out, std::string_view b) {
  for (unsigned char c : b) {
    if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    }
  }
}

void AppendUuid(std::string& out, duckdb_hugeint h) {
  uint64_t parts[2] = {static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63), h.lower};
  int n = 0;
  for (uint64_t part : parts) {
    for (int shift = 60; shift >= 0; shift -= 4, ++n) {
      if (n == 8 || n == 12 || n == 16 || n == 20) out += '-';
      out += kHexLower[(part >> shift) & 15];
    }
  }
}

// BIT: the first byte counts the padding bits at the start of the second byte.
void AppendBits(std::string& out, std::string_view b) {
  if (b.empty()) return;
  size_t padding = static_cast<unsigned char>(b[0]);
  size_t total = (b.size() - 1) * 8;
  for (size_t i = padding; i < total; ++i) {
    unsigned char byte = static_cast<unsigned char>(b[1 + i / 8]);
    out += ((byte >> (7 - i % 8)) & 1) ? '1' : '0';
  }
}

// BIGNUM: 3 header bytes (high bit set for >= 0), then the big-endian magnitude; every byte is
// inverted for negative numbers.
void AppendBignum(std::string& out, std::string_view b) {
  if (b.size() < 4) {
    out += "0";
    return;
  }
  bool negative = (static_cast<unsigned char>(b[0]) & 0x80) == 0;
  std::vector<uint32_t> limbs;  // base 1e9, least significant first
  for (size_t i = 3; i < b.size(); ++i) {
    uint64_t carry = static_cast<unsigned char>(negative ? ~b[i] : b[i]);
    for (auto& limb : limbs) {
      uint64_t cur = uint64_t{limb} * 256 + carry;
      limb = static_cast<uint32_t>(cur % 1000000000);
      carry = cur / 1000000000;
    }
    while (carry) {
      limbs.push_back(static_cast<uint32_t>(carry % 1000000000));
      carry /= 1000000000;
    }
  }
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  if (limbs.empty()) {
    out += '0';
    return;
  }
  if (negative) out += '-';
  AppendInt(out, limbs.back());
  for (size_t i = limbs.size() - 1; i-- > 0;) AppendPadded(out, limbs[i], 9);
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Inside LIST/STRUCT/MAP text DuckDB quotes a value that could be misread: empty, "null" in any
// case, white space at either end, or one of the characters that structure the text.
bool NeedsQuotes(std::string_view s) {
  if (s.empty() || IsAsciiSpace(s.front()) || IsAsciiSpace(s.back())) return true;
  if (s.size() == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l') {
    return true;
  }
  for (char c : s) {
    switch (c) {
      case '"': case '\'': case '(': case ')': case ',': case ':': case '=':
      case '[': case ']': case '{': case '}':
        return true;
      default:
        break;
    }
  }
  return false;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

}  // namespace dlt::duckdb::detail
