// dlt's schema settings (normalize/schema_settings.h) as the normalizer applies them to new
// columns: the detections of dlt's detections.py, preferred types and default hints matched by
// dlt's simple regexes, and how an update merges into stored settings.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "normalize/coerce.h"
#include "normalize/schema_settings.h"
#include "normalize_test_support.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

SchemaSettings Compiled(const char* json) {
  auto s = SchemaSettings::Compile(OrderedJson::parse(json));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : SchemaSettings();
}

ScalarValue Str(std::string_view s) {
  ScalarValue v;
  v.kind = ScalarValue::Kind::kString;
  v.s = s;
  return v;
}

ScalarValue Int(int64_t i) {
  ScalarValue v;
  v.kind = ScalarValue::Kind::kInt;
  v.i = i;
  return v;
}

ScalarValue Dec(std::string_view s) {
  ScalarValue v;
  v.kind = ScalarValue::Kind::kDecimal;
  v.s = s;
  return v;
}

TEST(SchemaSettings, SimpleRegexIsAnExactNameOrASearchedRegex) {
  auto exact = SimpleRegex::Compile("id");
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->Matches("id"));
  EXPECT_FALSE(exact->Matches("order_id"));
  auto rx = SimpleRegex::Compile("re:_id$");
  ASSERT_TRUE(rx.ok());
  EXPECT_TRUE(rx->Matches("order_id"));  // searched, as Python's re.search
  EXPECT_FALSE(rx->Matches("id"));
  EXPECT_FALSE(SimpleRegex::Compile("re:(").ok());
}

TEST(SchemaSettings, DetectionsAsDltsDetectionsModule) {
  SchemaSettings s = Compiled(R"({"detections": ["iso_timestamp", "iso_date", "timestamp", "large_integer"]})");
  EXPECT_FALSE(s.standard());
  EXPECT_EQ(s.InferType(Str("2024-05-01T10:00:00Z"), "a", false), DataType::kTimestamp);
  EXPECT_EQ(s.InferType(Str("2024-05-01"), "a", false), DataType::kDate);
  EXPECT_EQ(s.InferType(Str("May"), "a", false), DataType::kText);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_EQ(s.InferType(Int(now - 86400), "a", false), DataType::kTimestamp);
  EXPECT_EQ(s.InferType(Int(now - 6 * 31536000LL), "a", false), DataType::kBigint);  // older than five years
  EXPECT_EQ(s.InferType(Int(42), "a", false), DataType::kBigint);
  EXPECT_EQ(s.InferType(Dec("9223372036854775808"), "a", false), DataType::kWei);   // 2**63
  EXPECT_EQ(s.InferType(Dec("578960446186580977117854925043439539267"), "a", false), DataType::kText);
  EXPECT_EQ(s.InferType(Dec("12.5"), "a", false), DataType::kDecimal);
  // Only dlt's default: a date string stays text.
  SchemaSettings standard = Compiled(R"({"detections": ["iso_timestamp"]})");
  EXPECT_TRUE(standard.standard());
  EXPECT_EQ(standard.InferType(Str("2024-05-01"), "a", false), DataType::kText);
}

TEST(SchemaSettings, PreferredTypesWinOverDetectionsButNotForVariants) {
  SchemaSettings s = Compiled(R"({"detections": ["iso_timestamp"], "preferred_types": {"re:^amount": "decimal"}})");
  EXPECT_EQ(s.InferType(Int(12), "amount_due", false), DataType::kDecimal);
  EXPECT_EQ(s.InferType(Int(12), "amount_due", true), DataType::kBigint);
  EXPECT_EQ(s.InferType(Int(12), "total_amount", false), DataType::kBigint);
}

TEST(SchemaSettings, DefaultHintsSetColumnProperties) {
  SchemaSettings s = Compiled(R"({"default_hints": {"not_null": ["id"], "partition": ["re:_day$"],
                                   "primary_key": ["id"], "cluster": ["re:."]}})");
  Column id;
  id.name = "id";
  s.ApplyHints(&id);
  EXPECT_FALSE(id.nullable);
  EXPECT_TRUE(id.primary_key);
  // a primary_key hint alone leaves the column nullable, as dlt's _infer_column does
  SchemaSettings pk_only = Compiled(R"({"default_hints": {"primary_key": ["id"]}})");
  Column pk;
  pk.name = "id";
  pk_only.ApplyHints(&pk);
  EXPECT_TRUE(pk.primary_key);
  EXPECT_TRUE(pk.nullable);
  EXPECT_EQ(id.extra.value("cluster", false), true);
  Column day;
  day.name = "due_day";
  s.ApplyHints(&day);
  EXPECT_TRUE(day.nullable);
  EXPECT_EQ(day.extra.value("partition", false), true);
}

