// The dashboard's SQL over a filesystem destination (local folders, Parquet, JSONL and CSV):
// the rows are the source's, unqualified names resolve in the dataset, each table shows its
// newest load, a new load is seen by the next query, and the database itself refuses writes,
// COPY TO (over a data file too), ATTACH and reading files: the data files stay byte-identical.
#include <csignal>
#include <map>
#include <regex>

#include <httplib.h>

#include "background_process.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string Orders(int from, int to) {
  std::string rows;
  for (int id = from; id <= to; ++id) {
    rows += "{\"id\": " + std::to_string(id) + ", \"customer\": \"c" + std::to_string(id) + "\", \"amount\": " +
            std::to_string(id * 10) + "}\n";
  }
  return rows;
}

class DashboardFilesystemQuery : public ::testing::Test {
 protected:
  void SetUp() override {
    // The dashboard's SQL snapshots of the datasets are made in $TMPDIR: a folder of the test's.
    fs::create_directories(tmp());
    w_.env()["TMPDIR"] = tmp().string();
    w_.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"lake\"\n\n"
                   "[destination.jsonlake]\ndestination_type = \"filesystem\"\nbucket_url = \"jsonlake\"\n"
                   "loader_file_format = \"jsonl\"\n\n"
                   "[destination.csvlake]\ndestination_type = \"filesystem\"\nbucket_url = \"csvlake\"\n"
                   "loader_file_format = \"csv\"\n", "dev");
    w_.Write("orders.jsonl", Orders(1, 4));
    w_.Write("private.txt", "not for the dashboard\n");
    for (const auto& [name, dest] : kPipelines) {
      w_.Write(name + ".toml", PipelineFile(name, "orders.jsonl", "", dest));
      RunResult r = w_.RunPipeline({name + ".toml"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    server_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, w_.root(), w_.env());
    auto url = server_->WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]{32})#"), 10000);
    ASSERT_EQ(url.size(), 3u) << "no URL printed: " << server_->output();
    port_ = std::stoi(url[1]);
    token_ = url[2];
  }

  // Stopped as a user stops it (Ctrl-C or SIGTERM): no copy of a dataset stays in $TMPDIR.
  void TearDown() override {
    if (!server_) return;
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(20000), 0) << server_->output();
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(tmp())) left.push_back(e.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{}) << "left in $TMPDIR after the dashboard stopped";
  }
  fs::path tmp() const { return w_.root() / "tmp"; }

  struct Answer {
    int status = 0;
    Json doc;
    std::string body;
  };
  Answer Get(const std::string& path, const httplib::Params& params = {}) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    auto r = c.Get(path, params, {{"Authorization", "Bearer " + token_}});
    if (!r) {
      ADD_FAILURE() << "no response for " << path;
      return {};
    }
    return {r->status, Json::parse(r->body, nullptr, false), r->body};
  }
  Answer Query(const std::string& pipeline, const std::string& sql) {
    return Get("/api/profiles/dev/pipelines/" + pipeline + "/query", {{"sql", sql}});
  }
  // Every file under the buckets, with its size and a hash of its bytes.
  std::map<std::string, std::pair<size_t, size_t>> LakeFiles() {
    std::map<std::string, std::pair<size_t, size_t>> out;
    for (const std::string bucket : {"lake", "jsonlake", "csvlake"}) {
      for (const auto& e : fs::recursive_directory_iterator(w_.root() / "_local" / "dev" / bucket)) {
        if (!e.is_regular_file()) continue;
        const std::string bytes = ReadFile(e.path());
        out[e.path().string()] = {bytes.size(), std::hash<std::string>{}(bytes)};
      }
    }
    return out;
  }
  // A data file of table `orders` of `pipeline` (its bucket is its destination's folder).
  fs::path OrdersFile(const std::string& bucket, const std::string& pipeline) {
    for (const auto& e : fs::directory_iterator(w_.root() / "_local" / "dev" / bucket / (pipeline + "_data") / "orders")) {
      return e.path();
    }
    return {};
  }

  const std::vector<std::pair<std::string, std::string>> kPipelines{
      {"pq", "lake"}, {"js", "jsonlake"}, {"cs", "csvlake"}};
  PipelineWorkspace w_;
  std::unique_ptr<BackgroundProcess> server_;
  int port_ = 0;
  std::string token_;
};

