// Crash safety of `dlt run`: the process is killed (SIGKILL, through DLT_FAULT_KILL_AT) at every
// named point of extract, normalize and load, then run again. Whatever the point, every source row
// ends up in the destination exactly once, `_dlt_loads` has one row per load package, and nothing
// stays pending.
//
// Each fault point gets its own workspace, copied from one where the first run was done, and the
// points run a few at a time (the runs mostly wait for fsync, so this is faster even on 2 cores).
#include <atomic>
#include <set>
#include <thread>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct FaultCase {
  const char* kill_at;
  bool captured;   // after the crash the run's data is in a load package on disk (or loaded)
  bool committed;  // after the crash the run's data is in the destination
  bool pending;    // after the crash a package waits to be normalized or loaded
};

const FaultCase kCases[] = {
    {"extract_record", false, false, false},
    {"extract_record:3", false, false, false},
    {"extract_before_publish", false, false, false},
    {"extract_before_state_save", true, false, true},
    {"after_extract", true, false, true},
    {"normalize_row", true, false, true},
    {"normalize_row:5", true, false, true},
    {"normalize_before_schema_save", true, false, true},
    {"normalize_before_publish", true, false, true},
    {"normalize_before_extracted_delete", true, false, true},
    {"after_normalize", true, false, true},
    {"load_before_transaction", true, false, true},
    {"load_table", true, false, true},
    {"load_before_commit", true, false, true},
    {"load_after_commit", true, true, true},
    {"load_before_package_move", true, true, true},
    {"after_load", true, true, false},
};

// Runs `fn(case)` for every fault point, `parallel` at a time.
template <typename Fn>
void ForEveryFaultPoint(Fn fn, int parallel = 4) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < parallel; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < std::size(kCases); i = next++) fn(kCases[i]);
    });
  }
  for (auto& t : threads) t.join();
}

