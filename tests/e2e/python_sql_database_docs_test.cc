// dlt.sources.sql_database as dlt 1.26's docs use it (verified-sources/sql_database/
// configuration.md, usage.md, advanced.md), each test a real script run by python3 against a
// SQLite file it makes: arguments from the configuration (per table, as
// [sources.sql_database.<table>] sections or SOURCES__SQL_DATABASE__<TABLE>__... variables, and
// source-wide), add_map keeping naive timestamps naive, and the documented names
// (dlt.common.pendulum, parallelize, sql_database.clone, remove_nullability_adapter, the table
// loader classes).
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// rfam.db: family (4 rows; rfam_id NOT NULL, score REAL, last_modified a naive TIMESTAMP),
// clan (2 rows), chat_message (5 rows, cursor updated_at).
void MakeRfam(const TempWorkspace& w) {
  auto r = RunPythonSource(w, "make_rfam.py", R"PY(
import sqlite3
c = sqlite3.connect("rfam.db")
c.executescript("""
CREATE TABLE family (rfam_acc TEXT PRIMARY KEY, rfam_id TEXT NOT NULL, description TEXT, score REAL,
                     last_modified TIMESTAMP);
INSERT INTO family VALUES ('RF1', 'virus_1', 'd1', 0.0, '2023-12-30 10:00:00'),
  ('RF2', 'bacteria_2', 'd2', 1.5, '2023-12-31 10:00:00'), ('RF3', 'virus_3', 'd3', 3.0, '2024-01-01 10:00:00'),
  ('RF4', 'bacteria_4', 'd4', 4.5, '2024-01-02 10:00:00');
CREATE TABLE clan (clan_acc TEXT PRIMARY KEY, id TEXT);
INSERT INTO clan VALUES ('CL1', 'c1'), ('CL2', 'c2');
CREATE TABLE chat_message (id INTEGER PRIMARY KEY, text TEXT, updated_at TIMESTAMP);
INSERT INTO chat_message VALUES (1, 'a', '2024-01-01 00:00:01'), (2, 'b', '2024-01-01 00:00:02'),
  (3, 'c', '2024-01-01 00:00:03'), (4, 'd', '2024-01-01 00:00:04'), (5, 'e', '2024-01-01 00:00:04');
""")
c.commit()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

std::string DbUrl(const TempWorkspace& w) { return "sqlite:///" + (w.root() / "rfam.db").string(); }

void AddChatMessage(const TempWorkspace& w) {
  auto r = RunPythonSource(w, "add.py", R"PY(
import sqlite3
c = sqlite3.connect("rfam.db")
c.execute("INSERT INTO chat_message VALUES (6, 'f', '2024-01-01 00:00:06')")
c.commit()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

// advanced.md "Configuring with TOML": the table's incremental from
// [sources.sql_database.chat_message.incremental]; the second run reads only new rows (the rows at
// the cursor's last value are de-duplicated) and the cursor is in the state. Other tables load whole.
TEST(PythonSqlDatabaseDocs, PerTableIncrementalFromConfigTomlLoadsOnlyNewRowsAndKeepsTheCursorInState) {
  TempWorkspace w;
  MakeRfam(w);
  w.WriteSecrets("[sources.sql_database]\ncredentials = \"" + DbUrl(w) + "\"\n");
  w.WriteConfig("[sources.sql_database.chat_message.incremental]\ncursor_path = \"updated_at\"\n");
  w.Write("load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database

src = sql_database(table_names=["chat_message", "clan"])
print("incremental", src.chat_message.incremental.cursor_path, src.clan.incremental)
p = dlt.pipeline(pipeline_name="rfam", destination="duckdb", dataset_name="rfam_data")
p.run(src)
inc = p.state["sources"]["sql_database"]["resources"]["chat_message"]["incremental"]["updated_at"]
print("last_value", inc["last_value"])
)PY");
  auto r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "incremental updated_at None\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "last_value 2024-01-01T00:00:04")) << r.out;
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.chat_message"), 5);
  AddChatMessage(w);
  r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "last_value 2024-01-01T00:00:06")) << r.out;
  // one new row (not the 6 of a full reload); clan, without a cursor, appended again
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.chat_message"), 6);
  EXPECT_EQ(SqlValue(DevDb(w, "rfam"), "SELECT count(DISTINCT id) FROM rfam_data.chat_message"), "6");
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.clan"), 4);
}

// The same from environment variables (advanced.md's SOURCES__SQL_DATABASE__CHAT_MESSAGE__...),
// and configuration.md's per-table included_columns.
TEST(PythonSqlDatabaseDocs, PerTableIncrementalAndIncludedColumnsFromEnvironmentVariables) {
  TempWorkspace w;
  MakeRfam(w);
  w.env()["SOURCES__SQL_DATABASE__CREDENTIALS"] = DbUrl(w);
  w.env()["SOURCES__SQL_DATABASE__CHAT_MESSAGE__INCREMENTAL__CURSOR_PATH"] = "updated_at";
  w.env()["SOURCES__SQL_DATABASE__FAMILY__INCLUDED_COLUMNS"] = R"(["rfam_acc", "rfam_id"])";
  w.Write("load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database

src = sql_database(table_names=["chat_message", "family"])
print(sorted(src.family.compute_table_schema()["columns"]))
p = dlt.pipeline(pipeline_name="rfam", destination="duckdb", dataset_name="rfam_data")
p.run(src)
)PY");
  auto r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "['rfam_acc', 'rfam_id']\n");
  r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.chat_message"), 5) << "the second run reloaded the table";
  EXPECT_EQ(TableColumns(DevDb(w, "rfam"), "rfam_data", "family"),
            (std::vector<std::string>{"rfam_acc", "rfam_id", "_dlt_load_id", "_dlt_id"}));
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.family"), 8);
}

// A cursor_path from the configuration that is not a column fails the run naming it (as dlt's
// ResourceExtractionError does), for sql_table read in Python and sql_database in a pipeline.
TEST(PythonSqlDatabaseDocs, ABogusCursorPathFromTheConfigurationRaisesNamingTheColumn) {
  TempWorkspace w;
  MakeRfam(w);
  w.env()["SOURCES__SQL_DATABASE__CREDENTIALS"] = DbUrl(w);
  w.env()["SOURCES__SQL_DATABASE__CHAT_MESSAGE__INCREMENTAL__CURSOR_PATH"] = "updated_at_x";
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table

t = sql_table(table="chat_message")
print("cursor", t.incremental.cursor_path)
try:
    list(t)
    print("no error")
except Exception as e:
    print("list", "updated_at_x" in str(e))
p = dlt.pipeline(pipeline_name="rfam", destination="duckdb", dataset_name="rfam_data")
try:
    p.run(sql_database(table_names=["chat_message"]))
    print("no error")
except Exception as e:
    print("run", type(e).__name__, "updated_at_x" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "cursor updated_at_x\nlist True\nrun PipelineStepFailed True\n");
}

// "You'll be able to configure all the arguments this way": chunk_size (add_limit counts chunks of
// it), reflection_level, a table's write_disposition; backend=pandas is refused as the argument is.
TEST(PythonSqlDatabaseDocs, SourceArgumentsComeFromTheConfigurationAndPandasIsRefused) {
  TempWorkspace w;
  MakeRfam(w);
  w.env()["SOURCES__SQL_DATABASE__CREDENTIALS"] = DbUrl(w);
  w.env()["SOURCES__SQL_DATABASE__CHUNK_SIZE"] = "2";
  w.env()["SOURCES__SQL_DATABASE__REFLECTION_LEVEL"] = "minimal";
  w.env()["SOURCES__SQL_DATABASE__CHAT_MESSAGE__WRITE_DISPOSITION"] = "replace";
  auto r = RunPythonSource(w, "load.py", R"PY(
import os
import dlt
from dlt.sources.sql_database import sql_database, sql_table

print("sql_table rows", len(list(sql_table(table="chat_message").add_limit(1))))
print("sql_database rows", len(list(sql_database(table_names=["chat_message"]).add_limit(1))))
t = sql_table(table="chat_message")
print("data_type" in t.compute_table_schema()["columns"]["updated_at"], t.compute_table_schema()["write_disposition"])
print(sql_table(table="chat_message", chunk_size=3).add_limit(1).__class__.__name__,
      len(list(sql_table(table="chat_message", chunk_size=3).add_limit(1))))
p = dlt.pipeline(pipeline_name="rfam", destination="duckdb", dataset_name="rfam_data")
for _ in range(2):
    p.run(sql_database(table_names=["chat_message", "clan"]))
print(p.default_schema.get_table("chat_message")["write_disposition"])
os.environ["SOURCES__SQL_DATABASE__BACKEND"] = "pandas"
for make in (lambda: sql_database(table_names=["clan"]), lambda: sql_table(table="clan")):
    try:
        make()
        print("not refused")
    except NotImplementedError as e:
        print("refused", "'pandas'" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "sql_table rows 2\nsql_database rows 2\nFalse replace\nSqlTableResource 3\nreplace\n"
            "refused True\nrefused True\n");
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.chat_message"), 5);
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.clan"), 4);
}

// usage.md "Transforming the data before load": add_map keeps a naive TIMESTAMP naive (the rows
// Python gets hold naive datetimes, as dlt's sqlalchemy backend yields them, and REAL as float).
TEST(PythonSqlDatabaseDocs, AddMapKeepsNaiveTimestampsNaiveAndRealColumnsFloat) {
  TempWorkspace w;
  MakeRfam(w);
  w.env()["SOURCES__SQL_DATABASE__CREDENTIALS"] = DbUrl(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table

def pseudonymize(doc):
    doc["rfam_acc"] = "x" + doc["rfam_acc"]
    return doc

for name, mapper in (("plain", None), ("mapped", pseudonymize)):
    source = sql_database().with_resources("family")
    if mapper:
        source.family.add_map(mapper)
    p = dlt.pipeline(pipeline_name=name, destination="duckdb", dataset_name="rfam_data")
    p.run(source, write_disposition="replace")
    print(name, p.default_schema.get_table("family")["columns"]["last_modified"].get("timezone"))
rows = list(sql_table(table="family"))
print(rows[0]["last_modified"], [type(r["score"]).__name__ for r in rows])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "plain False\nmapped False\n2023-12-30 10:00:00 ['float', 'float', 'float', 'float']\n");
  for (const char* name : {"plain", "mapped"}) {
    EXPECT_EQ(SqlValue(DevDb(w, name),
                       "SELECT data_type FROM information_schema.columns WHERE table_schema = 'rfam_data' AND "
                       "table_name = 'family' AND column_name = 'last_modified'"),
              "TIMESTAMP")
        << name;
    EXPECT_EQ(SqlValue(DevDb(w, name), "SELECT CAST(min(last_modified) AS VARCHAR) FROM rfam_data.family"),
              "2023-12-30 10:00:00")
        << name;
    EXPECT_EQ(SqlValue(DevDb(w, name),
                       "SELECT data_type FROM information_schema.columns WHERE table_schema = 'rfam_data' AND "
                       "table_name = 'family' AND column_name = 'score'"),
              "DOUBLE")
        << name;
  }
  EXPECT_EQ(SqlValue(DevDb(w, "mapped"), "SELECT min(rfam_acc) FROM rfam_data.family"), "xRF1");
}

// configuration.md's incremental examples: `from dlt.common.pendulum import pendulum`, a naive
// pendulum.DateTime as initial_value on a naive column, with sql_table and with apply_hints.
TEST(PythonSqlDatabaseDocs, PendulumFromDltCommonPendulumAsTheInitialValueOfANaiveCursor) {
  TempWorkspace w;
  MakeRfam(w);
  w.env()["SOURCES__SQL_DATABASE__CREDENTIALS"] = DbUrl(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table
from dlt.common.pendulum import pendulum, timedelta
from dlt.common import pendulum as common_pendulum

print(common_pendulum.datetime(2024, 1, 2, tz="UTC").isoformat(), timedelta(days=1).days)
table = sql_table(table="family", incremental=dlt.sources.incremental(
    "last_modified", initial_value=pendulum.DateTime(2024, 1, 1, 0, 0, 0)))
pipeline = dlt.pipeline(pipeline_name="rfam", destination="duckdb", dataset_name="rfam_data")
pipeline.run(table, write_disposition="merge")
source = sql_database().with_resources("family")
source.family.apply_hints(incremental=dlt.sources.incremental(
    "last_modified", initial_value=pendulum.DateTime(2023, 12, 31, 10, 0, 0), range_start="open"))
pipeline2 = dlt.pipeline(pipeline_name="rfam2", destination="duckdb", dataset_name="rfam_data")
pipeline2.run(source, write_disposition="merge")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "2024-01-02T00:00:00+00:00 1\n");
  EXPECT_EQ(SqlColumn(DevDb(w, "rfam"), "SELECT rfam_acc FROM rfam_data.family ORDER BY 1"),
            (std::vector<std::string>{"RF3", "RF4"}));
  EXPECT_EQ(SqlColumn(DevDb(w, "rfam2"), "SELECT rfam_acc FROM rfam_data.family ORDER BY 1"),
            (std::vector<std::string>{"RF3", "RF4"}));
}

// advanced.md "Configure many sources side by side": clone(name=, section=) reads credentials and
// the per-table incremental from sources.my_db, keeps its state under its name; parallelize()
// (advanced.md "Parallelized extraction") marks the resources and returns what it was called on.
TEST(PythonSqlDatabaseDocs, ACloneReadsItsOwnSectionAndParallelizeReturnsTheSourceOrResource) {
  TempWorkspace w;
  MakeRfam(w);
  w.WriteSecrets("[sources.my_db]\ncredentials = \"" + DbUrl(w) + "\"\n");
  w.WriteConfig("[sources.my_db.chat_message.incremental]\ncursor_path = \"updated_at\"\n");
  w.Write("load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table

my_db = sql_database.clone(name="my_db", section="my_db")(table_names=["chat_message"])
database = my_db.parallelize()
print(my_db.name, database is my_db, database.chat_message.parallelized, database.chat_message.incremental.cursor_path)
table = sql_table(credentials=dlt.secrets["sources.my_db.credentials"], table="clan")
print(table.parallelize() is table, table.parallelized)
p = dlt.pipeline(pipeline_name="rfam", destination="duckdb", dataset_name="rfam_data")
p.run(database)
inc = p.state["sources"]["my_db"]["resources"]["chat_message"]["incremental"]["updated_at"]
print(sorted(p.state["sources"]), inc["last_value"])
try:
    sql_database(table_names=["clan"])
    print("no error")
except Exception as e:
    print(type(e).__name__, "sources.sql_database" in str(e))
)PY");
  auto r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "my_db True True updated_at\nTrue True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "['my_db'] 2024-01-01T00:00:04")) << r.out;
  // sql_database itself still reads sources.sql_database, where nothing is set
  EXPECT_TRUE(Contains(r.out, "SqlDatabaseSourceError True\n")) << r.out;
  AddChatMessage(w);
  r = RunPython(w, "load.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountRows(DevDb(w, "rfam"), "rfam_data.chat_message"), 6);
}

// advanced.md "Remove nullability information": remove_nullability_adapter (the one table adapter
// dlt-cpp takes) leaves no nullable hint and the NOT NULL column is created nullable.
TEST(PythonSqlDatabaseDocs, RemoveNullabilityAdapterCreatesNotNullColumnsNullable) {
  TempWorkspace w;
  MakeRfam(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.sources.sql_database import sql_database, sql_table, remove_nullability_adapter

url = "sqlite:///rfam.db"
read_table = sql_table(url, table="family", reflection_level="full_with_precision",
                       table_adapter_callback=remove_nullability_adapter)
print(read_table.compute_table_schema()["columns"]["rfam_id"])
print(sql_table(url, table="family").compute_table_schema()["columns"]["rfam_id"])
dlt.pipeline(pipeline_name="adapted", destination="duckdb", dataset_name="rfam_data").run(read_table)
dlt.pipeline(pipeline_name="source", destination="duckdb", dataset_name="rfam_data").run(
    sql_database(url, table_names=["family"], table_adapter_callback=remove_nullability_adapter))
dlt.pipeline(pipeline_name="plain", destination="duckdb", dataset_name="rfam_data").run(sql_table(url, table="family"))
try:
    sql_table(url, table="family", table_adapter_callback=lambda t: remove_nullability_adapter(t))
except NotImplementedError as e:
    print("other adapters refused", "table_adapter_callback" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "{'name': 'rfam_id', 'data_type': 'text'}\n{'name': 'rfam_id', 'data_type': 'text', 'nullable': False}\n"
            "other adapters refused True\n");
  const char* nullable =
      "SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'rfam_data' AND table_name = 'family' "
      "AND column_name = 'rfam_id'";
  EXPECT_EQ(SqlValue(DevDb(w, "adapted"), nullable), "YES");
  EXPECT_EQ(SqlValue(DevDb(w, "source"), nullable), "YES");
  EXPECT_EQ(SqlValue(DevDb(w, "plain"), nullable), "NO");
  EXPECT_EQ(CountRows(DevDb(w, "adapted"), "rfam_data.family"), 4);
}

// advanced.md "Custom table loaders": the names import and subclass; using them raises
// NotImplementedError naming them (dlt-cpp reads the tables without SQLAlchemy).
TEST(PythonSqlDatabaseDocs, CustomTableLoadersImportButUsingThemRaisesNotImplementedNamingThem) {
  TempWorkspace w;
  MakeRfam(w);
  auto r = RunPythonSource(w, "load.py", R"PY(
from dlt.sources.sql_database import (BaseTableLoader, TableLoader, register_table_loader_backend, sql_database,
                                     sql_table)

class MyLoader(TableLoader):
    def _load_rows(self, query, backend_kwargs):
        yield []

class MyArrowLoader(BaseTableLoader):
    def load_rows(self, backend_kwargs=None):
        yield []

for make in (lambda: sql_table("sqlite:///rfam.db", table="family", table_loader_class=MyLoader),
             lambda: sql_database("sqlite:///rfam.db", table_loader_class=MyArrowLoader),
             lambda: register_table_loader_backend("my_arrow", MyArrowLoader),
             lambda: MyLoader()):
    try:
        make()
        print("not refused")
    except NotImplementedError as e:
        print("refused", "TableLoader" in str(e) and "register_table_loader_backend" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "refused True\nrefused True\nrefused True\nrefused True\n");
}

}  // namespace
}  // namespace dlt::testing
