// Which strings dlt 1.26 detects as timestamps and dates, and the instant it loads, built from
// pendulum 2.1.2's pure-Python parser rules. Every row was checked against pendulum.parse as dlt's
// parse_iso_like_datetime() calls it (Debian's python3-pendulum 2.1.2), as were some 150,000
// generated strings.
#include "common/iso8601.h"

#include <gtest/gtest.h>

#include <string>

#include "normalize/coerce.h"

namespace dlt {
namespace {

struct Row {
  const char* in;
  const char* want;  // nullptr: not this type (stays text)
};

const Row kTimestamps[] = {
    // extended and basic forms, every precision; no offset means UTC
    {"2024-06-01T12:00:00Z", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01T12:00:00", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01 12:00:00", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01T12:00Z", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01T12Z", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01T12", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01 12", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01T1200Z", "2024-06-01T12:00:00+00:00"},
    {"2024-06-01T123", "2024-06-01T12:03:00+00:00"},
    {"20240601T120000Z", "2024-06-01T12:00:00+00:00"},
    {"20240601T1200", "2024-06-01T12:00:00+00:00"},
    {"20240601 120000+0200", "2024-06-01T10:00:00+00:00"},
    {"2024-0601T12:00", "2024-06-01T12:00:00+00:00"},
    {"202406-01T12:00", "2024-06-01T12:00:00+00:00"},
    {"2024-06-1T12:00", "2024-06-01T12:00:00+00:00"},
    {"2024-6-01T12:00", nullptr},
    {"2024T12:00", "2024-01-01T12:00:00+00:00"},
    {"2024 12:00", "2024-01-01T12:00:00+00:00"},
    {"2024-06 12:00", "2024-06-01T12:00:00+00:00"},
    {"2024-06T12:00", "2024-06-01T12:00:00+00:00"},
    // fractional seconds: '.' or ',', up to 9 digits, truncated to microseconds
    {"2024-06-01T12:00:00.5Z", "2024-06-01T12:00:00.500000+00:00"},
    {"2024-06-01T12:00:00,25Z", "2024-06-01T12:00:00.250000+00:00"},
    {"2024-06-01T12:00:00.123456Z", "2024-06-01T12:00:00.123456+00:00"},
    {"2024-06-01T12:00:00.123456789Z", "2024-06-01T12:00:00.123456+00:00"},
    {"2024-06-01T12:00:00.1234567891Z", nullptr},
    // offsets +hh:mm, +hhmm, +hh; the minutes are not range-checked; 24 hours is too far
    {"2024-06-01T12:00:00+05:30", "2024-06-01T06:30:00+00:00"},
    {"2024-06-01T12:00:00+0530", "2024-06-01T06:30:00+00:00"},
    {"2024-06-01T12:00:00+05", "2024-06-01T07:00:00+00:00"},
    {"2024-06-01T12:00:00-08:00", "2024-06-01T20:00:00+00:00"},
    {"2024-06-01T12:00:00+05:99", "2024-06-01T05:21:00+00:00"},
    {"2024-06-01T12:00:00+23:59", "2024-05-31T12:01:00+00:00"},
    {"2024-06-01T12:00:00+05:", nullptr},
    {"2024-06-01T12:00:00+5", nullptr},
    {"2024-06-01T12:00:00+24:00", nullptr},
    // ordinal dates YYYY-DDD
    {"2024-153T12:00:00Z", "2024-06-01T12:00:00+00:00"},
    {"2024153T12:00:00Z", "2024-06-01T12:00:00+00:00"},
    {"2024-061T00:00", "2024-03-01T00:00:00+00:00"},
    {"2023-365T00:00", "2023-12-31T00:00:00+00:00"},
    {"2024-366T00:00", "2024-12-31T00:00:00+00:00"},
    {"2023-366T00:00", nullptr},
    {"2024-000T00:00", nullptr},
    // ISO week dates YYYY-Www-D (weekday 0 is the Sunday before; years before 1000 fail)
    {"2024-W22-6T12:00:00Z", "2024-06-01T12:00:00+00:00"},
    {"2024W226T12:00:00Z", "2024-06-01T12:00:00+00:00"},
    {"2024-W22T12:00", "2024-05-27T12:00:00+00:00"},
    {"2024-W22-T12:00", "2024-05-27T12:00:00+00:00"},
    {"2024-W01-1T00:00", "2024-01-01T00:00:00+00:00"},
    {"2024-W22-0T00:00", "2024-05-26T00:00:00+00:00"},
    {"2020-W53-7T00:00", "2021-01-03T00:00:00+00:00"},
    {"2024-W226T12:00:00Z", nullptr},
    {"2024W22-6T12:00:00Z", nullptr},
    {"2024-W22-8T00:00", nullptr},
    {"2021-W53-1T00:00", nullptr},
    {"1000-W01-1T00:00", nullptr},
    // pendulum's "common" fallback: '/' or ':' between date parts, a space (or nothing) before
    // the time, which needs hh:mm; '|' is one of its subsecond separators
    {"2024/06/01 12:00:00", "2024-06-01T12:00:00+00:00"},
    {"2024/06/01 12:00", "2024-06-01T12:00:00+00:00"},
    {"2024/06/01 1:2:3", "2024-06-01T01:02:03+00:00"},
    {"2024/06/01 12:00:00.5", "2024-06-01T12:00:00.500000+00:00"},
    {"2024/06/01 12:00:00|5", "2024-06-01T12:00:00.500000+00:00"},
    {"2024:06:01 12:00", "2024-06-01T12:00:00+00:00"},
    {"2024/0601 12:00", "2024-06-01T12:00:00+00:00"},
    {"2024/06/0112:00", "2024-06-01T12:00:00+00:00"},
    {"2024061212:00", "2024-06-12T12:00:00+00:00"},
    {"2024/06/01 12", nullptr},
    {"2024/06/01 12:", nullptr},
    {"2024/06/01 24:00", nullptr},
    {"2024/06/01T12:00", nullptr},
    // only uppercase T and Z; no surrounding spaces (one final line break is allowed)
    {"2024-06-01t12:00:00z", nullptr},
    {"2024-06-01T12:00:00z", nullptr},
    {"2024-06-01t12:00:00Z", nullptr},
    {"2024-06-01T12:00:00 Z", nullptr},
    {" 2024-06-01T12:00:00Z", nullptr},
    {"2024-06-01T12:00:00Z ", nullptr},
    {"2024-06-01T12:00:00Z\n", "2024-06-01T12:00:00+00:00"},
    // calendar ranges; UTC instants stay within years 1-9999
    {"2024-02-29T12:00:00Z", "2024-02-29T12:00:00+00:00"},
    {"2023-02-29T12:00:00Z", nullptr},
    {"2024-06-31T12:00:00Z", nullptr},
    {"2024-13-01T12:00:00Z", nullptr},
    {"2024-06-01T24:00:00Z", nullptr},
    {"2024-06-01T12:60:00Z", nullptr},
    {"2024-06-01T12:00:60Z", nullptr},
    {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00"},
    {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59+00:00"},
    {"0000-01-01T00:00:00Z", nullptr},
    {"0001-01-01T00:00:00+01:00", nullptr},
    {"9999-12-31T23:00:00-05:00", nullptr},
    // times of day, dates, durations, intervals, epoch numbers and words are not timestamps
    {"12:00", nullptr},
    {"12:00:00Z", nullptr},
    {"T12:00", nullptr},
    {"2024-06-01", nullptr},
    {"2024", nullptr},
    {"202406", nullptr},
    {"1717243200", nullptr},
    {"1717243200.5", nullptr},
    {"P1D", nullptr},
    {"PT12H", nullptr},
    {"2024-06-01/2024-06-02", nullptr},
    {"hello", nullptr},
    {"", nullptr},
};

const Row kDates[] = {
    {"2024-06-01", "2024-06-01"},
    {"20240601", "2024-06-01"},
    {"2024-06", "2024-06-01"},
    {"2024", "2024-01-01"},
    {"2024-153", "2024-06-01"},
    {"2024W226", "2024-06-01"},
    {"2024-W22", "2024-05-27"},
    {"2024/06/01", "2024-06-01"},
    {"2024:06:01", "2024-06-01"},
    {"0001-01-01", "0001-01-01"},
    {"202406", nullptr},  // read as the time 20:24:06
    {"2024/06", nullptr},
    {"0000-01-01", nullptr},
    {"2024-02-30", nullptr},
    {"2024-06-01T12:00:00Z", nullptr},  // a timestamp, not a date
    {"12:00", nullptr},
    {"1717243200", nullptr},
    {"2024-06-01z", nullptr},
};

TEST(Iso8601, TimestampDetectionAndInstantFollowPendulum212AsDltCallsIt) {
  for (const Row& r : kTimestamps) {
    auto got = iso8601::ParseIsoTimestamp(r.in);
    if (r.want) {
      EXPECT_EQ(got.value_or("<not a timestamp>"), r.want) << "input: \"" << r.in << "\"";
    } else {
      EXPECT_FALSE(got) << "input: \"" << r.in << "\" parsed as " << *got;
    }
  }
}

TEST(Iso8601, DateDetectionTakesDateOnlyForms) {
  for (const Row& r : kDates) {
    auto got = iso8601::ParseIsoDate(r.in);
    if (r.want) {
      EXPECT_EQ(got.value_or("<not a date>"), r.want) << "input: \"" << r.in << "\"";
    } else {
      EXPECT_FALSE(got) << "input: \"" << r.in << "\" parsed as " << *got;
    }
  }
}

ScalarValue Str(std::string_view s) {
  ScalarValue v;
  v.kind = ScalarValue::Kind::kString;
  v.s = s;
  return v;
}

TEST(Iso8601, NewColumnsGetTimestampTypeExactlyForDetectedStrings) {
  for (const Row& r : kTimestamps) {
    DataType want = r.want && r.in[0] ? DataType::kTimestamp : DataType::kText;
    EXPECT_EQ(InferType(Str(r.in)), want) << "input: \"" << r.in << "\"";
  }
}

TEST(Iso8601, TextCoercedIntoTimestampColumnsLoadsTheUtcInstantAndDatesAtMidnight) {
  EXPECT_EQ(CoerceToText(Str("2024-06-01T12Z"), DataType::kTimestamp), "2024-06-01T12:00:00+00:00");
  EXPECT_EQ(CoerceToText(Str("2024-W22-6T12:00:00+0530"), DataType::kTimestamp), "2024-06-01T06:30:00+00:00");
  EXPECT_EQ(CoerceToText(Str("2024/06/01"), DataType::kTimestamp), "2024-06-01T00:00:00+00:00");
  EXPECT_EQ(CoerceToText(Str("2024-153"), DataType::kTimestamp), "2024-06-01T00:00:00+00:00");
  EXPECT_FALSE(CoerceToText(Str("12:00"), DataType::kTimestamp));
  EXPECT_FALSE(CoerceToText(Str("2024-06-01t12:00:00z"), DataType::kTimestamp));
}

TEST(Iso8601, TextThatIsNoDateButANumberIsSecondsSinceTheEpochInTimestampAndDateColumns) {
  EXPECT_EQ(CoerceToText(Str("1717243200"), DataType::kTimestamp), "2024-06-01T12:00:00+00:00");
  EXPECT_EQ(CoerceToText(Str("1717243200.5"), DataType::kTimestamp), "2024-06-01T12:00:00.500000+00:00");
  EXPECT_EQ(CoerceToText(Str(" 12 "), DataType::kTimestamp), "1970-01-01T00:00:12+00:00");
  EXPECT_EQ(CoerceToText(Str("1e9"), DataType::kTimestamp), "2001-09-09T01:46:40+00:00");
  EXPECT_EQ(CoerceToText(Str("-1.5"), DataType::kTimestamp), "1969-12-31T23:59:58.500000+00:00");
  // 209999 is no time of day (minute 99), so it is a number; 123456 is the time 12:34:56
  EXPECT_EQ(CoerceToText(Str("209999"), DataType::kTimestamp), "1970-01-03T10:19:59+00:00");
  EXPECT_FALSE(CoerceToText(Str("123456"), DataType::kTimestamp));
  EXPECT_FALSE(CoerceToText(Str("nan"), DataType::kTimestamp));
  EXPECT_FALSE(CoerceToText(Str("inf"), DataType::kTimestamp));
  EXPECT_FALSE(CoerceToText(Str("99999999999999"), DataType::kTimestamp));  // past year 9999
  EXPECT_EQ(CoerceToText(Str("1717243200"), DataType::kDate), "2024-06-01");
  EXPECT_FALSE(CoerceToText(Str("123456"), DataType::kDate));
}

TEST(Iso8601, TextCoercedIntoDateColumnsLoadsTheDateInUtc) {
  EXPECT_EQ(CoerceToText(Str("2024/06/01"), DataType::kDate), "2024-06-01");
  EXPECT_EQ(CoerceToText(Str("2024"), DataType::kDate), "2024-01-01");
  EXPECT_EQ(CoerceToText(Str("2024-06-01T01:00:00+05:00"), DataType::kDate), "2024-05-31");
  EXPECT_FALSE(CoerceToText(Str("12:00"), DataType::kDate));
}

}  // namespace
}  // namespace dlt

// The UTC cell of an instant: four-digit years padded, the fraction only when it is not zero,
// exactly six digits of it, as Python's isoformat() writes it.
TEST(Iso8601, FormatUtcPadsEveryFieldAndWritesTheFractionOnlyWhenThere) {
  EXPECT_EQ(dlt::iso8601::FormatUtc(0, 0), "1970-01-01T00:00:00+00:00");
  EXPECT_EQ(dlt::iso8601::FormatUtc(0, 1), "1970-01-01T00:00:00.000001+00:00");
  EXPECT_EQ(dlt::iso8601::FormatUtc(1717243199, 999999), "2024-06-01T11:59:59.999999+00:00");
  EXPECT_EQ(dlt::iso8601::FormatUtc(-62135596800, 0), "0001-01-01T00:00:00+00:00");
  EXPECT_EQ(dlt::iso8601::FormatUtc(253402300799, 500000), "9999-12-31T23:59:59.500000+00:00");
  EXPECT_EQ(dlt::iso8601::FormatUtc(-1, 0), "1969-12-31T23:59:59+00:00");
}
