// The workspace dashboard (`dlt workspace show`, `dlt pipeline <name> show`) against real loaded
// pipelines: the JSON API over HTTP on 127.0.0.1, then the page in real headless Chromium driven
// through ChromeDriver (Debian's chromium and chromium-driver, installed by the test command).
//
// One workspace and one dashboard process serve the whole suite: profile `dev` has pipeline
// `events` (nested lists), profile `tests` has pipeline `orders`, profile `prod` has a copy of
// `orders` whose destination is a PostgreSQL port where nothing listens. A canary secret sits in
// every secrets layer and in the dashboard's environment; no response and no page may contain it.
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
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
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

  static PipelineWorkspace* w_;
  static BackgroundProcess* server_;
  static int port_;
  static std::string token_;
  static int closed_port_;
};

PipelineWorkspace* Dashboard::w_ = nullptr;
BackgroundProcess* Dashboard::server_ = nullptr;
int Dashboard::port_ = 0;
std::string Dashboard::token_;
int Dashboard::closed_port_ = 0;

TEST_F(Dashboard, PrintsItsAddressAndServesTheEmbeddedPage) {
  EXPECT_TRUE(Contains(server_->output(), "(profile dev) at http://127.0.0.1:" + std::to_string(port_) + "/?token=" + token_ + "#/profiles/dev"))
      << server_->output();
  auto page = Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_TRUE(Contains(page->body, "<script src=\"app.js\"></script>"));
  // Everything the page loads comes from the binary: no address outside it.
  for (const char* asset : {"/", "/app.js", "/history.js", "/app.css", "/favicon.svg"}) {
    auto r = Get(asset);
    ASSERT_TRUE(r) << asset;
    EXPECT_EQ(r->status, 200) << asset;
    std::string body = r->body;
    const std::string svg_ns = "http://www.w3.org/2000/svg";  // a name, not an address to load
    for (size_t pos = body.find(svg_ns); pos != std::string::npos; pos = body.find(svg_ns)) body.erase(pos, svg_ns.size());
    EXPECT_FALSE(Contains(body, "http://") || Contains(body, "https://") || Contains(body, "//cdn"))
        << asset << " refers to another site";
    EXPECT_EQ(r->get_header_value("Content-Security-Policy").rfind("default-src 'self'", 0), 0u) << asset;
  }
  auto missing = Get("/etc/passwd");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(Dashboard, WorkspaceAndProfilesWithTheirPipelines) {
  Json ws = GetJson("/api/workspace");
  EXPECT_EQ(ws["name"], "ws");
  EXPECT_EQ(ws["active_profile"], "dev");
  EXPECT_EQ(ws["selected_by"], "default");
  EXPECT_TRUE(ws["pinned_profile"].is_null());
  std::map<std::string, bool> configured;
  for (const auto& p : ws["profiles"]) {
    configured[p["name"]] = p["configured"];
  }
  EXPECT_TRUE(configured["dev"]);
  EXPECT_TRUE(configured["tests"]);

  Json dev = GetJson("/api/profiles/dev/pipelines");
  ASSERT_EQ(dev["pipelines"].size(), 1u) << dev.dump();
  EXPECT_EQ(dev["pipelines"][0]["name"], "events");
  EXPECT_EQ(dev["pipelines"][0]["status"], "completed");
  EXPECT_EQ(dev["pipelines"][0]["dataset_name"], "events_data");
  EXPECT_EQ(dev["pipelines"][0]["loaded_packages"], 1);
  EXPECT_EQ(dev["local_dir"], (w_->root() / "_local" / "dev").string());

  // Another profile's pipelines, without changing the pin.
  Json tests = GetJson("/api/profiles/tests/pipelines");
  ASSERT_EQ(tests["pipelines"].size(), 1u) << tests.dump();
  EXPECT_EQ(tests["pipelines"][0]["name"], "orders");
  EXPECT_FALSE(fs::exists(w_->root() / ".dlt" / "profile-name"));
  EXPECT_EQ(GetJson("/api/workspace")["active_profile"], "dev");

  Json access = GetJson("/api/profiles/access/pipelines");
  EXPECT_TRUE(access["read_only"]);
  EXPECT_TRUE(access["pipelines"].empty());
  EXPECT_TRUE(GetJson("/api/profiles/prod/pipelines")["protected"]);
}

TEST_F(Dashboard, APipelineWithDestinationConfigStateAndTrace) {
  Json p = GetJson("/api/profiles/dev/pipelines/events");
  EXPECT_EQ(p["destination"]["name"], "warehouse");
  EXPECT_EQ(p["destination"]["type"], "duckdb");
  EXPECT_EQ(p["destination"]["description"], "duckdb " + w_->Db().string());
  EXPECT_EQ(p["destination"]["type_origin"], ".dlt/dev.secrets.toml:2:20 (profile: dev)");
  EXPECT_EQ(p["dataset_name"], "events_data");
  EXPECT_EQ(p["state"]["pipeline_name"], "events");
  EXPECT_EQ(p["packages"]["loaded"], 1);
  EXPECT_TRUE(p["packages"]["pending"].empty());
  // The last trace with time per stage and the profile it ran under.
  std::vector<std::string> steps;
  for (const auto& s : p["trace"]["steps"]) {
    steps.push_back(s["step"]);
    EXPECT_TRUE(s["seconds"].is_number());
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"extract", "normalize", "load"}));
  EXPECT_EQ(p["trace"]["profile"], "dev");
  EXPECT_EQ(p["trace"]["outcome"], "completed");
  // Config with origins; secrets as ***.
  std::map<std::string, Json> config;
  for (const auto& c : p["config"]) config[c["key"]] = c;
  ASSERT_TRUE(config.count("sources.events.api_key")) << p["config"].dump();
  EXPECT_EQ(config["sources.events.api_key"]["value"], "***");
  EXPECT_EQ(config["sources.events.api_key"]["origin"], ".dlt/dev.secrets.toml:5:11 (profile: dev)");
  EXPECT_EQ(config["destination.pg.credentials"]["value"], "***");
  EXPECT_EQ(config["sources.pipedrive.pipedrive_api_key"]["value"], "***");
  EXPECT_TRUE(config["sources.pipedrive.pipedrive_api_key"]["secret"]);
  EXPECT_EQ(config["destination.warehouse.destination_type"]["value"], "\"duckdb\"");
  EXPECT_TRUE(config["destination.warehouse.destination_type"]["used_by_last_run"]);
  EXPECT_EQ(GetJson("/api/profiles/dev/pipelines/events/trace")["pipeline_name"], "events");
}

