// dlt's `references` table hint (schema.md, "Table references"): annotations of a table's columns
// that refer to another table's, kept in the table's schema (names normalized as dlt's naming
// does, one reference per referenced table, a later one replacing an earlier) and stored with the
// schema in the destination; nothing is enforced.
#include "pipeline_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

// The same from a pipeline file: a resource's `references`, checked where it is written.
TEST(TableReferences, APipelineFilesReferencesAreStoredWithTheSchema) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "references = [{ columns = [\"Customer\"], referenced_table = \"customers\", "
                                    "referenced_columns = [\"name\"], cardinality = \"many_to_one\" }]\n"));
  w.Write("orders.jsonl", Orders(1, 2));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT json_extract(schema, '$.tables.orders.references') FROM shop_data._dlt_version "
                             "ORDER BY inserted_at DESC LIMIT 1"),
            R"([{"columns":["customer"],"referenced_table":"customers","referenced_columns":["name"],)"
            R"("cardinality":"many_to_one"}])");

  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "references = [{ columns = [\"a\", \"b\"], referenced_table = \"t\", "
                                    "referenced_columns = [\"x\"] }]\n"));
  r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "shop.toml:9")) << r.err;
  EXPECT_TRUE(Contains(r.err, "must pair up (2 and 1 names)")) << r.err;
  for (const auto& [bad, message] : std::vector<std::pair<std::string, std::string>>{
           {"{ columns = [\"a\"], referenced_columns = [\"x\"] }",
            "a reference needs `columns`, `referenced_table` and `referenced_columns`"},
           {"{ columns = [\"a\"], referenced_table = \"t\", referenced_columns = [\"x\"], cardinal = \"one_to_one\" }",
            "unknown key `cardinal` in references. Did you mean `cardinality`?"},
           {"{ columns = [\"a\"], referenced_table = \"t\", referenced_columns = [\"x\"], cardinality = \"many_to_1\" }",
            "unknown cardinality `many_to_1`"}}) {
    w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "references = [" + bad + "]\n"));
    r = w.RunPipeline({"shop.toml"});
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_TRUE(Contains(r.err, message)) << bad << "\n" << r.err;
  }
}

#ifdef DLT_PYTHON

// Defect: `@dlt.resource(references=...)` and `apply_hints(references=...)` were refused with
// NotImplementedError.
TEST(TableReferences, PythonReferencesAreKeptInTheSchemaAndMergedByReferencedTable) {
  PipelineWorkspace w;
  auto r = RunPythonSource(w, "refs.py", R"PY(
import json
import dlt

@dlt.resource(primary_key="id")
def customers():
    yield [{"id": 1, "name": "a"}]

@dlt.resource(references=[{"columns": ["CustomerId"], "referenced_table": "Customers", "referenced_columns": ["id"]}])
def orders():
    yield [{"id": 10, "CustomerId": 1, "shop_id": 7}]

p = dlt.pipeline(pipeline_name="refs", destination="warehouse", dataset_name="refs_data")
p.run([customers(), orders()])
print("first", p.default_schema.tables["orders"]["references"])

o = orders()
o.apply_hints(references=[{"columns": "shop_id", "referenced_table": "shops", "referenced_columns": "id",
                           "cardinality": "many_to_one"}])
o.apply_hints(references=[{"columns": ["CustomerId"], "referenced_table": "Customers", "referenced_columns": ["id"],
                           "label": "placed_by"}])
p.run(o)
# the stored reference to customers has the same column mapping: kept as it is (dlt's merge_table)
print("second", p.default_schema.tables["orders"]["references"])
o2 = orders()
o2.apply_hints(references=[{"columns": ["CustomerId"], "referenced_table": "Customers",
                            "referenced_columns": ["customer_no"], "label": "placed_by"}])
p.run(o2)
print("third", p.default_schema.tables["orders"]["references"])
with p.sql_client() as c:
    stored = json.loads(c.execute_sql("SELECT schema FROM _dlt_version ORDER BY inserted_at DESC LIMIT 1")[0][0])
print("stored", stored["tables"]["orders"]["references"] == p.default_schema.tables["orders"]["references"])
print("customers", "references" in p.default_schema.tables["customers"])

# through dlt.mark.with_hints / make_hints, on a resource of its own
@dlt.resource
def items():
    yield dlt.mark.with_hints({"id": 1, "order_id": 10}, dlt.mark.make_hints(
        references=[{"columns": ["order_id"], "referenced_table": "orders", "referenced_columns": ["id"]}]))
p.run(items())
print("items", p.default_schema.tables["items"]["references"])

@dlt.transformer(data_from=customers, references=[{"columns": "customer_id", "referenced_table": "customers",
                                                   "referenced_columns": "id", "cardinality": "one_to_one"}])
def profiles(rows):
    yield [{"customer_id": r["id"], "bio": "x"} for r in rows]
p.run(profiles)
print("transformer", p.default_schema.tables["profiles"]["references"])

for bad in ([{"columns": ["a"], "referenced_table": "t"}],
            [{"columns": ["a", "b"], "referenced_table": "t", "referenced_columns": ["x"]}],
            {"columns": ["a"], "referenced_table": "t", "referenced_columns": ["x"]},
            [{"columns": ["a"], "referenced_table": "t", "referenced_columns": ["x"], "cardinality": "many_to_1"}]):
    try:
        dlt.resource([{"a": 1}], name="bad", references=bad)
    except ValueError as e:
        print("refused", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "first [{'columns': ['customer_id'], 'referenced_table': 'customers', "
                              "'referenced_columns': ['id']}]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "second [{'columns': ['customer_id'], 'referenced_table': 'customers', "
                              "'referenced_columns': ['id']}, {'columns': ['shop_id'], "
                              "'referenced_table': 'shops', 'referenced_columns': ['id'], 'cardinality': 'many_to_one'}]\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "third [{'columns': ['customer_id'], 'referenced_table': 'customers', "
                              "'referenced_columns': ['customer_no'], 'label': 'placed_by'}, {'columns': ['shop_id'], "
                              "'referenced_table': 'shops', 'referenced_columns': ['id'], 'cardinality': 'many_to_one'}]\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "stored True\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "customers False\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "items [{'columns': ['order_id'], 'referenced_table': 'orders', "
                              "'referenced_columns': ['id']}]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "transformer [{'columns': ['customer_id'], 'referenced_table': 'customers', "
                              "'referenced_columns': ['id'], 'cardinality': 'one_to_one'}]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused references[0] (to `t`): unknown cardinality `many_to_1`; dlt's are zero_to_one,"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "refused references[0] (to `t`): `referenced_columns` must be a column name or a list of them\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "refused references[0] (to `t`): `columns` and `referenced_columns` must pair up, got 2 and 1 names\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "refused references must be a list of dicts (columns, referenced_table, referenced_columns), "
                              "got dict\n")) << r.out;
}

#endif

}  // namespace
}  // namespace dlt::testing
