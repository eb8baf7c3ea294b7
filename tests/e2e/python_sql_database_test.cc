// dlt.sources.sql_database from Python, each test a real script run by python3 against a SQLite
// file (made with Python's sqlite3): sql_database with table_names, credentials from
// .dlt/secrets.toml, apply_hints(write_disposition="merge") over two runs, a missing table, and
// the options dlt-cpp refuses (named, before anything connects). PostgreSQL: see
// python_sql_database_pg_test.cc.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// shop.db: customers (3 rows, key id), orders (4 rows, key order_id), audit (not loaded).
void MakeShop(const TempWorkspace& w) {
  auto r = RunPythonSource(w, "make_shop.py", R"PY(
import sqlite3
c = sqlite3.connect("shop.db")
c.executescript("""
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL);
INSERT INTO customers VALUES (1, 'ann', 1), (2, 'bob', 1), (3, 'cid', 1);
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER, total NUMERIC(10,2));
INSERT INTO orders VALUES (10, 1, 9.5), (11, 1, 20), (12, 2, 3.25), (13, 3, 100);
CREATE TABLE audit (at TEXT, what TEXT);
INSERT INTO audit VALUES ('2024-01-01', 'x');
""")
c.commit()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(PythonSqlDatabase, SqlDatabaseWithTableNamesLoadsThoseTablesOfASqliteFileAsResources) {
  TempWorkspace w;
  MakeShop(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database

src = sql_database("sqlite:///shop.db", table_names=["customers", "orders"])
print("resources", list(src.resources))
print("key", src.customers.compute_table_schema()["columns"]["id"].get("primary_key"))
p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
p.run(src)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "resources ['customers', 'orders']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "key True\n")) << r.out;
  EXPECT_EQ(SqlColumn(DevDb(w, "shop"), "SELECT name FROM shop_data.customers ORDER BY id"),
            (std::vector<std::string>{"ann", "bob", "cid"}));
  EXPECT_EQ(CountRows(DevDb(w, "shop"), "shop_data.orders"), 4);
  EXPECT_EQ(SqlValue(DevDb(w, "shop"),
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'shop_data' AND "
                     "table_name = 'audit'"),
            "0");
}

TEST(PythonSqlDatabase, CredentialsComeFromSourcesSqlDatabaseInTheSecretsToml) {
  TempWorkspace w;
  MakeShop(w);
  w.WriteSecrets("[sources.sql_database]\ncredentials = \"sqlite:///" + (w.root() / "shop.db").string() + "\"\n");
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table

p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
p.run(sql_database(table_names=["customers"]))
p.run(sql_table(table="orders"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountRows(DevDb(w, "shop"), "shop_data.customers"), 3);
  EXPECT_EQ(CountRows(DevDb(w, "shop"), "shop_data.orders"), 4);
}

TEST(PythonSqlDatabase, ApplyHintsMergeReplacesChangedRowsByTheTablesPrimaryKeyOnTheSecondRun) {
  TempWorkspace w;
  MakeShop(w);
  const char* script = R"PY(
import dlt
from dlt.sources.sql_database import sql_database

src = sql_database("sqlite:///shop.db", table_names=["customers"])
src.customers.apply_hints(write_disposition="merge",
                          incremental=dlt.sources.incremental("version", initial_value=1))
p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
p.run(src)
)PY";
  auto r = RunPythonSource(w, "load.py", script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto change = RunPythonSource(w, "change.py", R"PY(
import sqlite3
c = sqlite3.connect("shop.db")
c.execute("UPDATE customers SET name = 'bobby', version = 2 WHERE id = 2")
c.execute("INSERT INTO customers VALUES (4, 'dee', 2)")
c.commit()
)PY");
  ASSERT_EQ(change.exit_code, 0) << change.err;
  r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // bob's row was replaced (not appended), dee added; rows of version 1 were not read again.
  EXPECT_EQ(SqlColumn(DevDb(w, "shop"), "SELECT name FROM shop_data.customers ORDER BY id"),
            (std::vector<std::string>{"ann", "bobby", "cid", "dee"}));
}

TEST(PythonSqlDatabase, IncludedColumnsLoadOnlyThoseAndADeferredTableIsReflectedAtTheRun) {
  TempWorkspace w;
  MakeShop(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table

orders = sql_table("sqlite:///shop.db", table="orders", included_columns=["order_id", "total"])
print(sorted(orders.compute_table_schema()["columns"]))
later = sql_database("sqlite:///shop.db", table_names=["customers"], defer_table_reflect=True)
print("columns" in later.customers.compute_table_schema())
p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
p.run([orders, later.customers])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "['order_id', 'total']\nFalse\n");
  EXPECT_EQ(SqlColumn(DevDb(w, "shop"),
                      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'shop_data' AND "
                      "table_name = 'orders' AND column_name NOT LIKE '_dlt%' ORDER BY 1"),
            (std::vector<std::string>{"order_id", "total"}));
  EXPECT_EQ(CountRows(DevDb(w, "shop"), "shop_data.customers"), 3);
}

TEST(PythonSqlDatabase, AMissingTableRaisesSqlTableNotFoundNamingTheTable) {
  TempWorkspace w;
  MakeShop(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
from dlt.common.exceptions import DltException
from dlt.sources.sql_database import sql_database, sql_table, SqlTableNotFound
for make in (lambda: sql_database("sqlite:///shop.db", table_names=["customers", "invoices"]),
             lambda: sql_table("sqlite:///shop.db", table="invoices")):
    try:
        make()
    except SqlTableNotFound as e:
        print(type(e).__name__, isinstance(e, DltException), "invoices" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "SqlTableNotFound True True\nSqlTableNotFound True True\n");
}

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

namespace dlt::testing {
namespace {

// Defect: sql_table(...).add_limit(n) loaded rows from the middle of the table (the key-range
// chunk read first) and the incremental's last_value then skipped rows never loaded. As dlt
// (advanced.md "Split loading"): add_limit(2) with chunk_size 1000 asks for the first 2000 rows
// in the cursor's order, and the next run loads the rest. The loop is dlt's: it stops on
// LoadInfo.is_empty (which was missing), true when a run processed no package.
TEST(PythonSqlDatabase, SplitLoadingWithAddLimitLoadsEveryRowOnceInCursorOrder) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "split.py", R"PY(
import sqlite3, dlt
from dlt.sources.sql_database import sql_table
c = sqlite3.connect("chat.db")
c.execute("CREATE TABLE chat_message (id INTEGER PRIMARY KEY, text TEXT)")
c.executemany("INSERT INTO chat_message VALUES (?, ?)", [(i, f"m{i}") for i in range(1, 2501)])
c.commit()
t = sql_table("sqlite:///chat.db", table="chat_message", chunk_size=1000,
              incremental=dlt.sources.incremental("id", row_order="asc", range_start="open"))
p = dlt.pipeline(pipeline_name="split", destination="duckdb", dataset_name="split_data")
runs = 0
while not (info := p.run(t.add_limit(2))).is_empty:
    runs += 1
    assert runs < 10
    with p.sql_client() as c:
        print(c.execute_sql("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM chat_message")[0],
              p.state["sources"]["split"]["resources"]["chat_message"]["incremental"]["id"]["last_value"])
print(runs, info.is_empty, info.loads_ids)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "(2000, 2000, 1, 2000) 2000\n(2500, 2500, 1, 2500) 2500\n2 True []\n");
}

}  // namespace
}  // namespace dlt::testing
