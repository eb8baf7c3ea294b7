// Crash safety of `dlt run` into PostgreSQL: the crash matrix of crash_test.cc (DuckDB) against a
// real PostgreSQL server, plus the points only a PostgreSQL load reaches: in the middle of a COPY
// (data sent, COPY not ended), after the COPY end, after the merge staging tables are filled,
// between the data and the state / _dlt_loads rows, and between the data commit and the local
// package update. After every kill the same command runs again and then:
//   - every source row is in the destination exactly once (with its nested rows),
//   - `_dlt_loads` has one completed row per loaded package and nothing else,
//   - the newest `_dlt_pipeline_state` row is the local state (version and hash),
//   - the incremental cursor is right (a third run loads nothing).
//
// One server for the whole test; every case gets its own database, cloned (CREATE DATABASE ...
// TEMPLATE) from the one the first run loaded, and a copy of that run's workspace pointing at it.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "pg_suite.h"
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
  int only = 0;    // 0: both pipelines; 1: the append pipeline only; 2: the merge pipeline only
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
    {"load_table", true, false, true, 1},
    {"postgres_copy_data", true, false, true},    // in the middle of the first COPY
    {"postgres_copy_data:2", true, false, true},  // in the middle of the second table's COPY
    {"postgres_copy_end", true, false, true},     // COPY data ended, result not read
    {"load_merge_staged", true, false, true, 2},  // staging filled, merge statements not run
    {"load_before_state_row", true, false, true},
    {"load_before_loads_row", true, false, true},
    {"load_before_commit", true, false, true},
    {"load_after_commit", true, true, true},  // between the data commit and the local update
    {"load_before_package_completed", true, true, true},
    {"load_before_package_move", true, true, true},
    {"after_load", true, true, false},
};

class PgCrashTest : public PostgresSuite {
 protected:
  static std::vector<std::string> Column(const std::string& db, const std::string& sql) {
    std::vector<std::string> rows;
    std::string v = Value(db, sql), line;
    for (char ch : v) {
      if (ch == '\n') {
        rows.push_back(line);
        line.clear();
      } else {
        line += ch;
      }
    }
    if (!line.empty()) rows.push_back(line);
    return rows;
  }
  static int64_t Count(const std::string& db, const std::string& table) {
    // A table that does not exist yet counts as empty: the crash may come before it was created.
    std::string exists = Value(db, "SELECT to_regclass('" + table + "') IS NOT NULL");
    if (exists != "t") return 0;
    try {
      return std::stoll(Value(db, "SELECT count(*) FROM " + table));
    } catch (...) {
      return -1;
    }
  }
  static std::string IdSummary(const std::string& db, const std::string& dataset) {
    return Value(db, "SELECT min(id) || '..' || max(id) || ' x' || count(*) || ' (' || count(DISTINCT id) || ')' FROM " +
                         dataset + ".orders");
  }
  static void UsePostgres(PipelineWorkspace& w, const std::string& db) {
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         server_->Url(db) + "\"\n");
  }

  // Runs `fn(case, database)` for every case of pipeline kind `kind` (1 append, 2 merge), four at a
  // time; each case's database is a clone of `base_db`, made up front (cloning needs the template
  // database without connections, so not while cases run).
  template <typename Fn>
  static void ForEveryFaultPoint(int kind, const std::string& base_db, Fn fn) {
    std::vector<std::pair<const FaultCase*, std::string>> cases;
    for (const FaultCase& c : kCases) {
      if (c.only && c.only != kind) continue;
      std::string db = base_db + "_" + std::to_string(cases.size());
      CreateDatabase(db, base_db);
      cases.emplace_back(&c, db);
    }
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < cases.size(); i = next++) fn(*cases[i].first, cases[i].second);
      });
    }
    for (auto& t : threads) t.join();
  }

  static std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

  // Each package loaded once, each load recorded once, nothing pending, and the destination's
  // newest state row is the local state.
  static void ExpectConsistent(PipelineWorkspace& w, const std::string& db, const std::string& pipeline,
                               const std::string& dataset) {
    auto loaded = w.Packages(pipeline, "load/loaded");
    auto loads = Column(db, "SELECT load_id FROM " + dataset + "._dlt_loads");
    EXPECT_EQ(loads.size(), AsSet(loads).size()) << "a load id is recorded twice in _dlt_loads";
    EXPECT_EQ(AsSet(loads), AsSet(loaded)) << "_dlt_loads and the loaded packages differ";
    for (const auto& id : Column(db, "SELECT DISTINCT _dlt_load_id FROM " + dataset + ".orders")) {
      EXPECT_TRUE(AsSet(loaded).count(id)) << "rows of load " << id << " that is not a loaded package";
    }
    EXPECT_EQ(Value(db, "SELECT count(*) FROM " + dataset + "._dlt_loads WHERE status <> 0"), "0");
    EXPECT_EQ(Value(db, "SELECT count(*) FROM " + dataset + "._dlt_pipeline_state s LEFT JOIN " + dataset +
                            "._dlt_loads l ON s._dlt_load_id = l.load_id WHERE l.load_id IS NULL"),
              "0")
        << "a state row of a load that never completed";
    Json st = w.State(pipeline);
    EXPECT_EQ(Value(db, "SELECT version || ' ' || version_hash FROM " + dataset +
                            "._dlt_pipeline_state ORDER BY version DESC LIMIT 1"),
              std::to_string(st.value("_state_version", -1)) + " " + st.value("_version_hash", std::string("?")))
        << "the newest state in the destination is not the local state";
    EXPECT_TRUE(w.Packages(pipeline, "normalize/extracted").empty());
    EXPECT_TRUE(w.Packages(pipeline, "load/normalized").empty());
    EXPECT_TRUE(w.Packages(pipeline, "load/new").empty());
    auto info = w.Dlt({"pipeline", pipeline, "info"});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
  }
};


