#include "common/typed_json.h"

#include <charconv>
#include <cstdint>

namespace dlt::typed_json {

namespace {

// A decimal text taken apart: value = (negative ? -1 : 1) * 0.<digits> * 10^point, `digits`
// without leading or trailing zeros (empty for zero).
struct DecimalParts {
  bool negative = false;
  std::string digits;
  int64_t point = 0;
};

std::optional<DecimalParts> ParseDecimal(std::string_view s) {
  DecimalParts d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) d.negative = s[i++] == '-';
  std::string all;
  int64_t int_digits = 0;
  bool any = false, dot = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      all += c;
      any = true;
      if (!dot) ++int_digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 9) exp = exp * 10 + (s[i++] - '0');
    if (i == start) return std::nullopt;
    if (neg) exp = -exp;
  }
  if (i != s.size()) return std::nullopt;
  size_t lead = all.find_first_not_of('0');
  if (lead == std::string::npos) return d;  // zero
  size_t trail = all.find_last_not_of('0');
  d.digits = all.substr(lead, trail - lead + 1);
  d.point = int_digits - static_cast<int64_t>(lead) + exp;
  return d;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Marker MarkerOf(std::string_view s) {
  if (s.size() <= 3 || static_cast<unsigned char>(s[0]) != 0xEF || static_cast<unsigned char>(s[1]) != 0x80) {
    return Marker::kNone;
  }
  unsigned char c = static_cast<unsigned char>(s[2]);
  if (c < 0xA6 || c > 0xAD) return Marker::kNone;
  return static_cast<Marker>(static_cast<int>(Marker::kDecimal) + (c - 0xA6));
}

std::string_view Strip(std::string_view s) { return MarkerOf(s) == Marker::kNone ? s : s.substr(3); }

std::string StripInJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  size_t i = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      out += json[i++];
      continue;
    }
    size_t j = i + 1;
    while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
    std::string_view body = json.substr(i + 1, (j < json.size() ? j : json.size()) - i - 1);
    bool key = j + 1 < json.size() && json[j + 1] == ':';
    out += '"';
    out.append(key ? body : Strip(body));
    if (j < json.size()) out += '"';
    i = j + 1;
  }
  return out;
}

bool IsDecimalText(std::string_view s) { return ParseDecimal(s).has_value(); }

int CompareDecimal(std::string_view a, std::string_view b) {
  auto x = ParseDecimal(a), y = ParseDecimal(b);
  if (!x || !y) return a < b ? -1 : (a > b ? 1 : 0);
  auto sign = [](const DecimalParts& d) { return d.digits.empty() ? 0 : (d.negative ? -1 : 1); };
  int sx = sign(*x), sy = sign(*y);
  if (sx != sy) return sx < sy ? -1 : 1;
  if (sx == 0) return 0;
  int magnitude;
  if (x->point != y->point) {
    magnitude = x->point < y->point ? -1 : 1;
  } else {
    int c = x->digits.compare(y->digits);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sx * magnitude;
}

std::optional<std::string> DecimalToInt64Text(std::string_view s) {
  auto d = ParseDecimal(s);
  if (!d) return std::nullopt;
  if (d->digits.empty()) return std::string("0");
  if (d->point < static_cast<int64_t>(d->digits.size()) || d->point > 19) return std::nullopt;
  std::string text = (d->negative ? "-" : "") + d->digits + std::string(d->point - d->digits.size(), '0');
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return text;
}

std::optional<std::string> DecodeHex(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  std::string digits(s);
  if (digits.size() % 2) digits.insert(digits.begin(), '0');
  std::string out;
  out.reserve(digits.size() / 2);
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = HexValue(digits[i]), lo = HexValue(digits[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace dlt::typed_json
