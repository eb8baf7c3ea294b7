// SqlSession (include/dlt/sql.h) on DuckDB: a pipeline loads a row of every dlt type through the
// C++ API, then a session reads it back with each column's dlt type and exact text; parameters,
// DDL/DML, the dataset as default schema, read-only sessions, errors, and a closed session
// leaving the file to the `dlt` CLI. The same on PostgreSQL is sql_session_pg_test.cc.
#include "sql_session_fixture.h"

namespace dlt::testing {
namespace {

class SqlSessionTest : public ::testing::Test {
 protected:
  // The `events` pipeline of `w_` (DuckDB destination `warehouse`, dataset events_data).
  StatusOr<Pipeline> Events() { return EventsPipeline(ws_); }
  StatusOr<SqlSession> LoadedSession(bool read_only = false) {
    DLT_ASSIGN_OR_RETURN(Pipeline p, Events());
    DLT_ASSIGN_OR_RETURN(LoadInfo info, p.Run({EveryTypeResource()}));
    (void)info;
    return p.OpenSql(read_only);
  }
  PipelineWorkspace w_;
  Workspace ws_ = w_.OpenLoaded();
};

TEST_F(SqlSessionTest, QueryReturnsEachColumnsDltTypeAndExactTextFromUnqualifiedTableNames) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->destination_type(), "duckdb");
  EXPECT_EQ(s->dataset_name(), "events_data");
  auto r = s->Query(kEveryTypeSelect);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ExpectEveryTypeRows(*r);
}

TEST_F(SqlSessionTest, ComputedColumnsGetTypesToo) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query(
      "SELECT 7::INTEGER AS i, 170141183460469231731687303715884105727::HUGEINT AS huge, 0.001::DECIMAL(4,3) AS small,"
      " TIMESTAMP '2024-01-02 03:04:05' AS naive, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS aware,"
      " '\\x5C\\x00a\\x27'::BLOB AS b, 'inf'::DOUBLE AS inf, [1, 2] AS list, [1, 2]::JSON AS list_json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Types(*r), "bigint bigint decimal timestamp timestamp binary double text json");
  ASSERT_EQ(r->rows.size(), 1u);
  // The BLOB holds a backslash, a zero byte, `a` and a quote: each byte comes back as it is stored.
  EXPECT_EQ(Texts(r->rows[0]),
            "7|170141183460469231731687303715884105727|0.001|2024-01-02T03:04:05|2024-01-02T01:04:05+00:00|5c006127|"
            "inf|[1, 2]|[1,2]");
}

TEST_F(SqlSessionTest, ParametersFillThePercentSPlaceholdersInOrder) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query("SELECT id, name FROM events WHERE id >= %s AND created_at > %s AND name <> %s ORDER BY id",
                    {"1", "2024-01-01T00:00:00+00:00", "nobody"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(Texts(r->rows[0]), "1|it's");
  // A NULL parameter, and a value that only a placeholder (never text pasted into SQL) keeps whole.
  auto n = s->Query("SELECT %s IS NULL AS is_null, %s AS quoted", {std::nullopt, "'; DROP TABLE events; --"});
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(Texts(n->rows[0]), "true|'; DROP TABLE events; --");
  EXPECT_TRUE(s->Query("SELECT count(*) FROM events").ok());
}

TEST_F(SqlSessionTest, AWrongNumberOfParametersIsRefusedNamingBothCounts) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query("SELECT %s, %s", {"1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("2 %s placeholder(s) but 1 parameter(s)"), std::string::npos)
      << r.status().message();
  // Without parameters a % is SQL's own.
  auto like = s->Query("SELECT count(*) AS n FROM events WHERE name LIKE 'it%s'");
  ASSERT_TRUE(like.ok()) << like.status().message();
  EXPECT_EQ(Texts(like->rows[0]), "1");
}

TEST_F(SqlSessionTest, ExecuteRunsDdlAndDmlInTheDataset) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_TRUE(s->Execute("CREATE TABLE notes (id BIGINT, body VARCHAR); INSERT INTO notes VALUES (1, 'a')").ok());
  Status ins = s->Execute("INSERT INTO notes VALUES (%s, %s)", {"2", std::nullopt});
  ASSERT_TRUE(ins.ok()) << ins.message();
  ASSERT_TRUE(s->Execute("UPDATE events SET name = %s WHERE id = %s", {"renamed", "1"}).ok());
  auto r = s->Query("SELECT count(*), count(body) FROM events_data.notes");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Texts(r->rows[0]), "2|1");
  auto e = s->Query("SELECT name FROM " + s->QuoteIdentifier("events") + " WHERE id = 1");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(Texts(e->rows[0]), "renamed");
}

