// dlt's Arrow items from Parquet files kept as the files they are (pipeline/file_items.h): with
// `use_pyarrow = true` a Parquet file goes into the package as it is and DuckDB loads it itself.
// The result must be the one the rows would have given as typed batches (same table, same
// schema), with the same checks and the same crash safety; other destinations, and files that
// need their columns changed, still get the rows normalized.
#include <atomic>
#include <thread>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Rows of every type a file item keeps as it is, NULLs in the second row.
const char* kTypedRows =
    "SELECT i AS id, i::INTEGER AS small, (i * 0.25)::DOUBLE AS price, (i * 1.5)::DECIMAL(12,2) AS amount, 'n' || i AS name, "
    "DATE '2024-02-28' + i::INTEGER AS day, TIME '10:11:12.5' AS t, TIMESTAMP '2024-05-06 07:08:09.123456' AS at, "
    "TIMESTAMPTZ '2024-05-06 07:08:09+00' AS at_tz, '2024-01-01 00:00:01.5'::TIMESTAMP_MS AS at_ms, i % 2 = 0 AS paid, "
    "'\\x00\\xFF'::BLOB AS raw FROM range(1, 6) t(i) "
    "UNION ALL SELECT 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";

void WriteParquet(const PipelineWorkspace& w, const std::string& name, const std::string& select) {
  fs::create_directories(w.root() / "data");
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (" + select + ") TO '" + (w.root() / "data" / name).string() + "' (FORMAT parquet)"));
}

std::string ArrowPipeline(const std::string& name, const std::string& path, const std::string& extra = "") {
  return PipelineFile(name, path, "format = \"parquet\"\nuse_pyarrow = true\n" + extra);
}

