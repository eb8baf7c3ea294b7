// add_map, add_filter and add_yield_map on resources whose rows the engine reads (sql_table,
// rest_api resources and their `processing_steps`, file readers): the rows reach the Python
// functions as dlt's dicts (typed values as Python values), and what they return is loaded; an
// SQL table's catalog types stay its columns' types. add_limit on a table stops the engine's read
// after that many chunks. Such resources also read in Python: list(resource), and a transformer
// over one in a run.
#include <gtest/gtest.h>

#include "http_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"
#include "test_util.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

#ifdef DLT_PYTHON

TEST(PythonEngineSteps, SqlTableRowsPassThroughAddMapAndAddFilterAsTypedDicts) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3";
  TempWorkspace w;
  fs::path db = w.root() / "shop.db";
  auto made = dlt::testing::Run({"/usr/bin/sqlite3", db.string(),
                   "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, joined DATE, balance DECIMAL(10,2));"
                   "INSERT INTO customers VALUES (1, 'ada@example.com', '2024-01-02', 10.50),"
                   "(2, 'bob@example.com', '2024-02-03', 0), (3, 'cy@example.com', '2024-03-04', 7.25);"},
                  w.root(), {});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto r = RunPythonSource(w, "pseudo.py", R"PY(
import hashlib, sys, datetime, decimal
import dlt
from dlt.sources.sql_database import sql_table

seen = []
def pseudonymize(row):
    seen.append((type(row["joined"]).__name__, type(row["balance"]).__name__))
    row["email"] = hashlib.sha256(row["email"].encode()).hexdigest()[:12]
    row["joined_year"] = row["joined"].year
    return row

table = sql_table(credentials="sqlite:///" + sys.argv[1], table="customers", reflection_level="full_with_precision")
table.add_filter(lambda row: row["balance"] > 0).add_map(pseudonymize)
p = dlt.pipeline(pipeline_name="pseudo", destination="duckdb", dataset_name="pseudo_data")
p.run(table)
print(sorted(set(seen)))
)PY",
                           {db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[('date', 'Decimal')]\n");
  const auto out = DevDb(w, "pseudo");
  EXPECT_EQ(SqlValue(out, "SELECT string_agg(id || ':' || email || ':' || joined_year || ':' || balance, ',' ORDER BY id) "
                          "FROM pseudo_data.customers"),
            SqlValue(out, "SELECT '1:' || substr(sha256('ada@example.com'), 1, 12) || ':2024:10.50,3:' || "
                          "substr(sha256('cy@example.com'), 1, 12) || ':2024:7.25'"));
  EXPECT_EQ(SqlValue(out, "SELECT data_type FROM information_schema.columns WHERE table_name = 'customers' AND "
                          "column_name = 'joined'"),
            "DATE");
}

TEST(PythonEngineSteps, AddLimitOnASqlTableLoadsThatManyChunksOfChunkSizeRows) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3";
  TempWorkspace w;
  fs::path db = w.root() / "shop.db";
  std::string sql = "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO items VALUES ";
  for (int i = 1; i <= 25; ++i) sql += (i > 1 ? "," : "") + std::string("(") + std::to_string(i) + ", 'x')";
  auto made = dlt::testing::Run({"/usr/bin/sqlite3", db.string(), sql + ";"}, w.root(), {});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto r = RunPythonSource(w, "limited.py", R"PY(
import sys
import dlt
from dlt.sources.sql_database import sql_database, sql_table

p = dlt.pipeline(pipeline_name="limited", destination="duckdb", dataset_name="limited_data")
url = "sqlite:///" + sys.argv[1]
p.run(sql_table(credentials=url, table="items", chunk_size=10).add_limit(2).with_name("two_chunks"))
p.run(sql_table(credentials=url, table="items", chunk_size=10).add_limit(12, count_rows=True).with_name("rows"))
source = sql_database(credentials=url, chunk_size=4)
source.items.add_limit(1)
p.run(source)
)PY",
                           {db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto out = DevDb(w, "limited");
  EXPECT_EQ(SqlValue(out, "SELECT count(*) FROM limited_data.two_chunks"), "20");
  // count_rows: dlt forwards the row count itself to the query (LIMIT 12), whatever the chunk size.
  EXPECT_EQ(SqlValue(out, "SELECT count(*) FROM limited_data.rows"), "12");
  EXPECT_EQ(SqlValue(out, "SELECT count(*) FROM limited_data.items"), "4");
}

