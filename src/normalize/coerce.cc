#include "normalize/coerce.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/iso8601.h"
#include "common/text.h"
#include "normalize/typed_batch.h"
#include "normalize/typed_json_markers.h"

namespace dlt {

namespace {

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

// pendulum.from_timestamp(): seconds since the epoch as a UTC instant, within Python's years
// 1-9999 (outside them, or for nan/inf, Python raises and the value goes to a variant column).
std::optional<std::string> FromEpochSeconds(double d) {
  if (!std::isfinite(d) || d < -62135596800.0 || d >= 253402300800.0) return std::nullopt;
  double secs = std::floor(d);
  int micros = static_cast<int>(std::llround((d - secs) * 1e6));
  if (micros >= 1000000) {
    secs += 1;
    micros -= 1000000;
  }
  return iso8601::FormatUtc(static_cast<int64_t>(secs), micros);
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

DataType BaseType(const ScalarValue& v) {
  switch (v.kind) {
    case ScalarValue::Kind::kDecimal: return DataType::kDecimal;
    case ScalarValue::Kind::kWei: return DataType::kWei;
    case ScalarValue::Kind::kTimestamp: return DataType::kTimestamp;
    case ScalarValue::Kind::kDate: return DataType::kDate;
    case ScalarValue::Kind::kTime: return DataType::kTime;
    case ScalarValue::Kind::kBinary: return DataType::kBinary;
    case ScalarValue::Kind::kBool: return DataType::kBool;
    case ScalarValue::Kind::kInt: return DataType::kBigint;
    case ScalarValue::Kind::kDouble: return DataType::kDouble;
    case ScalarValue::Kind::kJson: return DataType::kJson;
    default: return DataType::kText;
  }
}

DataType InferType(const ScalarValue& v) {
  // dlt's default detections are ["iso_timestamp"]: a string that parses to a datetime.
  if (v.kind == ScalarValue::Kind::kString && !v.s.empty() && iso8601::ParseIsoTimestamp(v.s)) {
    return DataType::kTimestamp;
  }
  return BaseType(v);
}

std::optional<std::string> UtcTimeOfDay(std::string_view s) {
  auto p = iso8601::ParseIsoLike(s);
  if (!p || p->kind != iso8601::Parsed::Kind::kTime) return std::nullopt;
  // A naive "HH:MM:SS[.f]" is kept as written (the same time of day).
  if (!p->has_offset && s.size() >= 8 && s[2] == ':' && s[5] == ':' &&
      s.find_first_not_of("0123456789:.") == std::string_view::npos) {
    return std::string(s);
  }
  constexpr int64_t kDay = 86400;
  int64_t secs = int64_t{p->hour} * 3600 + p->minute * 60 + p->second;
  if (p->has_offset) secs = ((secs - p->offset_seconds) % kDay + kDay) % kDay;
  return TimeCell(secs * 1000000 + p->microsecond);
}

std::optional<std::string> CoerceToText(const ScalarValue& v, DataType to) {
  using K = ScalarValue::Kind;
  if (v.kind >= K::kDecimal) return CoerceTypedToText(v, to);
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
        case K::kString: {
          // dlt's text -> timestamp: a datetime's instant, a date's midnight (UTC); what does not
          // parse at all but is a Python float is seconds since the epoch
          auto p = iso8601::ParseIsoLike(v.s);
          if (p) return iso8601::UtcInstant(*p);
          if (auto d = PyStrToFloat(v.s)) return FromEpochSeconds(*d);
          return std::nullopt;
        }
        case K::kInt: return FromEpochSeconds(static_cast<double>(v.i));
        case K::kDouble: return FromEpochSeconds(v.d);
        default: return std::nullopt;
      }
    case DataType::kDate:
      if (v.kind == K::kString) {
        // dlt's text -> date: a date as it is, a datetime's date in UTC
        auto p = iso8601::ParseIsoLike(v.s);
        if (p && p->kind == iso8601::Parsed::Kind::kDate) return iso8601::ParseIsoDate(v.s);
        if (p && p->kind == iso8601::Parsed::Kind::kDateTime) {
          if (auto t = iso8601::UtcInstant(*p)) return t->substr(0, 10);
        }
        if (!p) {
          if (auto d = PyStrToFloat(v.s)) {
            if (auto t = FromEpochSeconds(*d)) return t->substr(0, 10);
          }
        }
      }
      return std::nullopt;
    case DataType::kTime:
      // dlt: text -> time only for ISO times of day (a variant column otherwise), in UTC
      if (v.kind == K::kString) return UtcTimeOfDay(v.s);
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
          std::string out;
          text::AppendJsonString(out, v.s);
          return out;
        }
        default: return std::nullopt;
      }
    case DataType::kBinary:
      // dlt's text -> binary: "0x" hex or base64, decoded to the bytes
      if (v.kind == K::kString) return TextToBinaryCell(v.s);
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace dlt
