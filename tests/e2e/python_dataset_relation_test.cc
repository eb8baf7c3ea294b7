// dlt 1.26's dataset access API from Python (python/dlt/dataset): relations refined with
// where (eq, ne, gt, lt, gte, lte, in, not_in, raw SQL), order_by, limit/head, select/[[...]],
// max/min with fetchscalar, join along the schema's references, relations of SQL text, and the
// dataset's own methods (load_ids, latest_load_id, row_counts, table(load_ids=), `with dataset:`).
// The snippets of dlt's "Access datasets in Python" page run as written (data frames and Arrow
// tables need pandas/pyarrow; without them they raise MissingDependencyException), and one
// script checks values of every type, quoting included, on DuckDB and on PostgreSQL.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pg_suite.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// dlt's docs (docs/website/docs/general-usage/dataset-access/dataset_snippets.py), on a
// fruitshop-like source; df()/arrow() swapped for fetchall() where the snippet only reads.
const char* kDocsScript = R"PY(
import tempfile
from pathlib import Path
from typing import Any, Generator

import dlt
from dlt.common.exceptions import MissingDependencyException


@dlt.source
def fruitshop():
    @dlt.resource(primary_key="id")
    def customers():
        yield [{"id": i, "name": n, "city": c} for i, n, c in [
            (1, "simon", "berlin"), (2, "violet", "london"), (3, "tammo", "new york"), (4, "dave", "berlin"),
            (5, "andrea", "berlin"), (6, "marcin", "london"), (7, "sultan", "paris")]]

    @dlt.resource(primary_key="id")
    def inventory():
        yield [{"id": 1, "name": "apple", "price": 1.5}, {"id": 2, "name": "pear", "price": 2.0}]

    @dlt.resource(primary_key="id")
    def purchases():
        yield [{"id": i, "customer_id": cid, "inventory_id": inv, "quantity": qty} for i, cid, inv, qty in [
            (1, 1, 1, 1), (2, 1, 2, 3), (3, 2, 1, 2), (4, 7, 2, 5), (5, 3, 1, 1)]]

    return customers, inventory, purchases


pipeline = dlt.pipeline(pipeline_name="dataset_snippets_test", destination="duckdb",
                        dataset_name="dataset_snippets_data")
pipeline.run(fruitshop())

# getting_started / row_counts
dataset = pipeline.dataset()
print("row counts:", sorted(dataset.row_counts().fetchall()))
try:
    print("frames:", len(dataset.row_counts().df()), dataset.table("customers").arrow().num_rows)
except MissingDependencyException as e:
    print("frames:", type(e).__name__, e.dependencies)

# accessing_tables
customers_relation = dataset.table("customers")
customers_relation = dataset["customers"]
print("tables:", len(dataset.table("customers").fetchall()), len(dataset["customers"].fetchall()),
      len(dataset.customers.fetchall()))

# custom_sql
query = """
SELECT *
    FROM customers
JOIN purchases
    ON customers.id = purchases.customer_id
WHERE purchases.quantity > 1
"""
joined_relation = dataset(query)
print("custom sql:", len(joined_relation.fetchall()))

# fetch_entire_table_fetchall
items_list = customers_relation.fetchall()
print("fetchall:", len(items_list), sorted(items_list)[0][:3])

# iterating_fetch_chunks
sizes = []
for items_chunk in customers_relation.iter_fetch(chunk_size=5):
    sizes.append(len(items_chunk))
print("chunks:", sizes)

# context_manager
with dataset:
    print("with:", len(dataset.table("customers").limit(50).fetchall()), len(dataset.table("purchases").fetchall()))

# limiting_records / head_records
print("limit:", len(customers_relation.limit(50).fetchall()), len(customers_relation.head().fetchall()))

# select_columns
items_list = customers_relation.select("id", "name").fetchall()
print("select:", sorted(items_list)[:2])
items_list = customers_relation[["id", "name"]].fetchall()
print("brackets:", sorted(items_list)[:2])
items_list = customers_relation[["name"]].fetchall()
print("one column:", sorted(items_list)[:2])

# order_by
ordered_list = customers_relation.order_by("id").fetchall()
print("order_by:", [r[0] for r in ordered_list])
print("order_by desc:", [r[0] for r in customers_relation.order_by("id", "desc").fetchall()])

# filter (the expression stands in for sqlglot's: anything with .sql(dialect=...))
filtered = customers_relation.where("id", "in", [3, 1, 7]).fetchall()
print("filter in:", sorted(r[0] for r in filtered))
filtered = customers_relation.where("id = 1").fetchall()
print("filter raw:", [r[:2] for r in filtered])