TEST(PythonEngineSteps, EngineResourcesReadInPythonAsListsAndUnderATransformer) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3";
  FixtureServer server;
  TempWorkspace w;
  fs::path db = w.root() / "shop.db";
  auto made = dlt::testing::Run({"/usr/bin/sqlite3", db.string(),
                                 "CREATE TABLE items (id INTEGER PRIMARY KEY, day DATE); "
                                 "INSERT INTO items VALUES (1, '2024-01-02'), (2, '2024-01-03'), (3, '2024-01-04');"},
                                w.root(), {});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  w.Write("data/a.csv", "id,price\n1,1.5\n2,2.5\n");
  auto r = RunPythonSource(w, "lists.py", R"PY(
import os, sys
import dlt
from dlt.sources.sql_database import sql_table
from dlt.sources.rest_api import rest_api_source
from dlt.sources.filesystem import filesystem, read_csv

items = sql_table(credentials="sqlite:///" + sys.argv[1], table="items")
print(list(items))
print(list(items.add_filter(lambda r: r["id"] > 1)))
source = rest_api_source({"client": {"base_url": sys.argv[2] + "/"}, "resources": [
    {"name": "paged", "endpoint": {"path": "test/header_cursor",
                                   "paginator": {"type": "header_cursor", "cursor_key": "NextPageToken"}}}]})
print(sorted(row["id"] for row in source.resources["paged"]))
print(list(filesystem(bucket_url=os.path.abspath("data"), file_glob="*.csv") | read_csv()))

@dlt.transformer
def doubled(rows):
    yield [{"id": row["id"], "twice": row["id"] * 2} for row in rows]

p = dlt.pipeline(pipeline_name="lists", destination="duckdb", dataset_name="lists_data")
p.run(sql_table(credentials="sqlite:///" + sys.argv[1], table="items") | doubled)
)PY",
                           {db.string(), server.Url()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "[{'id': 1, 'day': datetime.date(2024, 1, 2)}, {'id': 2, 'day': datetime.date(2024, 1, 3)}, "
            "{'id': 3, 'day': datetime.date(2024, 1, 4)}]\n"
            "[{'id': 2, 'day': datetime.date(2024, 1, 3)}, {'id': 3, 'day': datetime.date(2024, 1, 4)}]\n"
            "[11, 12, 21, 22, 31, 32]\n"
            "[{'id': 1, 'price': 1.5}, {'id': 2, 'price': 2.5}]\n");
  EXPECT_EQ(SqlValue(DevDb(w, "lists"), "SELECT string_agg(id || ':' || twice, ',' ORDER BY id) FROM lists_data.doubled"),
            "1:2,2:4,3:6");
}

TEST(PythonEngineSteps, RestApiProcessingStepsAndAddMapShapeTheFetchedRows) {
  FixtureServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "steps.py", R"PY(
import sys
import dlt
from dlt.sources.rest_api import rest_api_source

source = rest_api_source({
    "client": {"base_url": sys.argv[1] + "/"},
    "resources": [
        {"name": "paged", "endpoint": {"path": "test/header_cursor",
                                       "paginator": {"type": "header_cursor", "cursor_key": "NextPageToken"}},
         "processing_steps": [{"filter": lambda row: row["id"] % 2 == 1}, {"map": lambda row: {**row, "tag": "odd"}}]},
    ],
})
source.resources["paged"].add_yield_map(lambda row: [row, {**row, "id": row["id"] * 100, "tag": "copy"}])
p = dlt.pipeline(pipeline_name="steps", destination="duckdb", dataset_name="steps_data")
p.run(source)
)PY",
                           {server.Url()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlColumn(DevDb(w, "steps"), "SELECT id || ':' || tag FROM steps_data.paged ORDER BY id"),
            (std::vector<std::string>{"11:odd", "21:odd", "31:odd", "1100:copy", "2100:copy", "3100:copy"}));
}

