// The text forms the SQLite and MySQL readers share (src/extract/sql_database/sql_cells.h):
// dates, times and timestamps as the databases print them, decimals, and cursor bounds written
// in the form the databases compare.
#include <gtest/gtest.h>

#include "extract/sql_database/sql_cells.h"
#include "normalize/typed_batch.h"

namespace dlt::sql_source {
namespace {

TEST(SqlCells, DateTimesAsDatabasesPrintThemBecomeUtcInstants) {
  EXPECT_EQ(TimestampCell(*ParseDateTimeMicros("2024-05-01 12:30:00")), "2024-05-01T12:30:00+00:00");
  EXPECT_EQ(TimestampCell(*ParseDateTimeMicros("2024-05-01T12:30:00.5")), "2024-05-01T12:30:00.500000+00:00");
  EXPECT_EQ(TimestampCell(*ParseDateTimeMicros("2024-05-01 00:30:00+01:00")), "2024-04-30T23:30:00+00:00");
  EXPECT_EQ(TimestampCell(*ParseDateTimeMicros("2024-05-01 12:30Z")), "2024-05-01T12:30:00+00:00");
  EXPECT_EQ(TimestampCell(*ParseDateTimeMicros("2024-05-01")), "2024-05-01T00:00:00+00:00");
}

TEST(SqlCells, TextThatIsNoRealDateOrTimeIsRefused) {
  EXPECT_FALSE(ParseDateTimeMicros("2023-02-29 00:00:00"));
  EXPECT_FALSE(ParseDateTimeMicros("0000-00-00 00:00:00"));  // MySQL's zero date
  EXPECT_FALSE(ParseDateTimeMicros("2024-05-01 12:30:00.1234567"));  // finer than a microsecond
  EXPECT_FALSE(ParseDateTimeMicros("2024-05-01 24:00:00"));
  EXPECT_FALSE(ParseDateTimeMicros("yesterday"));
  EXPECT_FALSE(ParseDateDays("2024-05-01 00:00:00"));
  EXPECT_FALSE(ParseTimeMicros("100:00:00"));
  EXPECT_FALSE(ParseTimeMicros("-01:00:00"));
  EXPECT_EQ(*ParseTimeMicros("23:59:59.999999"), 86399999999);
}

TEST(SqlCells, DecimalsStayExactText) {
  EXPECT_EQ(*DecimalText("-12.50"), "-12.50");
  EXPECT_EQ(*DecimalText("+3"), "3");
  EXPECT_EQ(*DecimalText(".5"), "0.5");
  EXPECT_FALSE(DecimalText("1e5"));
  EXPECT_FALSE(DecimalText("NaN"));
  EXPECT_FALSE(DecimalText(""));
  EXPECT_EQ(DecimalFromDouble(12.5, 2), "12.50");
  EXPECT_EQ(DecimalFromDouble(1e-7, std::nullopt), "0.0000001");
  EXPECT_EQ(DecimalFromInt(12, 2), "12.00");
}

TEST(SqlCells, TimestampBoundsAreWrittenShortestOrWithAllSixFractionDigits) {
  nlohmann::json at = "2024-01-01T10:00:00+00:00";
  EXPECT_EQ(*BoundText(at, DataType::kTimestamp, BoundForm::kShortest, "at"), "2024-01-01 10:00:00");
  EXPECT_EQ(*BoundText(at, DataType::kTimestamp, BoundForm::kLongest, "at"), "2024-01-01 10:00:00.000000");
  nlohmann::json half = "2024-01-01T11:00:00.500000+01:00";
  EXPECT_EQ(*BoundText(half, DataType::kTimestamp, BoundForm::kShortest, "at"), "2024-01-01 10:00:00.5");
  EXPECT_EQ(*BoundText("2024-01-01", DataType::kDate, BoundForm::kShortest, "d"), "2024-01-01");
  EXPECT_EQ(*BoundText(42, DataType::kBigint, BoundForm::kShortest, "id"), "42");
}

TEST(SqlCells, BoundThatIsNotOfTheColumnsTypeIsAnErrorNamingTheColumn) {
  auto r = BoundText("1; DROP TABLE x", DataType::kBigint, BoundForm::kShortest, "id");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column `id`"), std::string::npos) << r.status().message();
  EXPECT_FALSE(BoundText("soon", DataType::kTimestamp, BoundForm::kShortest, "at").ok());
}

}  // namespace
}  // namespace dlt::sql_source
