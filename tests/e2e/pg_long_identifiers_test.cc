// Names longer than PostgreSQL's 63 bytes: shortened as dlt shortens them (a prefix, a hash tag
// and a suffix), so two long names that share 63 bytes stay two columns instead of PostgreSQL
// cutting both to the same name and the load failing. DuckDB takes long names and keeps them.
// The expected names were computed with dlt 1.26's naming functions (long_identifier_test.cc);
// the naming fixture is what dlt 1.26 itself loaded into PostgreSQL.
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "pg_suite.h"
#include "pipeline_fixture.h"
#include "support/golden_fixtures.h"

namespace dlt::testing {
namespace {

const std::string kPrefix = "sensor_reading_recorded_by_the_primary_instrument_in_north_wing";  // 63
const std::string kList = "ThisIsAVeryLongListNameThatWillMakeTheNestedTableNameExceedTheLimit";
const std::string kInnerList = "InnerListWithAnotherRatherLongNameForTesting";

// dlt's names at max_length 63.
const std::string kCelsius = "sensor_reading_recorded_by_thd6morarument_in_north_wing_celsius";
const std::string kFahrenheit = "sensor_reading_recorded_by_thhgxenqent_in_north_wing_fahrenheit";
const std::string kItems = "events__this_is_a_very_long_lyzydrw_table_name_exceed_the_limit";
const std::string kInner = "events__this_is_a_very_long_ledplzgrather_long_name_for_testing";

std::string Records(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    std::string n = std::to_string(i);
    out += "{\"id\": " + n + ", \"" + kPrefix + "_celsius\": \"c" + n + "\", \"" + kPrefix + "_fahrenheit\": \"f" + n +
           "\", \"" + kList + "\": [{\"value_a\": " + n + ", \"" + kInnerList + "\": [" + n + "0, " + n + "1]}]}\n";
  }
  return out;
}

std::string EventsPipeline(const std::string& path) {
  return "[pipeline]\nname = \"events\"\ndestination = \"warehouse\"\ndataset_name = \"long_names_data\"\n\n"
         "[[resources]]\nname = \"events\"\npath = \"" + path + "\"\n";
}

class PgLongIdentifiersTest : public PostgresSuite {
 protected:
  static void UsePostgres(PipelineWorkspace& w, const std::string& db) {
    CreateDatabase(db);
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         server_->Url(db) + "\"\n");
  }
  // The newest schema stored in the dataset's _dlt_version.
  static nlohmann::ordered_json StoredSchema(const std::string& db, const std::string& dataset) {
    std::string text = Value(db, "SELECT schema FROM " + dataset + "._dlt_version ORDER BY version DESC LIMIT 1");
    auto j = nlohmann::ordered_json::parse(text, nullptr, false);
    if (j.is_discarded()) ADD_FAILURE() << "stored schema is not JSON: " << text;
    return j;
  }
};

