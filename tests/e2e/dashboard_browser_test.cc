// The dashboard's page in real headless Chromium driven through ChromeDriver (Debian's chromium
// and chromium-driver, installed by the test command), on the shared setup of dashboard_fixture.h.
#include "dashboard_fixture.h"

namespace dlt::testing {
namespace {

// Its own suite (and dashboard process): gtest wants one fixture class per suite name.
class DashboardBrowser : public Dashboard {};

TEST_F(DashboardBrowser, InChromiumSwitchProfileOpenPipelineAndTableRowsMatchTheDestination) {
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

TEST_F(DashboardBrowser, InChromiumAQueryIsSortedByAClickedColumnFilteredAndDownloadedAsCsvAndParquet) {
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
