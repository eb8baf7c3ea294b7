// `[normalize] workers`: a big package is normalized by several workers, each taking a part of
// its job files, and the result is the one of a single pass whatever the number of workers: the
// same tables, the same columns in the same order with the same types (a type change in a middle
// part gives the variant column one pass gives), and every row once. Small extract files and
// parts (DLT_EXTRACT_PART_BYTES, DLT_NORMALIZE_PART_BYTES) let 2 MB stand for gigabytes.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Ordered = nlohmann::ordered_json;

// Four stretches of 1000 records: plain; new columns and a new nested table; `x` as text where
// it was a number; plain again.
std::string Records() {
  static const std::string filler(400, 'f');
  std::string out;
  for (int i = 1; i <= 4000; ++i) {
    const int stretch = (i - 1) / 1000;
    out += "{\"id\": " + std::to_string(i) + ", \"note\": \"" + filler + "\", \"x\": ";
    out += stretch == 2 ? "\"t" + std::to_string(i) + "\"" : std::to_string(i);
    out += ", \"items\": [{\"k\": " + std::to_string(i) + "}]";
    if (stretch == 1) out += ", \"late\": \"yes\", \"extras\": [1, 2]";
    out += "}\n";
  }
  return out;
}

std::vector<std::string> SchemaColumns(const PipelineWorkspace& w, const std::string& name, const std::string& table) {
  Ordered s = Ordered::parse(ReadFile(w.PipelineDir(name) / "schemas" / (name + ".schema.json")));
  std::vector<std::string> out;
  for (auto it = s["tables"][table]["columns"].begin(); it != s["tables"][table]["columns"].end(); ++it) {
    out.push_back(it.key() + ":" + it.value().value("data_type", ""));
  }
  return out;
}

int JobFiles(const PipelineWorkspace& w, const std::string& name, const std::string& table) {
  auto loaded = w.Packages(name, "load/loaded");
  if (loaded.size() != 1) return -1;
  int n = 0;
  for (const auto& e : fs::directory_iterator(w.PipelineDir(name) / "load" / "loaded" / loaded[0] / "completed_jobs")) {
    if (e.path().filename().string().starts_with(table + ".")) ++n;
  }
  return n;
}

TEST(NormalizeWorkers, AnyNumberOfWorkersGivesTheTablesSchemaAndRowsOfOnePass) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", Records());
  const std::map<std::string, std::string> small_parts = {{"DLT_EXTRACT_PART_BYTES", "150000"},
                                                          {"DLT_NORMALIZE_PART_BYTES", "150000"}};
  for (int workers : {1, 2, 3, 4}) {
    const std::string name = "w" + std::to_string(workers);
    w.Write(name + ".toml", PipelineFile(name, "orders.jsonl"));
    auto env = small_parts;
    env["NORMALIZE__WORKERS"] = std::to_string(workers);
    auto r = w.RunPipeline({name + ".toml"}, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Each part writes its own files (and a new one where the table's columns change).
    EXPECT_GE(JobFiles(w, name, "orders"), workers) << name;
  }
  const fs::path db = w.Db();
  const std::string rows = "SELECT id || ':' || coalesce(CAST(x AS TEXT), '-') || ':' || coalesce(x__v_text, '-') || ':' || "
                           "coalesce(late, '-') FROM ";
  for (const char* name : {"w2", "w3", "w4"}) {
    const std::string ds = std::string(name) + "_data";
    for (const char* table : {"orders", "orders__items", "orders__extras"}) {
      EXPECT_EQ(TableColumns(db, ds, table), TableColumns(db, "w1_data", table)) << name << " " << table;
      EXPECT_EQ(SchemaColumns(w, name, table), SchemaColumns(w, "w1", table)) << name << " " << table;
      EXPECT_EQ(CountRows(db, ds + "." + table), CountRows(db, std::string("w1_data.") + table)) << name << " " << table;
    }
    EXPECT_EQ(SqlColumn(db, rows + ds + ".orders ORDER BY id"), SqlColumn(db, rows + "w1_data.orders ORDER BY id")) << name;
    EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM " + ds + ".orders__items i LEFT JOIN " + ds +
                               ".orders o ON i._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0")
        << name;
  }
  EXPECT_EQ(CountRows(db, "w4_data.orders"), 4000);
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM w4_data.orders WHERE x__v_text IS NOT NULL"), "1000");
  EXPECT_EQ(CountRows(db, "w4_data.orders__extras"), 2000);
}

TEST(NormalizeWorkers, AWorkersValueThatIsNotAWholeNumberIsRefusedNamingTheKey) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", "{\"id\": 1}\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.WriteConfig("[normalize]\nworkers = 2.5\n");
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "normalize.workers must be a whole number from 0 to 256, got `2.5`")) << r.err;
  EXPECT_TRUE(Contains(r.err, "config.toml")) << r.err;
  EXPECT_FALSE(fs::exists(w.Db()));
}

}  // namespace
}  // namespace dlt::testing