// As in dlt, a dependent resource reads its parent's rows after the parent's steps: a filter on
// the parent decides which child requests are made, a map's fields reach the child (its path
// and include_from_parent); a parent that is only fetched for its child runs its steps too.
TEST(PythonEngineSteps, RestApiChildrenReadTheirParentsRowsAfterTheParentsSteps) {
  FixtureServer server;
  TempWorkspace w;
  auto r = RunPythonSource(w, "children.py", R"PY(
import sys
import dlt
from dlt.sources.rest_api import rest_api_source

def config():
    return {
        "client": {"base_url": sys.argv[1] + "/api/v2/"},
        "resource_defaults": {"endpoint": {"paginator": {"type": "offset", "limit": 20, "total_path": "count"}}},
        "resources": [
            {"name": "pokemon", "endpoint": {"path": "pokemon"},
             "processing_steps": [{"filter": lambda row: row["name"].endswith("1")},
                                  {"map": lambda row: {**row, "ref": row["name"] + "/"}}]},
            {"name": "details", "endpoint": {"path": "pokemon/{resources.pokemon.ref}", "paginator": "single_page"},
             "include_from_parent": ["ref"]},
        ],
    }

source = rest_api_source(config())
source.resources["pokemon"].add_filter(lambda row: row["name"] != "poke41")
p = dlt.pipeline(pipeline_name="children", destination="duckdb", dataset_name="kids")
p.run(source)

# The parent not selected: fetched for the child only, its steps (config and add_filter) still run.
source = rest_api_source(config())
source.resources["pokemon"].add_filter(lambda row: row["name"] in ("poke1", "poke21"))
p = dlt.pipeline(pipeline_name="only_children", destination="duckdb", dataset_name="kids")
p.run(source.with_resources("details"))

# Read in Python alone, the child still reads the parent through its steps.
source = rest_api_source(config())
print(sorted(row["name"] for row in source.resources["details"]))
)PY",
                           {server.Url()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlColumn(DevDb(w, "children"), "SELECT name || ' ' || ref FROM kids.pokemon ORDER BY name"),
            (std::vector<std::string>{"poke1 poke1/", "poke11 poke11/", "poke21 poke21/", "poke31 poke31/"}));
  EXPECT_EQ(SqlColumn(DevDb(w, "children"), "SELECT name || ' ' || _pokemon_ref FROM kids.details ORDER BY id"),
            (std::vector<std::string>{"poke1 poke1/", "poke11 poke11/", "poke21 poke21/", "poke31 poke31/"}));
  EXPECT_EQ(SqlColumn(DevDb(w, "only_children"), "SELECT name FROM kids.details ORDER BY id"),
            (std::vector<std::string>{"poke1", "poke21"}));
  EXPECT_EQ(SqlValue(DevDb(w, "only_children"),
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'kids' AND table_name = 'pokemon'"),
            "0");
  EXPECT_EQ(r.out, "['poke1', 'poke11', 'poke21', 'poke31', 'poke41']\n");
  // Only the children of the rows that passed were requested: 4 + 2 + 5.
  EXPECT_EQ(server.RequestsTo("/api/v2/pokemon/poke").size(), 11u);
}

TEST(PythonEngineSteps, FileReaderRowsPassThroughAddMapAndAStepErrorIsRaisedAsItself) {
  TempWorkspace w;
  w.Write("data/a.csv", "id,price\n1,1.5\n2,2.5\n");
  auto r = RunPythonSource(w, "files.py", R"PY(
import os
import dlt
from dlt.sources.filesystem import filesystem, read_csv

p = dlt.pipeline(pipeline_name="files", destination="duckdb", dataset_name="files_data")
reader = (filesystem(bucket_url=os.path.abspath("data"), file_glob="*.csv") | read_csv()).with_name("prices")
p.run(reader.add_map(lambda row: {**row, "gross": row["price"] * 2}))
bad = (filesystem(bucket_url=os.path.abspath("data"), file_glob="*.csv") | read_csv()).with_name("bad")
try:
    p.run(bad.add_map(lambda row: row["missing"]))
except Exception as e:
    print(type(e).__name__, type(e.__context__).__name__, type(e.__context__.__context__).__name__,
          "missing" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "files"), "SELECT string_agg(id || ':' || gross, ',' ORDER BY id) FROM files_data.prices"),
            "1:3.0,2:5.0");
  EXPECT_EQ(r.out, "PipelineStepFailed ResourceExtractionError KeyError True\n");
  EXPECT_EQ(SqlValue(DevDb(w, "files"), "SELECT count(*) FROM information_schema.tables WHERE table_name = 'bad'"), "0");
}

#endif

}  // namespace
}  // namespace dlt::testing
