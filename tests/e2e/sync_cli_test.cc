// `dlt pipeline <name> sync` where the README's walkthrough uses it: after `dlt workspace clean`
// the pipeline has no local state, and the pipeline file in the workspace names its destination
// and dataset.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(SyncCli, AfterCleanSyncTakesDestinationAndDatasetFromThePipelineFile) {
  PipelineWorkspace w;
  // The destination is a DuckDB file outside the profile's local folder, so it survives clean.
  w.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"duckdb\"\ncredentials = \"" + (w.tmp() / "kept.duckdb").string() + "\"\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"merge\"\nprimary_key = \"id\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  ASSERT_EQ(w.Dlt({"workspace", "clean", "--yes"}).exit_code, 0);
  ASSERT_FALSE(fs::exists(w.PipelineDir("shop") / "state.json"));

  auto r = w.Dlt({"--debug", "pipeline", "shop", "sync"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "Restored pipeline shop from dataset shop_data")) << r.out;
  EXPECT_TRUE(Contains(r.err, "DEBUG: Destination `warehouse` from shop.toml")) << r.err;
  EXPECT_TRUE(Contains(r.err, "DEBUG: Dataset `shop_data` from shop.toml")) << r.err;
  EXPECT_EQ(w.State("shop").value("dataset_name", ""), "shop_data");
  EXPECT_TRUE(fs::exists(w.PipelineDir("shop") / "schemas" / "shop.schema.json"));
}

TEST(SyncCli, WithoutLocalStateOrPipelineFileSyncAsksForDestinationAndDataset) {
  PipelineWorkspace w;
  auto r = w.Dlt({"pipeline", "shop", "sync"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "Pipeline shop has no local state in .dlt/.var/dev/pipelines/shop and no pipeline file in "))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "pass --destination and --dataset-name")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
