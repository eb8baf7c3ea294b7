// `dlt run` inputs: standard input, gzip files, globs and JSON arrays; bad input (malformed lines,
// unknown keys, an unknown destination, missing files) loads nothing and says where.
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline_cli_support.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using pipeline_cli_test::Q;

// ---------------------------------------------------------------------------------------------
// 6. Inputs: stdin, gzip, globs, JSON arrays.

TEST(PipelineInput, ReadsStandardInput) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  auto r = w.RunPipeline({"shop.toml", "--resource", "orders=-"}, {}, Orders(1, 5));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 5);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 10);
  EXPECT_FALSE(w.Exists("orders.jsonl"));

  auto bad = w.RunPipeline({"shop.toml", "--resource", "ordrs=-"}, {}, Orders(1, 1));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.err, "Did you mean `orders`?")) << bad.err;
}

TEST(PipelineInput, GzipFilesAndGlobsOverSeveralFiles) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "data/part-*"));
  w.Write("data/part-1.jsonl.gz", Gzip(Orders(1, 2)));
  w.Write("data/part-2.jsonl.gz", Gzip(Orders(3, 5)));
  w.Write("data/part-3.jsonl", Orders(6, 6));
  w.Write("data/other.jsonl", Orders(100, 101));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 12);
}

TEST(PipelineInput, JsonArrayFilesRelativeToThePipelineFile) {
  PipelineWorkspace w;
  w.Write("pipelines/shop.toml", PipelineFile("shop", "../data/orders.json"));
  w.Write("data/orders.json",
          "[\n  {\"id\": 1, \"items\": [{\"sku\": \"a\"}]},\n  {\"id\": 2, \"items\": []},\n  {\"id\": 3}\n]\n");
  auto r = w.RunPipeline({"shop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 1);

  // format = "json" explicitly.
  w.Write("pipelines/shop.toml", PipelineFile("shop", "../data/orders.json", "format = \"json\"\n"));
  auto r2 = w.RunPipeline({"shop"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 6);
}

// ---------------------------------------------------------------------------------------------
// 7. Bad input loads nothing and says where.

struct Snapshot {
  int64_t orders = 0, items = 0, loads = 0;
  std::string state;
};

Snapshot Take(PipelineWorkspace& w) {
  return {CountRows(w.Db(), Q("orders")), CountRows(w.Db(), Q("orders__items")), CountRows(w.Db(), Q("_dlt_loads")),
          ReadFile(w.PipelineDir("shop") / "state.json")};
}

void ExpectNothingOfTheRunLoaded(PipelineWorkspace& w, const Snapshot& before) {
  Snapshot after = Take(w);
  EXPECT_EQ(after.orders, before.orders);
  EXPECT_EQ(after.items, before.items);
  EXPECT_EQ(after.loads, before.loads);
  EXPECT_EQ(after.state, before.state) << "state.json changed by a failed run";
  EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
  EXPECT_TRUE(w.Packages("shop", "load/new").empty());
  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
}

TEST(PipelineBadInput, AMalformedLineIsReportedWithFileAndLineAndNothingIsLoaded) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  Snapshot before = Take(w);
  ASSERT_EQ(before.orders, 3);

  // Line 27 of 50 is broken.
  std::string lines = Orders(10, 35);
  lines += "{\"id\": 36, \"customer\": \"x\",, }\n";
  lines += Orders(37, 59);
  w.Write("bad.jsonl", lines);
  auto r = w.RunPipeline({"shop.toml", "--resource", "orders=bad.jsonl"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(r.err.starts_with("ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "bad.jsonl:27:")) << r.err;
  EXPECT_FALSE(Contains(r.out, "load step completed")) << r.out;
  ExpectNothingOfTheRunLoaded(w, before);

  // The last of many lines is truncated.
  std::string many = Orders(100, 599);
  many += "{\"id\": 600, \"customer\": \"trunc";
  w.Write("big.jsonl", many);
  auto r2 = w.RunPipeline({"shop.toml", "--resource", "orders=big.jsonl"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_TRUE(Contains(r2.err, "big.jsonl:501:")) << r2.err;
  ExpectNothingOfTheRunLoaded(w, before);

  // In a gzip file, on stdin.
  w.Write("bad.jsonl.gz", Gzip(lines));
  auto r3 = w.RunPipeline({"shop.toml", "--resource", "orders=bad.jsonl.gz"});
  EXPECT_EQ(r3.exit_code, 2);
  EXPECT_TRUE(Contains(r3.err, "bad.jsonl.gz:27:")) << r3.err;
  auto r4 = w.RunPipeline({"shop.toml", "--resource", "orders=-"}, {}, lines);
  EXPECT_EQ(r4.exit_code, 2);
  EXPECT_TRUE(Contains(r4.err, "<stdin>:27:")) << r4.err;
  ExpectNothingOfTheRunLoaded(w, before);

  // The input, fixed, loads completely afterwards.
  w.Write("good.jsonl", Orders(10, 59));
  auto ok = w.RunPipeline({"shop.toml", "--resource", "orders=good.jsonl"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 53);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
}

TEST(PipelineBadInput, UnknownKeysInThePipelineFileGiveLineColumnAndSuggestion) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", Orders(1, 1));
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_dispositon = \"merge\"\n"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "shop.toml:9:1: unknown key `write_dispositon`")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Did you mean `write_disposition`?")) << r.err;

  w.Write("shop.toml",
          "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\n  datset_name = \"x\"\n\n[[resources]]\nname = \"orders\"\npath = \"orders.jsonl\"\n");
  auto r2 = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_TRUE(Contains(r2.err, "shop.toml:4:3:")) << r2.err;
  EXPECT_TRUE(Contains(r2.err, "Did you mean `dataset_name`?")) << r2.err;

  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursr_path = \"id\" }\n"));
  auto inline_table = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(inline_table.exit_code, 2);
  EXPECT_TRUE(Contains(inline_table.err, "shop.toml:9:17: unknown key `cursr_path`")) << inline_table.err;
  EXPECT_TRUE(Contains(inline_table.err, "Did you mean `cursor_path`?")) << inline_table.err;

  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"mrege\"\n"));
  auto r3 = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r3.exit_code, 2);
  EXPECT_TRUE(Contains(r3.err, "shop.toml:9:")) << r3.err;
  EXPECT_TRUE(Contains(r3.err, "Did you mean `merge`?")) << r3.err;

  EXPECT_FALSE(w.Exists("_local/dev/warehouse.duckdb"));
  EXPECT_FALSE(w.Exists(".dlt/.var/dev/pipelines/shop"));
}

TEST(PipelineBadInput, AnUnknownDestinationTellsHowToConfigureIt) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", Orders(1, 1));
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lakehouse"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "`lakehouse`")) << r.err;
  EXPECT_TRUE(Contains(r.err, "[destination.lakehouse]")) << r.err;
  EXPECT_TRUE(Contains(r.err, "destination_type = \"duckdb\"")) << r.err;
  EXPECT_TRUE(Contains(r.err, "DESTINATION__LAKEHOUSE__DESTINATION_TYPE=duckdb")) << r.err;
  EXPECT_FALSE(w.Exists("_local/dev"));
}

TEST(PipelineBadInput, AMissingInputFileIsAClearError) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(Contains(r.err, "ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "orders.jsonl")) << r.err;
  EXPECT_TRUE(Contains(r.err, "not found")) << r.err;
  auto g = w.RunPipeline({"shop.toml", "--resource", "orders=nothing/*.jsonl"});
  EXPECT_NE(g.exit_code, 0);
  EXPECT_TRUE(Contains(g.err, "no files match")) << g.err;
  EXPECT_FALSE(w.Exists("_local/dev/warehouse.duckdb"));

  auto nofile = w.RunPipeline({"nope.toml"});
  EXPECT_EQ(nofile.exit_code, 3);
  EXPECT_TRUE(Contains(nofile.err, "pipeline file not found: nope.toml")) << nofile.err;
}

}  // namespace
}  // namespace dlt::testing
