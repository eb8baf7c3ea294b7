// The workspace dashboard (`dlt workspace show`, `dlt pipeline <name> show`) against real loaded
// pipelines: its JSON API over HTTP on 127.0.0.1, on the shared setup of dashboard_fixture.h (the
// page itself, in headless Chromium, is dashboard_browser_test.cc).
#include "dashboard_fixture.h"

namespace dlt::testing {
namespace {

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

}  // namespace
}  // namespace dlt::testing
