// dlt's documented resource hint rules (docs/website/docs/general-usage/schema.md "compound hints",
// merge-loading.md scd2), each a real script run by python3, its output what dlt 1.26 gives.
#include <gtest/gtest.h>

#include "support/python_script.h"

namespace dlt::testing {
namespace {

// Defect: apply_hints(columns=...) replaced the resource's columns, so a primary key given as a
// column hint on the decorator was lost (and a column's type with it); a column-level primary key
// reached the schema only in the run after the one that created the column. dlt merges the column
// hints (a column's new hints update its earlier ones; empty columns clear them), and the
// flagged columns are the key from the first run on.
TEST(PythonHintsDocs, ColumnHintsGivenToApplyHintsMergeWithTheResourcesColumns) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "merged.py", R"PY(
import dlt

def keys(p, table):
    cols = p.default_schema.tables[table]["columns"]
    return sorted((n, [k for k in ("primary_key", "merge_key") if c.get(k)]) for n, c in cols.items()
                  if not n.startswith("_dlt"))

p = dlt.pipeline(pipeline_name="merged_hints", destination="duckdb", dataset_name="merged_data")

@dlt.resource(name="my_table", columns={"col_2": {"primary_key": True}})
def my_resource():
    yield {"col_1": 1, "col_2": 2}

p.run(my_resource)
print(keys(p, "my_table"))
my_resource.apply_hints(columns={"col_1": {"primary_key": True}})
p.run(my_resource)
print(keys(p, "my_table"))

# any column hint merges: `a` keeps the text type the decorator gave it
@dlt.resource(name="typed", columns={"a": {"data_type": "text"}})
def typed():
    yield {"a": 1, "b": "2"}

typed.apply_hints(columns={"b": {"data_type": "bigint"}})
print(sorted((n, c.get("data_type")) for n, c in typed.compute_table_schema()["columns"].items()))
p.run(typed)
with p.sql_client() as c:
    print(c.execute_sql("SELECT a, b FROM typed"))
typed.apply_hints(columns={})
print(typed.compute_table_schema().get("columns") or {})
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "[('col_1', []), ('col_2', ['primary_key'])]\n"
            "[('col_1', ['primary_key']), ('col_2', ['primary_key'])]\n"
            "[('a', 'text'), ('b', 'bigint')]\n"
            "[('1', 2)]\n"
            "{}\n");
}

// Defect: a direct key (primary_key= / merge_key=) was added to the column-level key flags, and an
// empty one ("") failed normalize with "column hint `` normalizes to an empty name". In dlt the
// direct key replaces the column hints' key flags (an empty one leaves no key), on new and on
// existing columns alike (schema.md, "compound hints").
TEST(PythonHintsDocs, ADirectKeyReplacesTheColumnHintsKeysAndAnEmptyOneLeavesNone) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "direct.py", R"PY(
import dlt

def keys(p, table):
    cols = p.default_schema.tables[table]["columns"]
    return sorted((n, [k for k in ("primary_key", "merge_key") if c.get(k)]) for n, c in cols.items()
                  if not n.startswith("_dlt"))

p = dlt.pipeline(pipeline_name="direct_keys", destination="duckdb", dataset_name="direct_data")

@dlt.resource(name="empty_pk", primary_key="", columns={"col_2": {"primary_key": True}})
def empty_pk():
    yield {"col_1": 1, "col_2": 2}

p.run(empty_pk)
print("empty primary_key:", keys(p, "empty_pk"))

@dlt.resource(name="empty_mk", merge_key="", columns={"col_2": {"merge_key": True}})
def empty_mk():
    yield {"col_1": 1, "col_2": 2}

p.run(empty_mk)
print("empty merge_key:", keys(p, "empty_mk"))

@dlt.resource(name="mk_apply")
def mk_apply():
    yield {"col_1": 1, "col_2": 2}

mk_apply.apply_hints(merge_key="col_1", columns={"col_2": {"merge_key": True}})
p.run(mk_apply)
print("direct merge_key:", keys(p, "mk_apply"))

# on columns that exist already the direct key wins over the column hints too
p.run([{"col_1": 1, "col_2": 2}], table_name="existing")

@dlt.resource(name="existing", primary_key="col_1", columns={"col_2": {"primary_key": True}})
def existing():
    yield {"col_1": 3, "col_2": 4}

p.run(existing)
print("direct primary_key:", keys(p, "existing"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "empty primary_key: [('col_1', []), ('col_2', [])]\n"
            "empty merge_key: [('col_1', []), ('col_2', [])]\n"
            "direct merge_key: [('col_1', ['merge_key']), ('col_2', [])]\n"
            "direct primary_key: [('col_1', ['primary_key']), ('col_2', [])]\n");
}

// merge-loading.md, scd2: `columns={"customer_key": {"merge_key": False}}` unsets the merge key
// an earlier run set, so records absent from the load are retired again; a boundary_timestamp
// of None makes the load package's creation time the boundary again.
TEST(PythonHintsDocs, Scd2MergeKeyFalseAndANoneBoundaryTimestampUndoEarlierHints) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "scd2_reset.py", R"PY(
import dlt
p = dlt.pipeline("scd2_reset", destination="duckdb", dataset_name="sr")
scd2 = {"disposition": "merge", "strategy": "scd2"}
B1 = [{"customer_key": 1, "c1": "foo"}, {"customer_key": 2, "c1": "bar"}]
p.run(dlt.resource(B1, name="dim", write_disposition=scd2, merge_key="customer_key"))
p.run(dlt.resource([{"customer_key": 1, "c1": "foo2"}], name="dim", write_disposition=scd2, merge_key="customer_key"))
with p.sql_client() as c:
    print("merge key", c.execute_sql("SELECT customer_key, c1, _dlt_valid_to IS NULL FROM sr.dim ORDER BY ALL"))