TEST_F(SqlSessionTest, AReadOnlySessionReadsButRefusesWrites) {
  auto s = LoadedSession(/*read_only=*/true);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->read_only());
  auto r = s->Query("SELECT count(*) FROM events");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Texts(r->rows[0]), "2");
  Status del = s->Execute("DELETE FROM events");
  ASSERT_FALSE(del.ok());
  EXPECT_NE(del.message().find("read-only"), std::string::npos) << del.message();
  Status create = s->Execute("CREATE TABLE other (x INT)");
  EXPECT_FALSE(create.ok());
  auto after = s->Query("SELECT count(*) FROM events");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(Texts(after->rows[0]), "2");
}

TEST_F(SqlSessionTest, BadSqlFailsWithDuckDbsMessageAndTheFile) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(w_.Db().string()), std::string::npos) << r.status().message();
  auto missing = s->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos) << missing.status().message();
  // The session still works after an error.
  EXPECT_TRUE(s->Query("SELECT 1").ok());
}

TEST_F(SqlSessionTest, BeforeTheFirstRunStatementsNameTheMissingDatasetAndLaterOnesSeeIt) {
  auto p = Events();
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto s = p->OpenSql();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE(s->DatasetExists());
  auto r = s->Query("SELECT * FROM events");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("events"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("dataset `events_data` does not exist"), std::string::npos)
      << r.status().message();
  // Once the dataset is created (here by the session), unqualified names resolve into it.
  ASSERT_TRUE(s->Execute("CREATE SCHEMA events_data").ok());
  ASSERT_TRUE(s->Execute("CREATE TABLE events_data.events (id BIGINT)").ok());
  EXPECT_TRUE(s->DatasetExists());
  auto now = s->Query("SELECT count(*) FROM events");
  EXPECT_TRUE(now.ok()) << now.status().message();
}

TEST_F(SqlSessionTest, AReadOnlySessionOnAPipelineNeverRunSaysToRunItFirst) {
  auto p = Events();
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto s = p->OpenSql(/*read_only=*/true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("run the pipeline first"), std::string::npos) << s.status().message();
  EXPECT_FALSE(std::filesystem::exists(w_.Db()));
}

TEST_F(SqlSessionTest, AClosedSessionRefusesStatementsAndAMovedOneKeepsWorking) {
  auto s = LoadedSession();
  ASSERT_TRUE(s.ok()) << s.status().message();
  SqlSession moved = std::move(s).value();
  EXPECT_TRUE(moved.Query("SELECT 1").ok());
  moved.Close();
  EXPECT_FALSE(moved.is_open());
  auto r = moved.Query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(moved.QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

TEST_F(SqlSessionTest, ClosingTheSessionFreesTheFileForTheCommandLine) {
  w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w_.Write("orders.jsonl", Orders(1, 3));
  auto first = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  PipelineOptions po;
  po.pipeline_name = "shop";
  po.destination = "warehouse";
  po.dataset_name = "shop_data";
  auto p = Pipeline::Create(ws_, po);
  ASSERT_TRUE(p.ok()) << p.status().message();
  {
    auto s = p->OpenSql();  // read-write: holds DuckDB's write lock on the file while open
    ASSERT_TRUE(s.ok()) << s.status().message();
    auto r = s->Query("SELECT count(*) FROM orders");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(Texts(r->rows[0]), "3");
  }
  w_.Write("orders.jsonl", Orders(4, 5));
  auto second = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto s = p->OpenSql(/*read_only=*/true);
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query("SELECT count(*) FROM orders");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Texts(r->rows[0]), "5");
  s->Close();
  w_.Write("orders.jsonl", Orders(6, 6));
  auto third = w_.RunPipeline({"shop.toml"});
  EXPECT_EQ(third.exit_code, 0) << third.err;
}

TEST_F(SqlSessionTest, AReadOnlySessionOpensAfterARunOfTheSamePipelineObject) {
  auto p = Events();
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->Run({EveryTypeResource()}).ok());
  auto s = p->OpenSql(/*read_only=*/true);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->Query("SELECT count(*) FROM events").ok());
  s->Close();
  // And the pipeline runs again afterwards.
  auto again = p->Run({EveryTypeResource()});
  ASSERT_TRUE(again.ok()) << again.status().message();
}

}  // namespace
}  // namespace dlt::testing
