// dlt's Arrow items: rows read with read_parquet/read_csv_duckdb(use_pyarrow=True) or
// sql_database/sql_table(backend="pyarrow") are loaded as dlt loads Arrow tables: their columns
// as they are (structs and lists as json), without _dlt_id and _dlt_load_id unless
// [normalize.parquet_normalizer] add_dlt_id / add_dlt_load_id ask for them. The same from a TOML
// pipeline file (use_pyarrow on a file resource, backend = "pyarrow" in a sql_database source).
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

std::string Columns(const fs::path& db, const std::string& table) {
  return SqlValue(db, "SELECT string_agg(column_name || ':' || data_type, ', ' ORDER BY ordinal_position) FROM "
                      "information_schema.columns WHERE table_schema = 'arrow_data' AND table_name = '" + table + "'");
}

void WriteParquet(const TempWorkspace& w) {
  fs::create_directories(w.root() / "pq");
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (SELECT i AS id, 'n' || i AS name, {'a': i, 'b': 'x'} AS info, [i, i + 1] AS tags "
                         "FROM range(3) t(i)) TO '" + (w.root() / "pq" / "f.parquet").string() + "' (FORMAT parquet)"));
}

const char* kParquetScript = R"PY(
import sys, dlt
from dlt.sources.filesystem import filesystem, read_parquet
p = dlt.pipeline(pipeline_name=sys.argv[1], destination="duckdb", dataset_name="arrow_data")
p.run(filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet(use_pyarrow=sys.argv[2] == "arrow"),
      table_name="items")
)PY";

TEST(PythonArrowItems, ReadParquetWithPyarrowLoadsTheColumnsAsTheyAreWithoutDltColumns) {
  TempWorkspace w;
  WriteParquet(w);
  w.Write("pq.py", kParquetScript);
  auto r = RunPython(w, "pq.py", {"arrow", "arrow"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path db = DevDb(w, "arrow");
  EXPECT_EQ(Columns(db, "items"), "id:BIGINT, name:VARCHAR, info:JSON, tags:JSON");
  EXPECT_FALSE(TableExists(db, "arrow_data", "items__tags"));
  EXPECT_EQ(SqlColumn(db, "SELECT id || ' ' || info::VARCHAR || ' ' || tags::VARCHAR FROM arrow_data.items ORDER BY id"),
            (std::vector<std::string>{"0 {\"a\":0,\"b\":\"x\"} [0,1]", "1 {\"a\":1,\"b\":\"x\"} [1,2]",
                                      "2 {\"a\":2,\"b\":\"x\"} [2,3]"}));

  // Without use_pyarrow the rows are dicts, as in dlt: structs flattened, lists nested tables,
  // and both dlt columns.
  r = RunPython(w, "pq.py", {"dicts", "dicts"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Columns(DevDb(w, "dicts"), "items"),
            "id:BIGINT, name:VARCHAR, info__a:BIGINT, info__b:VARCHAR, _dlt_load_id:VARCHAR, _dlt_id:VARCHAR");
  EXPECT_TRUE(TableExists(DevDb(w, "dicts"), "arrow_data", "items__tags"));
}

TEST(PythonArrowItems, TheParquetNormalizerSettingsAddTheDltColumns) {
  TempWorkspace w;
  WriteParquet(w);
  w.WriteConfig("[normalize.parquet_normalizer]\nadd_dlt_id = true\nadd_dlt_load_id = true\n");
  w.Write("pq.py", kParquetScript);
  auto r = RunPython(w, "pq.py", {"arrow", "arrow"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path db = DevDb(w, "arrow");
  EXPECT_EQ(Columns(db, "items"), "id:BIGINT, name:VARCHAR, info:JSON, tags:JSON, _dlt_load_id:VARCHAR, _dlt_id:VARCHAR");
  EXPECT_EQ(SqlValue(db, "SELECT count(DISTINCT _dlt_id) || '/' || count(*) || '/' || count(DISTINCT _dlt_load_id) "
                         "FROM arrow_data.items"),
            "3/3/1");
}

TEST(PythonArrowItems, SqlTableWithThePyarrowBackendMergesByKeyWithoutDltColumns) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "sql.py", R"PY(
import sys, sqlite3, dlt
from dlt.sources.sql_database import sql_table

c = sqlite3.connect("src.db")
if sys.argv[1] == "1":
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    c.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, "b")])
elif sys.argv[1] == "2":
    c.execute("UPDATE t SET v = 'B' WHERE id = 2")
    c.execute("INSERT INTO t VALUES (3, 'c')")
c.commit()
p = dlt.pipeline(pipeline_name="arrow", destination="duckdb", dataset_name="arrow_data")
backend = "pyarrow" if sys.argv[1] != "3" else "sqlalchemy"
p.run(sql_table(credentials="sqlite:///src.db", table="t", backend=backend, write_disposition="merge"))
)PY", {"1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunPython(w, "sql.py", {"2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path db = DevDb(w, "arrow");
  EXPECT_EQ(Columns(db, "t"), "id:BIGINT, v:VARCHAR");
  EXPECT_EQ(SqlColumn(db, "SELECT id || v FROM arrow_data.t ORDER BY id"), (std::vector<std::string>{"1a", "2B", "3c"}));

  // The sqlalchemy backend's rows are dicts: the table gets the dlt columns, NULL in the rows
  // loaded before.
  r = RunPython(w, "sql.py", {"3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Columns(db, "t"), "id:BIGINT, v:VARCHAR, _dlt_load_id:VARCHAR, _dlt_id:VARCHAR");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM arrow_data.t WHERE _dlt_id IS NOT NULL"), "3");
}

TEST(PythonArrowItems, ATomlPipelineTakesUsePyarrowAndThePyarrowBackend) {
  TempWorkspace w;
  w.Write("data/rows.csv", "id,name\n1,a\n2,b\n");
  w.Write("csv.toml", R"(
[pipeline]
name = "arrow"
destination = "duckdb"
dataset_name = "arrow_data"

[[resources]]
name = "rows"
path = "data/rows.csv"
use_pyarrow = true
)");
  auto r = w.Dlt({"run", "csv.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Columns(DevDb(w, "arrow"), "rows"), "id:BIGINT, name:VARCHAR");

  auto made = RunPythonSource(w, "mk.py", R"PY(
import sqlite3
c = sqlite3.connect("src.db")
c.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, v TEXT)")
c.execute("INSERT INTO s VALUES (1, 'x')")
c.commit()
)PY");
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  const std::string sql_toml = R"(
[pipeline]
name = "arrow_sql"
destination = "duckdb"
dataset_name = "arrow_data"

[source]
type = "sql_database"
credentials = "sqlite:///)" + (w.root() / "src.db").string() + R"("
backend = "BACKEND"
)";
  std::string good = sql_toml;
  good.replace(good.find("BACKEND"), 7, "pyarrow");
  w.Write("sql.toml", good);
  r = w.Dlt({"run", "sql.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Columns(DevDb(w, "arrow_sql"), "s"), "id:BIGINT, v:VARCHAR");

  std::string bad = sql_toml;
  bad.replace(bad.find("BACKEND"), 7, "pandas");
  w.Write("bad.toml", bad);
  r = w.Dlt({"run", "bad.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out + r.err, "bad.toml")) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out + r.err, "`backend` must be sqlalchemy or pyarrow")) << r.out << r.err;
}

}  // namespace
}  // namespace dlt::testing
