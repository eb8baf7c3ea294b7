// Truncated or corrupt local files of a pipeline (state, stored schema, a pending package's
// state) are detected and reported naming the file, nothing is loaded, and the pipeline recovers:
// from the destination with `dlt pipeline <name> sync` (after dropping a corrupt pending package).
// The incremental cursor is right afterwards (nothing loaded twice).
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

void Truncate(const fs::path& file, size_t keep) {
  std::string content = ReadFile(file);
  ASSERT_GT(content.size(), keep) << file;
  WriteFile(file, content.substr(0, keep));
}

class CorruptLocal : public ShopPipelineWithNewRows {
 protected:
  void ExpectRecovered() {
    auto again = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(SqlValue(w_.Db(), "SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM shop_data.orders"), "1..8 x8");
    EXPECT_EQ(w_.State("shop")["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"], 8);
    auto none = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(none.exit_code, 0) << none.err;
    EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 8);
  }
};

TEST_F(CorruptLocal, TruncatedStateIsReportedAndRestoredFromTheDestination) {
  const fs::path state = w_.PipelineDir("shop") / "state.json";
  Truncate(state, 40);
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "state.json is corrupt")) << r.err;
  EXPECT_TRUE(Contains(r.err, "sync")) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);
  auto info = w_.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(info.err, "state.json is corrupt")) << info.err;

  auto sync = w_.Dlt({"pipeline", "shop", "sync", "--destination", "warehouse", "--dataset-name", "shop_data", "--yes"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_TRUE(Contains(sync.out, "Restored pipeline shop")) << sync.out;
  ExpectRecovered();
}

TEST_F(CorruptLocal, TruncatedSchemaIsReportedAndRestoredFromTheDestination) {
  fs::path schema;
  for (const auto& e : fs::directory_iterator(w_.PipelineDir("shop") / "schemas")) schema = e.path();
  ASSERT_FALSE(schema.empty());
  Truncate(schema, 100);
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, schema.filename().string())) << r.err;
  EXPECT_TRUE(Contains(r.err, "not a valid schema")) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);

  auto sync = w_.Dlt({"pipeline", "shop", "sync", "--yes"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ExpectRecovered();
}

TEST_F(CorruptLocal, CorruptPendingPackageIsReportedAndCanBeDropped) {
  auto killed = w_.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "after_normalize"}});
  ASSERT_EQ(killed.exit_code, 137);
  auto pending = w_.Packages("shop", "load/normalized");
  ASSERT_EQ(pending.size(), 1u);
  const fs::path ps = w_.PipelineDir("shop") / "load/normalized" / pending[0] / "load_package_state.json";
  Truncate(ps, 30);
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, pending[0] + "/load_package_state.json is corrupt")) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);

  // The package goes. As in dlt, the local state is not reverted (its cursor is already at 8):
  // `sync` brings back the state of the last load, and the next run extracts 6-8 again.
  auto drop = w_.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"});
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_TRUE(w_.Packages("shop", "load/normalized").empty());
  auto sync = w_.Dlt({"pipeline", "shop", "sync", "--yes"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ExpectRecovered();
}

// Valid JSON with a value of the wrong type (row counts as text, a job size as a list) used to
// end every later run with `terminate called ... type_error` (exit 134): now it is a damaged
// package, named, exit code 6, and it can be dropped.
TEST_F(CorruptLocal, APendingPackageStateWithAValueOfTheWrongTypeIsADamagedPackageNotACrash) {
  auto killed = w_.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "after_normalize"}});
  ASSERT_EQ(killed.exit_code, 137);
  auto pending = w_.Packages("shop", "load/normalized");
  ASSERT_EQ(pending.size(), 1u);
  const fs::path ps = w_.PipelineDir("shop") / "load/normalized" / pending[0] / "load_package_state.json";
  auto doc = nlohmann::json::parse(ReadFile(ps));
  ASSERT_TRUE(doc.contains("row_counts"));
  doc["row_counts"]["orders"] = "eight";
  for (auto it = doc["job_bytes"].begin(); it != doc["job_bytes"].end(); ++it) it.value() = nlohmann::json::array();
  WriteFile(ps, doc.dump());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = w_.RunPipeline({"shop.toml"});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_TRUE(Contains(r.err, "load package ")) << r.err;
    EXPECT_TRUE(Contains(r.err, "load package " + pending[0])) << r.err;
    EXPECT_TRUE(Contains(r.err, pending[0] + "/load_package_state.json is damaged: key 'row_counts.orders'")) << r.err;
    EXPECT_TRUE(Contains(r.err, "drop-pending-packages")) << r.err;
    EXPECT_FALSE(Contains(r.err, "terminate called")) << r.err;
  }
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);
  auto drop = w_.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"});
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  auto sync = w_.Dlt({"pipeline", "shop", "sync", "--yes"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ExpectRecovered();
}

// A load job cut at a line boundary is still valid CSV: without the size recorded at normalize
// time the load would silently miss rows.
TEST_F(CorruptLocal, JobFileCutAtALineBoundaryIsDetectedBeforeLoading) {
  auto killed = w_.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "after_normalize"}});
  ASSERT_EQ(killed.exit_code, 137);
  auto pending = w_.Packages("shop", "load/normalized");
  ASSERT_EQ(pending.size(), 1u);
  fs::path job;
  for (const auto& e : fs::directory_iterator(w_.PipelineDir("shop") / "load/normalized" / pending[0] / "new_jobs")) {
    if (e.path().filename().string().starts_with("orders.")) job = e.path();
  }
  ASSERT_FALSE(job.empty());
  std::string csv = ReadFile(job);
  size_t second_line_end = csv.find('\n', csv.find('\n') + 1);
  ASSERT_NE(second_line_end, std::string::npos);
  WriteFile(job, csv.substr(0, second_line_end + 1));  // the header and one row of three

  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, job.filename().string())) << r.err;
  EXPECT_TRUE(Contains(r.err, "the package is corrupt")) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);

  ASSERT_EQ(w_.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"}).exit_code, 0);
  auto sync = w_.Dlt({"pipeline", "shop", "sync", "--yes"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ExpectRecovered();
}

}  // namespace
}  // namespace dlt::testing
