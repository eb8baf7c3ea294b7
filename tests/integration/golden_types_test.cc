// Golden pipeline runs (golden_tables_support.h) of dlt 1.26's types probe: type inference,
// coercion and variant columns, and the values that break dlt failing with a clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/pipeline.h"
#include "golden_schema_state_support.h"
#include "golden_tables_support.h"
#include "support/golden_fixtures.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::OJson;
using testing::Fixture;
using testing::Keys;
using testing::ReadJson;
using golden_test::GoldenEnv;
using golden_test::Db;
using golden_test::TableRef;
using golden_test::GoldenLoadIds;
using golden_test::CompareTables;
using golden_test::ExpectDltsStoredSchema;
using golden_test::CompareVersionAndLoads;
using golden_test::CompareState;
using golden_test::ExpectRowCounts;
using golden_test::CountRows;
using golden_test::CountsFromJson;
using golden_test::JsonKey;

// =============================================================================================
// e. types

// {"probe_id": 1, <field>: <value>, ...} in fixture order, values as dlt got them (raw JSON).
std::string ProbeRow(const OJson& types) {
  std::string row = "{\"probe_id\": 1";
  for (const auto& e : types["examples"]) {
    row += ", " + JsonKey(e["field"].get<std::string>()) + ": " + e["input_json"].get<std::string>();
  }
  return row + "}";
}

std::vector<Resource> TypesResources(const OJson& types) {
  std::vector<Resource> out;
  ResourceOptions probe;
  probe.name = types["probe_table"].get<std::string>();
  out.push_back(Resource::FromRows(probe, {ProbeRow(types)}));
  for (const auto& seq : types["variant_sequences"]) {
    ResourceOptions o;
    o.name = seq["table"].get<std::string>();
    std::vector<std::string> rows;
    int i = 0;
    for (const auto& v : seq["input_values_in_row_order"]) {
      rows.push_back("{\"seq\": " + std::to_string(i++) + ", \"v\": " + v.get<std::string>() + "}");
    }
    out.push_back(Resource::FromRows(o, rows));
  }
  return out;
}