p.run(dlt.resource([{"customer_key": 1, "c1": "foo2"}], name="dim", write_disposition=scd2,
                   columns={"customer_key": {"merge_key": False}}))
print("unset", p.default_schema.tables["dim"]["columns"]["customer_key"].get("merge_key"))
with p.sql_client() as c:
    print("retired", c.execute_sql("SELECT customer_key, c1, _dlt_valid_to IS NULL FROM sr.dim ORDER BY ALL"))

bts = {"disposition": "merge", "strategy": "scd2", "boundary_timestamp": "2024-08-21T12:15:00+00:00"}
p.run(dlt.resource(B1, name="bts", write_disposition=bts))
r = dlt.resource([{"customer_key": 1, "c1": "foo2"}, {"customer_key": 2, "c1": "bar"}], name="bts")
r.apply_hints(write_disposition={"disposition": "merge", "strategy": "scd2", "boundary_timestamp": None})
p.run(r)
with p.sql_client() as c:
    print("boundary", c.execute_sql("SELECT customer_key, c1, CAST(_dlt_valid_from AS VARCHAR) LIKE '2024-08-21%', "
                                    "_dlt_valid_to IS NULL FROM sr.bts ORDER BY ALL"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "merge key [(1, 'foo', False), (1, 'foo2', True), (2, 'bar', True)]\n"
            "unset None\n"
            "retired [(1, 'foo', False), (1, 'foo2', True), (2, 'bar', False)]\n"
            "boundary [(1, 'foo', True, False), (1, 'foo2', False, True), (2, 'bar', True, True)]\n");
}

// Hints this engine does not apply yet are refused where they are given, naming them, instead
// of being dropped without a word; a malformed reference (references are kept: see
// table_references_test.cc) is refused naming what it lacks.
TEST(PythonHintsDocs, NestedKeyHintsAndMalformedReferencesAreRefusedNamingTheHint) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "refused.py", R"PY(
import dlt
try:
    @dlt.resource(nested_hints={"purchases": {"primary_key": "id"}})
    def customers():
        yield {"id": 1}
except NotImplementedError as e:
    print(e)
try:
    dlt.resource([{"id": 1}], name="x").apply_hints(references=[{"referenced_table": "y"}])
except ValueError as e:
    print(e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "nested_hints 'purchases': primary_key of nested tables are not supported by this engine yet (dlt-cpp): "
            "give their `columns` (with data_type) only\n"
            "references[0] (to `y`): `columns` must be a column name or a list of them\n");
}

// Defect: the `partition`, `cluster`, `sort` and `description` column hints (and `x-...`
// extensions) were dropped: dlt keeps them in the schema, where destinations that use them (and
// users, for `description`) read them. Hints added later with apply_hints are kept too.
TEST(PythonHintsDocs, PartitionClusterSortAndDescriptionHintsAreKeptInTheSchema) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "kept.py", R"PY(
import dlt
@dlt.resource(columns={"day": {"partition": True, "data_type": "date"},
                       "id": {"cluster": True, "sort": True, "description": "the id", "x-custom": {"a": 1}}})
def r():
    yield {"id": 1, "day": "2024-01-01", "v": "x"}
p = dlt.pipeline(pipeline_name="kept", destination="duckdb", dataset_name="kept_data")
p.run(r())
KEYS = ("partition", "cluster", "sort", "description", "x-custom", "data_type")
cols = p.default_schema.tables["r"]["columns"]
print({k: {h: v for h, v in c.items() if h in KEYS} for k, c in cols.items() if not k.startswith("_dlt")})
p.run(r().apply_hints(columns={"v": {"partition": True}}))
print(p.default_schema.tables["r"]["columns"]["v"].get("partition"))
with p.sql_client() as c:
    print(c.execute_sql("SELECT id, CAST(day AS VARCHAR), v FROM r ORDER BY id LIMIT 1"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "{'day': {'data_type': 'date', 'partition': True}, 'id': {'data_type': 'bigint', 'cluster': True, 'sort': "
            "True, 'description': 'the id', 'x-custom': {'a': 1}}, 'v': {'data_type': 'text'}}\nTrue\n"
            "[(1, '2024-01-01', 'x')]\n")
      << r.out;
}

// dlt's hint properties of a resource: `columns` is a dict of column name -> column that may be
// changed in place (the next extract takes it), has_dynamic_table_name, table_format, nested_hints.
TEST(PythonHintsDocs, ResourceColumnsAreADictThatMayBeChangedInPlace) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "cols.py", R"PY(
import dlt
@dlt.resource(columns=[{"name": "x", "data_type": "text"}], primary_key="id")
def r():
    yield [{"id": 1, "x": 5, "y": 1}]
res = r()
print(res.columns, res.has_dynamic_table_name, res.table_format, res.nested_hints)
res.columns["y"] = {"name": "y", "data_type": "text"}
res.columns["x"]["nullable"] = False
p = dlt.pipeline(pipeline_name="cols", destination="duckdb", dataset_name="c")
p.run(res)
t = p.default_schema.get_table("r")["columns"]
print(t["x"]["data_type"], t["x"].get("nullable"), t["y"]["data_type"], t["id"].get("primary_key"))
@dlt.resource
def nocols():
    yield {"a": 1}
print(nocols().columns, dlt.resource([{"k": "a"}], name="dyn", table_name=lambda i: i["k"]).has_dynamic_table_name)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "{'x': {'name': 'x', 'data_type': 'text'}} False None None\ntext False text True\nNone True\n");
}

}  // namespace
}  // namespace dlt::testing
