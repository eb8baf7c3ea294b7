// The dashboard suites' shared setup (dashboard_test.cc, dashboard_browser_test.cc): one workspace
// and one dashboard process per suite. Profile `dev` has pipeline `events` (nested lists),
// profile `tests` has pipeline `orders`, profile `prod` has a copy of `orders` whose destination
// is a PostgreSQL port where nothing listens. A canary secret sits in every secrets layer and in
// the dashboard's environment; no response and no page may contain it.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>
#include <httplib.h>
#include "background_process.h"
#include "common/hash.h"
#include "pipeline_fixture.h"
#include "web_driver.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kCanary = "CANARY-dash-7f3a9c1e5b";

// --- processes -----------------------------------------------------------------------------

// Every file under `dir` with its size and modification time: proves nothing was written.
[[maybe_unused]] std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    auto size = it->is_regular_file(ec) ? it->file_size(ec) : 0;
    auto t = fs::last_write_time(it->path(), ec).time_since_epoch().count();
    out[fs::relative(it->path(), dir).string()] = std::to_string(size) + "@" + std::to_string(t);
  }
  return out;
}

// --- the shared workspace and dashboard ----------------------------------------------------

class Dashboard : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    w_ = new PipelineWorkspace();
    PipelineWorkspace& w = *w_;
    // The canary in every secrets layer (base, dev, tests, prod) and in the environment.
    w.Write(".dlt/secrets.toml", "[sources.github]\naccess_token = \"" + kCanary + "-base\"\n");
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                     "[sources.events]\napi_key = \"" + kCanary + "-dev\"\n"
                                     // An ordinary key name: still a secret, being in a secrets file.
                                     "note = \"" + kCanary + "-note\"\n\n"
                                     "[sources.pipedrive]\npipedrive_api_key = \"" + kCanary + "-named\"\n\n"
                                     "[destination.pg]\ndestination_type = \"postgres\"\n"
                                     "credentials = \"postgresql://loader:" + kCanary + "-url@127.0.0.1:1/dw\"\n");
    w.Write(".dlt/tests.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                       "[sources.orders]\npassword = \"" + kCanary + "-tests\"\n"
                                       "token = \"" + kCanary + "-q\\\"uote\\\\back\"\n");
    closed_port_ = FreePort();
    w.Write(".dlt/prod.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\n"
                                      "[destination.warehouse.credentials]\nhost = \"127.0.0.1\"\nport = " +
                                          std::to_string(closed_port_) + "\nusername = \"loader\"\npassword = \"" +
                                          kCanary + "-prod\"\ndatabase = \"dw\"\nconnect_timeout = 3\n");
    w.Write("events.jsonl",
            "{\"id\": 1, \"name\": \"first\", \"tags\": [\"a\", \"b\"], \"meta\": {\"k\": 1}, \"note\": \"" + kCanary +
                "-note\"}\n"
            "{\"id\": 2, \"name\": \"second\", \"tags\": [\"c\"], \"meta\": {\"k\": 2}}\n"
            "{\"id\": 3, \"name\": \"" + std::string(10000, 'x') + "\", \"tags\": [], \"meta\": {\"k\": 3}}\n");
    w.Write("events.toml", "[pipeline]\nname = \"events\"\ndestination = \"warehouse\"\ndataset_name = \"events_data\"\n\n"
                           "[[resources]]\nname = \"events\"\npath = \"events.jsonl\"\n");
    w.Write("orders.jsonl", Orders(1, 120));
    w.Write("orders.toml", PipelineFile("orders", "orders.jsonl"));
    RunResult r1 = w.RunPipeline({"events.toml"});
    ASSERT_EQ(r1.exit_code, 0) << r1.err;
    RunResult r2 = w.RunPipeline({"orders.toml", "--profile", "tests"});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    // prod: the orders pipeline folder (state names destination `warehouse`), unreachable there.
    fs::create_directories(w.PipelineDir("orders", "prod").parent_path());
    fs::copy(w.PipelineDir("orders", "tests"), w.PipelineDir("orders", "prod"), fs::copy_options::recursive);
    // A source that keeps a token in its state: shown as ***.
    Json state = Json::parse(ReadFile(w.PipelineDir("orders", "prod") / "state.json"));
    state["sources"]["orders"]["refresh_token"] = kCanary + "-state";
    WriteFile(w.PipelineDir("orders", "prod") / "state.json", state.dump(2));

    std::map<std::string, std::string> env = w.env();
    env["SOURCES__EVENTS__ACCESS_TOKEN"] = kCanary + "-env";
    env["DESTINATION__PG__CREDENTIALS__PASSWORD"] = kCanary + "-envpw";
    // Variables the configuration never reads are not secrets of the dashboard's: they must not
    // mangle its answers (scrubbing them would turn `false` or `postgres` into ***).
    env["TOKENIZERS_PARALLELISM"] = "false";
    env["POSTGRES_PASSWORD"] = "postgres";
    server_ = new BackgroundProcess({DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, w.root(), env);
    auto url = server_->WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]{32})#"), 10000);
    ASSERT_EQ(url.size(), 3u) << "no URL printed: " << server_->output();
    port_ = std::stoi(url[1]);
    token_ = url[2];
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete w_;
    w_ = nullptr;
  }

  // GET on the dashboard; every body is checked for the canary.
  static httplib::Result Get(const std::string& path, httplib::Headers headers = {}, bool with_token = true) {
    httplib::Client c("127.0.0.1", port_);
    if (with_token) headers.emplace("Authorization", "Bearer " + token_);
    c.set_read_timeout(30, 0);
    auto r = c.Get(path.c_str(), headers);
    if (r) {
      EXPECT_EQ(r->body.find("CANARY"), std::string::npos) << path << " leaked a secret: " << r->body;
    }
    return r;
  }
  static Json GetJson(const std::string& path, int expected_status = 200) {
    auto r = Get(path);
    if (!r) {
      ADD_FAILURE() << "no response for " << path;
      return Json();
    }
    EXPECT_EQ(r->status, expected_status) << path << ": " << r->body;
    EXPECT_NE(r->get_header_value("Content-Type").find("application/json"), std::string::npos) << path;
    Json j = Json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path << " is not JSON: " << r->body;
    return j;
  }

  inline static PipelineWorkspace* w_ = nullptr;
  inline static BackgroundProcess* server_ = nullptr;
  inline static int port_ = 0;
  inline static std::string token_;
  inline static int closed_port_ = 0;
};

}  // namespace
}  // namespace dlt::testing
