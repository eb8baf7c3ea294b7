// The history of a pipeline on the dashboard: every run's trace kept in traces/ (bounded, oldest
// pruned), the runs API (newest first, outcome, rows, time per stage, a failed run's error), the
// incremental cursors as a table, and the schema versions stored in the destination with what
// changed between them; in real headless Chromium the runs table shows a failed run's error. A
// canary secret sits in the secrets; no answer holds it.
#include <regex>

#include <httplib.h>

#include "background_process.h"
#include "pg_server.h"
#include "pipeline_fixture.h"
#include "web_driver.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kCanary = "CANARY-history-4b8e21c9";

std::string Rows(int from, int to, bool with_note = false) {
  std::string out;
  for (int id = from; id <= to; ++id) {
    out += "{\"id\": " + std::to_string(id) + ", \"customer\": \"c" + std::to_string(id) + "\"" +
           (with_note ? ", \"note\": \"n" + std::to_string(id) + "\"" : "") + "}\n";
  }
  return out;
}

class DashboardHistory : public ::testing::Test {
 protected:
  void SetUp() override {
    w_.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                      "[sources.orders]\napi_key = \"" + kCanary + "\"\n");
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  }
  void TearDown() override { server_.reset(); }

  RunResult RunShop(const std::map<std::string, std::string>& env = {}) { return w_.RunPipeline({"shop.toml"}, env); }

  void StartDashboard() {
    server_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, w_.root(), w_.env());
    auto url = server_->WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]{32})#"), 10000);
    ASSERT_EQ(url.size(), 3u) << "no URL printed: " << server_->output();
    port_ = std::stoi(url[1]);
    token_ = url[2];
  }

  // GET on the dashboard's API; every answer is checked for the canary.
  Json Get(const std::string& path, int expected_status = 200) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    auto r = c.Get("/api/profiles/dev/pipelines/shop" + path, {{"Authorization", "Bearer " + token_}});
    if (!r) {
      ADD_FAILURE() << "no response for " << path;
      return Json();
    }
    EXPECT_EQ(r->body.find("CANARY"), std::string::npos) << path << " leaked a secret: " << r->body;
    EXPECT_EQ(r->status, expected_status) << path << ": " << r->body;
    Json j = Json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path << " is not JSON: " << r->body;
    return j;
  }

  std::vector<std::string> TraceFiles() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(w_.PipelineDir("shop") / "traces", ec)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Three runs: 2 rows, then a file with a bad line (fails in extract), then 3 new rows.
  void ThreeRunsOneFailing() {
    w_.Write("orders.jsonl", Rows(1, 2));
    RunResult first = RunShop();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    w_.Write("orders.jsonl", Rows(1, 2) + "{\"id\": 3, \"customer\": \n");
    RunResult bad = RunShop();
    ASSERT_NE(bad.exit_code, 0) << bad.out;
    w_.Write("orders.jsonl", Rows(1, 5));
    RunResult third = RunShop();
    ASSERT_EQ(third.exit_code, 0) << third.err;
  }

  PipelineWorkspace w_;
  std::unique_ptr<BackgroundProcess> server_;
  int port_ = 0;
  std::string token_;
};

