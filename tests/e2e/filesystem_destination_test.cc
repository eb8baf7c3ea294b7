// The filesystem destination: `dlt run` into a local folder writes dlt's layout (data files per
// table, _dlt_loads, _dlt_version, _dlt_pipeline_state, init), and the files read back with
// DuckDB's own readers give the source rows.
#include <set>

#include "destinations/filesystem/filesystem_destination.h"
#include "support/lake_files.h"
#include "lake_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(FilesystemDestination, LoadsParquetFilesInDltsLayoutThatReadBackAsTheSourceRows) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 4));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const fs::path ds = w.Dataset();
  EXPECT_EQ(ReadFile(ds / "init"), R"({"initial_version": 2, "current_version": 2})");
  auto files = FileNames(ds / "orders");
  ASSERT_EQ(files.size(), 1u) << ::testing::PrintToString(files);
  EXPECT_TRUE(files[0].ends_with(".parquet")) << files[0];
  const std::string load_id = LoadId(files[0]);
  EXPECT_EQ(FileNames(ds / "_dlt_loads"), std::vector<std::string>{"shop__" + load_id + ".jsonl"});
  auto loads = nlohmann::json::parse(ReadFile(ds / "_dlt_loads" / ("shop__" + load_id + ".jsonl")));
  EXPECT_EQ(loads["load_id"], load_id);
  EXPECT_EQ(loads["status"], 0);
  auto states = FileNames(ds / "_dlt_pipeline_state");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].starts_with("shop__" + load_id + "__")) << states[0];
  auto versions = FileNames(ds / "_dlt_version");
  ASSERT_EQ(versions.size(), 1u);
  auto version = nlohmann::json::parse(ReadFile(ds / "_dlt_version" / versions[0]));
  EXPECT_EQ(version["schema_name"], "shop");
  EXPECT_TRUE(version["schema"].is_string());

  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM read_parquet(" + w.Glob("orders") + ")"), "1..4 x4");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders__items") + ")"), "8");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders__tags") + ")"), "8");
  EXPECT_EQ(FileSql("SELECT string_agg(customer || ':' || address__city, ',' ORDER BY id) FROM read_parquet(" + w.Glob("orders") + ")"),
            "c1:city1,c2:city2,c3:city0,c4:city1");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders__items") + ") i JOIN read_parquet(" +
                    w.Glob("orders") + ") o ON i._dlt_parent_id = o._dlt_id"), "8");
  EXPECT_EQ(FileSql("SELECT DISTINCT _dlt_load_id FROM read_parquet(" + w.Glob("orders") + ")"), load_id);
  // No temporary file is left beside the data.
  for (const auto& e : fs::recursive_directory_iterator(ds)) {
    EXPECT_FALSE(e.path().filename().string().ends_with(".tmp")) << e.path();
  }
}

TEST(FilesystemDestination, ParquetColumnsKeepTimestampsWithZoneAndDecimalsWithPrecision) {
  LakeWorkspace w;
  w.Write("pay.toml", "[pipeline]\nname = \"pay\"\ndestination = \"lake\"\ndataset_name = \"shop_data\"\n\n"
                      "[[resources]]\nname = \"payments\"\npath = \"p.jsonl\"\n"
                      "columns = { amount = { data_type = \"decimal\", precision = 10, scale = 2 } }\n");
  w.Write("p.jsonl", "{\"id\": 1, \"paid_at\": \"2024-03-01T10:00:00+02:00\", \"amount\": \"12.50\", \"ok\": true}\n"
                     "{\"id\": 2, \"paid_at\": \"2024-03-02T00:00:00Z\", \"amount\": \"0.01\", \"ok\": false}\n");
  auto r = w.RunPipeline({"pay.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string src = "read_parquet(" + w.Glob("payments") + ")";
  EXPECT_EQ(FileSql("SELECT typeof(paid_at) FROM " + src + " LIMIT 1"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(FileSql("SELECT typeof(amount) FROM " + src + " LIMIT 1"), "DECIMAL(10,2)");
  EXPECT_EQ(FileSql("SELECT typeof(ok) || ' ' || typeof(id) FROM " + src + " LIMIT 1"), "BOOLEAN BIGINT");
  EXPECT_EQ(FileSql("SELECT epoch(paid_at)::BIGINT FROM " + src + " WHERE id = 1"), "1709280000");
  EXPECT_EQ(FileSql("SELECT sum(amount)::VARCHAR FROM " + src), "12.51");
}

TEST(FilesystemDestination, AppendingTwiceAddsTheSecondLoadsFilesBesideTheFirst) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("orders.jsonl", Orders(4, 5));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileNames(w.Dataset() / "orders").size(), 2u);
  EXPECT_EQ(FileNames(w.Dataset() / "_dlt_loads").size(), 2u);
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(DISTINCT id) || '/' || count(*) FROM read_parquet(" +
                    w.Glob("orders") + ")"), "1..5 x5/5");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders__items") + ")"), "10");
}