TEST(GoldenTypes, InferenceCoercionAndVariantColumnsMatchDlt) {
  const fs::path dir = Fixture("types");
  const OJson types = ReadJson(dir / "types.json");
  GoldenEnv env;
  auto info = env.Run("types_probe", "types_probe_data", TypesResources(types));
  ASSERT_TRUE(info.ok()) << info.status().message();
  ExpectRowCounts(*info, ReadJson(dir / "row_counts.json"));
  const std::string ds = "types_probe_data";
  Db db(env.db_path());
  OJson golden_schema = ExpectDltsStoredSchema(db, ds, dir);
  OJson ours = db.StoredSchema(ds);

  // Per example: the inferred dlt type of each column it created, and the nested tables.
  OJson probe = ours["tables"]["type_probe"]["columns"];
  for (const auto& e : types["examples"]) {
    SCOPED_TRACE("example " + e["field"].get<std::string>());
    for (auto it = e["columns"].begin(); it != e["columns"].end(); ++it) {
      ASSERT_TRUE(probe.contains(it.key())) << it.key();
      EXPECT_EQ(probe[it.key()]["data_type"], it.value()["data_type"]);
    }
    if (e["columns"].empty()) {
      EXPECT_FALSE(probe.contains(e["field"].get<std::string>()));
    }
    if (e.contains("nested_tables") && e["nested_tables"].is_object()) {
      for (auto it = e["nested_tables"].begin(); it != e["nested_tables"].end(); ++it) {
        ASSERT_TRUE(ours["tables"].contains(it.key())) << it.key();
        OJson t = ours["tables"][it.key()];
        EXPECT_EQ(t["parent"], it.value()["parent"]);
        std::vector<std::string> want;
        for (auto c = it.value()["columns"].begin(); c != it.value()["columns"].end(); ++c) {
          want.push_back(c.key());
          EXPECT_EQ(t["columns"][c.key()]["data_type"], c.value()["data_type"]) << c.key();
        }
        EXPECT_EQ(Keys(t["columns"]), want);
      }
    }
  }
  // Per variant sequence: columns in order with types and the variant flag.
  for (const auto& seq : types["variant_sequences"]) {
    const std::string table = seq["table"].get<std::string>();
    SCOPED_TRACE("variant sequence " + table);
    OJson cols = ours["tables"][table]["columns"];
    EXPECT_EQ(Keys(cols), Keys(seq["columns"]));
    for (auto it = seq["columns"].begin(); it != seq["columns"].end(); ++it) {
      EXPECT_EQ(cols[it.key()]["data_type"], it.value()["data_type"]) << it.key();
      EXPECT_EQ(cols[it.key()].value("variant", false), it.value().value("variant", false)) << it.key();
    }
  }

  auto golden_loads = GoldenLoadIds(dir);
  auto our_loads = db.LoadIds(ds);
  std::vector<TableRef> refs = {
      {"type_probe", "tables/type_probe.csv", "probe_id", ""},
      {"type_probe__list_ints", "tables/type_probe__list_ints.csv", "", "type_probe"},
      {"type_probe__list_strings", "tables/type_probe__list_strings.csv", "", "type_probe"},
      {"type_probe__list_of_lists", "tables/type_probe__list_of_lists.csv", "", "type_probe"},
      {"type_probe__list_of_lists__list", "tables/type_probe__list_of_lists__list.csv", "", "type_probe__list_of_lists"},
      {"type_probe__list_mixed", "tables/type_probe__list_mixed.csv", "", "type_probe"},
      {"type_probe__list_objects_type_change", "tables/type_probe__list_objects_type_change.csv", "", "type_probe"},
      {"type_probe__list_list_objects", "tables/type_probe__list_list_objects.csv", "", "type_probe"},
      {"type_probe__list_list_objects__list", "tables/type_probe__list_list_objects__list.csv", "",
       "type_probe__list_list_objects"},
      {"scalar_then_list", "tables/scalar_then_list.csv", "seq", ""},
      {"scalar_then_list__v", "tables/scalar_then_list__v.csv", "", "scalar_then_list"},
  };
  for (const char* t : {"int_then_others", "text_then_others", "timestamp_then_others", "bool_then_others",
                        "double_then_others", "object_then_scalar", "null_then_int"}) {
    refs.push_back({t, std::string("tables/") + t + ".csv", "seq", ""});
  }
  CompareTables(db, ds, dir, refs, golden_loads, our_loads);
  CompareVersionAndLoads(db, ds, dir, golden_schema);
  CompareState(db, ds, dir, golden_loads, our_loads);
  EXPECT_EQ(CountRows(db, ds), CountsFromJson(ReadJson(dir / "row_counts.json")));
}

TEST(GoldenTypes, ValuesThatBreakDltFailWithAClearError) {
  const OJson types = ReadJson(Fixture("types/types.json"));
  for (const auto& e : types["isolated_examples"]) {
    const std::string field = e["field"].get<std::string>();
    SCOPED_TRACE("isolated example " + field);
    std::vector<std::string> rows;
    for (const auto& v : e["input_values_in_row_order"]) {
      rows.push_back("{" + JsonKey(field) + ": " + v.get<std::string>() + "}");
    }
    GoldenEnv env;
    ResourceOptions o;
    o.name = "type_probe";
    auto info = env.Run("types_probe", "types_probe_data", {Resource::FromRows(o, rows)});
    ASSERT_FALSE(info.ok()) << "dlt fails on this input (" << e["error"] << "); we loaded it";
    const std::string& msg = info.status().message();
    // A clear error names the field and the offending value.
    std::string value = e["input_values_in_row_order"].back().get<std::string>();
    if (value.front() == '"') value = value.substr(1, value.size() - 2);
    EXPECT_NE(msg.find(field), std::string::npos) << msg;
    EXPECT_NE(msg.find(value), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace dlt