TEST_F(DashboardFilesystemQuery, QueriedRowsAreTheSourceRowsInParquetJsonlAndCsv) {
  for (const auto& [name, dest] : kPipelines) {
    // `orders` is unqualified: it resolves in the pipeline's dataset.
    Answer a = Query(name, "SELECT id, customer, amount FROM orders ORDER BY id");
    ASSERT_EQ(a.status, 200) << name << ": " << a.body;
    EXPECT_EQ(a.doc["rows"], Json::parse(R"([["1","c1","10"],["2","c2","20"],["3","c3","30"],["4","c4","40"]])")) << name;
    EXPECT_EQ(a.doc["columns"][0]["type"], "bigint") << name;
    // The dlt tables are there too.
    Answer loads = Query(name, "SELECT count(*) FROM _dlt_loads");
    EXPECT_EQ(loads.doc["rows"], Json::parse(R"([["1"]])")) << name << ": " << loads.body;
  }
}

TEST_F(DashboardFilesystemQuery, TablesShowTheirNewestLoadAndANewLoadIsQueriedNext) {
  Answer first = Get("/api/profiles/dev/pipelines/pq/tables");
  ASSERT_EQ(first.status, 200) << first.body;
  Json orders;
  for (const auto& t : first.doc["tables"]) {
    if (t["name"] == "orders") orders = t;
  }
  ASSERT_TRUE(orders.is_object()) << first.body;
  ASSERT_TRUE(orders["last_load_id"].is_string()) << orders.dump();
  EXPECT_TRUE(orders["last_loaded_at"].is_string()) << orders.dump();
  const std::string first_load = orders["last_load_id"];
  EXPECT_EQ(Query("pq", "SELECT count(*) FROM orders").doc["rows"], Json::parse(R"([["4"]])"));

  w_.Write("orders.jsonl", Orders(5, 6));
  ASSERT_EQ(w_.RunPipeline({"pq.toml"}).exit_code, 0);
  Answer again = Get("/api/profiles/dev/pipelines/pq/tables");
  for (const auto& t : again.doc["tables"]) {
    if (t["name"] == "orders") {
      EXPECT_NE(t["last_load_id"], first_load) << t.dump();
      EXPECT_TRUE(t["last_load_id"].is_string()) << t.dump();
    }
  }
  EXPECT_EQ(Query("pq", "SELECT count(*) FROM orders").doc["rows"], Json::parse(R"([["6"]])"));
  EXPECT_EQ(Query("pq", "SELECT count(DISTINCT _dlt_load_id) FROM orders").doc["rows"], Json::parse(R"([["2"]])"));
}

TEST_F(DashboardFilesystemQuery, TheDatabaseRefusesWritesCopyAttachAndFileReadsAndTheFilesStayTheSame) {
  const auto before = LakeFiles();
  ASSERT_FALSE(before.empty());
  const std::string root = w_.root().string();
  for (const auto& [name, dest] : kPipelines) {
    const std::string data_file = OrdersFile(dest, name).string();
    ASSERT_FALSE(data_file.empty()) << name;
    const std::vector<std::pair<std::string, std::string>> refused{
        {"DROP TABLE orders", "read-only"},
        {"INSERT INTO orders (id) VALUES (99)", "read-only"},
        {"DELETE FROM orders", "read-only"},
        {"CREATE TABLE x AS SELECT 1", "read-only"},
        // Over a data file itself, with and without DuckDB's temporary file.
        {"COPY (SELECT 1 AS id) TO '" + data_file + "' (USE_TMP_FILE false)", "disabled|permission"},
        {"COPY orders TO '" + data_file + "'", "disabled|permission"},
        {"COPY orders TO '" + root + "/out.csv'", "disabled|permission"},
        {"ATTACH '" + root + "/other.duckdb' AS other", "disabled|permission|read-only"},
        {"SELECT * FROM read_text('" + root + "/private.txt')", "disabled|permission"},
        {"SELECT * FROM read_text('" + data_file + "')", "disabled|permission"},
        {"SET enable_external_access = true", "external access|locked"}};
    for (const auto& [sql, reason] : refused) {
      Answer a = Query(name, sql);
      EXPECT_GE(a.status, 400) << name << ": " << sql << ": " << a.body;
      EXPECT_LT(a.status, 500) << name << ": " << sql << ": " << a.body;
      EXPECT_TRUE(a.doc.is_object() && a.doc["error"].is_string() &&
                  std::regex_search(a.doc["error"].get<std::string>(), std::regex(reason, std::regex::icase)))
          << name << ": " << sql << " was not refused for `" << reason << "`: " << a.body;
    }
  }
  EXPECT_EQ(LakeFiles(), before) << "a data file changed, or a file was added under a bucket";
  EXPECT_FALSE(fs::exists(w_.root() / "out.csv"));
  EXPECT_FALSE(fs::exists(w_.root() / "other.duckdb"));
  // The data still answers.
  EXPECT_EQ(Query("pq", "SELECT count(*) FROM orders").doc["rows"], Json::parse(R"([["4"]])"));
}

}  // namespace
}  // namespace dlt::testing