TEST_F(DashboardHistory, ThreeRunsOneFailingAreListedNewestFirstWithOutcomeRowsAndTimePerStage) {
  ASSERT_NO_FATAL_FAILURE(ThreeRunsOneFailing());
  // Each run left its own trace; trace.json is still the last run's.
  ASSERT_EQ(TraceFiles().size(), 3u) << ::testing::PrintToString(TraceFiles());
  Json last = Json::parse(ReadFile(w_.PipelineDir("shop") / "trace.json"));
  EXPECT_EQ(last["outcome"], "completed");

  StartDashboard();
  Json d = Get("/runs");
  ASSERT_EQ(d["runs"].size(), 3u) << d.dump(2);
  const Json& newest = d["runs"][0];
  const Json& failed = d["runs"][1];
  const Json& oldest = d["runs"][2];
  EXPECT_EQ(newest["started_at"], last["started_at"]);
  EXPECT_GT(newest["started_at"].get<std::string>(), failed["started_at"].get<std::string>());
  EXPECT_GT(failed["started_at"].get<std::string>(), oldest["started_at"].get<std::string>());

  EXPECT_EQ(newest["outcome"], "completed");
  EXPECT_EQ(newest["rows_per_table"]["orders"], 3) << newest.dump(2);  // ids 3..5: the cursor skips 1..2
  EXPECT_EQ(oldest["outcome"], "completed");
  EXPECT_EQ(oldest["rows_per_table"]["orders"], 2) << oldest.dump(2);
  for (const Json* run : {&newest, &oldest}) {
    uint64_t sum = 0;
    for (const auto& [table, n] : (*run)["rows_per_table"].items()) sum += n.get<uint64_t>();
    EXPECT_EQ((*run)["rows"], sum);
    EXPECT_FALSE(run->contains("error"));
    EXPECT_EQ((*run)["load_ids"].size(), 1u);
    for (const char* stage : {"extract", "normalize", "load"}) {
      EXPECT_TRUE((*run)["seconds"][stage].is_number()) << stage;
      EXPECT_GE((*run)["seconds"][stage].get<double>(), 0.0) << stage;
    }
  }

  // The failed run says why, naming the file and line, and loaded nothing.
  EXPECT_EQ(failed["outcome"], "failed");
  ASSERT_TRUE(failed["error"].is_string()) << failed.dump(2);
  EXPECT_TRUE(Contains(failed["error"], "orders.jsonl:3: invalid JSON")) << failed["error"];
  EXPECT_EQ(failed["rows"], 0);
  EXPECT_EQ(failed["load_ids"], Json::array());
}

TEST_F(DashboardHistory, EachTableListsItsRowCountAndWhenItLastGotRows) {
  w_.Write("shop.toml", "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\ndataset_name = \"shop_data\"\n\n"
                        "[[resources]]\nname = \"orders\"\npath = \"orders.jsonl\"\n\n"
                        "[[resources]]\nname = \"customers\"\npath = \"customers.jsonl\"\n");
  w_.Write("orders.jsonl", "{\"id\": 1, \"items\": [{\"sku\": \"a\"}]}\n");
  w_.Write("customers.jsonl", "{\"id\": 7}\n");
  ASSERT_EQ(RunShop().exit_code, 0);
  // The second run gives orders new rows; customers gets none (an empty file).
  w_.Write("orders.jsonl", "{\"id\": 2, \"items\": [{\"sku\": \"b\"}]}\n");
  w_.Write("customers.jsonl", "");
  RunResult second = RunShop();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const Json trace = Json::parse(ReadFile(w_.PipelineDir("shop") / "trace.json"));
  ASSERT_EQ(trace["load_ids"].size(), 1u);
  const std::string second_load = trace["load_ids"][0];

  StartDashboard();
  Json d = Get("/tables");
  std::map<std::string, Json> by_name;
  for (const auto& t : d["tables"]) by_name[t["name"]] = t;
  ASSERT_TRUE(by_name.count("orders") && by_name.count("orders__items") && by_name.count("customers")) << d.dump(2);
  EXPECT_EQ(by_name["orders"]["row_count"], 2);
  EXPECT_EQ(by_name["orders"]["last_load_id"], second_load) << d.dump(2);
  EXPECT_TRUE(by_name["orders"]["last_loaded_at"].is_string()) << d.dump(2);
  EXPECT_EQ(by_name["orders__items"]["last_load_id"], second_load) << "a nested table goes with its root";
  EXPECT_EQ(by_name["customers"]["row_count"], 1);
  EXPECT_NE(by_name["customers"]["last_load_id"], second_load) << d.dump(2);
  EXPECT_TRUE(by_name["customers"]["last_load_id"].is_string()) << d.dump(2);
}