TEST(FilesystemDestination, ReplaceLeavesOnlyTheNewLoadsFilesInTheTableAndItsNestedTables) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"replace\"\n", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("orders.jsonl", Orders(7, 8));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto files = FileNames(w.Dataset() / "orders");
  ASSERT_EQ(files.size(), 1u);
  auto item_files = FileNames(w.Dataset() / "orders__items");
  ASSERT_EQ(item_files.size(), 1u);
  EXPECT_EQ(LoadId(item_files[0]), LoadId(files[0]));
  EXPECT_EQ(FileSql("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM read_parquet(" + w.Glob("orders") + ")"), "7,8");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders__items") + ")"), "4");
  EXPECT_EQ(FileNames(w.Dataset() / "_dlt_loads").size(), 2u);
}

TEST(FilesystemDestination, SyncAfterTheLocalStateIsWipedRestoresItFromTheFolder) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n", "lake"));
  w.Write("orders.jsonl", Orders(1, 4));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  fs::remove_all(w.root() / ".dlt" / ".var");

  auto s = w.Dlt({"pipeline", "shop", "sync"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_TRUE(Contains(s.out, "Restored pipeline shop from dataset shop_data")) << s.out;
  EXPECT_EQ(w.State("shop")["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"], 4);
  EXPECT_TRUE(fs::exists(w.PipelineDir("shop") / "schemas" / "shop.schema.json"));

  // The restored cursor skips what was loaded before.
  w.Write("orders.jsonl", Orders(1, 6));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM read_parquet(" + w.Glob("orders") + ")"), "1..6 x6");
}

// What the dashboard shows of a dataset (load history, tables, rows) comes from the same files.
TEST(FilesystemDestination, ReadSideListsLoadsTableColumnsAndRowsFromTheFiles) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("orders.jsonl", Orders(4, 5));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);

  auto reader = LakeReader(w.root() / "_local" / "dev" / "lake", "shop_data");
  FilesystemDestination& d = *reader;
  EXPECT_TRUE(d.DatasetExists().value());
  auto loads = d.RecentLoads(10);
  ASSERT_TRUE(loads.ok()) << loads.status().message();
  ASSERT_EQ(loads->size(), 2u);
  EXPECT_TRUE(LoadIdLess(*(*loads)[1].load_id, *(*loads)[0].load_id)) << "newest first";
  EXPECT_EQ((*loads)[0].status.value_or(""), "0");
  EXPECT_TRUE(d.IsLoaded(*(*loads)[0].load_id).value());
  EXPECT_FALSE(d.IsLoaded("1.5").value());
  auto cols = d.TableColumns("orders");
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  EXPECT_NE(std::find(cols->begin(), cols->end(), "address__city"), cols->end()) << ::testing::PrintToString(*cols);
  EXPECT_TRUE(d.TableColumns("no_such_table").value().empty());
  EXPECT_EQ(d.CountRows("orders").value(), 5u);
  EXPECT_EQ(d.CountRows("orders__items").value(), 10u);
  EXPECT_EQ(d.CountRows("_dlt_loads").value(), 2u);
  auto page = d.ReadRows("orders", 2, 0);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->total, 5u);
  EXPECT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->columns.size(), page->rows[0].size());
  auto state = d.RetrieveState("shop");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->load_id, *(*loads)[1].load_id) << "the second run did not change the state";
  auto schema = d.RetrieveSchema("shop");
  ASSERT_TRUE(schema.ok() && schema->has_value());
  EXPECT_NE((*schema)->find("\"orders__items\""), std::string::npos);
}