TEST_F(Dashboard, SchemaWithNestedTablesAndTypes) {
  Json s = GetJson("/api/profiles/dev/pipelines/events/schema");
  EXPECT_EQ(s["name"], "events");
  EXPECT_EQ(s["engine_version"], 11);
  std::map<std::string, Json> tables;
  for (const auto& t : s["tables"]) tables[t["name"]] = t;
  ASSERT_TRUE(tables.count("events") && tables.count("events__tags")) << s.dump();
  EXPECT_TRUE(tables["events"]["parent"].is_null());
  EXPECT_EQ(tables["events"]["write_disposition"], "append");
  EXPECT_EQ(tables["events__tags"]["parent"], "events");
  EXPECT_TRUE(tables["_dlt_loads"]["system"]);
  std::map<std::string, std::string> types;
  for (const auto& c : tables["events"]["columns"]) types[c["name"]] = c["data_type"];
  EXPECT_EQ(types["id"], "bigint");
  EXPECT_EQ(types["name"], "text");
  EXPECT_EQ(types["meta__k"], "bigint");
  EXPECT_EQ(types["_dlt_id"], "text");
}

TEST_F(Dashboard, LoadHistoryRowCountsAndPagedRowsMatchTheDestination) {
  fs::path db = w_->Db("tests");
  Json loads = GetJson("/api/profiles/tests/pipelines/orders/loads");
  ASSERT_EQ(loads["loads"].size(), 1u) << loads.dump();
  EXPECT_EQ(loads["loads"][0]["load_id"], SqlValue(db, "SELECT load_id FROM orders_data._dlt_loads"));
  EXPECT_EQ(loads["loads"][0]["status"], "0");

  Json tables = GetJson("/api/profiles/tests/pipelines/orders/tables");
  std::map<std::string, Json> counts;
  for (const auto& t : tables["tables"]) counts[t["name"]] = t["row_count"];
  EXPECT_EQ(counts["orders"], 120);
  EXPECT_EQ(counts["orders__items"], 240);
  EXPECT_EQ(counts["orders__tags"], 240);
  EXPECT_EQ(counts["_dlt_loads"], 1);

  Json page = GetJson("/api/profiles/tests/pipelines/orders/tables/orders/rows?offset=100&limit=30");
  EXPECT_EQ(page["total"], 120);
  EXPECT_EQ(page["offset"], 100);
  ASSERT_EQ(page["rows"].size(), 20u);  // the last page is short
  std::vector<std::string> names;
  for (const auto& c : page["columns"]) names.push_back(c["name"]);
  int id_col = static_cast<int>(std::find(names.begin(), names.end(), "id") - names.begin());
  int customer_col = static_cast<int>(std::find(names.begin(), names.end(), "customer") - names.begin());
  ASSERT_LT(id_col, static_cast<int>(names.size()));
  ASSERT_LT(customer_col, static_cast<int>(names.size()));
  EXPECT_EQ(page["columns"][id_col]["data_type"], "bigint");
  SqlRows expected = QueryDuckDb(db, "SELECT id, customer FROM orders_data.orders LIMIT 30 OFFSET 100");
  ASSERT_EQ(expected.size(), 20u);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(page["rows"][i][id_col], *expected[i][0]);
    EXPECT_EQ(page["rows"][i][customer_col], *expected[i][1]);
  }
  // Long values are cut for display (a page stays small), on a UTF-8 boundary.
  Json events = GetJson("/api/profiles/dev/pipelines/events/tables/events/rows");
  EXPECT_TRUE(events["truncated"]);
  bool saw_long = false;
  for (const auto& row : events["rows"]) {
    for (const auto& v : row) {
      if (!v.is_string()) continue;
      EXPECT_LE(v.get<std::string>().size(), 4096u + 3u);
      saw_long = saw_long || v.get<std::string>().starts_with("xxxxxxxx");
    }
  }
  EXPECT_TRUE(saw_long);
  EXPECT_FALSE(page["truncated"]);
  Json nested = GetJson("/api/profiles/tests/pipelines/orders/tables/orders__items/rows");
  EXPECT_EQ(nested["limit"], 50);
  EXPECT_EQ(nested["rows"].size(), 50u);
  EXPECT_EQ(nested["total"], 240);
}

