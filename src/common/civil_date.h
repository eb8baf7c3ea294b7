// Proleptic Gregorian calendar arithmetic shared by the timestamp parsers and printers (ISO 8601
// detection, the DuckDB job scan and value rendering, PostgreSQL's binary COPY). Years are astronomical (0 = 1 BC).
#pragma once

#include <cstdint>

namespace dlt::civil {

constexpr bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days in month `m` (1-12) of year `y`.
constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of the date y-m-d (m 1-12, d 1-31).
constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// The date `days` after 1970-01-01 (negative: before): the inverse of DaysFromCivil.
constexpr CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, static_cast<int>(doy - (153 * mp + 2) / 5 + 1)};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(CivilFromDays(0).year == 1970 && CivilFromDays(0).month == 1 && CivilFromDays(0).day == 1);
static_assert(CivilFromDays(11017).year == 2000 && CivilFromDays(11017).month == 3 && CivilFromDays(11017).day == 1);
static_assert(CivilFromDays(-735525).year == -44 && CivilFromDays(-735525).month == 3 &&
              CivilFromDays(-735525).day == 15);
static_assert(CivilFromDays(-719163).year == 0 && CivilFromDays(-719163).month == 12 &&
              CivilFromDays(-719163).day == 31);  // 1 BC, a leap year: the day before 0001-01-01
static_assert(DaysFromCivil(1, 1, 1) == -719162);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(DaysFromCivil(-44, 3, 15) == -735525);

}  // namespace dlt::civil
