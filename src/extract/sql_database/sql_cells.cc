// See sql_cells.h.
#include "extract/sql_database/sql_cells.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/civil_date.h"
#include "normalize/typed_batch.h"

namespace dlt::sql_source {

namespace {

// Reads exactly `n` ASCII digits at s[*i].
bool Digits(std::string_view s, size_t* i, size_t n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool ParseDate(std::string_view s, size_t* i, int64_t* days) {
  int y, m, d;
  if (!Digits(s, i, 4, &y) || *i >= s.size() || s[(*i)++] != '-' || !Digits(s, i, 2, &m) || *i >= s.size() ||
      s[(*i)++] != '-' || !Digits(s, i, 2, &d)) {
    return false;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > civil::DaysInMonth(y, m)) return false;
  *days = civil::DaysFromCivil(y, m, d);
  return true;
}

// "HH:MM[:SS[.f{1,6}]]" at s[*i]; hours 0-23.
bool ParseClock(std::string_view s, size_t* i, int64_t* micros) {
  int h, mi, sec = 0, frac = 0;
  if (!Digits(s, i, 2, &h) || *i >= s.size() || s[(*i)++] != ':' || !Digits(s, i, 2, &mi)) return false;
  if (*i < s.size() && s[*i] == ':') {
    ++*i;
    if (!Digits(s, i, 2, &sec)) return false;
    if (*i < s.size() && s[*i] == '.') {
      ++*i;
      size_t start = *i;
      while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9') {
        if (*i - start == 6) return false;  // finer than a microsecond: not exact in a typed cell
        frac = frac * 10 + (s[*i] - '0');
        ++*i;
      }
      if (*i == start) return false;
      for (size_t k = *i - start; k < 6; ++k) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return false;
  *micros = ((h * 60LL + mi) * 60 + sec) * 1000000 + frac;
  return true;
}

}  // namespace

std::optional<int64_t> ParseDateTimeMicros(std::string_view s) {
  size_t i = 0;
  int64_t days = 0, clock = 0, offset = 0;
  if (!ParseDate(s, &i, &days)) return std::nullopt;
  if (i < s.size() && (s[i] == ' ' || s[i] == 'T')) {
    ++i;
    if (!ParseClock(s, &i, &clock)) return std::nullopt;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      int sign = s[i++] == '-' ? -1 : 1, oh = 0, om = 0;
      if (!Digits(s, &i, 2, &oh)) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !Digits(s, &i, 2, &om)) return std::nullopt;
      if (oh > 23 || om > 59) return std::nullopt;
      offset = sign * (oh * 3600LL + om * 60) * 1000000;
    }
  }
  if (i != s.size()) return std::nullopt;
  return days * 86400000000LL + clock - offset;
}

std::optional<int64_t> ParseDateDays(std::string_view s) {
  size_t i = 0;
  int64_t days = 0;
  if (!ParseDate(s, &i, &days) || i != s.size()) return std::nullopt;
  return days;
}

std::optional<int64_t> ParseTimeMicros(std::string_view s) {
  size_t i = 0;
  int64_t micros = 0;
  if (!ParseClock(s, &i, &micros) || i != s.size()) return std::nullopt;
  return micros;
}

std::optional<std::string> DecimalText(std::string_view s) {
  std::string out;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (s[i] == '-') out += '-';
    ++i;
  }
  size_t int_digits = 0, frac_digits = 0;
  std::string digits;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') digits += s[i++], ++int_digits;
  if (int_digits == 0) digits = "0";
  out += digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::string frac;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac += s[i++], ++frac_digits;
    if (frac_digits) out += "." + frac;
  }
  if (i != s.size() || int_digits + frac_digits == 0) return std::nullopt;
  return out;
}

std::string DecimalFromDouble(double v, std::optional<int> scale) {
  char buf[512];
  if (scale) {
    std::snprintf(buf, sizeof buf, "%.*f", *scale, v);
    return buf;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string DecimalFromInt(int64_t v, std::optional<int> scale) {
  std::string out = std::to_string(v);
  if (scale && *scale > 0) out += "." + std::string(static_cast<size_t>(*scale), '0');
  return out;
}

StatusOr<std::string> BoundText(const nlohmann::json& value, DataType type, BoundForm form, std::string_view what) {
  auto bad = [&](const char* expected) {
    return InvalidArgument("sql_database: the bound " + value.dump() + " on column `" + std::string(what) +
                           "` is not " + expected);
  };
  switch (type) {
    case DataType::kTimestamp:
    case DataType::kTime: {
      std::optional<int64_t> micros;
      if (value.is_string()) {
        const std::string& s = value.get_ref<const std::string&>();
        micros = type == DataType::kTime ? ParseTimeMicros(s) : ParseDateTimeMicros(s);
      } else if (value.is_number() && type == DataType::kTimestamp) {
        micros = static_cast<int64_t>(std::llround(value.get<double>() * 1e6));  // Unix seconds
      }
      if (!micros) return bad(type == DataType::kTime ? "a time of day" : "a timestamp");
      std::string cell = type == DataType::kTime ? TimeCell(*micros % 86400000000LL) : TimestampCell(*micros);
      if (type == DataType::kTimestamp) {
        cell = cell.substr(0, cell.size() - 6);  // drop "+00:00": the value is UTC
        cell[10] = ' ';
      }
      // The cells drop a zero fraction and keep six digits otherwise.
      size_t dot = cell.find('.');
      if (form == BoundForm::kLongest) {
        if (dot == std::string::npos) cell += ".000000";
      } else if (dot != std::string::npos) {
        while (cell.back() == '0') cell.pop_back();
      }
      return cell;
    }
    case DataType::kDate: {
      std::optional<int64_t> days;
      if (value.is_string()) {
        const std::string& s = value.get_ref<const std::string&>();
        days = ParseDateDays(s);
        if (!days) {
          if (auto m = ParseDateTimeMicros(s)) days = *m / 86400000000LL - (*m % 86400000000LL < 0);
        }
      }
      if (!days) return bad("a date");
      return DateCell(*days);
    }
    case DataType::kDecimal:
    case DataType::kBigint:
    case DataType::kDouble: {
      if (value.is_string()) {
        if (auto d = DecimalText(value.get_ref<const std::string&>())) return *d;
        return bad("a number");
      }
      if (value.is_number_integer()) return value.dump();
      if (value.is_number_float()) return DecimalFromDouble(value.get<double>(), std::nullopt);
      return bad("a number");
    }
    case DataType::kBool:
      if (value.is_boolean()) return std::string(value.get<bool>() ? "1" : "0");
      return bad("a boolean");
    default:
      if (value.is_string()) return value.get<std::string>();
      if (value.is_primitive() && !value.is_null()) return value.dump();
      return bad("a scalar");
  }
}

nlohmann::json CellJson(DataType type, const std::string& cell) {
  switch (type) {
    case DataType::kBigint: {
      int64_t v = 0;
      std::from_chars(cell.data(), cell.data() + cell.size(), v);
      return v;
    }
    case DataType::kDouble: return std::strtod(cell.c_str(), nullptr);
    case DataType::kBool: return cell == "true";
    default: return cell;
  }
}

}  // namespace dlt::sql_source