// A value under an ordinary key of a secrets file (`note` in dev.secrets.toml) that also made it
// into the loaded data: the rows and the config views show *** (Get() fails on any canary).
TEST_F(Dashboard, AnyValueOfASecretsFileIsHiddenInRowsAndConfigWhateverItsKeyName) {
  Json page = GetJson("/api/profiles/dev/pipelines/events/tables/events/rows");
  std::vector<std::string> names;
  for (const auto& c : page["columns"]) names.push_back(c["name"]);
  size_t note_col = std::find(names.begin(), names.end(), "note") - names.begin();
  size_t id_col = std::find(names.begin(), names.end(), "id") - names.begin();
  ASSERT_LT(note_col, names.size()) << page.dump();
  ASSERT_LT(id_col, names.size());
  bool seen = false;
  for (const auto& row : page["rows"]) {
    if (row[id_col] != "1" && row[id_col] != 1) continue;
    EXPECT_EQ(row[note_col], "***") << row.dump();
    seen = true;
  }
  EXPECT_TRUE(seen) << page.dump();
  Json p = GetJson("/api/profiles/dev/pipelines/events");
  std::map<std::string, Json> config;
  for (const auto& c : p["config"]) config[c["key"]] = c;
  ASSERT_TRUE(config.count("sources.events.note")) << p["config"].dump();
  EXPECT_EQ(config["sources.events.note"]["value"], "***");
  EXPECT_TRUE(config["sources.events.note"]["secret"]);
}