class EqSeven:
    def sql(self, dialect: str = None, **kwargs: Any) -> str:
        return '"id" = 7'


filtered = customers_relation.where(EqSeven()).fetchall()
print("filter expr:", [r[:2] for r in filtered])

# aggregate
max_id = customers_relation.select("id").max().fetchscalar()
min_id = customers_relation.select("id").min().fetchscalar()
print("aggregate:", max_id, min_id)

# chain_operations
print("chain:", len(customers_relation.select("id", "name").limit(50).fetchall()))

# fetch_one / fetch_many
record = customers_relation.fetchone()
records = customers_relation.fetchmany(10)
print("fetch one many:", len(record), len(records))

# iterating_with_limit_and_select
sizes = []
for records in customers_relation.select("id", "name").limit(100).iter_fetch(chunk_size=20):
    sizes.append((len(records), len(records[0])))
print("iterate select:", sizes)


# join_related_tables
def join_related_tables_snippet(tmp_path: Path) -> None:
    @dlt.resource(primary_key="id")
    def users() -> Generator[list[dict[str, Any]], None, None]:
        yield [
            {
                "id": 1,
                "name": "Alice",
                "orders": [
                    {"order_id": 101, "total": 42},
                    {"order_id": 102, "total": 14},
                ],
            },
            {"id": 2, "name": "Bob", "orders": [{"order_id": 103, "total": 20}]},
        ]

    pipeline = dlt.pipeline(
        pipeline_name="dataset_join_snippet",
        destination=dlt.destinations.duckdb(str(tmp_path / "dataset_join_snippet.duckdb")),
        dataset_name="dataset_join_snippet_data",
    )
    pipeline.run(users())
    dataset = pipeline.dataset()

    users_with_orders = dataset["users"].join("users__orders", alias="orders")
    rows = users_with_orders.select("name", "orders__order_id", "orders__total").fetchall()
    print("join:", sorted(rows))


join_related_tables_snippet(Path(tempfile.mkdtemp(dir=".")))
)PY";

// The same relations on any destination: argv[1] names it.
const char* kRelationScript = R"PY(
import sys
from datetime import date, datetime, timezone
from decimal import Decimal

import dlt
from dlt.common.exceptions import ValueErrorWithKnownValues
from dlt.dataset.exceptions import RelationUnknownColumnException


@dlt.resource(primary_key="id")
def customers():
    yield [
        {"id": 1, "name": "simon", "city": "berlin", "joined": datetime(2024, 1, 1, tzinfo=timezone.utc),
         "day": date(2024, 2, 1), "vip": True, "balance": Decimal("10.5"), "blob": b"\x01\xff", "note": "n1",
         "orders": [{"order_id": 101, "total": 42}, {"order_id": 102, "total": 14}]},
        {"id": 2, "name": "o'brien", "city": "london", "joined": datetime(2024, 1, 2, 12, tzinfo=timezone.utc),
         "day": date(2024, 2, 2), "vip": False, "balance": Decimal("20.25"), "blob": b"\x02", "note": None,
         "orders": [{"order_id": 103, "total": 20}]},
        {"id": 3, "name": "back\\slash", "city": "paris", "joined": datetime(2024, 1, 3, tzinfo=timezone.utc),
         "day": date(2024, 2, 3), "vip": True, "balance": Decimal("30"), "blob": b"'", "note": "n3"},
        {"id": 4, "name": "100%", "city": "berlin", "joined": datetime(2024, 1, 4, tzinfo=timezone.utc),
         "day": date(2024, 2, 4), "vip": False, "balance": Decimal("-1.5"), "blob": b"", "note": "it's"},
    ]


p = dlt.pipeline(pipeline_name="rel", destination=sys.argv[1], dataset_name="rel_data")
p.run(customers())
ds = p.dataset()
c = ds.customers


def ids(rel):
    return [r[0] for r in rel.select("id").order_by("id").fetchall()]


# dlt's filter operations, each value written as a literal of its type
print("eq:", ids(c.where("city", "eq", "berlin")))
print("ne:", ids(c.where("city", "ne", "berlin")))
print("gt lt:", ids(c.where("id", "gt", 1).where("id", "lt", 4)))
print("gte lte:", ids(c.where("id", "gte", 2).where("id", "lte", 3)))
print("in:", ids(c.where("id", "in", [3, 1, 7])), "not_in:", ids(c.where("id", "not_in", [3, 1, 7])))
print("in one:", ids(c.where("id", "in", 2)), "in none:", ids(c.where("id", "in", [])),
      "not_in none:", ids(c.where("id", "not_in", ())))
