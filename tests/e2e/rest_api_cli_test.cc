// `dlt init` and the REST API source end to end: every template is created with `dlt init`,
// pointed at the tests' HTTP server on 127.0.0.1 through a profile's config (or an env var) and
// run with `dlt run` into DuckDB. A canary token checks that no secret reaches any output, error
// message, trace, state, load package or database.
#include <gtest/gtest.h>


#include "http_server.h"
#include "support/duckdb_query.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* kCanary = "canary-TOKEN-5f3a9e";


class Project {
 public:
  explicit Project(TempWorkspace& ws, const std::string& name = "project") : ws_(ws), dir_(ws.tmp() / name) {
    fs::create_directories(dir_);
  }
  const fs::path& dir() const { return dir_; }
  RunResult Dlt(const std::vector<std::string>& args) {
    RunResult r = ws_.Dlt(args, dir_);
    all_output_ += r.out + r.err;
    return r;
  }
  void Write(const std::string& rel, const std::string& content) { WriteFile(dir_ / rel, content); }
  std::string Read(const std::string& rel) const { return ReadFile(dir_ / rel); }
  bool Exists(const std::string& rel) const { return fs::exists(dir_ / rel); }
  const std::string& all_output() const { return all_output_; }

 private:
  TempWorkspace& ws_;
  fs::path dir_;
  std::string all_output_;
};

const char* kFastRuntime = "[runtime]\nrequest_timeout = 5\nrequest_max_attempts = 3\nrequest_backoff_factor = 0.05\n";