// Other users of the machine reach 127.0.0.1 too: without the printed token there is no data.
TEST_F(Dashboard, ThePageAndTheApiNeedTheAccessTokenOfThePrintedAddress) {
  for (const char* path : {"/api/workspace", "/api/profiles/dev/pipelines/events/tables/events/rows", "/"}) {
    auto r = Get(path, {}, /*with_token=*/false);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_TRUE(Contains(r->body, "access token")) << r->body;
    EXPECT_FALSE(Contains(r->body, "events")) << r->body;
  }
  auto wrong = Get("/api/workspace", {{"Authorization", "Bearer " + std::string(32, '0')}}, false);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto wrong_query = Get("/api/workspace?token=" + token_.substr(0, 31) + "x", {}, false);
  ASSERT_TRUE(wrong_query);
  EXPECT_EQ(wrong_query->status, 401);
  // The printed address sets a cookie for this port; with it, the API answers.
  auto page = Get("/?token=" + token_, {}, false);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  std::string cookie = page->get_header_value("Set-Cookie");
  EXPECT_EQ(cookie, "dlt_dashboard_" + std::to_string(port_) + "=" + token_ + "; Path=/; HttpOnly; SameSite=Strict");
  auto with_cookie = Get("/api/workspace", {{"Cookie", cookie.substr(0, cookie.find(';'))}}, false);
  ASSERT_TRUE(with_cookie);
  EXPECT_EQ(with_cookie->status, 200);
  // The script and style carry no data and load without it.
  auto js = Get("/app.js", {}, false);
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
}

TEST_F(Dashboard, InputsAreValidatedAndNothingOutsideTheWorkspaceIsReachable) {
  EXPECT_EQ(GetJson("/api/profiles/..%2F..%2Fetc/pipelines", 400)["status"], 400);
  EXPECT_TRUE(Contains(GetJson("/api/profiles/bad%20name/pipelines", 400)["error"], "profile"));
  EXPECT_TRUE(Contains(GetJson("/api/profiles/dev/pipelines/nope", 404)["error"], "pipeline `nope` not found"));
  GetJson("/api/profiles/dev/pipelines/orders", 404);  // exists in another profile only
  EXPECT_TRUE(Contains(GetJson("/api/profiles/dev/pipelines/events/tables/pg_catalog.pg_user/rows", 404)["error"],
                       "is not in the schema"));
  EXPECT_TRUE(Contains(GetJson("/api/profiles/dev/pipelines/events/tables/events/rows?limit=abc", 400)["error"], "limit"));
  GetJson("/api/profiles/dev/pipelines/events/tables/events/rows?limit=100000", 400);
  GetJson("/api/profiles/dev/pipelines/events/tables/events/rows?offset=-1", 400);
  GetJson("/api/nothing", 404);
  for (const char* raw : {"/api/profiles/dev/pipelines/..", "/api/profiles/dev/pipelines/%2e%2e/schema",
                          "/..%2F..%2F..%2Fetc%2Fpasswd", "/api/profiles/dev/pipelines/events%00/schema"}) {
    auto r = Get(raw);
    ASSERT_TRUE(r) << raw;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << raw << " -> " << r->status;
    EXPECT_FALSE(Contains(r->body, "root:")) << raw;
  }
  // Read-only: no other method; and only requests addressed to the loopback address.
  httplib::Client c("127.0.0.1", port_);
  auto post = c.Post("/api/workspace", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  auto del = c.Delete("/api/profiles/dev/pipelines/events");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  auto rebound = Get("/api/workspace", {{"Host", "attacker.example:" + std::to_string(port_)}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  auto local = Get("/api/workspace", {{"Host", "localhost:" + std::to_string(port_)}});
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);
}

TEST_F(Dashboard, AnUnreachableDestinationIsAClearMessageWithoutThePassword) {
  Json p = GetJson("/api/profiles/prod/pipelines/orders");
  EXPECT_EQ(p["state"]["sources"]["orders"]["refresh_token"], "***");
  EXPECT_EQ(p["destination"]["type"], "postgres");
  EXPECT_EQ(p["destination"]["description"],
            "postgres postgresql://loader:***@127.0.0.1:" + std::to_string(closed_port_) + "/dw");
  Json err = GetJson("/api/profiles/prod/pipelines/orders/tables", 503);
  std::string msg = err["error"];
  EXPECT_TRUE(Contains(msg, "unreachable")) << msg;
  EXPECT_TRUE(Contains(msg, "127.0.0.1:" + std::to_string(closed_port_))) << msg;
  GetJson("/api/profiles/prod/pipelines/orders/loads", 503);
  // The schema and state are local: they still show.
  GetJson("/api/profiles/prod/pipelines/orders/schema");
}

TEST_F(Dashboard, NeverWritesAndDoesNotBlockARunningPipeline) {
  auto before = Snapshot(w_->root());
  for (const char* path : {"/api/workspace", "/api/profiles/dev/pipelines", "/api/profiles/dev/pipelines/events",
                           "/api/profiles/dev/pipelines/events/schema", "/api/profiles/dev/pipelines/events/loads",
                           "/api/profiles/dev/pipelines/events/tables", "/api/profiles/dev/pipelines/events/tables/events/rows",
                           "/api/profiles/tests/pipelines/orders/tables", "/api/profiles/prod/pipelines/orders",
                           "/api/profiles/custom1/pipelines"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
  }
  EXPECT_EQ(Snapshot(w_->root()), before) << "the dashboard changed files in the workspace";
  EXPECT_FALSE(fs::exists(w_->root() / ".dlt" / ".var" / "custom1"));

  // A run while the dashboard keeps reading the same DuckDB file.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!stop) {
      auto r = Get("/api/profiles/dev/pipelines/events/tables");
      if (r && (r->status == 200 || r->status == 503)) ++reads;
    }
  });
  RunResult run = w_->RunPipeline({"events.toml"});
  stop = true;
  reader.join();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GT(reads.load(), 0);
  Json tables = GetJson("/api/profiles/dev/pipelines/events/tables");
  bool found = false;
  for (const auto& t : tables["tables"]) {
    if (t["name"] != "events") continue;
    found = true;
    EXPECT_EQ(t["row_count"], 6);
  }
  EXPECT_TRUE(found);
}

