#include "normalize/coerce.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/civil_date.h"

namespace dlt {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

using civil::DaysFromCivil;
using civil::DaysInMonth;

void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yy + (*m <= 2));
}

std::string FormatUtc(int64_t epoch_seconds, int micros) {
  int64_t days = epoch_seconds / 86400;
  int64_t rem = epoch_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int hh = static_cast<int>(rem / 3600), mm = static_cast<int>(rem % 3600 / 60), ss = static_cast<int>(rem % 60);
  if (micros > 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", y, m, d, hh, mm, ss, micros);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", y, m, d, hh, mm, ss);
  }
  return buf;
}

std::optional<bool> StrToBool(std::string_view s) {
  std::string l;
  for (char c : s) l += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (l == "true" || l == "yes" || l == "y" || l == "t" || l == "on" || l == "1") return true;
  if (l == "false" || l == "no" || l == "n" || l == "f" || l == "off" || l == "0") return false;
  return std::nullopt;
}

std::string_view StripSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Python int(str): optional sign, digits with single underscores between them, surrounding spaces.
std::optional<int64_t> PyStrToInt(std::string_view s) {
  s = StripSpaces(s);
  std::string digits;
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size()) return std::nullopt;
  bool last_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
      last_digit = true;
    } else if (c == '_' && last_digit && i + 1 < s.size()) {
      last_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!last_digit) return std::nullopt;
  if (neg) digits.insert(digits.begin(), '-');
  int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return v;
}

std::optional<double> PyStrToFloat(std::string_view s) {
  s = StripSpaces(s);
  if (s.empty()) return std::nullopt;
  std::string t(s);
  for (auto& c : t) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  std::string_view body = t;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "nan") return std::nan("");
  if (body == "inf" || body == "infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  double v = 0;
  const char* b = t.data() + (t[0] == '+' ? 1 : 0);
  auto [p, ec] = std::from_chars(b, t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

std::string IntToString(int64_t v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

std::string DoubleToString(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, p);
}

}  // namespace

std::string PythonFloatRepr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  // Python uses scientific notation when the exponent is < -4 or >= 16.
  double a = std::fabs(d);
  if (a != 0 && (a < 1e-4 || a >= 1e16)) {
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, p);
    // Python writes e-05 / e+16 with at least two exponent digits: to_chars does the same.
    return s;
  }
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  std::string s(buf, p);
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

std::optional<std::string> ParseIsoDate(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &m) ||
      !Digits(s, 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return std::nullopt;
  }
  return FormatUtc(DaysFromCivil(y, m, d) * 86400, 0);
}

std::optional<std::string> ParseIsoTimestamp(std::string_view s) {
  int y, mo, d, hh, mi, ss = 0;
  size_t pos;
  // Extended format: YYYY-MM-DD[T ]HH:MM[:SS[.frac]]; basic: YYYYMMDDTHHMM[SS]
  if (s.size() >= 16 && s[4] == '-') {
    if (!Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' || !Digits(s, 8, 2, &d)) return std::nullopt;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
    if (!Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mi)) return std::nullopt;
    pos = 16;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &ss)) return std::nullopt;
      pos += 3;
    }
  } else if (s.size() >= 13 && s[8] == 'T') {
    if (!Digits(s, 0, 4, &y) || !Digits(s, 4, 2, &mo) || !Digits(s, 6, 2, &d)) return std::nullopt;
    if (!Digits(s, 9, 2, &hh) || !Digits(s, 11, 2, &mi)) return std::nullopt;
    pos = 13;
    if (Digits(s, pos, 2, &ss)) pos += 2;
  } else {
    return std::nullopt;
  }
  int micros = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    size_t start = pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh = 0, om = 0;
      if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
      size_t p2 = pos + 3;
      if (p2 < s.size() && s[p2] == ':') {
        if (!Digits(s, p2 + 1, 2, &om)) return std::nullopt;
        p2 += 3;
      } else if (Digits(s, p2, 2, &om)) {
        p2 += 2;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_minutes = (oh * 60 + om) * (c == '-' ? -1 : 1);
      pos = p2;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  int64_t epoch = DaysFromCivil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss -
                  static_cast<int64_t>(offset_minutes) * 60;
  return FormatUtc(epoch, micros);
}