void CopyWorkspace(const PipelineWorkspace& from, PipelineWorkspace& to) {
  fs::copy(from.root(), to.root(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

// Append: run 1 loads orders 1-4; run 2 (orders 5-9) is killed; the next run brings orders 10-12,
// plus 5-9 again when the crash lost them. At the end orders 1-12 are there exactly once.
TEST_F(PgCrashTest, AppendPipelineKilledAtEveryPointLoadsEveryRowExactlyOnce) {
  CreateDatabase("crash_append");
  PipelineWorkspace base;
  UsePostgres(base, "crash_append");
  base.Write("shop.toml", PipelineFile("shop", "a.jsonl"));
  base.Write("a.jsonl", Orders(1, 4));
  base.Write("b.jsonl", Orders(5, 9));
  base.Write("c.jsonl", Orders(10, 12));
  base.Write("bc.jsonl", Orders(5, 12));
  auto first = base.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(Count("crash_append", "shop_data.orders"), 4);

  ForEveryFaultPoint(1, "crash_append", [&](const FaultCase& c, const std::string& db) {
    SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + c.kill_at + " (database " + db + ")");
    PipelineWorkspace w;
    CopyWorkspace(base, w);
    UsePostgres(w, db);

    auto crash = w.RunPipeline({"shop.toml", "--resource", "orders=b.jsonl"}, {{"DLT_FAULT_KILL_AT", c.kill_at}});
    ASSERT_EQ(crash.exit_code, 137) << "not killed: " << crash.out << crash.err;
    EXPECT_EQ(Count(db, "shop_data.orders"), c.committed ? 9 : 4) << "a partial or uncommitted load is visible";
    EXPECT_EQ(Count(db, "shop_data.orders__items"), c.committed ? 18 : 8);
    EXPECT_EQ(Count(db, "shop_data._dlt_loads"), c.committed ? 2 : 1);
    bool pending = !w.Packages("shop", "normalize/extracted").empty() || !w.Packages("shop", "load/normalized").empty();
    EXPECT_EQ(pending, c.pending);

    auto rerun = w.RunPipeline({"shop.toml", "--resource", c.captured ? "orders=c.jsonl" : "orders=bc.jsonl"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
    EXPECT_EQ(IdSummary(db, "shop_data"), "1..12 x12 (12)");
    EXPECT_EQ(Count(db, "shop_data.orders__items"), 24);
    EXPECT_EQ(Count(db, "shop_data.orders__tags"), 24);
    EXPECT_EQ(Value(db, "SELECT count(*) FROM shop_data.orders__items i LEFT JOIN shop_data.orders o "
                        "ON i._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0");
    EXPECT_EQ(Count(db, "shop_data._dlt_loads"), c.captured ? 3 : 2);
    ExpectConsistent(w, db, "shop", "shop_data");
  });
}

// Merge with a primary key and an incremental cursor: run 1 loads orders 1-4 from a file that then
// grows to 1-9; the run over the grown file is killed; the same command again brings exactly 5-9,
// and a third run of the same input loads nothing. The cursor ends at 9, locally and in the
// destination's state.
TEST_F(PgCrashTest, IncrementalMergePipelineKilledAtEveryPointKeepsTheCursorRight) {
  CreateDatabase("crash_merge");
  PipelineWorkspace base;
  UsePostgres(base, "crash_merge");
  base.Write("inc.toml", PipelineFile("inc", "orders.jsonl",
                                      "write_disposition = \"merge\"\nprimary_key = \"id\"\n"
                                      "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  base.Write("orders.jsonl", Orders(1, 4));
  auto first = base.RunPipeline({"inc.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(Count("crash_merge", "inc_data.orders"), 4);
  base.Write("orders.jsonl", Orders(1, 9));

  ForEveryFaultPoint(2, "crash_merge", [&](const FaultCase& c, const std::string& db) {
    SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + c.kill_at + " (database " + db + ")");
    PipelineWorkspace w;
    CopyWorkspace(base, w);
    UsePostgres(w, db);

    auto crash = w.RunPipeline({"inc.toml"}, {{"DLT_FAULT_KILL_AT", c.kill_at}});
    ASSERT_EQ(crash.exit_code, 137) << "not killed: " << crash.out << crash.err;
    EXPECT_EQ(Count(db, "inc_data.orders"), c.committed ? 9 : 4) << "a partial or uncommitted load is visible";
    EXPECT_EQ(Count(db, "inc_data.orders__items"), c.committed ? 18 : 8);

    auto rerun = w.RunPipeline({"inc.toml"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
    EXPECT_EQ(IdSummary(db, "inc_data"), "1..9 x9 (9)");
    EXPECT_EQ(Count(db, "inc_data.orders__items"), 18);
    EXPECT_EQ(Value(db, "SELECT count(*) FROM inc_data.orders__items i LEFT JOIN inc_data.orders o "
                        "ON i._dlt_root_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0");
    EXPECT_EQ(Count(db, "inc_data._dlt_loads"), 2);
    ExpectConsistent(w, db, "inc", "inc_data");

    auto again = w.RunPipeline({"inc.toml"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(Contains(again.out, "No new data to load.")) << again.out;
    EXPECT_EQ(IdSummary(db, "inc_data"), "1..9 x9 (9)");
    EXPECT_EQ(Count(db, "inc_data._dlt_loads"), 2);
    Json st = w.State("inc");
    EXPECT_EQ(st["sources"]["inc"]["resources"]["orders"]["incremental"]["id"]["last_value"], 9) << st.dump(2);
  });
}

}  // namespace
}  // namespace dlt::testing