TEST_F(Dashboard, PipelineShowOpensOnThePipelineAndCtrlCStopsCleanly) {
  std::map<std::string, std::string> env = w_->env();
  BackgroundProcess show({DLT_BINARY, "pipeline", "events", "show", "--port", "0", "--no-browser"}, w_->root(), env);
  auto url = show.WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]+)#/profiles/dev/pipelines/events"), 10000);
  ASSERT_EQ(url.size(), 3u) << show.output();
  httplib::Client c("127.0.0.1", std::stoi(url[1]));
  EXPECT_NE(url[2], token_) << "every dashboard gets its own access token";
  auto r = c.Get(("/api/profiles/dev/pipelines/events?token=" + url[2]).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // A client that opened a connection and sends nothing does not hold up Ctrl-C.
  int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(url[1])));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::send(idle, "G", 1, 0), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto stop_started = std::chrono::steady_clock::now();
  show.Signal(SIGINT);
  EXPECT_EQ(show.Wait(10000), 0) << show.output();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, std::chrono::seconds(3));
  ::close(idle);
  EXPECT_TRUE(Contains(show.output(), "Dashboard stopped.")) << show.output();

  RunResult unknown = w_->Dlt({"pipeline", "nope", "show", "--no-browser"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(Contains(unknown.err, "Pipeline `nope` not found")) << unknown.err;
  RunResult bad_port = w_->Dlt({"workspace", "show", "--port", "99999", "--no-browser"});
  EXPECT_NE(bad_port.exit_code, 0);
  EXPECT_TRUE(Contains(bad_port.err, "--port")) << bad_port.err;
  // The port of the running dashboard is taken: a clear error.
  RunResult taken = w_->Dlt({"workspace", "show", "--port", std::to_string(port_), "--no-browser"});
  EXPECT_NE(taken.exit_code, 0);
  EXPECT_TRUE(Contains(taken.err, "cannot listen on 127.0.0.1:" + std::to_string(port_))) << taken.err;
}

// Without a workspace (classic mode) there are no profiles: `-` names the only set of pipelines.
TEST(DashboardClassicMode, PipelineShowServesThePipelinesOfTheClassicWorkingFolder) {
  TempWorkspace w(/*workspace_mode=*/false);
  w.Write("events.jsonl", "{\"id\": 1, \"tags\": [\"a\"]}\n{\"id\": 2, \"tags\": []}\n");
  w.Write("cl.toml", "[pipeline]\nname = \"cl\"\ndestination = \"duckdb\"\ndataset_name = \"cl_data\"\n\n"
                     "[[resources]]\nname = \"events\"\npath = \"events.jsonl\"\n");
  RunResult run = w.Dlt({"run", "cl.toml", "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  RunResult ws_show = w.Dlt({"workspace", "show", "--no-browser"});
  EXPECT_NE(ws_show.exit_code, 0);
  EXPECT_TRUE(Contains(ws_show.err, "Workspace could not be found")) << ws_show.err;

  BackgroundProcess show({DLT_BINARY, "pipeline", "cl", "show", "--port", "0", "--no-browser"}, w.root(), w.env());
  auto url = show.WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]+)#/profiles/-/pipelines/cl"), 10000);
  ASSERT_EQ(url.size(), 3u) << show.output();
  EXPECT_TRUE(Contains(show.output(), "classic mode")) << show.output();
  httplib::Client c("127.0.0.1", std::stoi(url[1]));
  c.set_bearer_token_auth(url[2].c_str());
  auto ws = c.Get("/api/workspace");
  ASSERT_TRUE(ws);
  EXPECT_FALSE(Json::parse(ws->body)["workspace_mode"].get<bool>());
  auto list = c.Get("/api/profiles/-/pipelines");
  ASSERT_TRUE(list);
  Json pipelines = Json::parse(list->body)["pipelines"];
  ASSERT_EQ(pipelines.size(), 1u) << list->body;
  EXPECT_EQ(pipelines[0]["name"], "cl");
  auto tables = c.Get("/api/profiles/-/pipelines/cl/tables");
  ASSERT_TRUE(tables);
  EXPECT_EQ(tables->status, 200) << tables->body;
  std::map<std::string, Json> counts;
  Json table_list = Json::parse(tables->body);
  for (const auto& t : table_list["tables"]) counts[t["name"]] = t["row_count"];
  EXPECT_EQ(counts["events"], 2);
  EXPECT_EQ(counts["events__tags"], 1);
  show.Signal(SIGTERM);
  EXPECT_EQ(show.Wait(10000), 0) << show.output();
}

// --- the page in real Chromium ---------------------------------------------------------------

TEST_F(Dashboard, InChromiumSwitchProfileOpenPipelineAndTableRowsMatchTheDestination) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium") && fs::exists("/usr/bin/chromedriver"))
      << "Debian's chromium and chromium-driver are needed (scripts/bootstrap.sh installs them)";
  TempDir profile_dir;
  int driver_port = FreePort();
  std::map<std::string, std::string> env{{"HOME", profile_dir.path().string()}};
  BackgroundProcess driver({"/usr/bin/chromedriver", "--port=" + std::to_string(driver_port)}, profile_dir.path(), env);
  ASSERT_FALSE(driver.WaitFor(std::regex("started successfully"), 20000).empty()) << driver.output();
  WebDriver b(driver_port);
  ASSERT_TRUE(b.Start(profile_dir.path() / "chromium")) << driver.output();
  const std::string base = "http://127.0.0.1:" + std::to_string(port_) + "/";
  auto no_canary = [&](const std::string& where) {
    EXPECT_FALSE(Contains(b.Html(), "CANARY")) << "the page shows a secret on " << where;
  };

  // The workspace page of the active profile, opened with the printed address (token included);
  // the page keeps the token in a cookie and drops it from the address bar.
  b.Go(base + "?token=" + token_);
  ASSERT_TRUE(b.WaitForRoute("")) << b.Html();
  EXPECT_EQ(b.Text("#workspace-name"), "ws");
  EXPECT_EQ(b.Script("return location.search;"), "");
  EXPECT_TRUE(Contains(b.Text("#pipelines"), "events"));
  EXPECT_TRUE(Contains(b.Text("#active-profile"), "dev (selected by default)"));
  no_canary("the workspace page");

  // Switch profile with the selector: the tests profile's pipelines; the pin is untouched.
  b.Click("#profile-select option[value='tests']");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests")) << b.Html();
  EXPECT_TRUE(Contains(b.Text("#pipelines"), "orders"));
  EXPECT_FALSE(Contains(b.Text("#pipelines"), "events"));
  EXPECT_TRUE(Contains(b.Text("#viewing-other"), "does not change the pin"));
  EXPECT_FALSE(fs::exists(w_->root() / ".dlt" / "profile-name"));

  // Open the pipeline.
  b.Click("a.pipeline-link[data-name='orders']");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders")) << b.Html();
  EXPECT_EQ(b.Text("#pipeline-name"), "orders");
  EXPECT_EQ(b.Text("#destination"), "warehouse");
  EXPECT_EQ(b.Text("#dataset"), "orders_data");
  EXPECT_TRUE(Contains(b.Text("#trace-steps"), "normalize"));
  no_canary("the pipeline page");

  // Its schema as a tree, and its config with secrets hidden.
  b.Click("a.tab[data-tab='schema']");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/schema")) << b.Html();
  Json nested = b.Script("return document.querySelector(\"#schema-tree li[data-table='orders'] li[data-table='orders__items']\") !== null;");
  EXPECT_EQ(nested, true) << "orders__items is not shown under orders";
  fs::path out_dir = DLT_TEST_OUTPUT_DIR;
  fs::create_directories(out_dir);
  WriteFile(out_dir / "dashboard-schema.png", b.ScreenshotPng());
  b.Click("a.tab[data-tab='config']");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/config")) << b.Html();
  EXPECT_TRUE(Contains(b.Text("#config tr[data-key='sources.orders.password']"), "***"));
  no_canary("the config page");

  // The data browser: row counts, then the rows of a table, paged.
  b.Click("a.tab[data-tab='data']");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/data")) << b.Html();
  EXPECT_EQ(b.Text("#tables tr[data-table='orders__items'] .row-count"), "240");
  b.Click("a.table-link[data-table='orders']");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/tables/orders")) << b.Html();
  EXPECT_EQ(b.Text("#rows-info"), "rows 1–50 of 120");
  Json shown = b.Script(
      "const head = [...document.querySelectorAll('#rows thead th')].map(th => th.textContent);"
      "return [...document.querySelectorAll('#rows tbody tr')].map(tr => {"
      "  const cells = [...tr.children].map(td => td.textContent);"
      "  return [cells[head.indexOf('id')], cells[head.indexOf('customer')], cells[head.indexOf('address__city')]]; });");
  SqlRows expected = QueryDuckDb(w_->Db("tests"), "SELECT id, customer, address__city FROM orders_data.orders LIMIT 50");
  ASSERT_EQ(shown.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(shown[i], Json({*expected[i][0], *expected[i][1], *expected[i][2]})) << "row " << i;
  }
  std::string png = b.ScreenshotPng();
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  WriteFile(out_dir / "dashboard-table.png", png);

  b.Click("#next-page");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/tables/orders?offset=50")) << b.Html();
  EXPECT_EQ(b.Text("#rows-info"), "rows 51–100 of 120");

  // An unreachable destination is a message on the page, not a broken page.
  b.Go(base + "#/profiles/prod/pipelines/orders/data");
  ASSERT_TRUE(b.WaitForRoute("/profiles/prod/pipelines/orders/data")) << b.Html();
  EXPECT_TRUE(Contains(b.Text("#destination-error"), "unreachable"));
  no_canary("the unreachable destination page");

  // The overview of the dev pipeline, for the README.
  b.Go(base + "#/profiles/dev/pipelines/events");
  ASSERT_TRUE(b.WaitForRoute("/profiles/dev/pipelines/events")) << b.Html();
  WriteFile(out_dir / "dashboard-pipeline.png", b.ScreenshotPng());
  b.Stop();
}

