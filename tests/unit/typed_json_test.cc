// dlt's typed-JSON markers (common/typed_json.h, normalize/typed_json_markers.h): which strings
// are typed values, what they coerce to, how row hashes see them; and record sources that
// vouch for their JSON (RecordSource::json_is_valid).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/typed_json.h"
#include "destinations/duckdb/duckdb_api.h"
#include "dlt/pipeline.h"
#include "dlt/workspace.h"
#include "extract/extractor.h"
#include "extract/resource_access.h"
#include "normalize/coerce.h"
#include "normalize/typed_json_markers.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

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
  EXPECT_EQ(*CoerceToText(Read(kTime + "03:04"), DataType::kTime), "03:04:00");
  EXPECT_EQ(*CoerceToText(Read(kTime + "03:04:05.5"), DataType::kTime), "03:04:05.5");
  // An aware time (isoformat with its offset) is shifted to UTC and made naive, as dlt's
  // ensure_pendulum_time; around midnight both ways.
  EXPECT_EQ(*CoerceToText(Read(kTime + "14:01:02+02:00"), DataType::kTime), "12:01:02");
  EXPECT_EQ(*CoerceToText(Read(kTime + "01:00:00.250000+02:00"), DataType::kTime), "23:00:00.250000");
  EXPECT_EQ(*CoerceToText(Read(kTime + "23:00:00-03:00"), DataType::kTime), "02:00:00");
  EXPECT_EQ(*CoerceToText(Read(kTime + "10:00:00Z"), DataType::kTime), "10:00:00");
  // An offset of a day or more is no time's offset (time.fromisoformat refuses it): a variant.
  EXPECT_FALSE(CoerceToText(Read(kTime + "10:00:00+24:00"), DataType::kTime).has_value());
  EXPECT_EQ(UtcTimeOfDay("14:01:02+02:00"), "12:01:02");
  EXPECT_EQ(UtcTimeOfDay("not a time"), std::nullopt);
  EXPECT_EQ(UtcTimeOfDay("2024-01-01T10:00:00"), std::nullopt);
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

// JSON lines yielded as they are; json_is_valid() as told.
class LinesSource : public RecordSource {
 public:
  LinesSource(std::vector<std::string> lines, bool trusted) : lines_(std::move(lines)), trusted_(trusted) {}
  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    if (next_ >= lines_.size()) return false;
    *json = lines_[next_++];
    *where = "lines:" + std::to_string(next_);
    return true;
  }
  bool json_is_valid() const override { return trusted_; }

 private:
  std::vector<std::string> lines_;
  bool trusted_;
  size_t next_ = 0;
};

class SourceEnv {
 public:
  SourceEnv() {
    fs::create_directories(ws_.root() / ".dlt");
    ws_.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\n", "dev");
  }
  StatusOr<LoadInfo> Run(std::vector<std::string> lines, bool trusted) {
    ResourceOptions o;
    o.name = "events";
    Resource r = ResourceAccess::FromSource(o, [lines, trusted](const ExtractContext&) {
      return StatusOr<std::unique_ptr<RecordSource>>(std::make_unique<LinesSource>(lines, trusted));
    });
    DLT_ASSIGN_OR_RETURN(Workspace w, ws_.Open());
    DLT_RETURN_IF_ERROR(w.LoadConfig());
    PipelineOptions po;
    po.pipeline_name = "lines";
    po.destination = "warehouse";
    po.dataset_name = "lines_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(w, po));
    return p.Run({r});
  }
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    auto db = duckdb::Database::Open((ws_.root() / "_local" / "dev" / "warehouse.duckdb").string(), true);
    if (!db.ok()) return {db.status().message()};
    auto con = db->Connect();
    auto r = con->Query(sql);
    if (!r.ok()) return {r.status().message()};
    for (const auto& row : r->rows) out.push_back(row[0].is_null ? "NULL" : row[0].text);
    return out;
  }

 private:
  testing::TempWorkspace ws_;
};

TEST(TrustedJsonSource, ASourceThatVouchesForItsJsonLoadsEveryRow) {
  SourceEnv env;
  std::vector<std::string> lines;
  for (int i = 1; i <= 2000; ++i) lines.push_back("{\"id\": " + std::to_string(i) + ", \"price\": \"" + kDec + "1.5\"}");
  lines.push_back("[{\"id\": 2001, \"price\": \"" + kDec + "2.5\"}]");  // not one object: parsed anyway
  auto info = env.Run(lines, true);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(env.Column("SELECT count(*) || ' ' || sum(price) FROM lines_data.events"),
            (std::vector<std::string>{"2001 3002.500000000"}));
}

TEST(TrustedJsonSource, ASourceThatDoesNotVouchForItsJsonStillHasBadJsonRefusedNamingTheRecord) {
  SourceEnv env;
  auto info = env.Run({"{\"id\": 1}", "{\"id\": 2,}", "{\"id\": 3}"}, false);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("lines:2"), std::string::npos) << info.status().message();
  EXPECT_NE(info.status().message().find("invalid JSON"), std::string::npos) << info.status().message();
}

TEST(TrustedJsonSource, BadJsonFromASourceThatVouchedForItStillFailsTheRunAndLoadsNothing) {
  SourceEnv env;
  auto info = env.Run({"{\"id\": 1}", "{\"id\": 2,}"}, true);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("invalid JSON"), std::string::npos) << info.status().message();
  EXPECT_NE(env.Column("SELECT count(*) FROM lines_data.events")[0], "2");
}

}  // namespace
}  // namespace dlt
