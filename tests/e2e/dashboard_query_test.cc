// The dashboard's read-only SQL (GET .../pipelines/<name>/query?sql=...) against a real DuckDB
// file and a real PostgreSQL server: typed answers, the row limit, and refusals that come from the
// database itself (writes, COPY TO, ATTACH, reading local files, pg_read_file), after which
// nothing has changed. A canary secret sits in the secrets and in the data; no answer holds it.
#include "dashboard_query_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct QueryTag {};
using DashboardQuery = DashboardQueryBase<QueryTag>;

TEST_F(DashboardQuery, ASelectOverTheDatasetAnswersTypedColumnsRowsAndItsTime) {
  for (const std::string pipeline : {"shop", "pgshop"}) {
    // `orders` is unqualified: it resolves in the pipeline's dataset.
    Answer a = Query(pipeline, "SELECT id, customer, paid FROM orders WHERE id <= 3 ORDER BY id;");
    ASSERT_EQ(a.status, 200) << pipeline << ": " << a.body;
    EXPECT_EQ(a.doc["columns"], Json::parse(R"([{"name":"id","type":"bigint"},{"name":"customer","type":"text"},
                                                {"name":"paid","type":"bool"}])"))
        << pipeline;
    // Booleans read the same from both databases.
    EXPECT_EQ(a.doc["rows"], Json::parse(R"([["1","c1","true"],["2","c2","false"],["3","c3","true"]])")) << pipeline;
    EXPECT_EQ(a.doc["truncated"], false);
    EXPECT_TRUE(a.doc["elapsed_ms"].is_number_integer()) << a.body;
  }
}

TEST_F(DashboardQuery, RowsOverTheLimitAreLeftOutAndTheAnswerSaysSo) {
  for (const std::string pipeline : {"shop", "pgshop"}) {
    Answer a = Query(pipeline, "SELECT id FROM orders ORDER BY id", "2");
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.doc["rows"], Json::parse(R"([["1"],["2"]])")) << pipeline;
    EXPECT_EQ(a.doc["truncated"], true) << pipeline;
    // A statement the limit cannot wrap runs as written.
    Answer shown = Query(pipeline, pipeline == "shop" ? "SHOW TABLES" : "SHOW search_path");
    EXPECT_EQ(shown.status, 200) << shown.body;
  }
  EXPECT_EQ(Query("shop", "SELECT 1", "0").status, 400);
  Answer missing = Query("shop", "  ; ");
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(Contains(missing.doc["error"].get<std::string>(), "`sql` is missing or empty")) << missing.body;
}

TEST_F(DashboardQuery, DuckDbItselfRefusesWritesAndFileAccessAndNothingChanges) {
  const fs::path db = w_->Db();
  const auto size_before = fs::file_size(db);
  const auto mtime_before = fs::last_write_time(db);
  const std::string root = w_->root().string();
  ExpectRefused("shop", "DROP TABLE orders", "read-only");
  ExpectRefused("shop", "INSERT INTO orders (id) VALUES (99)", "read-only");
  ExpectRefused("shop", "DELETE FROM orders", "read-only");
  ExpectRefused("shop", "COPY orders TO '" + root + "/out.csv'", "disabled|permission");
  ExpectRefused("shop", "ATTACH '" + root + "/other.duckdb' AS other", "disabled|permission|read-only");
  ExpectRefused("shop", "SELECT * FROM read_text('" + root + "/private.txt')", "disabled|permission");
  ExpectRefused("shop", "SELECT * FROM read_csv('" + root + "/private.txt')", "disabled|permission");
  ExpectRefused("shop", "INSTALL httpfs", "disabled|permission");
  ExpectRefused("shop", "LOAD httpfs", "disabled|permission");
  // Neither can a statement switch the guards off.
  ExpectRefused("shop", "SET enable_external_access = true", "external access|locked");
  ExpectRefused("shop", "SET lock_configuration = false", "locked");
  EXPECT_FALSE(fs::exists(w_->root() / "out.csv"));
  EXPECT_FALSE(fs::exists(w_->root() / "other.duckdb"));
  EXPECT_EQ(fs::file_size(db), size_before);
  EXPECT_EQ(fs::last_write_time(db), mtime_before);
  EXPECT_EQ(*QueryDuckDb(db, "SELECT count(*) FROM shop_data.orders")[0][0], "5");
}

