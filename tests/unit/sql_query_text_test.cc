// The database-independent parts of typed queries (load/sql_query_text.h): dlt's %s placeholders
// and the value texts SqlSession promises.
#include "load/sql_query_text.h"

#include <gtest/gtest.h>

namespace dlt::sqltext {
namespace {

TEST(SqlPlaceholders, PercentSBecomesAQuestionMarkForDuckDb) {
  auto r = BindPlaceholders("SELECT * FROM t WHERE a = %s AND b LIKE '50%' AND c = %s", 2,
                            PlaceholderStyle::kQuestionMark);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "SELECT * FROM t WHERE a = ? AND b LIKE '50%' AND c = ?");
}

TEST(SqlPlaceholders, PercentSBecomesNumberedDollarsAndDoublePercentOneForPostgres) {
  auto r = BindPlaceholders("SELECT %s, %s WHERE x LIKE 'a%%'", 2, PlaceholderStyle::kDollarNumber);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, "SELECT $1, $2 WHERE x LIKE 'a%'");
}

TEST(SqlPlaceholders, ACountThatDoesNotMatchTheParametersIsRefused) {
  auto r = BindPlaceholders("SELECT %s", 2, PlaceholderStyle::kQuestionMark);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "the SQL has 1 %s placeholder(s) but 2 parameter(s) were given; give one parameter per %s");
}

TEST(SqlValueText, TimestampsBecomeIsoWithSixDigitFractionsAndFullOffsets) {
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05.5+00"), "2024-01-02T03:04:05.500000+00:00");
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05.123456+00"), "2024-01-02T03:04:05.123456+00:00");
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05+00"), "2024-01-02T03:04:05+00:00");
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05+05:30"), "2024-01-02T03:04:05+05:30");
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05"), "2024-01-02T03:04:05");
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05.000000"), "2024-01-02T03:04:05");
  EXPECT_EQ(IsoTimestamp("2024-01-02 03:04:05.1234567"), "2024-01-02T03:04:05.123456700");
  EXPECT_EQ(IsoTimestamp("infinity"), "infinity");
  EXPECT_EQ(IsoTimestamp("0044-03-15 00:00:00+00 BC"), "0044-03-15 00:00:00+00 BC");
}

TEST(SqlValueText, TimesDecimalsAndBytes) {
  EXPECT_EQ(IsoTime("03:04:05"), "03:04:05");
  EXPECT_EQ(IsoTime("03:04:05.25"), "03:04:05.250000");
  EXPECT_EQ(IsoTime("03:04:05-02"), "03:04:05-02:00");
  EXPECT_EQ(FullDecimal(".001"), "0.001");
  EXPECT_EQ(FullDecimal("-.5"), "-0.5");
  EXPECT_EQ(FullDecimal("12.3400"), "12.3400");
  EXPECT_EQ(Hex(std::string("\x00\xff\x10" "a", 4)), "00ff1061");
  EXPECT_EQ(Hex(""), "");
}

}  // namespace
}  // namespace dlt::sqltext
