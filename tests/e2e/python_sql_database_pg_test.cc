// dlt.sources.sql_database from Python against a real PostgreSQL server (tests/pg_server.h):
// sql_table with an incremental cursor over two runs (the second loads only the new rows), a
// whole schema as a source, and a wrong password: a dlt exception whose text and traceback never
// hold the password.
#include <gtest/gtest.h>

#include "pg_suite.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

class PythonSqlDatabasePg : public PostgresSuite {
 protected:
  // A fresh database `name` with an `events` table (timestamptz cursor) owned by the loader.
  static std::string MakeEvents(const std::string& name) {
    CreateDatabase(name);
    std::string out;
    EXPECT_TRUE(server_->PsqlQuery(
        "CREATE TABLE events (id integer PRIMARY KEY, updated_at timestamptz NOT NULL, payload text);"
        "INSERT INTO events VALUES (1, '2023-12-31 23:00:00+00', 'too old'), (2, '2024-01-02 10:00:00+00', 'a'),"
        " (3, '2024-01-03 10:00:00+00', 'b');"
        "CREATE TABLE users (id integer PRIMARY KEY, name text);"
        "INSERT INTO users VALUES (1, 'ann');"
        "ALTER TABLE events OWNER TO loader; ALTER TABLE users OWNER TO loader;",
        name, &out))
        << out;
    return server_->Url(name);
  }
};

TEST_F(PythonSqlDatabasePg, SqlTableWithAnIncrementalCursorLoadsOnlyNewRowsOnTheSecondRun) {
  std::string url = MakeEvents("py_incremental");
  TempWorkspace w;
  const char* script = R"PY(
import sys
from datetime import datetime, timezone
import dlt
from dlt.sources.sql_database import sql_table

events = sql_table(credentials=sys.argv[1], table="events",
                   incremental=dlt.sources.incremental("updated_at",
                                                       initial_value=datetime(2024, 1, 1, tzinfo=timezone.utc)))
p = dlt.pipeline(pipeline_name="pg_events", destination="duckdb", dataset_name="events_data")
p.run(events)
)PY";
  auto r = RunPythonSource(w, "load.py", script, {url});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = DevDb(w, "pg_events");
  EXPECT_EQ(SqlColumn(db, "SELECT payload FROM events_data.events ORDER BY id"), (std::vector<std::string>{"a", "b"}));

  Value("py_incremental", "INSERT INTO events VALUES (4, '2024-02-01 00:00:00+00', 'c'), (5, '2024-02-02 00:00:00+00', 'd')");
  r = RunPython(w, "load.py", {url});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Each row once: the rows of the first run were not read (nor loaded) again.
  EXPECT_EQ(SqlColumn(db, "SELECT payload FROM events_data.events ORDER BY id"),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(SqlColumn(db, "SELECT count(*) FROM events_data.events GROUP BY _dlt_load_id ORDER BY 1"),
            (std::vector<std::string>{"2", "2"}));
}

TEST_F(PythonSqlDatabasePg, SqlDatabaseLoadsEveryTableOfTheSchemaWhenNoTableNamesAreGiven) {
  std::string url = MakeEvents("py_whole");
  TempWorkspace w;
  w.WriteSecrets("[sources.sql_database]\ncredentials = \"" + url + "\"\n");
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database
src = sql_database()
print(sorted(src.resources))
dlt.pipeline(pipeline_name="pg_whole", destination="duckdb", dataset_name="whole").run(src)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "['events', 'users']\n");
  EXPECT_EQ(CountRows(DevDb(w, "pg_whole"), "whole.events"), 3);
  EXPECT_EQ(CountRows(DevDb(w, "pg_whole"), "whole.users"), 1);
}

TEST_F(PythonSqlDatabasePg, AWrongPasswordRaisesADltErrorThatNeverShowsThePassword) {
  MakeEvents("py_wrong_pw");
  TempWorkspace w;
  const std::string bad = "postgresql://loader:canary-WRONG-pw-31@127.0.0.1:" + std::to_string(server_->port()) +
                          "/py_wrong_pw";
  auto r = RunPythonSource(w, "load.py", R"PY(
import sys, traceback
from dlt.common.exceptions import DltException
from dlt.sources.sql_database import sql_database
try:
    sql_database(sys.argv[1], table_names=["events"])
except Exception as e:
    print(type(e).__name__, isinstance(e, DltException))
    print("in message", "canary-WRONG" in str(e))
    print("in traceback", "canary-WRONG" in traceback.format_exc())
    print("names user", "loader" in str(e))
)PY",
                           {bad});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "SqlDatabaseSourceError True\nin message False\nin traceback False\nnames user True\n");

  // Uncaught, with the credentials from secrets.toml: the traceback Python prints is clean too.
  w.WriteSecrets("[sources.sql_database]\ncredentials = \"" + bad + "\"\n");
  r = RunPythonSource(w, "load2.py",
                      "from dlt.sources.sql_database import sql_table\nsql_table(table=\"events\")\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "SqlDatabaseSourceError")) << r.err;
  EXPECT_FALSE(Contains(r.err, "canary-WRONG")) << r.err;
  EXPECT_FALSE(Contains(r.out, "canary-WRONG")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