TEST_F(DashboardHistory, OnlyTheNewestTracesAreKeptAndTheOldestArePruned) {
  // DLT_TRACE_HISTORY lowers the bound of 100 (unit test TraceHistory covers the default).
  const std::map<std::string, std::string> keep3{{"DLT_TRACE_HISTORY", "3"}};
  std::vector<std::string> started;
  for (int i = 1; i <= 5; ++i) {
    w_.Write("orders.jsonl", Rows(1, i));
    RunResult r = RunShop(keep3);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    started.push_back(Json::parse(ReadFile(w_.PipelineDir("shop") / "trace.json"))["started_at"]);
  }
  EXPECT_EQ(TraceFiles().size(), 3u) << ::testing::PrintToString(TraceFiles());
  StartDashboard();
  Json d = Get("/runs");
  ASSERT_EQ(d["runs"].size(), 3u) << d.dump(2);
  // The newest three runs, newest first: runs 5, 4 and 3 (one new row each).
  EXPECT_EQ(d["runs"][0]["started_at"], started[4]);
  EXPECT_EQ(d["runs"][1]["started_at"], started[3]);
  EXPECT_EQ(d["runs"][2]["started_at"], started[2]);
  for (const auto& run : d["runs"]) EXPECT_EQ(run["rows_per_table"]["orders"], 1) << run.dump();
}

TEST_F(DashboardHistory, ADamagedTraceIsOneRunNamingTheFileAndTheOthersStillShow) {
  ASSERT_NO_FATAL_FAILURE(ThreeRunsOneFailing());
  std::vector<std::string> files = TraceFiles();
  ASSERT_EQ(files.size(), 3u);
  WriteFile(w_.PipelineDir("shop") / "traces" / files[1], "{\"outcome\": ");  // the failed run's, cut short
  StartDashboard();
  Json d = Get("/runs");
  ASSERT_EQ(d["runs"].size(), 3u) << d.dump(2);
  EXPECT_EQ(d["runs"][0]["outcome"], "completed");
  EXPECT_EQ(d["runs"][1]["outcome"], "unknown");
  EXPECT_TRUE(Contains(d["runs"][1]["error"], files[1])) << d["runs"][1].dump();
  EXPECT_EQ(d["runs"][2]["outcome"], "completed");
}

TEST_F(DashboardHistory, TheIncrementalCursorOfAResourceIsARowOfTheCursorsTable) {
  w_.Write("orders.jsonl", Rows(1, 5));
  RunResult r = RunShop();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  StartDashboard();
  Json d = Get("/cursors");
  ASSERT_EQ(d["cursors"].size(), 1u) << d.dump(2);
  const Json& c = d["cursors"][0];
  EXPECT_EQ(c["resource"], "orders");
  EXPECT_EQ(c["cursor_path"], "id");
  EXPECT_EQ(c["last_value"], 5);
  EXPECT_EQ(c["initial_value"], 0);
  // The same numbers as the state holds (the rows at the last value, by their hashes).
  Json inc = w_.State("shop")["sources"]["shop"]["resources"]["orders"]["incremental"]["id"];
  EXPECT_EQ(c["unique_hashes"], inc["unique_hashes"].size()) << inc.dump();
  // The pipeline page carries the same table.
  EXPECT_EQ(Get("")["cursors"], d["cursors"]);
}

