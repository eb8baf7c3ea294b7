// dlt.sources.sql_database from Python, each test a real script run by python3 against a SQLite
// file (made with Python's sqlite3): sql_database with table_names, credentials from
// .dlt/secrets.toml, apply_hints(write_disposition="merge") over two runs, a missing table, and
// the options dlt-cpp refuses (named, before anything connects). PostgreSQL: see
// python_sql_database_pg_test.cc.
#include <gtest/gtest.h>

#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonSqlDatabase, OptionsThatNeedSqlAlchemyRaiseNotImplementedNamingTheOption) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "opts.py", R"PY(
from dlt.sources.sql_database import sql_database, sql_table
cases = [
    dict(backend="connectorx"),
    dict(backend="pandas"),
    dict(table_adapter_callback=lambda t: t),
    dict(query_adapter_callback=lambda q, t: q),
    dict(type_adapter_callback=lambda t: t),
    dict(backend_kwargs={"conn": "x"}),
]
for kw in cases:
    try:
        sql_database("sqlite:///nothing-here.db", **kw)
    except NotImplementedError as e:
        name = next(iter(kw))
        print(name, (repr(kw[name]) if name == "backend" else name) in str(e))
try:
    sql_database("sqlite:///x.db", reflection_level="everything")
except ValueError as e:
    print("reflection_level", "minimal" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "backend True\nbackend True\ntable_adapter_callback True\nquery_adapter_callback True\n"
            "type_adapter_callback True\nbackend_kwargs True\nreflection_level True\n");
}

TEST(PythonSqlDatabase, ConnectionStringCredentialsNeverShowThePassword) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "creds.py", R"PY(
from dlt.sources.credentials import ConnectionStringCredentials
c = ConnectionStringCredentials("postgresql://loader:canary-PW-99@db.example:5433/dw?sslmode=require")
print(c.drivername, c.username, c.host, c.port, c.database, c.query)
print(str(c))
print(repr(c))
print(c.to_native_representation() == "postgresql://loader:canary-PW-99@db.example:5433/dw?sslmode=require")
d = ConnectionStringCredentials({"drivername": "mysql", "username": "me", "password": "p@ss", "host": "h", "database": "d"})
print(str(d))
print(d.to_native_representation())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "postgresql loader db.example 5433 dw {'sslmode': 'require'}\n"
            "postgresql://loader:***@db.example:5433/dw?sslmode=require\n"
            "ConnectionStringCredentials('postgresql://loader:***@db.example:5433/dw?sslmode=require')\n"
            "True\n"
            "mysql://me:***@h/d\n"
            "mysql://me:p%40ss@h/d\n");
}

}  // namespace
}  // namespace dlt::testing