TEST_F(PgLongIdentifiersTest, TwoColumnsSharingA63BytePrefixLoadIntoTwoColumns) {
  PipelineWorkspace w;
  UsePostgres(w, "long_cols");
  w.Write("events.toml", EventsPipeline("events.jsonl"));
  w.Write("events.jsonl", Records(1, 3));
  auto r = w.RunPipeline({"events.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  EXPECT_EQ(Value("long_cols", "SELECT string_agg(id || ' ' || " + kCelsius + " || ' ' || " + kFahrenheit +
                                   ", ', ' ORDER BY id) FROM long_names_data.events"),
            "1 c1 f1, 2 c2 f2, 3 c3 f3");
  // The nested tables of the long list path, linked to their parents.
  EXPECT_EQ(Value("long_cols", "SELECT string_agg(i.value_a::text, ',' ORDER BY i.value_a) FROM long_names_data." +
                                   kItems + " i JOIN long_names_data.events e ON i._dlt_parent_id = e._dlt_id"),
            "1,2,3");
  EXPECT_EQ(Value("long_cols", "SELECT string_agg(n.value::text, ',' ORDER BY n.value) FROM long_names_data." +
                                   kInner + " n JOIN long_names_data." + kItems + " i ON n._dlt_parent_id = i._dlt_id"),
            "10,11,20,21,30,31");

  // The stored schema has the same names, the nested tables' parents included.
  auto schema = StoredSchema("long_cols", "long_names_data");
  const auto& tables = schema["tables"];
  ASSERT_TRUE(tables.contains("events"));
  EXPECT_TRUE(tables["events"]["columns"].contains(kCelsius));
  EXPECT_TRUE(tables["events"]["columns"].contains(kFahrenheit));
  ASSERT_TRUE(tables.contains(kItems));
  EXPECT_EQ(tables[kItems]["parent"], "events");
  ASSERT_TRUE(tables.contains(kInner));
  EXPECT_EQ(tables[kInner]["parent"], kItems);

  // A second run finds the shortened tables and columns it made, and appends.
  w.Write("more.jsonl", Records(4, 4));
  auto again = w.RunPipeline({"events.toml", "--resource", "events=more.jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Value("long_cols", "SELECT count(*) || ' ' || count(DISTINCT " + kCelsius + ") FROM long_names_data.events"),
            "4 4");
  EXPECT_EQ(Value("long_cols", "SELECT count(*) FROM long_names_data." + kInner), "8");
}

TEST_F(PgLongIdentifiersTest, DuckDbKeepsTheWholeNames) {
  PipelineWorkspace w;  // destination warehouse is DuckDB
  w.Write("events.toml", EventsPipeline("events.jsonl"));
  w.Write("events.jsonl", Records(1, 2));
  auto r = w.RunPipeline({"events.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(\"" + kPrefix + "_celsius\" || \"" + kPrefix +
                                 "_fahrenheit\", ',' ORDER BY id) FROM long_names_data.events"),
            "c1f1,c2f2");
  const std::string items =
      "events__this_is_a_very_long_list_name_that_will_make_the_nested_table_name_exceed_the_limit";
  EXPECT_TRUE(TableExists(w.Db(), "long_names_data", items));
  EXPECT_EQ(CountRows(w.Db(), "long_names_data." + items + "__inner_list_with_another_rather_long_name_for_testing"), 4);
}

TEST_F(PgLongIdentifiersTest, LongDatasetNameAndItsStagingDatasetAreShortenedApart) {
  // 76 characters: cut at 63 bytes by PostgreSQL, `<dataset>_staging` would be the dataset itself.
  const std::string dataset = "warehouse_dataset_for_the_sensor_readings_of_the_north_wing_collected_hourly";
  PipelineWorkspace w;
  UsePostgres(w, "long_dataset");
  w.Write("events.toml", "[pipeline]\nname = \"events\"\ndestination = \"warehouse\"\ndataset_name = \"" + dataset +
                             "\"\n\n[[resources]]\nname = \"events\"\npath = \"events.jsonl\"\n"
                             "write_disposition = \"merge\"\nprimary_key = \"id\"\n");
  w.Write("events.jsonl", Records(1, 3));
  auto r = w.RunPipeline({"events.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  w.Write("more.jsonl", Records(3, 4));
  auto again = w.RunPipeline({"events.toml", "--resource", "events=more.jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  // dlt's names for both (normalize_table_identifier with max_length 63).
  const std::string dataset_name = "warehouse_dataset_for_the_senisbusw_north_wing_collected_hourly";
  const std::string staging = "warehouse_dataset_for_the_sen5bimkqing_collected_hourly_staging";
  EXPECT_EQ(Value("long_dataset", "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname "
                                  "LIKE 'warehouse\\_%'"),
            staging + "," + dataset_name);
  EXPECT_EQ(Value("long_dataset", "SELECT string_agg(id::text, ',' ORDER BY id) FROM " + dataset_name + ".events"), "1,2,3,4");
  EXPECT_EQ(Value("long_dataset", "SELECT count(*) FROM " + dataset_name + "._dlt_loads"), "2");
}

// dlt 1.26 loaded the naming fixture into PostgreSQL: the same input gives the same tables and
// the same columns in the same order (the long ones shortened with the same tags).
TEST_F(PgLongIdentifiersTest, NamingFixtureGetsDltsPostgresNames) {
  const std::filesystem::path dir = Fixture("naming");
  std::ifstream in(dir / "input.json");
  ASSERT_TRUE(in) << "fixture missing: " << dir;
  auto input = nlohmann::ordered_json::parse(in);
  std::string rows;
  const auto& names = input["field_names"];
  for (size_t i = 0; i < names.size(); ++i) {
    nlohmann::ordered_json row;
    row["name_idx"] = i;
    row[names[i].get<std::string>()] = "v" + std::to_string(i);
    rows += row.dump() + "\n";
  }
  size_t j = 1000;
  for (const auto& rec : input["nested_records"]) {
    nlohmann::ordered_json row;
    row["name_idx"] = j++;
    for (auto it = rec.begin(); it != rec.end(); ++it) row[it.key()] = it.value();
    rows += row.dump() + "\n";
  }
  PipelineWorkspace w;
  UsePostgres(w, "naming_fixture");
  w.Write("probe.jsonl", rows);
  w.Write("probe.toml",
          "[pipeline]\nname = \"naming_probe\"\ndestination = \"warehouse\"\ndataset_name = \"naming_probe_data\"\n\n"
          "[[resources]]\nname = \"naming_probe\"\ntable_name = \"Naming Probe\"\npath = \"probe.jsonl\"\n");
  auto r = w.RunPipeline({"probe.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  // (table, position) -> column of every data table, as dlt's load left them in information_schema.
  std::map<std::pair<std::string, int>, std::string> expected, ours;
  std::ifstream csv(dir / "columns.csv");
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    std::stringstream ss(line);
    std::string table, pos, column;
    std::getline(ss, table, ',');
    std::getline(ss, pos, ',');
    std::getline(ss, column, ',');
    if (!table.starts_with("_dlt")) expected[{table, std::stoi(pos)}] = column;
  }
  std::stringstream listed(Value("naming_fixture",
                                 "SELECT table_name || ',' || ordinal_position || ',' || column_name FROM "
                                 "information_schema.columns WHERE table_schema = 'naming_probe_data' AND "
                                 "table_name NOT LIKE '\\_dlt%'"));
  while (std::getline(listed, line)) {
    std::stringstream ss(line);
    std::string table, pos, column;
    std::getline(ss, table, ',');
    std::getline(ss, pos, ',');
    std::getline(ss, column, ',');
    ours[{table, std::stoi(pos)}] = column;
  }
  EXPECT_EQ(ours.size(), expected.size());
  EXPECT_EQ(ours, expected);

  std::ifstream golden_in(dir / "stored_schema.json");
  auto golden = nlohmann::ordered_json::parse(golden_in);
  auto schema = StoredSchema("naming_fixture", "naming_probe_data");
  for (auto t = golden["tables"].begin(); t != golden["tables"].end(); ++t) {
    SCOPED_TRACE(t.key());
    ASSERT_TRUE(schema["tables"].contains(t.key()));
    std::vector<std::string> want, have;
    for (auto c = t.value()["columns"].begin(); c != t.value()["columns"].end(); ++c) want.push_back(c.key());
    for (auto c = schema["tables"][t.key()]["columns"].begin(); c != schema["tables"][t.key()]["columns"].end(); ++c) {
      have.push_back(c.key());
    }
    EXPECT_EQ(have, want);
  }
  EXPECT_EQ(schema["tables"].size(), golden["tables"].size());
}

}  // namespace
}  // namespace dlt::testing
