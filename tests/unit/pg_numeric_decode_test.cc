// PostgreSQL's binary numeric (base-10000 digits, weight, sign, display scale) read by the
// sql_database source as exact decimal text, the way the server itself prints the value.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "extract/sql_database/postgres_source.h"

namespace dlt::sql_source {
namespace {

std::string Numeric(int weight, uint16_t sign, int dscale, std::initializer_list<int> digits) {
  std::string b;
  auto put = [&](int v) {
    b.push_back(static_cast<char>((v >> 8) & 0xff));
    b.push_back(static_cast<char>(v & 0xff));
  };
  put(static_cast<int>(digits.size()));
  put(weight);
  put(sign);
  put(dscale);
  for (int d : digits) put(d);
  return b;
}

std::string Decode(const std::string& b) {
  auto r = DecodePgNumeric(b.data(), b.size());
  return r.ok() ? *r : "<error: " + r.status().message() + ">";
}

TEST(PgNumericDecode, ReadsEveryDigitOfALargeValueWithItsScale) {
  EXPECT_EQ(Decode(Numeric(3, 0, 6, {12, 3456, 7890, 1234, 1234, 5600})), "12345678901234.123456");
}

TEST(PgNumericDecode, ReadsSmallNegativeFractionsWithLeadingZeros) {
  EXPECT_EQ(Decode(Numeric(-2, 0x4000, 6, {100})), "-0.000001");
  EXPECT_EQ(Decode(Numeric(-1, 0, 5, {1234, 5000})), "0.12345");
}

TEST(PgNumericDecode, KeepsTrailingZerosOfTheScaleAndZerosInsideTheInteger) {
  EXPECT_EQ(Decode(Numeric(0, 0, 2, {})), "0.00");
  EXPECT_EQ(Decode(Numeric(1, 0, 0, {10})), "100000");
  EXPECT_EQ(Decode(Numeric(2, 0, 3, {1, 0, 5, 1000})), "100000005.100");
}

TEST(PgNumericDecode, RefusesNaNAndInfinityAsADecimalCannotHoldThem) {
  EXPECT_NE(Decode(Numeric(0, 0xC000, 0, {})).find("NaN"), std::string::npos);
  EXPECT_NE(Decode(Numeric(0, 0xD000, 0, {})).find("infinity"), std::string::npos);
}

}  // namespace
}  // namespace dlt::sql_source