print("quote:", ids(c.where("name", "eq", "o'brien")), "backslash:", ids(c.where("name", "eq", "back\\slash")),
      "percent:", ids(c.where("name", "in", ["100%", "x' OR '1'='1"])))
print("injection:", ids(c.where("name", "eq", "x' OR '1'='1")), ids(c.where("note", "eq", "it's")))
print("datetime:", ids(c.where("joined", "gt", datetime(2024, 1, 2))),
      ids(c.where("joined", "lte", datetime(2024, 1, 2, 12, tzinfo=timezone.utc))))
print("date:", ids(c.where("day", "gte", date(2024, 2, 3))), "bool:", ids(c.where("vip", "eq", True)))
print("decimal:", ids(c.where("balance", "gt", Decimal("10.5"))), "float:", ids(c.where("balance", "lt", 0.0)))
print("bytes:", ids(c.where("blob", "eq", b"'")), ids(c.where("blob", "eq", b"\x01\xff")))
print("null:", ids(c.where("note", "eq", None)), ids(c.where("note", "ne", None)))
print("raw:", ids(c.where("id = 1")), ids(c.where("name LIKE '%\\%%' ESCAPE '\\' OR id > 3")))

# ordering, limits and aggregates compose as dlt's relations do
print("order:", c.order_by("id", "desc").select("id", "name").limit(2).fetchall())
print("order two:", c.order_by("city").order_by("id", "desc").select("city", "id").fetchall())
print("limit then order:", c.limit(2).order_by("id", "desc").select("id").fetchall())
print("head:", len(c.head().fetchall()), len(c.head(3).fetchall()), c.select("id").order_by("id").head(1).fetchall())
print("max min:", c.select("id").max().fetchscalar(), c.select("id").min().fetchscalar(),
      c.select("name").min().fetchscalar(), c.select("joined").max().fetchscalar())
print("max filtered:", float(c.where("city", "eq", "berlin").select("balance").max().fetchscalar()))
print("max of limit:", c.order_by("id").select("id").limit(2).max().fetchscalar())
print("max empty:", c.where("id", "gt", 99).select("id").max().fetchscalar(),
      c.where("id", "gt", 99).select("id").fetchscalar())
print("columns:", c.select("name", "id").columns, c[["city"]].columns, c.select("id").max().columns)

# SQL text composes the same way
q = ds("SELECT id, name FROM customers WHERE id > 1;")
print("sql:", q.where("id", "lt", 4).order_by("id", "desc").fetchall(), q.select("id").max().fetchscalar())
print("sql raw where:", ds("SELECT id FROM customers -- all of them").where("id = 2").fetchall())
print("sql scalar:", ds("SELECT min(id) FROM customers").fetchscalar())

# joins along the schema's references
j = ds["customers"].join("customers__orders", alias="orders")
print("join:", j.select("name", "orders__order_id", "orders__total").order_by("orders__order_id").fetchall())
print("join where:", j.where("orders__total", "gt", 15).select("orders__order_id").order_by("orders__order_id").fetchall(),
      j.where("orders__total < 15").select("name").fetchall())
print("join agg:", j.select("orders__total").max().fetchscalar(),
      j.where("name", "eq", "simon").select("orders__total").min().fetchscalar())
print("left join:", ds.customers.join("customers__orders", kind="left")
      .select("id", "customers__orders__total").order_by("id").order_by("customers__orders__total").fetchall())
print("child to parent:", ds.customers__orders.join(ds.customers).select("order_id", "customers__name")
      .order_by("order_id").fetchall())
print("loads join:", ds.customers.join("_dlt_loads").select("_dlt_loads__status").max().fetchscalar())

# load ids and the dataset's own methods
loads = ds.load_ids()
print("loads:", len(loads), loads == [ds.latest_load_id()], ds.load_ids(schema_name="nope"))
print("from loads:", ids(ds.table("customers", load_ids=loads)),
      ds.customers__orders.from_loads(loads).select("order_id").order_by("order_id").fetchall(),
      ds.customers__orders.from_loads(["0"]).fetchall())
print("row counts:", sorted(ds.row_counts().fetchall()), ds.row_counts(table_names=["customers"]).fetchall(),
      ds.row_counts(load_id=loads[0]).select("row_count").order_by("row_count").fetchall())