DataType BaseType(const ScalarValue& v) {
  switch (v.kind) {
    case ScalarValue::Kind::kBool: return DataType::kBool;
    case ScalarValue::Kind::kInt: return DataType::kBigint;
    case ScalarValue::Kind::kDouble: return DataType::kDouble;
    case ScalarValue::Kind::kJson: return DataType::kJson;
    default: return DataType::kText;
  }
}

DataType InferType(const ScalarValue& v) {
  if (v.kind == ScalarValue::Kind::kString && !v.s.empty() && ParseIsoTimestamp(v.s)) return DataType::kTimestamp;
  return BaseType(v);
}

std::optional<std::string> CoerceToText(const ScalarValue& v, DataType to) {
  using K = ScalarValue::Kind;
  switch (to) {
    case DataType::kText:
      switch (v.kind) {
        case K::kString: return std::string(v.s);
        case K::kBool: return std::string(v.b ? "True" : "False");
        case K::kInt: return IntToString(v.i);
        case K::kDouble: return PythonFloatRepr(v.d);
        default: return std::nullopt;
      }
    case DataType::kBigint:
      switch (v.kind) {
        case K::kInt: return IntToString(v.i);
        case K::kDouble:
          if (std::isfinite(v.d) && std::trunc(v.d) == v.d && std::fabs(v.d) < 9.2e18) {
            return IntToString(static_cast<int64_t>(v.d));
          }
          return std::nullopt;
        case K::kString:
          if (auto i = PyStrToInt(v.s)) return IntToString(*i);
          return std::nullopt;
        default: return std::nullopt;
      }
    case DataType::kDouble:
      switch (v.kind) {
        case K::kDouble: return DoubleToString(v.d);
        case K::kInt: return DoubleToString(static_cast<double>(v.i));
        case K::kString:
          if (auto d = PyStrToFloat(v.s)) return DoubleToString(*d);
          return std::nullopt;
        default: return std::nullopt;
      }
    case DataType::kBool:
      switch (v.kind) {
        case K::kBool: return std::string(v.b ? "true" : "false");
        case K::kInt: return std::string(v.i != 0 ? "true" : "false");
        case K::kDouble: return std::string(v.d != 0 ? "true" : "false");
        case K::kString:
          if (auto b = StrToBool(v.s)) return std::string(*b ? "true" : "false");
          return std::nullopt;
        default: return std::nullopt;
      }
    case DataType::kTimestamp:
      switch (v.kind) {
        case K::kString:
          if (auto t = ParseIsoTimestamp(v.s)) return t;
          return ParseIsoDate(v.s);
        case K::kInt: return FormatUtc(v.i, 0);
        case K::kDouble: {
          if (!std::isfinite(v.d)) return std::nullopt;
          double secs = std::floor(v.d);
          int micros = static_cast<int>(std::llround((v.d - secs) * 1e6));
          if (micros >= 1000000) {
            secs += 1;
            micros -= 1000000;
          }
          return FormatUtc(static_cast<int64_t>(secs), micros);
        }
        default: return std::nullopt;
      }
    case DataType::kDate:
      if (v.kind == K::kString) {
        if (auto d = ParseIsoDate(v.s)) return std::string(v.s);
        if (auto t = ParseIsoTimestamp(v.s)) return t->substr(0, 10);
      }
      return std::nullopt;
    case DataType::kTime:
      if (v.kind == K::kString) return std::string(v.s);
      return std::nullopt;
    case DataType::kDecimal:
    case DataType::kWei:
      switch (v.kind) {
        case K::kInt: return IntToString(v.i);
        case K::kDouble: return DoubleToString(v.d);
        case K::kString:
          if (PyStrToFloat(v.s)) return std::string(StripSpaces(v.s));
          return std::nullopt;
        default: return std::nullopt;
      }
    case DataType::kJson:
      switch (v.kind) {
        case K::kJson: return std::string(v.s);
        case K::kBool: return std::string(v.b ? "true" : "false");
        case K::kInt: return IntToString(v.i);
        case K::kDouble: return DoubleToString(v.d);
        case K::kString: {
          std::string out = "\"";
          for (unsigned char c : v.s) {
            if (c == '"' || c == '\\') {
              out += '\\';
              out += static_cast<char>(c);
            } else if (c < 0x20) {
              char b[8];
              std::snprintf(b, sizeof b, "\\u%04x", c);
              out += b;
            } else {
              out += static_cast<char>(c);
            }
          }
          return out + "\"";
        }
        default: return std::nullopt;
      }
    case DataType::kBinary:
      if (v.kind == K::kString) return std::string(v.s);
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace dlt
