// Golden pipeline runs (golden_tables_support.h) of dlt 1.26's naming probe: table and column
// names as dlt normalizes them, and keys that normalize to nothing failing with a clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/pipeline.h"
#include "golden_schema_state_support.h"
#include "golden_tables_support.h"
#include "normalize/naming.h"
#include "support/golden_fixtures.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::OJson;
using testing::Fixture;
using testing::ReadJson;
using golden_test::GoldenEnv;
using golden_test::Db;
using golden_test::GoldenLoadIds;
using golden_test::CompareColumnsCsv;
using golden_test::ExpectSameSchemaContent;
using golden_test::Rehashed;
using golden_test::CompareVersionAndLoads;
using golden_test::CompareState;
using golden_test::JsonKey;

// =============================================================================================
// d. naming

TEST(GoldenNaming, TableAndColumnNamesMatchDlt) {
  const fs::path dir = Fixture("naming");
  const OJson input = ReadJson(dir / "input.json");
  const OJson naming = ReadJson(dir / "naming.json");
  std::vector<std::string> rows;
  const auto& names = input["field_names"];
  for (size_t i = 0; i < names.size(); ++i) {
    rows.push_back("{\"name_idx\": " + std::to_string(i) + ", " + names[i].dump() + ": \"v" + std::to_string(i) + "\"}");
  }
  size_t j = 1000;
  for (const auto& rec : input["nested_records"]) {
    OJson row = OJson::object();
    row["name_idx"] = j++;
    for (auto it = rec.begin(); it != rec.end(); ++it) row[it.key()] = it.value();
    rows.push_back(row.dump());
  }
  GoldenEnv env;
  ResourceOptions o;
  o.name = input["table_name"].get<std::string>();  // "Naming Probe"
  auto info = env.Run("naming_probe", "naming_probe_data", {Resource::FromRows(o, rows)});
  ASSERT_TRUE(info.ok()) << info.status().message();

  // dlt loaded into postgres, which limits identifiers to 63 characters: dlt shortened the long
  // names. DuckDB has no such limit (dlt's duckdb capabilities neither), so the names here are
  // dlt's normalize_path without a length limit. The golden schema is translated accordingly.
  std::map<std::string, std::string> rename;
  for (const auto& n : naming["names"]) {
    std::string full = n["normalize_path"].get<std::string>();
    if (full.empty()) continue;  // "" and " " -> _empty (the relational normalizer's key)
    if (n["postgres_column"] != full) rename[n["postgres_column"].get<std::string>()] = full;
  }
  SnakeCaseNaming unlimited;
  for (const auto& p : naming["nested_paths"]) {
    for (auto it = p["record"].begin(); it != p["record"].end(); ++it) {
      const OJson& v = it.value();
      std::string top = unlimited.NormalizeKey(it.key());
      if (v.is_object()) {
        // one level of nesting below (the fixture's records have objects of objects)
        std::vector<std::string> path{top};
        const OJson* cur = &v;
        while (cur->is_object() && cur->size() == 1) {
          path.push_back(unlimited.NormalizeKey(cur->begin().key()));
          cur = &cur->begin().value();
        }
        std::string full = unlimited.MakePath(path);
        for (const auto& c : p["root_columns"]) {
          if (c.get<std::string>() != full) rename[c.get<std::string>()] = full;
        }
      } else {
        for (auto t = p["nested_tables"].begin(); t != p["nested_tables"].end(); ++t) {
          std::string full = unlimited.MakePath({"naming_probe", top});
          if (t.key() != full) rename[t.key()] = full;
        }
      }
    }
  }
  EXPECT_EQ(rename.size(), 6u) << "4 field names over 63 characters, 1 nested column, 1 nested table";
  OJson golden_schema = ReadJson(dir / "stored_schema.json");
  OJson translated = golden_schema;
  OJson tables = OJson::object();
  for (auto t = golden_schema["tables"].begin(); t != golden_schema["tables"].end(); ++t) {
    std::string tname = rename.count(t.key()) ? rename[t.key()] : t.key();
    OJson table = t.value();
    table["name"] = tname;
    OJson cols = OJson::object();
    for (auto c = t.value()["columns"].begin(); c != t.value()["columns"].end(); ++c) {
      std::string cname = rename.count(c.key()) ? rename[c.key()] : c.key();
      OJson col = c.value();
      col["name"] = cname;
      cols[cname] = col;
    }
    table["columns"] = cols;
    tables[tname] = table;
  }
  translated["tables"] = tables;

  const std::string ds = "naming_probe_data";
  Db db(env.db_path());
  OJson ours = db.StoredSchema(ds);
  EXPECT_TRUE(ours["tables"].contains("naming_probe"));
  EXPECT_EQ(ours["tables"]["naming_probe"]["resource"], "Naming Probe");
  ExpectSameSchemaContent(ours, translated);
  // dlt's hash algorithm (validated on the fixtures by GoldenSchemaHash) over the translated schema.
  auto expected = Schema::FromJson(translated.dump(), "translated");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(ours["version_hash"].get<std::string>(), expected->ComputeVersionHash());
  EXPECT_EQ(ours["version"], golden_schema["version"]);
  CompareColumnsCsv(db, ds, dir / "columns.csv", rename);
  CompareVersionAndLoads(db, ds, dir, Rehashed(translated));

  // Every value is in the column dlt put it in.
  auto all = db.Q("SELECT * FROM naming_probe_data.naming_probe ORDER BY name_idx");
  ASSERT_EQ(all.rows.size(), names.size() + input["nested_records"].size());
  for (size_t i = 0; i < names.size(); ++i) {
    const OJson& n = naming["names"][i];
    std::string col = n["postgres_column"].get<std::string>();
    if (rename.count(col)) col = rename[col];
    int c = all.ColumnIndex(col);
    ASSERT_GE(c, 0) << col;
    EXPECT_EQ(all.rows[i][all.ColumnIndex("name_idx")].text, std::to_string(i));
    EXPECT_EQ(all.rows[i][c].text, "v" + std::to_string(i)) << names[i] << " -> " << col;
  }
  auto golden_loads = GoldenLoadIds(dir);
  auto our_loads = db.LoadIds(ds);
  CompareState(db, ds, dir, golden_loads, our_loads);
}

TEST(GoldenNaming, KeysThatNormalizeToNothingFailWithAClearError) {
  const OJson naming = ReadJson(Fixture("naming/naming.json"));
  for (const auto& n : naming["isolated_names"]) {
    const std::string name = n["source_name"].get<std::string>();
    SCOPED_TRACE(name);
    GoldenEnv env;
    ResourceOptions o;
    o.name = "Naming Probe";
    auto info = env.Run("naming_probe", "naming_probe_data",
                        {Resource::FromRows(o, {"{\"name_idx\": 0, " + JsonKey(name) + ": \"v\"}"})});
    ASSERT_FALSE(info.ok()) << "dlt fails on this key (" << n["root_cause"] << ")";
    EXPECT_NE(info.status().message().find("`" + name + "`"), std::string::npos) << info.status().message();
    EXPECT_NE(info.status().message().find("empty"), std::string::npos) << info.status().message();
  }
}

}  // namespace
}  // namespace dlt
