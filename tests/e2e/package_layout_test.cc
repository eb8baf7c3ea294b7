// What a load package holds on disk, as dlt 1.26 writes it: a normalized package has
// schema_updates.json (the tables and columns its normalize added); a loaded package has
// applied_schema_updates.json (what the load created in the destination) instead, and an empty
// new_jobs/. Job file names stay short whatever the nesting depth.
#include <sys/stat.h>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;  // key order as written

Json ReadJsonFile(const fs::path& p) {
  auto j = Json::parse(ReadFile(p), nullptr, false);
  if (j.is_discarded()) ADD_FAILURE() << p << " is not JSON";
  return j;
}

std::vector<std::string> Keys(const Json& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

TEST(PackageLayout, ALoadedPackageKeepsTheAppliedSchemaUpdateAndAnEmptyNewJobsFolder) {
  PipelineWorkspace w;
  w.Write("kiosk.toml", PipelineFile("kiosk", "sales.jsonl"));
  w.Write("sales.jsonl", "{\"till\": 4, \"items\": [{\"sku\": \"x-1\"}]}\n");
  auto r = w.RunPipeline({"kiosk.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto loaded = w.Packages("kiosk", "load/loaded");
  ASSERT_EQ(loaded.size(), 1u);
  fs::path pkg = w.PipelineDir("kiosk") / "load/loaded" / loaded[0];
  EXPECT_TRUE(fs::is_directory(pkg / "new_jobs"));
  EXPECT_TRUE(fs::is_empty(pkg / "new_jobs"));
  EXPECT_FALSE(fs::exists(pkg / "schema_updates.json"));
  Json applied = ReadJsonFile(pkg / "applied_schema_updates.json");
  // Every table the load created, with all its columns; nested tables with their inherited disposition.
  std::vector<std::string> tables = Keys(applied);
  std::sort(tables.begin(), tables.end());
  EXPECT_EQ(tables, (std::vector<std::string>{"_dlt_loads", "_dlt_pipeline_state", "_dlt_version", "orders",
                                              "orders__items"}));
  EXPECT_EQ(Keys(applied["orders"]["columns"]), (std::vector<std::string>{"till", "_dlt_load_id", "_dlt_id"}));
  EXPECT_EQ(applied["orders__items"]["parent"], "orders");
  EXPECT_EQ(applied["orders__items"]["write_disposition"], "append");
  EXPECT_EQ(applied["orders"]["columns"]["till"]["data_type"], "bigint");

  // A second load that adds one column: only that column is applied.
  w.Write("sales.jsonl", "{\"till\": 5, \"cashier\": \"Ines\", \"items\": [{\"sku\": \"x-2\"}]}\n");
  auto r2 = w.RunPipeline({"kiosk.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  loaded = w.Packages("kiosk", "load/loaded");
  ASSERT_EQ(loaded.size(), 2u);
  Json applied2 = ReadJsonFile(w.PipelineDir("kiosk") / "load/loaded" / loaded[1] / "applied_schema_updates.json");
  EXPECT_EQ(Keys(applied2), (std::vector<std::string>{"orders"}));
  EXPECT_EQ(Keys(applied2["orders"]["columns"]), (std::vector<std::string>{"cashier"}));

  // Nothing new at all: an empty update, as dlt writes it.
  w.Write("sales.jsonl", "{\"till\": 6, \"cashier\": \"Ola\", \"items\": []}\n");
  ASSERT_EQ(w.RunPipeline({"kiosk.toml"}).exit_code, 0);
  loaded = w.Packages("kiosk", "load/loaded");
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(ReadFile(w.PipelineDir("kiosk") / "load/loaded" / loaded[2] / "applied_schema_updates.json"), "{}");
}

TEST(PackageLayout, ANormalizedPackageListsTheSchemaUpdatesOfItsNormalize) {
  PipelineWorkspace w;
  w.Write("kiosk.toml", PipelineFile("kiosk", "sales.jsonl"));
  w.Write("sales.jsonl", "{\"till\": 4}\n");
  ASSERT_EQ(w.RunPipeline({"kiosk.toml"}).exit_code, 0);
  // Killed before the load: the normalized package stays on disk.
  w.Write("sales.jsonl", "{\"till\": 5, \"refund\": true, \"lines\": [{\"sku\": \"x\"}]}\n");
  auto crash = w.RunPipeline({"kiosk.toml"}, {{"DLT_FAULT_KILL_AT", "load_before_transaction"}});
  ASSERT_EQ(crash.exit_code, 137) << crash.err;
  auto normalized = w.Packages("kiosk", "load/normalized");
  ASSERT_EQ(normalized.size(), 1u);
  fs::path pkg = w.PipelineDir("kiosk") / "load/normalized" / normalized[0];
  Json updates = ReadJsonFile(pkg / "schema_updates.json");
  EXPECT_EQ(Keys(updates), (std::vector<std::string>{"orders", "orders__lines"}));
  EXPECT_EQ(Keys(updates["orders"]["columns"]), (std::vector<std::string>{"refund"}));
  EXPECT_EQ(updates["orders"]["columns"]["refund"]["data_type"], "bool");
  EXPECT_EQ(Keys(updates["orders__lines"]["columns"]),
            (std::vector<std::string>{"sku", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"}));
  // The next run loads it and swaps the file for the applied update.
  ASSERT_EQ(w.RunPipeline({"kiosk.toml"}).exit_code, 0);
  fs::path done = w.PipelineDir("kiosk") / "load/loaded" / normalized[0];
  EXPECT_FALSE(fs::exists(done / "schema_updates.json"));
  Json applied = ReadJsonFile(done / "applied_schema_updates.json");
  EXPECT_EQ(Keys(applied["orders"]["columns"]), (std::vector<std::string>{"refund"}));
}

// 45 levels of lists: the deepest table's name is over 900 bytes, its job file name is not.
TEST(PackageLayout, DeeplyNestedListsLoadWithShortJobFileNames) {
  PipelineWorkspace w;
  std::string doc = "\"leaf\"";
  for (int i = 44; i >= 0; --i) doc = "{\"level_" + std::to_string(i) + "_child_list\": [" + doc + "]}";
  w.Write("deep.toml", PipelineFile("deep", "deep.jsonl"));
  w.Write("deep.jsonl", "{\"id\": 1, \"tree\": [" + doc + "]}\n");
  auto r = w.RunPipeline({"deep.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto loaded = w.Packages("deep", "load/loaded");
  ASSERT_EQ(loaded.size(), 1u);
  size_t longest = 0;
  for (const auto& e : fs::directory_iterator(w.PipelineDir("deep") / "load/loaded" / loaded[0] / "completed_jobs")) {
    longest = std::max(longest, e.path().filename().string().size());
  }
  EXPECT_LE(longest, 255u);
  // The deepest table holds the leaf, linked to its parent.
  std::string deepest = SqlValue(w.Db(), "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                         "'deep_data' ORDER BY length(table_name) DESC LIMIT 1");
  EXPECT_GT(deepest.size(), 900u);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT value FROM deep_data.\"" + deepest + "\""), "leaf");
  EXPECT_EQ(CountRows(w.Db(), "deep_data.orders"), 1);
}

}  // namespace
}  // namespace dlt::testing
