// dlt's typed-JSON markers (common/typed_json.h, normalize/typed_json_markers.h): which strings
// are typed values, what they coerce to, how row hashes see them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/typed_json.h"
#include "extract/extractor.h"
#include "normalize/coerce.h"
#include "normalize/typed_json_markers.h"

namespace dlt {
namespace {

const std::string kDec = "\xEF\x80\xA6", kDt = "\xEF\x80\xA7", kDate = "\xEF\x80\xA8", kUuid = "\xEF\x80\xA9",
                  kB64 = "\xEF\x80\xAB", kTime = "\xEF\x80\xAD";

ScalarValue Read(const std::string& s) {
  ScalarValue v;
  ReadMarkedString(s, &v);
  return v;
}

TEST(TypedJsonMarkers, OnlyAMarkerFollowedByTextMakesATypedValue) {
  EXPECT_EQ(typed_json::MarkerOf(kDec + "1"), typed_json::Marker::kDecimal);
  EXPECT_EQ(typed_json::MarkerOf(kTime + "03:04"), typed_json::Marker::kTime);
  EXPECT_EQ(typed_json::MarkerOf(kDec), typed_json::Marker::kNone);  // dlt: len(s) > 1
  EXPECT_EQ(typed_json::MarkerOf("\xEF\x80\xAE" "1"), typed_json::Marker::kNone);
  EXPECT_EQ(typed_json::MarkerOf("12.5"), typed_json::Marker::kNone);
  EXPECT_EQ(typed_json::Strip(kDt + "2024-01-02"), "2024-01-02");
  EXPECT_EQ(typed_json::Strip("plain"), "plain");
}

TEST(TypedJsonMarkers, JsonTextLosesTheMarkersOfItsValuesButNotOfItsKeys) {
  std::string json = "{\"" + kDec + "k\":\"" + kDec + "1.5\",\"l\":[\"" + kDate + "2024-01-02\",\"a\\\"" + kDec +
                     "\"],\"s\":\"\\\\\"}";
  EXPECT_EQ(typed_json::StripInJson(json),
            "{\"" + kDec + "k\":\"1.5\",\"l\":[\"2024-01-02\",\"a\\\"" + kDec + "\"],\"s\":\"\\\\\"}");
}

TEST(TypedJsonMarkers, DecimalsCompareExactly) {
  EXPECT_EQ(typed_json::CompareDecimal("9007199254740993", "9007199254740992"), 1);
  EXPECT_EQ(typed_json::CompareDecimal("12.50", "12.5"), 0);
  EXPECT_EQ(typed_json::CompareDecimal("1E+2", "100.0"), 0);
  EXPECT_EQ(typed_json::CompareDecimal("-3", "2"), -1);
  EXPECT_EQ(typed_json::CompareDecimal("-3", "-2.5"), -1);
  EXPECT_EQ(typed_json::CompareDecimal("0.001", "0"), 1);
  EXPECT_EQ(typed_json::CompareDecimal("-0", "0.000"), 0);
  EXPECT_EQ(*typed_json::DecimalToInt64Text("12.00"), "12");
  EXPECT_FALSE(typed_json::DecimalToInt64Text("12.5"));
  EXPECT_FALSE(typed_json::DecimalToInt64Text("99999999999999999999"));
}

TEST(TypedJsonMarkers, MarkedStringsBecomeValuesOfTheirTypeWithDltsColumnTypes) {
  EXPECT_EQ(InferType(Read(kDec + "12.50")), DataType::kDecimal);
  EXPECT_EQ(InferType(Read(kDt + "2024-01-02T03:04:05")), DataType::kTimestamp);
  EXPECT_EQ(InferType(Read(kDate + "2024-01-02")), DataType::kDate);
  EXPECT_EQ(InferType(Read(kTime + "03:04:05.5")), DataType::kTime);
  EXPECT_EQ(InferType(Read(kB64 + "AAFB")), DataType::kBinary);
  EXPECT_EQ(InferType(Read("\xEF\x80\xAC" "10")), DataType::kWei);
  const std::string uuid_text = kUuid + "6f1c1a8e-6d0e-4d43-9a43-0c4e1e3a6f10";  // values view their string
  ScalarValue uuid = Read(uuid_text);
  EXPECT_EQ(InferType(uuid), DataType::kText);
  EXPECT_EQ(uuid.s, "6f1c1a8e-6d0e-4d43-9a43-0c4e1e3a6f10");
  // Not decodable: the string as it is (dlt keeps it).
  const std::string bad_text = kDate + "yesterday";
  ScalarValue bad = Read(bad_text);
  EXPECT_EQ(bad.kind, ScalarValue::Kind::kString);
  EXPECT_EQ(bad.s, kDate + "yesterday");
}

TEST(TypedJsonMarkers, TypedValuesCoerceAsDltCoercesTheirPythonValues) {
  // A naive datetime is UTC; into a date column its UTC date.
  EXPECT_EQ(*CoerceToText(Read(kDt + "2024-01-02T03:04:05"), DataType::kTimestamp), "2024-01-02T03:04:05+00:00");
  EXPECT_EQ(*CoerceToText(Read(kDt + "2024-01-02T01:00:00+02:00"), DataType::kDate), "2024-01-01");
  EXPECT_FALSE(CoerceToText(Read(kDt + "2024-01-02T01:00:00+02:00"), DataType::kBigint));
  EXPECT_EQ(*CoerceToText(Read(kDt + "2024-01-02T01:00:00+02:00"), DataType::kText), "2024-01-02T01:00:00+02:00");
  EXPECT_EQ(*CoerceToText(Read(kDec + "12.00"), DataType::kBigint), "12");
  EXPECT_FALSE(CoerceToText(Read(kDec + "12.5"), DataType::kBigint));
  EXPECT_EQ(*CoerceToText(Read(kDec + "12.5"), DataType::kDouble), "12.5");
  EXPECT_EQ(*CoerceToText(Read(kDec + "0.0"), DataType::kBool), "false");
  EXPECT_FALSE(CoerceToText(Read(kDec + "1"), DataType::kTimestamp));
  EXPECT_EQ(*CoerceToText(Read(kDate + "2024-01-02"), DataType::kTimestamp), "2024-01-02T00:00:00+00:00");
  EXPECT_EQ(*CoerceToText(Read(kB64 + "AAFB"), DataType::kBinary), "\\x000141");
  EXPECT_EQ(*CoerceToText(Read(kB64 + "AAFB"), DataType::kText), "AAFB");
  EXPECT_FALSE(CoerceToText(Read(kTime + "03:04"), DataType::kTimestamp));
}

TEST(TypedJsonMarkers, UnmarkedTextIntoABinaryColumnIsDecodedAsDltDecodesIt) {
  ScalarValue v;
  v.kind = ScalarValue::Kind::kString;
  v.s = "0x00ff";
  EXPECT_EQ(*CoerceToText(v, DataType::kBinary), "\\x00ff");
  v.s = "AAFB";
  EXPECT_EQ(*CoerceToText(v, DataType::kBinary), "\\x000141");
  v.s = "not base64!";
  EXPECT_FALSE(CoerceToText(v, DataType::kBinary));
}

TEST(TypedJsonMarkers, RowHashesSeeTheValuesWithoutMarkers) {
  EXPECT_EQ(*IncrementalRowHash("{\"a\":\"" + kDec + "1.5\",\"b\":[\"" + kDt + "2024-01-02T03:04:05\"]}"),
            *IncrementalRowHash("{\"a\":\"1.5\",\"b\":[\"2024-01-02T03:04:05\"]}"));
}

}  // namespace
}  // namespace dlt