// A state file whose load never completed (no _dlt_loads entry) is not restored.
TEST(FilesystemDestination, SyncIgnoresTheStateOfALoadThatNeverCompleted) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n", "lake"));
  w.Write("orders.jsonl", Orders(1, 4));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("orders.jsonl", Orders(1, 7));
  auto crash = w.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "load_before_loads_row"}});
  ASSERT_EQ(crash.exit_code, 137) << crash.err;
  ASSERT_EQ(FileNames(w.Dataset() / "_dlt_pipeline_state").size(), 2u);
  fs::remove_all(w.root() / ".dlt" / ".var");
  auto s = w.Dlt({"pipeline", "shop", "sync"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_EQ(w.State("shop")["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"], 4);
}

TEST(FilesystemDestination, PipelineDropDeletesTheFilesOfTheResourcesTablesAndRecordsTheDrop) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto r = w.Dlt({"pipeline", "shop", "drop", "orders", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* t : {"orders", "orders__items", "orders__tags"}) EXPECT_TRUE(FileNames(w.Dataset() / t).empty()) << t;
  EXPECT_EQ(FileNames(w.Dataset() / "_dlt_loads").size(), 2u);
  EXPECT_EQ(FileNames(w.Dataset() / "_dlt_pipeline_state").size(), 2u);
  // The next run loads the resource again from scratch.
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders") + ")"), "3");
}

TEST(FilesystemDestination, ProfileSwitchMovesTheSamePipelineToAnotherBucketWithoutTouchingIt) {
  LakeWorkspace w;
  const fs::path prod_bucket = w.tmp() / "prod-bucket";
  w.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"" + prod_bucket.string() +
                    "\"\nloader_file_format = \"jsonl\"\n", "prod");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto r = w.RunPipeline({"shop.toml", "--profile", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders") + ")"), "3");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_json('" + (prod_bucket / "shop_data" / "orders" / "*.jsonl.gz").string() +
                    "', format = 'newline_delimited')"), "3");
  EXPECT_FALSE(fs::exists(w.root() / "_local" / "prod"));
}

// The template sets no format: the files are dlt's default, gzipped JSON Lines.
TEST(FilesystemDestination, InitWithTheFilesystemDestinationConfiguresAFolderThePipelineWritesJsonlFilesTo) {
  TempWorkspace w;
  const fs::path dir = w.tmp() / "project";
  fs::create_directories(dir);
  auto r = w.Dlt({"init", "filesystem", "filesystem", "--toml"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "it loads JSON Lines files into _local/dev/files/")) << r.out;
  EXPECT_TRUE(Contains(ReadFile(dir / ".dlt" / "config.toml"), "destination_type = \"filesystem\"\nbucket_url = \"files\""));
  // The template's resource merges on `id`: refused, with what to change.
  r = w.Dlt({"run", "filesystem_pipeline.toml"}, dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "table `events` has write_disposition `merge`")) << r.err;
  std::string pipeline = ReadFile(dir / "filesystem_pipeline.toml");
  const std::string merge = "write_disposition = \"merge\"";
  ASSERT_NE(pipeline.find(merge), std::string::npos) << pipeline;
  pipeline.replace(pipeline.find(merge), merge.size(), "write_disposition = \"append\"");
  WriteFile(dir / "filesystem_pipeline.toml", pipeline);
  r = w.Dlt({"run", "filesystem_pipeline.toml"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_json('" +
                    (dir / "_local" / "dev" / "files" / "filesystem_data" / "events" / "*.jsonl.gz").string() +
                    "', format = 'newline_delimited')"),
            "3");
  auto events = FileNames(dir / "_local" / "dev" / "files" / "filesystem_data" / "events");
  ASSERT_FALSE(events.empty());
  for (const auto& f : events) EXPECT_TRUE(f.ends_with(".jsonl.gz")) << f;
}

TEST(FilesystemDestination, JsonlFilesAreGzippedAndReadBackWithReadJson) {
  LakeWorkspace w("", "jsonl");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto files = FileNames(w.Dataset() / "orders");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].ends_with(".jsonl.gz")) << files[0];
  EXPECT_EQ(FileSql("SELECT string_agg(id::VARCHAR || customer, ',' ORDER BY id) FROM read_json(" +
                    w.Glob("orders", "jsonl.gz") + ", format = 'newline_delimited')"), "1c1,2c2,3c3");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_json(" + w.Glob("orders__items", "jsonl.gz") + ", format = 'newline_delimited')"), "6");
}

TEST(FilesystemDestination, CsvFilesAreGzippedWithAHeaderAndReadBackWithReadCsv) {
  LakeWorkspace w("", "csv");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto files = FileNames(w.Dataset() / "orders");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].ends_with(".csv.gz")) << files[0];
  EXPECT_EQ(FileSql("SELECT string_agg(id::VARCHAR || customer, ',' ORDER BY id) FROM read_csv(" + w.Glob("orders", "csv.gz") + ")"),
            "1c1,2c2,3c3");
}