TEST(SchemaSettings, UnknownSettingsAreRefusedNamingThem) {
  auto bad = [](const char* json) {
    auto s = SchemaSettings::Compile(OrderedJson::parse(json));
    return s.ok() ? std::string("ok") : s.status().message();
  };
  EXPECT_NE(bad(R"({"detections": ["nope"]})").find("unknown type detection `nope`"), std::string::npos);
  EXPECT_NE(bad(R"({"preferred_types": {"a": "integer"}})").find("preferred type of `a` is `integer`"), std::string::npos);
  EXPECT_NE(bad(R"({"default_hints": {"bogus": ["a"]}})").find("unknown default hint `bogus`"), std::string::npos);
  EXPECT_NE(bad(R"({"default_hints": {"partition": ["re:("]}})").find("`re:(` is not a valid regular expression"),
            std::string::npos);
}

TEST(SchemaSettings, AnUpdateReplacesEachKeyItGivesWithNormalizedNames) {
  SnakeCaseNaming naming(65536);
  Schema schema("s");
  OrderedJson settings = schema.settings();
  auto changed = SetSchemaSettings(&settings, OrderedJson::parse(R"({"detections": ["iso_date"],
      "preferred_types": {"CreatedAt": "timestamp", "re:^Amount": "double"},
      "default_hints": {"not_null": ["OrderId", "_dlt_id"], "partition": ["re:_day$"]}})"), naming);
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(settings["detections"], OrderedJson::parse(R"(["iso_date"])"));
  EXPECT_EQ(settings["preferred_types"], OrderedJson::parse(R"({"created_at": "timestamp", "re:^Amount": "double"})"));
  // as dlt's update_schema: the incoming default hints replace the stored ones whole
  EXPECT_EQ(settings["default_hints"], OrderedJson::parse(R"({"not_null": ["order_id", "_dlt_id"], "partition": ["re:_day$"]})"));
  // keys the update does not give stay
  auto kept = SetSchemaSettings(&settings, OrderedJson::parse(R"({"preferred_types": {}})"), naming);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(*kept);
  EXPECT_EQ(settings["preferred_types"], OrderedJson::object());
  EXPECT_EQ(settings["detections"], OrderedJson::parse(R"(["iso_date"])"));
  // The same update again changes nothing; a bad one is refused and leaves the settings as they were.
  OrderedJson before = settings;
  changed = SetSchemaSettings(&settings, OrderedJson::parse(R"({"detections": ["iso_date"]})"), naming);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_FALSE(SetSchemaSettings(&settings, OrderedJson::parse(R"({"detections": ["nope"]})"), naming).ok());
  EXPECT_EQ(settings, before);
}

// Through the normalizer: a schema's settings shape the columns a record makes.
TEST(SchemaSettings, TheNormalizerAppliesTheSchemasSettings) {
  testing::TempDir dir;
  Schema schema("s");
  schema.mutable_settings() = OrderedJson::parse(R"({"detections": ["iso_timestamp", "iso_date"],
      "preferred_types": {"payload": "json", "re:^amount": "double"},
      "default_hints": {"not_null": ["id"], "partition": ["day"]}})");
  EXPECT_FALSE(testing::NormalizeRecords(dir.path(), schema,
                                         {R"({"id": 1, "day": "2024-05-01", "amount": 3, "payload": {"a": [1]}})"}, 1000)
                   .empty());
  const Table* t = schema.FindTable("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(schema.FindTable("t__payload__a"), nullptr);  // kept whole
  auto col = [&](const char* name) { return t->FindColumn(name); };
  ASSERT_TRUE(col("id") && col("day") && col("amount") && col("payload"));
  EXPECT_FALSE(col("id")->nullable);
  EXPECT_EQ(col("day")->data_type, DataType::kDate);
  EXPECT_EQ(col("day")->extra.value("partition", false), true);
  EXPECT_EQ(col("amount")->data_type, DataType::kDouble);
  EXPECT_EQ(col("payload")->data_type, DataType::kJson);
}

}  // namespace
}  // namespace dlt