// The job files of the pipeline's loaded packages.
std::vector<std::string> LoadedJobs(const PipelineWorkspace& w, const std::string& pipeline) {
  std::vector<std::string> out;
  for (const auto& id : w.Packages(pipeline, "load/loaded")) {
    for (const auto& e : fs::directory_iterator(w.PipelineDir(pipeline) / "load" / "loaded" / id / "completed_jobs")) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool AllEndWith(const std::vector<std::string>& names, const std::string& ext) {
  if (names.empty()) return false;
  for (const auto& n : names) {
    if (!n.ends_with(ext)) return false;
  }
  return true;
}

Json OrdersColumns(const PipelineWorkspace& w, const std::string& pipeline) {
  Json s = Json::parse(ReadFile(w.PipelineDir(pipeline) / "schemas" / (pipeline + ".schema.json")));
  return s["tables"]["orders"]["columns"];
}

// Loads data/rows.parquet as it is (pipeline `whole`) and data/renamed.parquet, the same rows with
// a column `Name` that must be renamed, as typed batches (pipeline `rows`): the tables and schemas
// must be the same. `arrow`: the rows are Arrow items (no dlt columns), else dicts.
void ExpectTheSameAsBatches(bool arrow) {
  SCOPED_TRACE(arrow ? "Arrow items" : "dict rows");
  PipelineWorkspace w;
  const std::string rows_sql = kTypedRows;
  std::string renamed_sql = rows_sql;
  renamed_sql.replace(renamed_sql.find("AS name"), 7, "AS \"Name\"");
  WriteParquet(w, "rows.parquet", rows_sql);
  WriteParquet(w, "renamed.parquet", renamed_sql);
  const std::string extra = std::string("format = \"parquet\"\nuse_pyarrow = ") + (arrow ? "true" : "false") + "\n";
  w.Write("whole.toml", PipelineFile("whole", "data/rows.parquet", extra));
  w.Write("rows.toml", PipelineFile("rows", "data/renamed.parquet", extra));
  for (const char* p : {"whole.toml", "rows.toml"}) {
    auto r = w.RunPipeline({p});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The load job is the file itself (dlt's Parquet job).
  auto jobs = LoadedJobs(w, "whole");
  ASSERT_TRUE(AllEndWith(jobs, ".parquet")) << ::testing::PrintToString(jobs);
  const std::string load_id = w.Packages("whole", "load/loaded")[0];
  EXPECT_EQ(ReadFile(w.PipelineDir("whole") / "load" / "loaded" / load_id / "completed_jobs" / jobs[0]),
            ReadFile(w.root() / "data" / "rows.parquet"));
  jobs = LoadedJobs(w, "rows");
  EXPECT_TRUE(AllEndWith(jobs, ".typed")) << ::testing::PrintToString(jobs);

  const fs::path db = w.Db();
  EXPECT_EQ(CountRows(db, "whole_data.orders"), 6);
  const std::string file = (w.root() / "data" / "rows.parquet").string();
  const std::string data = arrow ? "*" : "* EXCLUDE (_dlt_load_id, _dlt_id)";
  const std::vector<std::string> differences{
      "SELECT " + data + " FROM whole_data.orders EXCEPT SELECT " + data + " FROM rows_data.orders",
      "SELECT " + data + " FROM rows_data.orders EXCEPT SELECT " + data + " FROM whole_data.orders",
      "SELECT " + data + " FROM whole_data.orders EXCEPT SELECT * FROM read_parquet('" + file + "')",
      "SELECT * FROM read_parquet('" + file + "') EXCEPT SELECT " + data + " FROM whole_data.orders"};
  for (const std::string& sql : differences) {
    EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM (" + sql + ")"), "0") << sql;
  }
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(column_name || ':' || data_type, ', ' ORDER BY ordinal_position) FROM "
                         "information_schema.columns WHERE table_schema = 'whole_data' AND table_name = 'orders'"),
            std::string("id:BIGINT, small:BIGINT, price:DOUBLE, amount:DECIMAL(12,2), name:VARCHAR, day:DATE, t:TIME, "
                        "at:TIMESTAMP, at_tz:TIMESTAMP WITH TIME ZONE, at_ms:TIMESTAMP, paid:BOOLEAN, raw:BLOB") +
                (arrow ? "" : ", _dlt_load_id:VARCHAR, _dlt_id:VARCHAR"));
  if (!arrow) {
    // dlt's columns, filled in by the load: the package's load id, a new 14-character key per row.
    EXPECT_EQ(SqlValue(db, "SELECT count(DISTINCT _dlt_id) || '/' || min(length(_dlt_id)) || '/' || "
                           "max(length(_dlt_id)) || '/' || count(DISTINCT _dlt_load_id) || '/' || min(_dlt_load_id) "
                           "FROM whole_data.orders"),
              "6/14/14/1/" + load_id);
  }
  Json whole = OrdersColumns(w, "whole"), rows = OrdersColumns(w, "rows");
  EXPECT_EQ(whole, rows);
  EXPECT_EQ(whole["at"]["timezone"], false);
  // Rows counted as for batches, in the trace.
  auto trace = w.Dlt({"pipeline", "whole", "trace"}, w.root());
  EXPECT_TRUE(Contains(trace.out, "6 rows")) << trace.out;
}

TEST(FileItems, AParquetFileOfArrowItemsIsLoadedAsItIsWithTheRowsAndSchemaBatchesWouldGive) {
  ExpectTheSameAsBatches(true);
}

TEST(FileItems, AParquetFileOfDictRowsIsLoadedAsItIsWithDltColumnsFilledInByTheLoad) {
  ExpectTheSameAsBatches(false);
}

TEST(FileItems, RunsAgainAppendAndMergeByKey) {
  PipelineWorkspace w;
  WriteParquet(w, "a.parquet", "SELECT i AS id, 'a' || i AS v FROM range(1, 5) t(i)");
  w.Write("app.toml", ArrowPipeline("app", "data/a.parquet"));
  w.Write("mrg.toml", ArrowPipeline("mrg", "data/a.parquet", "write_disposition = \"merge\"\nprimary_key = \"id\"\n"));
  for (const char* p : {"app.toml", "mrg.toml"}) ASSERT_EQ(w.RunPipeline({p}).exit_code, 0);
  WriteParquet(w, "a.parquet", "SELECT i AS id, 'b' || i AS v FROM range(3, 7) t(i)");
  for (const char* p : {"app.toml", "mrg.toml"}) {
    auto r = w.RunPipeline({p});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const fs::path db = w.Db();
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(id || v, ',' ORDER BY id, v) FROM app_data.orders"),
            "1a1,2a2,3a3,3b3,4a4,4b4,5b5,6b6");
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(id || v, ',' ORDER BY id) FROM mrg_data.orders"), "1a1,2a2,3b3,4b4,5b5,6b6");
  EXPECT_TRUE(AllEndWith(LoadedJobs(w, "mrg"), ".parquet"));
}

// Two files of one glob whose column has another physical type in each (INTEGER, then BIGINT
// beyond 32 bits): both are loaded as they are, each with its own values.
TEST(FileItems, FilesOfOneGlobWithOtherIntegerWidthsKeepTheirValues) {
  PipelineWorkspace w;
  WriteParquet(w, "a1.parquet", "SELECT 1::INTEGER AS id");
  WriteParquet(w, "a2.parquet", "SELECT 5000000000::BIGINT AS id");
  w.Write("g.toml", ArrowPipeline("g", "data/a*.parquet"));
  auto r = w.RunPipeline({"g.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(AllEndWith(LoadedJobs(w, "g"), ".parquet"));
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM g_data.orders"), "1,5000000000");
}

TEST(FileItems, ColumnsToRenameAndNestedColumnsGoAsRowsAndGiveTheSameTable) {
  PipelineWorkspace w;
  WriteParquet(w, "n.parquet", "SELECT i AS \"Order Id\", {'a': i} AS info, [i] AS tags FROM range(1, 4) t(i)");
  w.Write("n.toml", ArrowPipeline("n", "data/n.parquet"));
  auto r = w.RunPipeline({"n.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(AllEndWith(LoadedJobs(w, "n"), ".typed"));
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(order_id || ' ' || info::VARCHAR || ' ' || tags::VARCHAR, '; ' "
                             "ORDER BY order_id) FROM n_data.orders"),
            "1 {\"a\":1} [1]; 2 {\"a\":2} [2]; 3 {\"a\":3} [3]");
}

TEST(FileItems, ANullPrimaryKeyOrANaNFailsNamingTheRowAndLoadsNothing) {
  PipelineWorkspace w;
  WriteParquet(w, "k.parquet", "SELECT * FROM (VALUES (1, 1.0), (2, 2.0), (NULL, 3.0)) t(id, x)");
  WriteParquet(w, "nan.parquet", "SELECT * FROM (VALUES (1, 1.0::DOUBLE), (2, 'nan'::DOUBLE)) t(id, x)");
  w.Write("k.toml", ArrowPipeline("k", "data/k.parquet", "primary_key = \"id\"\n"));
  w.Write("nan.toml", ArrowPipeline("nan", "data/nan.parquet"));
  auto r = w.RunPipeline({"k.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "file orders.001_00000.0.parquet row 3: column `id` of table `orders` is declared not "
                              "null (primary key) but the row has no value for it"))
      << r.err;
  r = w.RunPipeline({"nan.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "row 2: column `x` holds NaN or infinity")) << r.err;
  EXPECT_FALSE(fs::exists(w.Db()));
  // Nothing of the run is kept, as when the rows are normalized as batches.
  for (const char* p : {"k", "nan"}) {
    EXPECT_TRUE(w.Packages(p, "normalize/extracted").empty());
    EXPECT_TRUE(w.Packages(p, "load/normalized").empty());
  }
}

// The filesystem destination writes a Parquet job's rows with DuckDB (dlt's columns filled in):
// in each format, the files hold what the rows as typed batches give (a file whose column must
// be renamed), with the same column types.
TEST(FileItems, TheFilesystemDestinationWritesWhatBatchesWouldInEachFormat) {
  for (const char* format : {"parquet", "jsonl"}) {
    SCOPED_TRACE(format);
    PipelineWorkspace w;
    std::string renamed_sql = kTypedRows;
    renamed_sql.replace(renamed_sql.find("AS name"), 7, "AS \"Name\"");
    WriteParquet(w, "rows.parquet", kTypedRows);
    WriteParquet(w, "renamed.parquet", renamed_sql);
    w.WriteSecrets(std::string("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"lake\"\n"
                               "loader_file_format = \"") + format + "\"\n", "dev");
    w.Write("whole.toml", PipelineFile("whole", "data/rows.parquet", "format = \"parquet\"\n", "lake"));
    w.Write("rows.toml", PipelineFile("rows", "data/renamed.parquet", "format = \"parquet\"\n", "lake"));
    for (const char* p : {"whole.toml", "rows.toml"}) {
      auto r = w.RunPipeline({p});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    EXPECT_TRUE(AllEndWith(LoadedJobs(w, "whole"), ".parquet"));
    EXPECT_TRUE(AllEndWith(LoadedJobs(w, "rows"), ".typed"));
    const fs::path lake = w.root() / "_local" / "dev" / "lake";
    const fs::path check = w.root() / "check.duckdb";
    ASSERT_TRUE(ExecDuckDb(check, "SELECT 1"));
    auto scan = [&](const std::string& dataset) {
      const std::string glob = (lake / dataset / "orders" / (std::string("*.") + format + (std::string(format) == "jsonl" ? ".gz" : ""))).string();
      return std::string(format) == "parquet" ? "read_parquet('" + glob + "')" : "read_json('" + glob + "')";
    };
    const std::string data = "* EXCLUDE (_dlt_load_id, _dlt_id)";
    EXPECT_EQ(SqlValue(check, "SELECT count(*) FROM (SELECT " + data + " FROM " + scan("whole_data") + " EXCEPT SELECT " +
                                  data + " FROM " + scan("rows_data") + ")"),
              "0");
    EXPECT_EQ(SqlValue(check, "SELECT count(*) || '/' || count(DISTINCT _dlt_id) || '/' || min(length(_dlt_id)) FROM " +
                                  scan("whole_data")),
              "6/6/14");
    auto types = [&](const std::string& dataset) {
      return SqlValue(check, "SELECT string_agg(column_name || ':' || column_type, ', ') FROM (DESCRIBE SELECT * FROM " +
                                 scan(dataset) + ")");
    };
    EXPECT_EQ(types("whole_data"), types("rows_data"));
  }
}

// Killed at every point of the run and run again: each file's rows are loaded exactly once.
TEST(FileItems, KilledAtEveryPointAndRunAgainLoadsEachFileOnce) {
  PipelineWorkspace base;
  WriteParquet(base, "a.parquet", "SELECT i AS id FROM range(1, 5) t(i)");
  WriteParquet(base, "b.parquet", "SELECT i AS id FROM range(5, 10) t(i)");
  WriteParquet(base, "c.parquet", "SELECT i AS id FROM range(10, 13) t(i)");
  WriteParquet(base, "bc.parquet", "SELECT i AS id FROM range(5, 13) t(i)");
  base.Write("pq.toml", ArrowPipeline("pq", "data/a.parquet"));
  ASSERT_EQ(base.RunPipeline({"pq.toml"}).exit_code, 0);
  struct Case {
    const char* kill_at;
    bool captured;   // the killed run's rows are in a package (or loaded)
    bool committed;  // ... and in the destination
  };
  const Case cases[] = {{"extract_file_item", false, false},         {"extract_before_publish", false, false},
                        {"after_extract", true, false},              {"normalize_before_publish", true, false},
                        {"normalize_before_extracted_delete", true, false}, {"after_normalize", true, false},
                        {"load_table", true, false},                 {"load_before_commit", true, false},
                        {"load_after_commit", true, true},           {"after_load", true, true}};
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < std::size(cases); i = next++) {
        const Case& c = cases[i];
        SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + c.kill_at);
        PipelineWorkspace w;
        fs::copy(base.root(), w.root(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        const fs::path db = w.Db();
        auto crash = w.RunPipeline({"pq.toml", "--resource", "orders=data/b.parquet"}, {{"DLT_FAULT_KILL_AT", c.kill_at}});
        EXPECT_EQ(crash.exit_code, 137) << "not killed: " << crash.err;
        EXPECT_EQ(CountRows(db, "pq_data.orders"), c.committed ? 9 : 4);
        auto rerun = w.RunPipeline({"pq.toml", "--resource", c.captured ? "orders=data/c.parquet" : "orders=data/bc.parquet"});
        EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
        EXPECT_EQ(SqlValue(db, "SELECT count(*) || '/' || count(DISTINCT id) || '/' || min(id) || '/' || max(id) FROM "
                               "pq_data.orders"),
                  "12/12/1/12");
        EXPECT_EQ(CountRows(db, "pq_data._dlt_loads"), c.captured ? 3 : 2);
        EXPECT_TRUE(w.Packages("pq", "normalize/extracted").empty());
        EXPECT_TRUE(w.Packages("pq", "load/normalized").empty());
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace dlt::testing