void CopyWorkspace(const PipelineWorkspace& from, PipelineWorkspace& to) {
  fs::copy(from.root(), to.root(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// What every run must leave behind: each package loaded once, each load recorded once, nothing
// pending, no half-written package.
void ExpectConsistentPackages(PipelineWorkspace& w, const std::string& pipeline, const std::string& dataset) {
  const fs::path db = w.Db();
  auto loaded = w.Packages(pipeline, "load/loaded");
  auto loads = SqlColumn(db, "SELECT load_id FROM " + dataset + "._dlt_loads");
  EXPECT_EQ(loads.size(), AsSet(loads).size()) << "a load id is recorded twice in _dlt_loads";
  EXPECT_EQ(AsSet(loads), AsSet(loaded)) << "_dlt_loads and the loaded packages differ";
  for (const auto& id : SqlColumn(db, "SELECT DISTINCT _dlt_load_id FROM " + dataset + ".orders")) {
    EXPECT_TRUE(AsSet(loaded).count(id)) << "rows of load " << id << " that is not a loaded package";
  }
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM " + dataset + "._dlt_loads WHERE status <> 0"), "0");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM " + dataset + "._dlt_pipeline_state s LEFT JOIN " + dataset +
                             "._dlt_loads l ON s._dlt_load_id = l.load_id WHERE l.load_id IS NULL"),
            "0")
      << "a state row of a load that never completed";
  EXPECT_TRUE(w.Packages(pipeline, "normalize/extracted").empty());
  EXPECT_TRUE(w.Packages(pipeline, "load/normalized").empty());
  EXPECT_TRUE(w.Packages(pipeline, "load/new").empty());
  auto info = w.Dlt({"pipeline", pipeline, "info"});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
}

// Order ids in the destination, as "min..max x count (distinct)".
std::string IdSummary(const fs::path& db, const std::string& dataset) {
  return SqlValue(db, "SELECT min(id) || '..' || max(id) || ' x' || count(*) || ' (' || count(DISTINCT id) || ')' FROM " +
                          dataset + ".orders");
}

// An append pipeline: run 1 loads orders 1-4; run 2 (orders 5-9) is killed; the next run brings
// orders 10-12, plus 5-9 again when the crash lost them (nothing of run 2 was kept on disk). At the
// end orders 1-12 are in the destination exactly once, with their nested rows.
TEST(CrashRecovery, AppendPipelineKilledAtEveryPointLoadsEveryRowExactlyOnce) {
  PipelineWorkspace base;
  base.Write("shop.toml", PipelineFile("shop", "a.jsonl"));
  base.Write("a.jsonl", Orders(1, 4));
  base.Write("b.jsonl", Orders(5, 9));
  base.Write("c.jsonl", Orders(10, 12));
  base.Write("bc.jsonl", Orders(5, 12));
  auto first = base.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(CountRows(base.Db(), "shop_data.orders"), 4);

  ForEveryFaultPoint([&](const FaultCase& c) {
    SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + c.kill_at);
    PipelineWorkspace w;
    CopyWorkspace(base, w);
    const fs::path db = w.Db();

    auto crash = w.RunPipeline({"shop.toml", "--resource", "orders=b.jsonl"}, {{"DLT_FAULT_KILL_AT", c.kill_at}});
    ASSERT_EQ(crash.exit_code, 137) << "not killed: " << crash.out << crash.err;
    EXPECT_EQ(CountRows(db, "shop_data.orders"), c.committed ? 9 : 4) << "a partial or uncommitted load is visible";
    EXPECT_EQ(CountRows(db, "shop_data.orders__items"), c.committed ? 18 : 8);
    EXPECT_EQ(CountRows(db, "shop_data._dlt_loads"), c.committed ? 2 : 1);
    bool pending = !w.Packages("shop", "normalize/extracted").empty() || !w.Packages("shop", "load/normalized").empty();
    EXPECT_EQ(pending, c.pending);
    auto info = w.Dlt({"pipeline", "shop", "info"});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_EQ(Contains(info.out, "No pending packages."), !c.pending) << info.out;

    auto rerun = w.RunPipeline({"shop.toml", "--resource", c.captured ? "orders=c.jsonl" : "orders=bc.jsonl"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(IdSummary(db, "shop_data"), "1..12 x12 (12)");
    EXPECT_EQ(CountRows(db, "shop_data.orders__items"), 24);
    EXPECT_EQ(CountRows(db, "shop_data.orders__tags"), 24);
    EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders__items i LEFT JOIN shop_data.orders o "
                           "ON i._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0");
    EXPECT_EQ(CountRows(db, "shop_data._dlt_loads"), c.captured ? 3 : 2);
    ExpectConsistentPackages(w, "shop", "shop_data");
  });
}

// Orders `from`..`to` as a CSV file (id, customer, amount, at): read as typed batches, which go to
// DuckDB as typed load jobs.
std::string CsvOrders(int from, int to) {
  std::string out = "id,customer,amount,at\n";
  for (int id = from; id <= to; ++id) {
    out += std::to_string(id) + ",c" + std::to_string(id) + "," + std::to_string(id) + ".25,2024-01-0" +
           std::to_string(1 + id % 9) + " 10:00:00\n";
  }
  return out;
}

// The append pipeline of the test above, with CSV files: typed batches are extracted, normalized
// into typed load jobs and loaded by DuckDB's job scan. Their points are hit once per batch, so
// the counted ones (`:N`) are left out.
TEST(CrashRecovery, CsvFilePipelineKilledAtEveryPointLoadsEveryRowExactlyOnce) {
  PipelineWorkspace base;
  base.Write("shop.toml", PipelineFile("shop", "a.csv", "format = \"csv\"\n"));
  base.Write("a.csv", CsvOrders(1, 4));
  base.Write("b.csv", CsvOrders(5, 9));
  base.Write("c.csv", CsvOrders(10, 12));
  base.Write("bc.csv", CsvOrders(5, 12));
  auto first = base.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(CountRows(base.Db(), "shop_data.orders"), 4);

  ForEveryFaultPoint([&](const FaultCase& c) {
    if (std::string(c.kill_at).find(':') != std::string::npos) return;
    SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + c.kill_at);
    PipelineWorkspace w;
    CopyWorkspace(base, w);
    const fs::path db = w.Db();

    auto crash = w.RunPipeline({"shop.toml", "--resource", "orders=b.csv"}, {{"DLT_FAULT_KILL_AT", c.kill_at}});
    ASSERT_EQ(crash.exit_code, 137) << "not killed: " << crash.out << crash.err;
    EXPECT_EQ(CountRows(db, "shop_data.orders"), c.committed ? 9 : 4) << "a partial or uncommitted load is visible";
    bool pending = !w.Packages("shop", "normalize/extracted").empty() || !w.Packages("shop", "load/normalized").empty();
    EXPECT_EQ(pending, c.pending);

    auto rerun = w.RunPipeline({"shop.toml", "--resource", c.captured ? "orders=c.csv" : "orders=bc.csv"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(IdSummary(db, "shop_data"), "1..12 x12 (12)");
    EXPECT_EQ(SqlValue(db, "SELECT sum(amount) || '/' || count(DISTINCT _dlt_id) || '/' || count(\"at\") FROM "
                           "shop_data.orders"),
              "81.0/12/12");
    EXPECT_EQ(CountRows(db, "shop_data._dlt_loads"), c.captured ? 3 : 2);
    ExpectConsistentPackages(w, "shop", "shop_data");
  });
}

// An incremental pipeline (cursor `id`): run 1 loads orders 1-4 from a file that then grows to
// 1-9; the run over the grown file is killed; the same command again brings exactly 5-9 (when the
// crash kept them in a package, the cursor saved with it skips them in the file), and a third run
// of the same input loads nothing.
TEST(CrashRecovery, IncrementalPipelineKilledAtEveryPointKeepsTheCursorRight) {
  PipelineWorkspace base;
  base.Write("inc.toml", PipelineFile("inc", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  base.Write("orders.jsonl", Orders(1, 4));
  auto first = base.RunPipeline({"inc.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(CountRows(base.Db(), "inc_data.orders"), 4);
  base.Write("orders.jsonl", Orders(1, 9));

  ForEveryFaultPoint([&](const FaultCase& c) {
    SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + c.kill_at);
    PipelineWorkspace w;
    CopyWorkspace(base, w);
    const fs::path db = w.Db();

    auto crash = w.RunPipeline({"inc.toml"}, {{"DLT_FAULT_KILL_AT", c.kill_at}});
    ASSERT_EQ(crash.exit_code, 137) << "not killed: " << crash.out << crash.err;
    EXPECT_EQ(CountRows(db, "inc_data.orders"), c.committed ? 9 : 4);

    auto rerun = w.RunPipeline({"inc.toml"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(IdSummary(db, "inc_data"), "1..9 x9 (9)");
    EXPECT_EQ(CountRows(db, "inc_data.orders__items"), 18);
    const int64_t loads = CountRows(db, "inc_data._dlt_loads");
    EXPECT_EQ(loads, 2);
    ExpectConsistentPackages(w, "inc", "inc_data");

    auto again = w.RunPipeline({"inc.toml"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(Contains(again.out, "No new data to load.")) << again.out;
    EXPECT_EQ(IdSummary(db, "inc_data"), "1..9 x9 (9)");
    EXPECT_EQ(CountRows(db, "inc_data._dlt_loads"), loads);
    Json st = w.State("inc");
    EXPECT_EQ(st["sources"]["inc"]["resources"]["orders"]["incremental"]["id"]["last_value"], 9) << st.dump(2);
  });
}

}  // namespace
}  // namespace dlt::testing