TEST(InitCli, PokemonApiInAnEmptyFolderThenRunLoadsIntoTheDevWarehouse) {
  FixtureServer server;
  TempWorkspace ws;
  Project p(ws);
  ws.env()["SOURCES__POKEMON_API__BASE_URL"] = server.Url() + "/api/v2/";

  RunResult r = p.Dlt({"init", "dlthub:pokemon_api", "duckdb", "--toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* f : {"pokemon_api_pipeline.toml", ".dlt/config.toml", ".dlt/secrets.toml", ".gitignore", ".dlt/.workspace"}) {
    EXPECT_TRUE(Contains(r.out, std::string("created   ") + f)) << f << "\n" << r.out;
    EXPECT_TRUE(p.Exists(f)) << f;
  }
  EXPECT_TRUE(Contains(r.out, "Next steps:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "dlt run pokemon_api_pipeline.toml")) << r.out;
  EXPECT_TRUE(Contains(p.Read(".dlt/config.toml"), "[destination.warehouse]\n"));
  EXPECT_TRUE(Contains(p.Read(".dlt/config.toml"), "destination_type = \"duckdb\""));
  std::string gitignore = p.Read(".gitignore");
  for (const char* line : {".dlt/secrets.toml", ".dlt/*.secrets.toml", ".dlt/profile-name", ".dlt/.var", "_local",
                           "*.duckdb", "*.wal"}) {
    EXPECT_TRUE(Contains(gitignore, std::string("\n") + line + "\n")) << line;
  }

  r = p.Dlt({"run", "pokemon_api_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = p.dir() / "_local/dev/warehouse.duckdb";
  ASSERT_TRUE(fs::exists(db)) << r.out;
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon"), 45);
  EXPECT_EQ(CountRows(db, "pokemon_api_data.berry"), 25);
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon_details"), 45);
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon_details__types"), 60);
  EXPECT_EQ(SqlValue(db, "SELECT id FROM pokemon_api_data.pokemon_details WHERE _pokemon_name = 'poke7'"), "7");
  // offset pagination of the list (total_path = count), link pagination of the berries
  auto lists = server.RequestsTo("/api/v2/pokemon");
  int list_requests = 0;
  for (auto q : lists) {
    if (q.path == "/api/v2/pokemon") {
      EXPECT_EQ(q.params["offset"], std::to_string(20 * list_requests));
      EXPECT_EQ(q.params["limit"], "20");
      ++list_requests;
    }
  }
  EXPECT_EQ(list_requests, 3);
  EXPECT_EQ(server.RequestsTo("/api/v2/berry").size(), 2u);

  // write_disposition = replace: a second run leaves the same rows
  r = p.Dlt({"run", "pokemon_api_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountRows(db, "pokemon_api_data.pokemon_details"), 45);

  // init again: nothing changes; a changed pipeline file is kept unless --force
  r = p.Dlt({"init", "dlthub:pokemon_api", "duckdb", "--toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "unchanged pokemon_api_pipeline.toml")) << r.out;
  EXPECT_FALSE(Contains(r.out, "created")) << r.out;
  std::string mine = p.Read("pokemon_api_pipeline.toml") + "# my change\n";
  p.Write("pokemon_api_pipeline.toml", mine);
  p.Write(".dlt/config.toml", "[sources.pokemon_api]\nbase_url = \"http://127.0.0.1:1/\"\n");
  r = p.Dlt({"init", "dlthub:pokemon_api", "duckdb", "--toml"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "pokemon_api_pipeline.toml already exists and differs")) << r.err;
  EXPECT_TRUE(Contains(r.err, "--force")) << r.err;
  EXPECT_EQ(p.Read("pokemon_api_pipeline.toml"), mine);
  r = p.Dlt({"init", "dlthub:pokemon_api", "duckdb", "--toml", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "replaced  pokemon_api_pipeline.toml")) << r.out;
  EXPECT_TRUE(Contains(r.out, "updated   .dlt/config.toml  (added [runtime], [destination.warehouse])")) << r.out;
  std::string config = p.Read(".dlt/config.toml");
  EXPECT_TRUE(config.starts_with("[sources.pokemon_api]\nbase_url = \"http://127.0.0.1:1/\"\n")) << config;
}

TEST(InitCli, ListsSourcesAndExplainsBadArguments) {
  TempWorkspace ws;
  Project p(ws);
  RunResult r = p.Dlt({"init", "--list-sources"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"dlthub:pokemon_api", "github_api", "rest_api", "filesystem", "duckdb, postgres, motherduck"}) {
    EXPECT_TRUE(Contains(r.out, s)) << s << "\n" << r.out;
  }
  EXPECT_EQ(p.Dlt({"init", "-l"}).out, r.out);
  r = p.Dlt({"init", "pokemon_apii", "duckdb"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(Contains(r.err, "Did you mean `dlthub:pokemon_api`?")) << r.err;
  r = p.Dlt({"init", "github_api", "duckbd"});
  EXPECT_EQ(r.exit_code, 3);  // not found, as an unknown source
  EXPECT_TRUE(Contains(r.err, "Did you mean `duckdb`?")) << r.err;
  r = p.Dlt({"init", "github_api"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "needs a source and a destination")) << r.err;
  EXPECT_TRUE(fs::is_empty(p.dir()));
  // postgres: a commented placeholder for the credentials
  r = p.Dlt({"init", "github_api", "postgres", "--toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(p.Read(".dlt/secrets.toml"), "# credentials = \"postgresql://")) << p.Read(".dlt/secrets.toml");
  EXPECT_TRUE(Contains(p.Read(".dlt/secrets.toml"), "# token = ")) << p.Read(".dlt/secrets.toml");
  EXPECT_TRUE(Contains(p.Read(".dlt/config.toml"), "destination_type = \"postgres\""));
  EXPECT_TRUE(Contains(r.out, "Add your GitHub token")) << r.out;
}

// `dlt workspace check` fails secrets files readable by group or others: init writes them 0600,
// also when it extends one that exists.
TEST(InitCli, SecretsFilesAreTheUsersOnlyAndAFreshProjectPassesTheCheck) {
  TempWorkspace ws;
  Project p(ws);
  RunResult r = p.Dlt({"init", "dlthub:pokemon_api", "duckdb", "--toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto perms = fs::status(p.dir() / ".dlt/secrets.toml").permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  EXPECT_NE(perms & fs::perms::owner_read, fs::perms::none);
  r = p.Dlt({"workspace", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  Project q(ws, "second");
  q.Write(".dlt/secrets.toml", "[sources.mine]\ntoken = \"x\"\n");
  fs::permissions(q.dir() / ".dlt/secrets.toml", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                                       fs::perms::others_read);
  r = q.Dlt({"init", "github_api", "postgres", "--toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "updated   .dlt/secrets.toml")) << r.out;
  perms = fs::status(q.dir() / ".dlt/secrets.toml").permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
}

struct TemplateCase {
  const char* source;
  const char* source_name;  // [sources.<name>]
  const char* base_path;    // on the fixture server
  std::vector<std::pair<std::string, std::string>> counts;
};

TEST(InitCli, EveryTemplateRunsAgainstTheFixtureInTheTestsProfile) {
  FixtureServer server;
  server.SetGithubToken(kCanary);
  TempWorkspace ws;
  std::vector<TemplateCase> cases = {
      {"dlthub:pokemon_api", "pokemon_api", "/api/v2/",
       {{"pokemon_api_data.pokemon", "45"}, {"pokemon_api_data.berry", "25"}, {"pokemon_api_data.pokemon_details", "45"}}},
      {"github_api", "github_api", "/repos/dlt-hub/dlt/",
       {{"github_api_data.issues", "7"}, {"github_api_data.issues__labels", "7"}, {"github_api_data.issue_comments", "7"}}},
      {"rest_api", "rest_api", "/generic/", {{"rest_api_data.items", "5"}}},
      {"filesystem", "", "", {{"filesystem_data.events", "3"}, {"filesystem_data.events__tags", "3"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.source);
    std::string key = c.source_name;
    Project p(ws, std::string("t_") + (key.empty() ? "filesystem" : key));
    RunResult r = p.Dlt({"init", c.source, "duckdb", "--toml"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::string config = kFastRuntime;
    if (!key.empty()) config = "[sources." + key + "]\nbase_url = \"" + server.Url() + c.base_path + "\"\n\n" + config;
    p.Write(".dlt/tests.config.toml", config);
    p.Write(".dlt/tests.secrets.toml", "[sources.github_api]\ntoken = \"" + std::string(kCanary) + "\"\n");
    std::string file = (key.empty() ? std::string("filesystem") : key) + "_pipeline.toml";
    r = p.Dlt({"--profile", "tests", "run", file});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "Profile `tests` is active.")) << r.err;
    fs::path db = p.dir() / "_local/tests/warehouse.duckdb";
    ASSERT_TRUE(fs::exists(db));
    EXPECT_FALSE(fs::exists(p.dir() / "_local/dev"));
    for (const auto& [table, n] : c.counts) EXPECT_EQ(std::to_string(CountRows(db, table)), n) << table;
    r = p.Dlt({"--profile", "tests", "pipeline", file.substr(0, file.size() - 5), "trace"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(Contains(p.all_output(), kCanary)) << p.all_output();
    EXPECT_EQ(FilesContaining(p.dir(), kCanary), std::vector<std::string>{});
  }
  // GitHub: the bearer token was sent, pages followed the Link header (3 issues per page)
  auto issues = server.RequestsTo("/repos/dlt-hub/dlt/issues");
  int pages = 0;
  for (auto q : issues) {
    EXPECT_EQ(q.headers["authorization"], std::string("Bearer ") + kCanary);
    if (q.path == "/repos/dlt-hub/dlt/issues") {
      ++pages;
      EXPECT_EQ(q.params["since"], "2024-01-01T00:00:00Z");
      EXPECT_EQ(q.params["page"], pages == 1 ? "" : std::to_string(pages));
    }
  }
  EXPECT_EQ(pages, 3);
}

TEST(RestApiCli, GithubIncrementalSinceTheLastCursorValue) {
  FixtureServer server;
  server.SetGithubToken(kCanary);
  TempWorkspace ws;
  Project p(ws);
  ASSERT_EQ(p.Dlt({"init", "github_api", "duckdb", "--toml"}).exit_code, 0);
  p.Write(".dlt/dev.config.toml", "[sources.github_api]\nbase_url = \"" + server.Url() + "/repos/dlt-hub/dlt/\"\n" + kFastRuntime);
  ws.env()["SOURCES__GITHUB_API__TOKEN"] = kCanary;
  RunResult r = p.Dlt({"run", "github_api_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = p.dir() / "_local/dev/warehouse.duckdb";
  EXPECT_EQ(CountRows(db, "github_api_data.issues"), 7);
  EXPECT_EQ(CountRows(db, "github_api_data.issue_comments"), 7);
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM github_api_data.issue_comments WHERE _issues_id = 1002"), "2");

  // issue 3 changes, issue 8 appears
  auto all = server.GithubIssues();
  all[2].updated_at = "2024-04-20T00:00:00Z";
  all[2].title = "issue 3 (edited)";
  all.push_back({8, 1008, "issue 8", "2024-04-21T00:00:00Z"});
  server.SetGithubIssues(all);
  size_t before = server.Requests().size();
  r = p.Dlt({"run", "github_api_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto reqs = server.Requests();
  bool saw = false;
  for (size_t i = before; i < reqs.size(); ++i) {
    if (reqs[i].path == "/repos/dlt-hub/dlt/issues") {
      EXPECT_EQ(reqs[i].params["since"], "2024-04-07T12:00:00Z");  // the last run's newest updated_at
      saw = true;
    }
  }
  EXPECT_TRUE(saw);
  EXPECT_EQ(CountRows(db, "github_api_data.issues"), 8);  // merged on id
  EXPECT_EQ(SqlValue(db, "SELECT title FROM github_api_data.issues WHERE number = 3"), "issue 3 (edited)");
  EXPECT_EQ(CountRows(db, "github_api_data.issue_comments"), 9);
  EXPECT_FALSE(Contains(p.all_output(), kCanary));
}

TEST(RestApiCli, SecretsComeFromTheProfileAndNeverShow) {
  FixtureServer server;
  server.SetGithubToken("the-right-token-77");
  TempWorkspace ws;
  Project p(ws);
  ASSERT_EQ(p.Dlt({"init", "github_api", "duckdb", "--toml"}).exit_code, 0);
  p.Write(".dlt/config.toml", "[sources.github_api]\nbase_url = \"" + server.Url() + "/repos/dlt-hub/dlt/\"\n" +
                                  kFastRuntime + "[destination.warehouse]\ndestination_type = \"duckdb\"\n");

  // no token: where to put it
  RunResult r = p.Dlt({"run", "github_api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "source `github_api` uses bearer auth but no `token` is configured for profile `dev`"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "[sources.github_api]\n  token = \"...\"")) << r.err;
  EXPECT_TRUE(Contains(r.err, "SOURCES__GITHUB_API__TOKEN")) << r.err;

  // a wrong token: the status and the URL; the response body (the server echoes the token) only
  // with [runtime] http_show_error_body, as in dlt, and then with the token masked
  p.Write(".dlt/dev.secrets.toml", std::string("[sources.github_api]\ntoken = \"") + kCanary + "\"\n");
  r = p.Dlt({"run", "github_api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "resource `issues`: GET " + server.Url() + "/repos/dlt-hub/dlt/issues?sort=updated&direction=desc&state=open&since=2024-01-01T00%3A00%3A00Z&per_page=100")) << r.err;
  EXPECT_TRUE(Contains(r.err, "failed with HTTP 401 Unauthorized. Check the credentials")) << r.err;
  EXPECT_FALSE(Contains(r.err, "Bearer")) << r.err;
  p.Write(".dlt/config.toml", "[sources.github_api]\nbase_url = \"" + server.Url() + "/repos/dlt-hub/dlt/\"\n" +
                                  kFastRuntime + "http_show_error_body = true\n[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  r = p.Dlt({"run", "github_api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "failed with HTTP 401")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Bearer ***")) << r.err;
  EXPECT_FALSE(fs::exists(p.dir() / "_local/dev/warehouse.duckdb"));

  // in config.toml a token is refused
  p.Write(".dlt/dev.secrets.toml", "");
  p.Write(".dlt/dev.config.toml", std::string("[sources.github_api]\ntoken = \"") + kCanary + "\"\n");
  r = p.Dlt({"run", "github_api_pipeline.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "cannot hold secret values")) << r.err;
  fs::remove(p.dir() / ".dlt/dev.config.toml");

  // in the pipeline file: an error that says where it belongs
  std::string pipeline = p.Read("github_api_pipeline.toml");
  size_t at = pipeline.find("type = \"bearer\"");
  ASSERT_NE(at, std::string::npos);
  pipeline.insert(at, std::string("token = \"") + kCanary + "\"\n");
  p.Write("github_api_pipeline.toml", pipeline);
  r = p.Dlt({"run", "github_api_pipeline.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "github_api_pipeline.toml:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "`token` is a secret and does not belong in the pipeline file")) << r.err;
  EXPECT_TRUE(Contains(r.err, "put it in .dlt/secrets.toml")) << r.err;

  EXPECT_FALSE(Contains(p.all_output(), kCanary)) << p.all_output();
  std::vector<std::string> leaks = FilesContaining(p.dir(), kCanary);
  // only the pipeline file we wrote it into
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_TRUE(leaks[0].ends_with("github_api_pipeline.toml"));
}

TEST(RestApiCli, RetriesAndTimeouts) {
  FixtureServer server;
  TempWorkspace ws;
  ws.Write(".dlt/config.toml", std::string(kFastRuntime) + "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write("flaky_pipeline.toml", R"([pipeline]
name = "flaky_pipeline"
destination = "warehouse"
dataset_name = "flaky_data"

[source]
type = "rest_api"
name = "flaky"

[source.client]
base_url = ")" + server.Url() + R"(/test/"

[[resources]]
name = "five_hundred"
endpoint = { path = "flaky500", params = { case = "cli" } }

[[resources]]
name = "rate_limited"
endpoint = { path = "ratelimit", params = { case = "cli" } }

[[resources]]
name = "compressed"
endpoint = "gzip"
)");
  RunResult r = ws.Dlt({"run", "flaky_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "WARNING: GET " + server.Url() + "/test/flaky500?case=cli: HTTP 500")) << r.err;
  EXPECT_TRUE(Contains(r.err, "retrying in")) << r.err;
  EXPECT_TRUE(Contains(r.err, "WARNING: GET " + server.Url() + "/test/ratelimit?case=cli: HTTP 429")) << r.err;
  EXPECT_TRUE(Contains(r.err, "retrying in 1.0 s (attempt 2 of 3)")) << r.err;
  fs::path db = ws.root() / "_local/dev/warehouse.duckdb";
  EXPECT_EQ(CountRows(db, "flaky_data.five_hundred"), 1);
  EXPECT_EQ(CountRows(db, "flaky_data.rate_limited"), 1);
  EXPECT_EQ(CountRows(db, "flaky_data.compressed"), 50);
  EXPECT_EQ(server.RequestsTo("/test/flaky500").size(), 2u);

  // a response slower than request_timeout: retried, then a clear error; nothing loaded
  ws.Write(".dlt/dev.config.toml", "[runtime]\nrequest_timeout = 0.3\nrequest_max_attempts = 2\n");
  ws.Write("slow_pipeline.toml", R"([pipeline]
name = "slow_pipeline"
destination = "warehouse"
dataset_name = "slow_data"

[source]
type = "rest_api"

[source.client]
base_url = ")" + server.Url() + R"(/test/"

[[resources]]
name = "fine"
endpoint = "header_link"

[[resources]]
name = "slow"
endpoint = { path = "slow", params = { ms = 3000 } }
)");
  r = ws.Dlt({"run", "slow_pipeline.toml"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "ERROR: resource `slow`: GET " + server.Url() + "/test/slow?ms=3000 failed after 2 attempts: "
                              "timed out after 0.3 s (runtime.request_timeout)")) << r.err;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'slow_data'"), "0");
}

}  // namespace
}  // namespace dlt::testing
