// See sql_query_text.h.
#include "load/sql_query_text.h"

#include <cctype>

namespace dlt::sqltext {

StatusOr<std::string> BindPlaceholders(std::string_view sql, size_t params, PlaceholderStyle style) {
  std::string out;
  out.reserve(sql.size() + 8);
  size_t found = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '%' && next == 's') {
      ++found;
      out += style == PlaceholderStyle::kQuestionMark ? "?" : "$" + std::to_string(found);
      ++i;
    } else if (c == '%' && next == '%' && style == PlaceholderStyle::kDollarNumber) {
      out += '%';
      ++i;
    } else {
      out += c;
    }
  }
  if (found != params) {
    return InvalidArgument("the SQL has " + std::to_string(found) + " %s placeholder(s) but " + std::to_string(params) +
                           " parameter(s) were given; give one parameter per %s");
  }
  return out;
}

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "HH:MM:SS[.frac][offset]" normalized; `ok` false when it is not of that form.
std::string TimeOfDay(std::string_view t, bool& ok) {
  ok = false;
  if (t.size() < 8 || t[2] != ':' || t[5] != ':' || !AllDigits(t.substr(0, 2)) || !AllDigits(t.substr(3, 2)) ||
      !AllDigits(t.substr(6, 2))) {
    return std::string(t);
  }
  std::string out(t.substr(0, 8));
  size_t i = 8;
  if (i < t.size() && t[i] == '.') {
    size_t start = ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    std::string frac(t.substr(start, i - start));
    if (frac.empty()) return std::string(t);
    frac.resize(frac.size() <= 6 ? 6 : 9, '0');
    if (frac.find_first_not_of('0') != std::string::npos) out += "." + frac;
  }
  if (i < t.size()) {
    // The offset: +HH, +HH:MM or +HH:MM:SS (PostgreSQL and DuckDB leave out zero minutes).
    std::string_view off = t.substr(i);
    if ((off[0] != '+' && off[0] != '-') || off.size() < 3 || !AllDigits(off.substr(1, 2))) return std::string(t);
    out += off;
    if (off.size() == 3) out += ":00";
  }
  ok = true;
  return out;
}

}  // namespace

std::string IsoTimestamp(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || text.find("BC") != std::string_view::npos) return std::string(text);
  bool ok = false;
  std::string time = TimeOfDay(text.substr(space + 1), ok);
  if (!ok) return std::string(text);
  return std::string(text.substr(0, space)) + "T" + time;
}

std::string IsoTime(std::string_view text) {
  bool ok = false;
  return TimeOfDay(text, ok);
}

std::string FullDecimal(std::string_view text) {
  if (text.starts_with(".")) return "0" + std::string(text);
  if (text.starts_with("-.")) return "-0" + std::string(text.substr(1));
  return std::string(text);
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace dlt::sqltext