TEST_F(DashboardHistory, SchemaVersionsInTheDestinationSayWhatChangedBetweenThem) {
  w_.Write("orders.jsonl", Rows(1, 2));
  RunResult first = RunShop();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  w_.Write("orders.jsonl", Rows(3, 4, /*with_note=*/true));
  RunResult second = RunShop();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  StartDashboard();
  Json d = Get("/schema/versions");
  ASSERT_GE(d["versions"].size(), 2u) << d.dump(2);
  const Json& newest = d["versions"][0];
  EXPECT_EQ(newest["schema_name"], "shop");
  EXPECT_EQ(newest["changes"], Json::parse(R"([{"change": "column added", "table": "orders", "column": "note",
                                                "data_type": "text"}])"))
      << d.dump(2);
  const Json& oldest = d["versions"].back();
  bool orders_added = false;
  for (const auto& c : oldest["changes"]) orders_added |= c["change"] == "table added" && c["table"] == "orders";
  EXPECT_TRUE(orders_added) << oldest.dump(2);
}

TEST_F(DashboardHistory, SchemaVersionsAreReadFromPostgresToo) {
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  w_.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" + pg.Url() +
                                        "\"\n\n[sources.orders]\napi_key = \"" + kCanary + "\"\n");
  w_.Write("orders.jsonl", Rows(1, 2));
  RunResult first = RunShop();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  w_.Write("orders.jsonl", Rows(3, 4, /*with_note=*/true));
  RunResult second = RunShop();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  StartDashboard();
  Json d = Get("/schema/versions");
  ASSERT_GE(d["versions"].size(), 2u) << d.dump(2);
  EXPECT_EQ(d["versions"][0]["changes"], Json::parse(R"([{"change": "column added", "table": "orders",
                                                          "column": "note", "data_type": "text"}])"))
      << d.dump(2);
  Json runs = Get("/runs")["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["rows_per_table"]["orders"], 2);
}

TEST_F(DashboardHistory, InChromiumTheRunsTableShowsTheFailedRunsError) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium") && fs::exists("/usr/bin/chromedriver"))
      << "Debian's chromium and chromium-driver are needed (scripts/bootstrap.sh installs them)";
  ASSERT_NO_FATAL_FAILURE(ThreeRunsOneFailing());
  StartDashboard();
  TempDir profile_dir;
  int driver_port = FreePort();
  std::map<std::string, std::string> env{{"HOME", profile_dir.path().string()}};
  BackgroundProcess driver({"/usr/bin/chromedriver", "--port=" + std::to_string(driver_port)}, profile_dir.path(), env);
  ASSERT_FALSE(driver.WaitFor(std::regex("started successfully"), 20000).empty()) << driver.output();
  WebDriver b(driver_port);
  ASSERT_TRUE(b.Start(profile_dir.path() / "chromium")) << driver.output();
  b.Go("http://127.0.0.1:" + std::to_string(port_) + "/?token=" + token_ + "#/profiles/dev/pipelines/shop");
  ASSERT_TRUE(b.WaitForRoute("/profiles/dev/pipelines/shop")) << b.Html();

  Json outcomes = b.Script("return [...document.querySelectorAll('#runs tbody tr[data-outcome]')].map(tr => tr.dataset.outcome);");
  EXPECT_EQ(outcomes, Json({"completed", "failed", "completed"})) << b.Html();
  EXPECT_EQ(b.Text("#runs tbody tr[data-run='0'] .run-rows"), "3");
  EXPECT_EQ(b.Text("#runs tbody tr[data-run='2'] .run-rows"), "2");
  // The error sits in the row under the failed run.
  std::string error = b.Text("#runs tr.run-error-row[data-run='1']");
  EXPECT_TRUE(Contains(error, "orders.jsonl:3: invalid JSON")) << b.Html();
  // The cursor as a table row, not JSON.
  EXPECT_EQ(b.Text("#cursors tr[data-resource='orders'] .cursor-last"), "5");
  EXPECT_FALSE(Contains(b.Html(), "CANARY"));
  fs::path out_dir = DLT_TEST_OUTPUT_DIR;
  fs::create_directories(out_dir);
  b.Script("document.getElementById('runs-card').scrollIntoView();");
  WriteFile(out_dir / "dashboard-runs.png", b.ScreenshotPng());
  b.Stop();
}

}  // namespace
}  // namespace dlt::testing
