// `dlt run` of a JSONL file with the ISO 8601 forms dlt 1.26 detects (and those it keeps as text):
// the DuckDB columns get the types dlt gives them, and the loaded instants are the ones pendulum
// 2.1.2 parses (common/iso8601.h; tests/unit/iso8601_test.cc has the full table).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

std::string ColumnType(const std::filesystem::path& db, const std::string& column) {
  return SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'iso_data' "
                      "AND table_name = 'orders' AND column_name = '" + column + "'");
}

TEST(IsoTimestampDetection, JsonlFormsBecomeTheColumnTypesAndInstantsDltGivesThem) {
  PipelineWorkspace w;
  w.Write("iso.toml", PipelineFile("iso", "orders.jsonl"));
  // 2024-06-01T12:00:00Z is 1717243200 seconds after the epoch.
  const std::vector<std::pair<std::string, std::string>> timestamps = {
      {"hour_only", "2024-06-01T12Z"},
      {"slashes", "2024/06/01 12:00:00"},
      {"ordinal", "2024-153T12:00:00Z"},
      {"week", "2024-W22-6T12:00:00Z"},
      {"basic", "20240601T120000Z"},
      {"fraction", "2024-06-01T12:00:00.123456789Z"},
      {"offset_hhmm", "2024-06-01T17:30:00+0530"},
      {"offset_hh", "2024-06-01T17:00:00+05"},
      {"naive", "2024-06-01 12:00"},
  };
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"lowercase", "2024-06-01t12:00:00z"},
      {"date_only", "2024-06-01"},
      {"time_only", "12:00:00"},
      {"offset_24h", "2024-06-01T12:00:00+24:00"},
      {"year_zero", "0000-06-01T12:00:00Z"},
  };
  std::string row = "{\"id\": 1";
  for (const auto& [k, v] : timestamps) row += ", \"" + k + "\": \"" + v + "\"";
  for (const auto& [k, v] : texts) row += ", \"" + k + "\": \"" + v + "\"";
  row += ", \"loaded_at\": \"2024-06-01T12:00:00Z\"}\n";
  // A second row: the plain UTC form takes the normalizer's fast path, which must refuse year 0.
  row += "{\"id\": 2, \"loaded_at\": \"0000-01-01T00:00:00Z\"}\n";
  w.Write("orders.jsonl", row);

  auto r = w.RunPipeline({"iso.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = w.Db();
  for (const auto& [column, value] : timestamps) {
    EXPECT_EQ(ColumnType(db, column), "TIMESTAMP WITH TIME ZONE") << column << " = " << value;
    std::string want = column == "fraction" ? "1717243200123456" : "1717243200000000";
    EXPECT_EQ(SqlValue(db, "SELECT epoch_us(" + column + ") FROM iso_data.orders WHERE id = 1"), want)
        << column << " = " << value;
  }
  for (const auto& [column, value] : texts) {
    EXPECT_EQ(ColumnType(db, column), "VARCHAR") << column << " = " << value;
    EXPECT_EQ(SqlValue(db, "SELECT " + column + " FROM iso_data.orders WHERE id = 1"), value);
  }
  EXPECT_EQ(ColumnType(db, "loaded_at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(ColumnType(db, "loaded_at__v_text"), "VARCHAR");
  EXPECT_EQ(SqlValue(db, "SELECT loaded_at__v_text FROM iso_data.orders WHERE id = 2"), "0000-01-01T00:00:00Z");
  EXPECT_EQ(SqlValue(db, "SELECT loaded_at IS NULL FROM iso_data.orders WHERE id = 2"), "true");
}

}  // namespace
}  // namespace dlt::testing