with p.dataset() as d:
    client = d.sql_client
    d.customers.fetchone(), d("SELECT 1").fetchall()
    print("with:", client.native_connection.is_open, d.sql_client is client,
          d.customers.select("id").max().fetchscalar())
print("closed:", client.native_connection is None)

# errors
for label, make in [
    ("unknown where", lambda: c.where("nope", "eq", 1)),
    ("unknown select", lambda: c.select("id", "nope")),
    ("unknown order", lambda: c.order_by("nope")),
    ("unknown item", lambda: c[["nope"]]),
    ("operator", lambda: c.where("id", "like", 1)),
    ("direction", lambda: c.order_by("id", "up")),
    ("max of all", lambda: c.max()),
    ("scalar", lambda: c.select("id").fetchscalar()),
    ("join", lambda: c.join("customers__nope")),
    ("table", lambda: ds.table("nope")),
]:
    try:
        make()
        print(label, "no error")
    except RelationUnknownColumnException as e:
        print(label, "RelationUnknownColumnException", isinstance(e, KeyError), e.column_name)
    except ValueErrorWithKnownValues as e:
        print(label, "ValueErrorWithKnownValues", e.key, e.value_received)
    except ValueError as e:
        print(label, "ValueError", str(e).split(".")[0])
)PY";

// Every line the relation script prints, the same on DuckDB and PostgreSQL.
const std::vector<std::string> kRelationLines = {
    "eq: [1, 4]",
    "ne: [2, 3]",
    "gt lt: [2, 3]",
    "gte lte: [2, 3]",
    "in: [1, 3] not_in: [2, 4]",
    "in one: [2] in none: [] not_in none: [1, 2, 3, 4]",
    "quote: [2] backslash: [3] percent: [4]",
    "injection: [] [4]",
    "datetime: [2, 3, 4] [1, 2]",
    "date: [3, 4] bool: [1, 3]",
    "decimal: [2, 3] float: [4]",
    "bytes: [3] [1]",
    "null: [2] [1, 3, 4]",
    "raw: [1] [4]",
    "order: [(4, '100%'), (3, 'back\\\\slash')]",
    "order two: [('berlin', 4), ('berlin', 1), ('london', 2), ('paris', 3)]",
    "limit then order: [(4,), (3,)]",
    "head: 4 3 [(1,)]",
    "max min: 4 1 100% 2024-01-04 00:00:00+00:00",
    "max filtered: 10.5",
    "max of limit: 2",
    "max empty: None None",
    "columns: ['name', 'id'] ['city'] ['id']",
    "sql: [(3, 'back\\\\slash'), (2, \"o'brien\")] 4",
    "sql raw where: [(2,)]",
    "sql scalar: 1",
    "join: [('simon', 101, 42), ('simon', 102, 14), (\"o'brien\", 103, 20)]",
    "join where: [(101,), (103,)] [('simon',)]",
    "join agg: 42 14",
    "left join: [(1, 14), (1, 42), (2, 20), (3, None), (4, None)]",
    "child to parent: [(101, 'simon'), (102, 'simon'), (103, \"o'brien\")]",
    "loads join: 0",
    "loads: 1 True []",
    "from loads: [1, 2, 3, 4] [(101,), (102,), (103,)] []",
    "row counts: [('customers', 4), ('customers__orders', 3)] [('customers', 4)] [(4,)]",
    "with: True True 4",
    "closed: True",
    "unknown where RelationUnknownColumnException True nope",
    "unknown select RelationUnknownColumnException True nope",
    "unknown order RelationUnknownColumnException True nope",
    "unknown item RelationUnknownColumnException True nope",
    "operator ValueErrorWithKnownValues operator like",
    "direction ValueError `up` is an invalid sort order, allowed values are: `asc` and `desc`",
    "max of all ValueError max() requires a query with exactly one select expression",
    "scalar ValueError Expected scalar result (single row, single column), got more than one row",
    "join ValueError Table `customers__nope` not found in dataset schema",
    "table ValueError Table `nope` not found",
};

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(PythonDatasetRelation, TheDocumentedSnippetsRunAsWrittenWithTheirValues) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "docs.py", kDocsScript);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "row counts: [('customers', 7), ('inventory', 2), ('purchases', 5)]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "frames: MissingDependencyException ['pandas']\n") || Contains(r.out, "frames: 3 7\n"))
      << r.out;
  const std::vector<std::string> lines = {
      "tables: 7 7 7",
      "custom sql: 3",
      "fetchall: 7 (1, 'simon', 'berlin')",
      "chunks: [5, 2]",
      "with: 7 5",
      "limit: 7 5",
      "select: [(1, 'simon'), (2, 'violet')]",
      "brackets: [(1, 'simon'), (2, 'violet')]",
      "one column: [('andrea',), ('dave',)]",
      "order_by: [1, 2, 3, 4, 5, 6, 7]",
      "order_by desc: [7, 6, 5, 4, 3, 2, 1]",
      "filter in: [1, 3, 7]",
      "filter raw: [(1, 'simon')]",
      "filter expr: [(7, 'sultan')]",
      "aggregate: 7 1",
      "chain: 7",
      "fetch one many: 5 7",
      "iterate select: [(7, 2)]",
      "join: [('Alice', 101, 42), ('Alice', 102, 14), ('Bob', 103, 20)]",
  };
  EXPECT_TRUE(Contains(r.out, Joined(lines))) << r.out;
}