TEST(FilesystemDestination, MergeIsRefusedBeforeExtractingWithWhatToUseInstead) {
  LakeWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"merge\"\nprimary_key = \"id\"\n", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "table `orders` has write_disposition `merge`, which the filesystem destination `lake` does not support"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "Use `append` or `replace`")) << r.err;
  EXPECT_TRUE(Contains(r.err, "SQL destination")) << r.err;
  EXPECT_FALSE(fs::exists(w.Dataset() / "orders"));
  EXPECT_FALSE(fs::exists(w.Dataset() / "_dlt_loads"));
  // Refused before extracting: no package waits for a load that cannot happen.
  EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
}

TEST(FilesystemDestination, BucketUrlMayBeAnAbsolutePathOrAFileUrlAndTheTypeItsOwnName) {
  PipelineWorkspace w;
  const fs::path abs = w.tmp() / "bucket";
  w.WriteConfig("[destination.filesystem]\nbucket_url = \"file://" + abs.string() + "\"\nloader_file_format = \"parquet\"\n", "dev");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "filesystem"));
  w.Write("orders.jsonl", Orders(1, 2));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet('" + (abs / "shop_data" / "orders" / "*.parquet").string() + "')"), "2");
  EXPECT_FALSE(fs::exists(w.root() / "_local" / "dev" / "shop_data"));
}

TEST(FilesystemDestination, LayoutWithDatePartsPartitionsTheFolders) {
  LakeWorkspace w("layout = \"{table_name}/{YYYY}/{MM}/{DD}/{load_id}.{file_id}.{ext}\"\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"replace\"\n", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("orders.jsonl", Orders(4, 5));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(w.Dataset() / "orders")) {
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), w.Dataset() / "orders"));
  }
  ASSERT_EQ(files.size(), 1u);
  // orders/<YYYY>/<MM>/<DD>/<load_id>.<file_id>.parquet, the date of the load id.
  std::string load_id = LoadId(files[0].filename().string());
  std::string date = FileSql("SELECT strftime(to_timestamp(" + load_id + "), '%Y/%m/%d')");
  EXPECT_EQ(files[0].parent_path().string(), date);
  EXPECT_EQ(FileSql("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM read_parquet('" +
                    (w.Dataset() / "orders" / "**" / "*.parquet").string() + "')"), "4,5");
}

TEST(FilesystemDestination, UnknownLayoutPlaceholderIsAnErrorNamingTheKey) {
  LakeWorkspace w("layout = \"{table_name}/{month}/{load_id}.{ext}\"\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 2));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "destination.lake.layout")) << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown placeholder(s) {month}")) << r.err;
}

TEST(FilesystemDestination, MissingBucketUrlSaysWhereToSetIt) {
  PipelineWorkspace w;
  w.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\n", "dev");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 2));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "Missing `bucket_url` for destination `lake` (filesystem)")) << r.err;
  EXPECT_TRUE(Contains(r.err, "DESTINATION__LAKE__BUCKET_URL")) << r.err;
}

// A load killed after some of its files are written (or all, before its _dlt_loads entry) is
// redone by the next run over the same file names: every row is there exactly once.
TEST(FilesystemDestination, KilledLoadIsRedoneWithoutCountingAnyRowTwice) {
  for (const char* point : {"load_table", "load_before_state_row", "load_before_loads_row", "load_after_commit"}) {
    SCOPED_TRACE(point);
    LakeWorkspace w;
    w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
    w.Write("orders.jsonl", Orders(1, 4));
    ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
    w.Write("orders.jsonl", Orders(5, 9));
    auto crash = w.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", point}});
    ASSERT_EQ(crash.exit_code, 137) << crash.out << crash.err;
    w.Write("orders.jsonl", Orders(10, 12));
    auto rerun = w.RunPipeline({"shop.toml"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) || ' (' || count(DISTINCT id) || ')' FROM read_parquet(" +
                      w.Glob("orders") + ")"), "1..12 x12 (12)");
    EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + w.Glob("orders__items") + ")"), "24");
    EXPECT_EQ(FileNames(w.Dataset() / "_dlt_loads").size(), 3u);
    auto info = w.Dlt({"pipeline", "shop", "info"});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
  }
}

}  // namespace
}  // namespace dlt::testing
