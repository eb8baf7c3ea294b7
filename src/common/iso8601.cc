#include "common/iso8601.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "common/civil_date.h"
#include "common/iso8601_match.h"

namespace dlt::iso8601 {

namespace {

using internal::CommonPattern;
using internal::IsoPattern;

constexpr int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// pendulum.helpers (Python integer division floors; year 0 - 1 can occur here).
int64_t P(int64_t y) { return y + FloorDiv(y, 4) - FloorDiv(y, 100) + FloorDiv(y, 400); }
bool IsLongYear(int64_t y) { return FloorMod(P(y), 7) == 4 || FloorMod(P(y - 1), 7) == 3; }
int WeekDay(int64_t y, int m, int d) {
  constexpr int kTable[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  if (m < 3) --y;
  int w = static_cast<int>(FloorMod(P(y) + kTable[m - 1] + d, 7));
  return w == 0 ? 7 : w;
}
int DaysInYear(int64_t y) { return civil::IsLeapYear(y) ? 366 : 365; }

// Day `ordinal` (1-based) of year `y` as month and day; false past the year's end.
bool FromOrdinal(int64_t y, int ordinal, int* month, int* day) {
  int m = 1;
  while (m <= 12 && ordinal > civil::DaysInMonth(y, m)) ordinal -= civil::DaysInMonth(y, m++);
  if (m > 12) return false;
  *month = m;
  *day = ordinal;
  return true;
}

// Python's datetime.date / datetime.time constructors.
bool ValidDate(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= civil::DaysInMonth(y, m);
}
bool ValidTime(int h, int mi, int s) { return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59; }

// "{:0<6}".format(digits[:6])
int Micros(std::string_view digits) {
  int v = 0;
  for (int i = 0; i < 6; ++i) v = v * 10 + (i < static_cast<int>(digits.size()) ? digits[i] - '0' : 0);
  return v;
}

// The end both patterns share: a time of day alone, or a date and a time; nullopt where
// pendulum's constructors raise (hour 24, day 31 of a 30-day month, ...).
std::optional<Parsed> WithTime(Parsed r, bool has_date) {
  if (!ValidTime(r.hour, r.minute, r.second)) return std::nullopt;
  if (!has_date) {
    r.kind = Parsed::Kind::kTime;
    return r;
  }
  if (!ValidDate(r.year, r.month, r.day)) return std::nullopt;
  r.kind = Parsed::Kind::kDateTime;
  return r;
}

// pendulum.parsing.iso8601.parse_iso8601 after its expression matched; nullopt where it raises
// ValueError (then dlt tries the common formats).
std::optional<Parsed> FromIso(const IsoPattern& m) {
  Parsed r;
  bool ambiguous = false;
  if (m.has_date) {
    if (m.isoyear.set()) {
      if (m.weeksep.set() && !m.weekdaysep.set() && m.isoweekday.set()) return std::nullopt;
      if (!m.weeksep.set() && m.weekdaysep.set()) return std::nullopt;
      int64_t y = m.Int(m.isoyear);
      int week = m.Int(m.isoweek);
      int weekday = m.isoweekday.set() ? m.Int(m.isoweekday) : 1;  // "0" is taken as is
      if (week > 53 || (week > 52 && !IsLongYear(y))) return std::nullopt;
      if (weekday > 7) return std::nullopt;
      int64_t ordinal = week * 7 + weekday - (WeekDay(y, 1, 4) + 3);
      if (ordinal < 1) ordinal += DaysInYear(--y);
      if (ordinal > DaysInYear(y)) ordinal -= DaysInYear(y++);
      // pendulum formats "{year}-{ordinal}" for strptime("%Y-%j"), whose %Y takes exactly four
      // digits: years before 1000 fail there.
      if (y < 1000 || y > 9999 || ordinal < 1) return std::nullopt;
      r.year = static_cast<int>(y);
      if (!FromOrdinal(y, static_cast<int>(ordinal), &r.month, &r.day)) return std::nullopt;
    } else {
      r.year = m.Int(m.year);
      if (m.month.set() && m.day.set()) {
        if (!m.daysep.set() && m.day.len == 1) {
          // YYYY-DDD: an ordinal day (month digits followed by the one day digit)
          int ordinal = m.Int(m.month) * 10 + m.Int(m.day);
          if (ordinal > DaysInYear(r.year)) return std::nullopt;
          if (ordinal == 0) return std::nullopt;  // pendulum makes it month 0, refused by datetime
          FromOrdinal(r.year, ordinal, &r.month, &r.day);
        } else {
          r.month = m.Int(m.month);
          r.day = m.Int(m.day);
        }
      } else if (m.month.set()) {
        ambiguous = !m.monthsep.set();  // 201207 may be a time hhmmss
        r.month = m.Int(m.month);
      }
    }
  }
  if (!m.has_time) {
    if (ambiguous) {
      // pendulum reads "{year}{month:0>2}" back as hh, mm and the rest as ss (a year below
      // 1000 prints shorter, and an empty ss raises)
      std::string hms = std::to_string(r.year) + (r.month < 10 ? "0" : "") + std::to_string(r.month);
      if (hms.size() < 5) return std::nullopt;
      int h = std::stoi(hms.substr(0, 2)), mi = std::stoi(hms.substr(2, 2)), s = std::stoi(hms.substr(4));
      if (!ValidTime(h, mi, s)) return std::nullopt;
      Parsed t;
      t.kind = Parsed::Kind::kTime;
      t.hour = h, t.minute = mi, t.second = s;
      return t;
    }
    if (!ValidDate(r.year, r.month, r.day)) return std::nullopt;
    r.kind = Parsed::Kind::kDate;
    return r;
  }
  if (ambiguous) return std::nullopt;
  if (m.has_date && !m.timesep.set()) return std::nullopt;
  r.hour = m.Int(m.hour);
  if (m.minute.set()) {
    r.minute = m.Int(m.minute);
  } else if (m.minsep.set()) {
    return std::nullopt;
  }
  if (m.secsep.set() && !m.minsep.set() && m.minute.set()) return std::nullopt;
  if (m.second.set()) {
    if (!m.secsep.set() && m.minsep.set()) return std::nullopt;
    r.second = m.Int(m.second);
  } else if (m.secsep.set()) {
    return std::nullopt;
  }
  if (m.subsecond.set()) r.microsecond = Micros(m.Text(m.subsecond));
  if (m.tzz.set()) {
    r.has_offset = true;
  } else if (m.tzsign.set()) {
    // +hh, +hhmm, +hh:mm; "+hh:" splits into an empty minute, which int() refuses
    if (m.tzcolon.set() && !m.tzminute.set()) return std::nullopt;
    int off = (m.Int(m.tzhour) * 60 + (m.tzminute.set() ? m.Int(m.tzminute) : 0)) * 60;
    r.has_offset = true;
    r.offset_seconds = m.Text(m.tzsign) == "-" ? -off : off;
  }
  return WithTime(r, m.has_date);
}

// pendulum.parsing._parse_common after COMMON matched (day_first false); nullopt where it raises.
std::optional<Parsed> FromCommon(const CommonPattern& m) {
  Parsed r;
  if (m.has_date) {
    r.year = m.Int(m.year);
    if (m.month.set()) {
      r.month = m.Int(m.month);
      r.day = m.Int(m.day);
    }
  }
  if (!m.has_time) {
    if (!ValidDate(r.year, r.month, r.day)) return std::nullopt;
    r.kind = Parsed::Kind::kDate;
    return r;
  }
  if (!m.minute.set()) return std::nullopt;  // int(None) raises
  r.hour = m.Int(m.hour);
  r.minute = m.Int(m.minute);
  if (m.second.set()) r.second = m.Int(m.second);
  if (m.subsecond.set()) r.microsecond = Micros(m.Text(m.subsecond));
  return WithTime(r, m.has_date);
}


}  // namespace

std::optional<Parsed> ParseIsoLike(std::string_view s) {
  // Python's `$` also matches before one final line break; nothing in either pattern matches
  // a line break, so matching without it is the same.
  std::string_view body = s;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  // Neither pattern matches more than 36 characters: longer strings are text without a scan.
  if (body.empty() || body.size() > 36) return std::nullopt;
  // A string starting with P is an ISO duration (or nothing) for pendulum: never a date.
  IsoPattern iso(body);
  if (body[0] != 'P' && iso.Match(body.size())) {
    if (auto r = FromIso(iso)) return r;
  }
  CommonPattern common(body);
  if (common.Match(body.size())) return FromCommon(common);
  return std::nullopt;
}

std::string FormatUtc(int64_t epoch_seconds, int micros) {
  int64_t days = epoch_seconds / 86400;
  int64_t rem = epoch_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const civil::CivilDate cd = civil::CivilFromDays(days);
  const int y = static_cast<int>(cd.year), m = cd.month, d = cd.day;
  int hh = static_cast<int>(rem / 3600), mm = static_cast<int>(rem % 3600 / 60), ss = static_cast<int>(rem % 60);
  if (y < 0 || y > 9999 || micros > 999999) {
    // Outside the 4-digit years every writer and reader of these cells agrees on: printf's form.
    char buf[64];
    if (micros > 0) {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", y, m, d, hh, mm, ss, micros);
    } else {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", y, m, d, hh, mm, ss);
    }
    return buf;
  }
  // Digits written directly: typed sources format a timestamp per row, and snprintf cost a few
  // seconds of a 5M-row table's extract.
  char buf[33] = "0000-00-00T00:00:00.000000+00:00";
  auto put = [&buf](int at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) buf[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, y, 4);
  put(5, m, 2);
  put(8, d, 2);
  put(11, hh, 2);
  put(14, mm, 2);
  put(17, ss, 2);
  if (micros > 0) {
    put(20, micros, 6);
    return std::string(buf, 32);
  }
  std::memcpy(buf + 19, "+00:00", 6);
  return std::string(buf, 25);
}

std::optional<std::string> UtcInstant(const Parsed& p) {
  if (p.kind == Parsed::Kind::kTime) return std::nullopt;
  // Python's tzinfo offsets must stay strictly within a day.
  if (p.offset_seconds <= -86400 || p.offset_seconds >= 86400) return std::nullopt;
  int64_t epoch = civil::DaysFromCivil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.minute * 60 + p.second -
                  p.offset_seconds;
  // Python datetimes hold years 1-9999 (0001-01-01 to 9999-12-31 23:59:59 UTC).
  constexpr int64_t kMin = -62135596800LL, kMax = 253402300799LL;
  if (epoch < kMin || epoch > kMax) return std::nullopt;
  return FormatUtc(epoch, p.microsecond);
}

std::optional<std::string> ParseIsoTimestamp(std::string_view s) {
  auto p = ParseIsoLike(s);
  if (!p || p->kind != Parsed::Kind::kDateTime) return std::nullopt;
  return UtcInstant(*p);
}

std::optional<std::string> ParseIsoDate(std::string_view s) {
  auto p = ParseIsoLike(s);
  if (!p || p->kind != Parsed::Kind::kDate) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", p->year, p->month, p->day);
  return std::string(buf);
}

}  // namespace dlt::iso8601