TEST_F(Dashboard, InChromiumAQueryIsSortedByAClickedColumnFilteredAndDownloadedAsCsvAndParquet) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium") && fs::exists("/usr/bin/chromedriver"))
      << "Debian's chromium and chromium-driver are needed (scripts/bootstrap.sh installs them)";
  TempDir profile_dir;
  int driver_port = FreePort();
  std::map<std::string, std::string> env{{"HOME", profile_dir.path().string()}};
  BackgroundProcess driver({"/usr/bin/chromedriver", "--port=" + std::to_string(driver_port)}, profile_dir.path(), env);
  ASSERT_FALSE(driver.WaitFor(std::regex("started successfully"), 20000).empty()) << driver.output();
  WebDriver b(driver_port);
  const fs::path downloads = profile_dir.path() / "downloads";
  fs::create_directories(downloads);
  ASSERT_TRUE(b.Start(profile_dir.path() / "chromium", downloads)) << driver.output();
  const std::string base = "http://127.0.0.1:" + std::to_string(port_) + "/";
  // Waits until the page is ready on a query route and shows a result (or an error).
  auto wait_result = [&](const std::string& info_contains) {
    for (int i = 0; i < 300; ++i) {
      Json v = b.Script("const m = document.getElementById('main');"
                        "return m.dataset.state === 'ready' && (m.dataset.route || '').includes('/query?') ?"
                        " (document.getElementById('query-info') || document.getElementById('query-error') || {}).textContent || '' : null;");
      if (v.is_string() && Contains(v.get<std::string>(), info_contains)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  auto column = [&](const std::string& name) {
    return b.Script("const head = [...document.querySelectorAll('#query-result thead th')].map(th => th.dataset.column);"
                    "const i = head.indexOf(" + Json(name).dump() + ");"
                    "return [...document.querySelectorAll('#query-result tbody tr')].map(tr => tr.children[i].textContent);");
  };

  b.Go(base + "?token=" + token_ + "#/profiles/tests/pipelines/orders/query");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/query")) << b.Html();
  b.Script("document.getElementById('sql-input').value = 'SELECT id, customer, address__city FROM orders WHERE id <= 5';");
  b.Click("#run-query");
  ASSERT_TRUE(wait_result("5 rows")) << b.Html();
  EXPECT_EQ(b.Text("#download-csv"), "download CSV");

  // A click on a header sorts by that column, a second click the other way round; the database
  // sorts (the whole result, not the page).
  b.Click("#query-result th[data-column='id']");
  ASSERT_TRUE(wait_result("5 rows")) << b.Html();
  EXPECT_EQ(column("id"), Json({"1", "2", "3", "4", "5"}));
  EXPECT_EQ(b.Script("return document.querySelector(\"#query-result th[data-column='id']\").dataset.sorted;"), "asc");
  b.Click("#query-result th[data-column='id']");
  for (int i = 0; i < 200 && column("id") != Json({"5", "4", "3", "2", "1"}); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(column("id"), Json({"5", "4", "3", "2", "1"})) << b.Html();

  // A filter is a WHERE condition over the result.
  b.Script("document.getElementById('where-input').value = \"address__city = 'city1'\";");
  b.Click("#run-query");
  ASSERT_TRUE(wait_result("2 rows")) << b.Html();
  EXPECT_EQ(column("id"), Json({"4", "1"}));  // still sorted by id, descending

  // The download is the result shown, as CSV.
  // (The link's blob: address is a download, which the page's CSP keeps scripts from fetching;
  // the link holds the Blob it points at.)
  Json csv = b.Call("POST", "execute/async",
                    {{"script", "const done = arguments[arguments.length - 1];"
                                "document.getElementById('download-csv').csv.text().then(done);"},
                     {"args", Json::array()}});
  EXPECT_EQ(csv, "id,customer,address__city\r\n4,c4,city1\r\n1,c1,city1\r\n");

  // The Parquet download: the same rows, written by the server with their types.
  EXPECT_EQ(b.Text("#download-parquet"), "download Parquet");
  b.Click("#download-parquet");
  const fs::path parquet = downloads / "orders-query.parquet";
  for (int i = 0; i < 300 && !fs::exists(parquet); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(fs::exists(parquet)) << "no download in " << downloads;
  duckdb::QueryResult back = QueryDuckDbTyped(":memory:", "SELECT * FROM read_parquet('" + parquet.string() + "')", false);
  EXPECT_EQ(back.column_names, (std::vector<std::string>{"id", "customer", "address__city"}));
  EXPECT_EQ(back.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR", "VARCHAR"}));
  ASSERT_EQ(back.rows.size(), 2u);
  EXPECT_EQ(back.rows[0][0].text, "4");  // sorted and filtered as shown
  EXPECT_EQ(back.rows[1][0].text, "1");

  // A query left running when the user moves on is aborted by the page and cancelled in DuckDB.
  b.Script("document.getElementById('where-input').value = '';"
           "document.getElementById('sql-input').value = "
           "'SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b';");
  b.Click("#run-query");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  b.Click("a.tab[data-tab='schema']");
  EXPECT_FALSE(server_->WaitFor(std::regex("cancelled the query of pipeline `orders` after [0-9]+ ms: "
                                           "the client closed the connection"), 5000).empty())
      << server_->output();
  b.Go(base + "#/profiles/tests/pipelines/orders/query");
  ASSERT_TRUE(b.WaitForRoute("/profiles/tests/pipelines/orders/query")) << b.Html();

  // A refused statement is the database's message on the page.
  b.Script("document.getElementById('where-input').value = '';"
           "document.getElementById('sql-input').value = 'DROP TABLE orders';");
  b.Click("#run-query");
  ASSERT_TRUE(wait_result("read-only")) << b.Html();
  EXPECT_FALSE(Contains(b.Html(), "CANARY"));
  fs::path out_dir = DLT_TEST_OUTPUT_DIR;
  fs::create_directories(out_dir);
  WriteFile(out_dir / "dashboard-query.png", b.ScreenshotPng());
  b.Stop();
}

}  // namespace
}  // namespace dlt::testing
