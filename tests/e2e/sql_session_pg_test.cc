// SqlSession (include/dlt/sql.h) on PostgreSQL: the same row of every dlt type as on DuckDB
// (sql_session_fixture.h) comes back with the same types and texts (booleans "true", not "t");
// `%s` parameters become $n; the dataset is on the search_path; a read-only session cannot write;
// errors carry PostgreSQL's message and never the password.
#include "pg_suite.h"
#include "sql_session_fixture.h"

namespace dlt::testing {
namespace {

class SqlSessionPgTest : public PostgresSuite {
 protected:
  // A workspace whose destination `warehouse` is the database `db` of the suite's server.
  static Workspace WorkspaceOn(PipelineWorkspace& w, const std::string& db) {
    CreateDatabase(db);
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         server_->Url(db) + "\"\n");
    return w.OpenLoaded();
  }
  static StatusOr<SqlSession> LoadedSession(const Workspace& ws, bool read_only = false) {
    DLT_ASSIGN_OR_RETURN(Pipeline p, EventsPipeline(ws));
    DLT_ASSIGN_OR_RETURN(LoadInfo info, p.Run({EveryTypeResource()}));
    (void)info;
    return p.OpenSql(read_only);
  }
};

TEST_F(SqlSessionPgTest, QueryReturnsTheSameTypesAndTextsAsDuckDb) {
  PipelineWorkspace w;
  Workspace ws = WorkspaceOn(w, "sql_types");
  auto s = LoadedSession(ws);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->destination_type(), "postgres");
  auto r = s->Query(kEveryTypeSelect);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ExpectEveryTypeRows(*r);
  auto c = s->Query("SELECT 7::int4 AS i, 0.001::numeric(4,3) AS small, TIMESTAMP '2024-01-02 03:04:05' AS naive,"
                    " TIMESTAMPTZ '2024-01-02 03:04:05+02' AS aware, 'Infinity'::float8 AS inf, '[1,2]'::json AS j,"
                    " TIME WITH TIME ZONE '03:04:05+00' AS tz");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Types(*c), "bigint decimal timestamp timestamp double json time");
  EXPECT_EQ(Texts(c->rows[0]), "7|0.001|2024-01-02T03:04:05|2024-01-02T01:04:05+00:00|inf|[1,2]|03:04:05+00:00");
}

TEST_F(SqlSessionPgTest, ParametersBecomeDollarPlaceholdersTypedByTheServer) {
  PipelineWorkspace w;
  Workspace ws = WorkspaceOn(w, "sql_params");
  auto s = LoadedSession(ws);
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query("SELECT id, name FROM events WHERE id = %s AND created_at > %s AND name LIKE 'it%%'",
                    {"1", "2024-01-01T00:00:00+00:00"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(Texts(r->rows[0]), "1|it's");
  Status ins = s->Execute("CREATE TABLE notes (id bigint, body text); INSERT INTO notes VALUES (1, 'a')");
  ASSERT_TRUE(ins.ok()) << ins.message();
  ASSERT_TRUE(s->Execute("INSERT INTO notes VALUES (%s, %s)", {"2", std::nullopt}).ok());
  // Unqualified names went into the dataset (first on the search_path).
  EXPECT_EQ(Value("sql_params", "SELECT count(*) || ' ' || count(body) FROM events_data.notes"), "2 1");
  // Without parameters the SQL runs as written: %s and %% are themselves.
  auto plain = s->Query("SELECT 'a%s%%' AS t");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(Texts(plain->rows[0]), "a%s%%");
}

TEST_F(SqlSessionPgTest, AReadOnlySessionRefusesWrites) {
  PipelineWorkspace w;
  Workspace ws = WorkspaceOn(w, "sql_readonly");
  auto s = LoadedSession(ws, /*read_only=*/true);
  ASSERT_TRUE(s.ok()) << s.status().message();
  Status del = s->Execute("DELETE FROM events");
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(del.message().find("read-only transaction"), std::string::npos) << del.message();
  Status upd = s->Execute("UPDATE events SET name = %s", {"x"});
  EXPECT_FALSE(upd.ok());
  EXPECT_EQ(Value("sql_readonly", "SELECT count(*) FROM events_data.events"), "2");
}

TEST_F(SqlSessionPgTest, ErrorsCarryPostgresMessagesAndNeverThePassword) {
  PipelineWorkspace w;
  Workspace ws = WorkspaceOn(w, "sql_errors");
  auto s = LoadedSession(ws);
  ASSERT_TRUE(s.ok()) << s.status().message();
  auto r = s->Query("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find(PostgresServer::kPassword), std::string::npos) << r.status().message();
  auto missing = s->Query("SELECT * FROM no_such_table WHERE id = %s", {"1"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos) << missing.status().message();
  EXPECT_EQ(missing.status().message().find(PostgresServer::kPassword), std::string::npos);
  // The connection is usable after a failed statement (autocommit: nothing to roll back).
  auto ok = s->Query("SELECT count(*) FROM events");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(Texts(ok->rows[0]), "2");
}

TEST_F(SqlSessionPgTest, BeforeTheFirstRunStatementsNameTheMissingDataset) {
  PipelineWorkspace w;
  Workspace ws = WorkspaceOn(w, "sql_fresh");
  auto p = EventsPipeline(ws);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto s = p->OpenSql(/*read_only=*/true);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE(s->DatasetExists());
  auto r = s->Query("SELECT * FROM events");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("dataset `events_data` does not exist"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace dlt::testing
