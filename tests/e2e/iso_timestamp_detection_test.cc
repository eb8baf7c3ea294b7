// `dlt run` of a JSONL file with the ISO 8601 forms dlt 1.26 detects (and those it keeps as text):
// the DuckDB columns get the types dlt gives them, and the loaded instants are the ones pendulum
// 2.1.2 parses (common/iso8601.h; tests/unit/iso8601_test.cc has the full table), in DuckDB
// and in PostgreSQL.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

// Columns of one row, each a form dlt 1.26 detects as a timestamp, with the instant loaded in
// microseconds since the epoch (2024-06-01T12:00:00Z is 1717243200 seconds).
const std::vector<std::vector<std::string>> kTimestamps = {
    {"hour_only", "2024-06-01T12Z", "1717243200000000"},
    {"slashes", "2024/06/01 12:00:00", "1717243200000000"},
    {"ordinal", "2024-153T12:00:00Z", "1717243200000000"},
    {"week", "2024-W22-6T12:00:00Z", "1717243200000000"},
    {"basic", "20240601T120000Z", "1717243200000000"},
    {"fraction", "2024-06-01T12:00:00.123456789Z", "1717243200123456"},
    {"offset_hhmm", "2024-06-01T17:30:00+0530", "1717243200000000"},
    {"offset_hh", "2024-06-01T17:00:00+05", "1717243200000000"},
    {"naive", "2024-06-01 12:00", "1717243200000000"},
    {"earliest", "0001-01-01T00:00:00Z", "-62135596800000000"},
    {"latest", "9999-12-31T23:59:59.999999Z", "253402300799999999"},
};
// Columns whose value dlt keeps as text (a time of day and a date included).
const std::vector<std::pair<std::string, std::string>> kTexts = {
    {"lowercase", "2024-06-01t12:00:00z"},
    {"date_only", "2024-06-01"},
    {"time_only", "12:00:00"},
    {"offset_24h", "2024-06-01T12:00:00+24:00"},
    {"year_zero", "0000-06-01T12:00:00Z"},
};

std::string Jsonl() {
  std::string row = "{\"id\": 1";
  for (const auto& c : kTimestamps) row += ", \"" + c[0] + "\": \"" + c[1] + "\"";
  for (const auto& [k, v] : kTexts) row += ", \"" + k + "\": \"" + v + "\"";
  row += ", \"loaded_at\": \"2024-06-01T12:00:00Z\"}\n";
  // A second row: the plain UTC form takes the normalizer's fast path, which must refuse year 0.
  row += "{\"id\": 2, \"loaded_at\": \"0000-01-01T00:00:00Z\"}\n";
  return row;
}

std::string ColumnType(const std::filesystem::path& db, const std::string& column) {
  return SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'iso_data' "
                      "AND table_name = 'orders' AND column_name = '" + column + "'");
}

TEST(IsoTimestampDetection, JsonlFormsBecomeTheColumnTypesAndInstantsDltGivesThem) {
  PipelineWorkspace w;
  w.Write("iso.toml", PipelineFile("iso", "orders.jsonl"));
  w.Write("orders.jsonl", Jsonl());

  auto r = w.RunPipeline({"iso.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = w.Db();
  for (const auto& c : kTimestamps) {
    EXPECT_EQ(ColumnType(db, c[0]), "TIMESTAMP WITH TIME ZONE") << c[0] << " = " << c[1];
    EXPECT_EQ(SqlValue(db, "SELECT epoch_us(" + c[0] + ") FROM iso_data.orders WHERE id = 1"), c[2])
        << c[0] << " = " << c[1];
  }
  for (const auto& [column, value] : kTexts) {
    EXPECT_EQ(ColumnType(db, column), "VARCHAR") << column << " = " << value;
    EXPECT_EQ(SqlValue(db, "SELECT " + column + " FROM iso_data.orders WHERE id = 1"), value);
  }
  EXPECT_EQ(ColumnType(db, "loaded_at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(ColumnType(db, "loaded_at__v_text"), "VARCHAR");
  EXPECT_EQ(SqlValue(db, "SELECT loaded_at__v_text FROM iso_data.orders WHERE id = 2"), "0000-01-01T00:00:00Z");
  EXPECT_EQ(SqlValue(db, "SELECT loaded_at IS NULL FROM iso_data.orders WHERE id = 2"), "true");
}

// The same job files through PostgreSQL's binary COPY, which parses the timestamps again.
class IsoTimestampDetectionPg : public PostgresSuite {};

TEST_F(IsoTimestampDetectionPg, PostgresLoadsTheSameTypesAndInstants) {
  PipelineWorkspace w;
  CreateDatabase("iso_pg");
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("iso_pg") + "\"\n");
  w.Write("iso.toml", PipelineFile("iso", "orders.jsonl"));
  w.Write("orders.jsonl", Jsonl());
  auto r = w.RunPipeline({"iso.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto type = [](const std::string& column) {
    return Value("iso_pg", "SELECT data_type FROM information_schema.columns WHERE table_schema = 'iso_data' "
                           "AND table_name = 'orders' AND column_name = '" + column + "'");
  };
  for (const auto& c : kTimestamps) {
    EXPECT_EQ(type(c[0]), "timestamp with time zone") << c[0] << " = " << c[1];
    EXPECT_EQ(Value("iso_pg", "SELECT (extract(epoch FROM " + c[0] + ") * 1000000)::bigint FROM iso_data.orders "
                              "WHERE id = 1"),
              c[2])
        << c[0] << " = " << c[1];
  }
  for (const auto& [column, value] : kTexts) {
    EXPECT_EQ(type(column), "character varying") << column << " = " << value;
    EXPECT_EQ(Value("iso_pg", "SELECT " + column + " FROM iso_data.orders WHERE id = 1"), value);
  }
  EXPECT_EQ(Value("iso_pg", "SELECT loaded_at__v_text FROM iso_data.orders WHERE id = 2"), "0000-01-01T00:00:00Z");
}

}  // namespace
}  // namespace dlt::testing