TEST(PythonDatasetRelation, FiltersOrdersAggregatesAndJoinsOnDuckDbWithValuesOfEveryType) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "rel.py", kRelationScript, {"duckdb"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, Joined(kRelationLines));
}

TEST(PythonDatasetRelation, DatasetMethodsAreNotTableNamesAndTablesStayReachable) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "methods.py", R"PY(
import dlt

p = dlt.pipeline(pipeline_name="m", destination="duckdb", dataset_name="m_data")
p.run([{"id": 1}, {"id": 2}], table_name="items")
p.run([{"id": 3}], table_name="items")
ds = p.dataset()
loads = ds.load_ids()
print("load_ids:", len(loads), loads == sorted(loads), ds.latest_load_id() == loads[-1])
print("loads table:", ds.loads_table().select("load_id").order_by("load_id").fetchall() == [(l,) for l in loads])
print("per load:", [ds.table("items", load_ids=[l]).select("id").fetchall() for l in loads])
print("row counts:", ds.row_counts(load_id=loads[-1]).fetchall(), ds.row_counts(dlt_tables=True, data_tables=False)
      .where("table_name", "eq", "_dlt_loads").select("row_count").fetchscalar())
print("attributes:", ds.schema.name, ds.dataset_name, ds.destination_dialect, "items" in ds.tables,
      callable(ds.load_ids), callable(ds.latest_load_id), callable(ds.row_counts), callable(ds.query))
print("dlt tables:", ds._dlt_loads.select("status").max().fetchscalar(), ds["_dlt_version"].select("schema_name")
      .limit(1).fetchscalar())
print("missing:", hasattr(ds, "nope"), getattr(ds, "nope", "default"))
try:
    ds["nope"]
except KeyError as e:
    print("item:", e.args[0])
print("query:", ds.query("SELECT max(id) AS m FROM items").fetchscalar(), ds("SELECT 1 AS one").columns)
sql = ds.items.where("id", "in", [1, 2]).order_by("id", "desc").limit(1).to_sql()
print("sql:", sql.replace('"m".', ""))
with p.dataset() as d:
    before = d.sql_client
    print("in with:", d.items.select("id").max().fetchscalar(), before.native_connection.is_open)
print("after with:", before.native_connection is None, ds.items.select("id").min().fetchscalar())
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "load_ids: 2 True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "loads table: True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "per load: [[(1,), (2,)], [(3,)]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "row counts: [('items', 1)] 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "attributes: m m_data duckdb True True True True True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "dlt tables: 0 m\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "missing: False default\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "item: nope\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "query: 3 ['one']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sql: SELECT * FROM \"m_data\".\"items\" WHERE (\"id\" IN (1, 2)) ORDER BY \"id\" DESC LIMIT 1\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "in with: 3 True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "after with: True 1\n")) << r.out;
}

class PythonDatasetRelationPg : public PostgresSuite {};

TEST_F(PythonDatasetRelationPg, FiltersOrdersAggregatesAndJoinsOnPostgresAsOnDuckDb) {
  CreateDatabase("py_relations");
  TempWorkspace w;
  w.WriteSecrets("[destination.postgres]\ncredentials = \"" + server_->Url("py_relations") + "\"\n");
  auto r = RunPythonSource(w, "rel.py", kRelationScript, {"postgres"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, Joined(kRelationLines));
  EXPECT_EQ(Value("py_relations", "SELECT count(*) FROM rel_data.customers"), "4");
}

}  // namespace
}  // namespace dlt::testing