TEST_F(DashboardQuery, PostgresItselfRefusesWritesAndServerFileReadsAndNothingChanges) {
  const std::string before = PgCount();
  ASSERT_FALSE(before.empty()) << pg_->error();
  ExpectRefused("pgshop", "DROP TABLE orders", "read-only transaction");
  ExpectRefused("pgshop", "INSERT INTO orders (id) VALUES (99)", "read-only transaction");
  ExpectRefused("pgshop", "SELECT pg_read_file('" + w_->root().string() + "/private.txt')", "permission denied");
  // The text is one statement: a second one cannot leave the read-only transaction.
  ExpectRefused("pgshop", "COMMIT; SET default_transaction_read_only = off; DROP TABLE orders",
                "multiple commands");
  ExpectRefused("pgshop", "SELECT 1; DELETE FROM orders", "multiple commands");
  EXPECT_EQ(PgCount(), before);
  EXPECT_NE(pg_->Psql("SELECT to_regclass('pgshop_data.orders')", "dw").find("orders"), std::string::npos);
}

TEST_F(DashboardQuery, SecretsNeverAppearInResultsOrErrors) {
  for (const std::string pipeline : {"shop", "pgshop"}) {
    Answer a = Query(pipeline, "SELECT note FROM orders WHERE id = 1");
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.doc["rows"], Json::parse(R"([["***"]])")) << pipeline;
    // An error that quotes the SQL does not quote the secret either.
    Answer e = Query(pipeline, "SELECT * FROM \"" + kCanary + "\"");
    EXPECT_GE(e.status, 400) << e.body;
  }
}

TEST_F(DashboardQuery, TheTableBrowserShowsBooleansOfPostgresAndDuckDbTheSameWay) {
  for (const std::string pipeline : {"shop", "pgshop"}) {
    Answer a = Get("/api/profiles/dev/pipelines/" + pipeline + "/tables/orders/rows");
    ASSERT_EQ(a.status, 200) << a.body;
    size_t paid = 0;
    while (paid < a.doc["columns"].size() && a.doc["columns"][paid]["name"] != "paid") ++paid;
    ASSERT_LT(paid, a.doc["columns"].size()) << a.body;
    std::set<std::string> shown;
    for (const auto& row : a.doc["rows"]) shown.insert(row[paid].get<std::string>());
    EXPECT_EQ(shown, (std::set<std::string>{"true", "false"})) << pipeline << ": " << a.body;
  }
}

// Runs last: the sync rewrites the pgshop folder.
TEST_F(DashboardQuery, ZAfterSyncTheProfileListsTheDestinationAndNeverSaysNeverRun) {
  RunResult sync = w_->Dlt({"pipeline", "pgshop", "sync", "--yes"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  fs::remove(w_->PipelineDir("pgshop") / "trace.json");  // sync restores state and schema, not a trace
  Answer list = Get("/api/profiles/dev/pipelines");
  ASSERT_EQ(list.status, 200) << list.body;
  Json pg;
  for (const auto& p : list.doc["pipelines"]) {
    if (p["name"] == "pgshop") pg = p;
  }
  ASSERT_TRUE(pg.is_object()) << list.body;
  EXPECT_EQ(pg["status"], "synced") << pg.dump();
  EXPECT_EQ(pg["destination"], "pgwh") << pg.dump();
  EXPECT_EQ(pg["dataset_name"], "pgshop_data") << pg.dump();
  // No run time beside a status that says it never ran here: the time is the sync's.
  EXPECT_TRUE(pg["last_run"].is_null()) << pg.dump();
  EXPECT_TRUE(pg["synced_at"].is_string()) << pg.dump();
  // And its data can be queried.
  EXPECT_EQ(Query("pgshop", "SELECT count(*) AS n FROM orders").doc["rows"], Json::parse(R"([["5"]])"));
}

}  // namespace
}  // namespace dlt::testing
