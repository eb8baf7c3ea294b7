// dlt's `nested_hints` (general-usage/resource.md, "Define schema of nested tables"): column hints
// of the nested tables a resource's lists become, by the list's field (or a tuple of fields for
// deeper lists). Defect guarded: `nested_hints` was refused outright, so the docs' example (a
// price in a list of purchases loaded as decimal) could not run; the price was text.
#include <gtest/gtest.h>

#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonNestedHints, ColumnHintsOfNestedTablesTypeTheirColumnsAtEveryDepth) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "nested.py", R"PY(
import dlt

@dlt.resource(nested_hints={
    "purchases": dlt.mark.make_nested_hints(columns=[{"name": "price", "data_type": "decimal"}]),
    ("purchases", "coupons"): {"columns": {"code": {"data_type": "text"}, "seq": {"data_type": "double"}}},
})
def customers():
    yield [{"id": 1, "name": "simon", "city": "berlin",
            "purchases": [{"id": 1, "name": "apple", "price": "1.50", "coupons": [{"code": 7, "seq": 1}]}]}]

@dlt.resource
def orders():
    yield [{"id": 1, "lines": [{"qty": "3"}]}]

p = dlt.pipeline("nested", destination="duckdb", dataset_name="nested_data")
p.run(customers())
p.run(customers())
p.run(orders().apply_hints(nested_hints={"lines": {"columns": [{"name": "qty", "data_type": "bigint"}]}}))
with p.sql_client() as c:
    print(c.execute_sql("SELECT min(typeof(price)), sum(price) FROM customers__purchases"))
    print(c.execute_sql("SELECT min(typeof(code)), min(code), min(typeof(seq)) FROM customers__purchases__coupons"))
    print(c.execute_sql("SELECT typeof(qty), qty FROM orders__lines"))
schema = p.default_schema
print(schema.tables["customers__purchases"]["columns"]["price"]["data_type"],
      schema.tables["customers__purchases"]["parent"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "[('DECIMAL(38,9)', Decimal('3.000000000'))]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[('VARCHAR', '7', 'DOUBLE')]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[('BIGINT', 3)]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "decimal customers")) << r.out;
}

// A hint that conflicts with the type a nested table's column already has fails before anything
// is loaded, naming the column and table; hints the engine does not apply to nested tables yet
// (schema_contract, primary_key, ...) and a column hint without a data_type are refused, naming
// them, instead of being ignored.
TEST(PythonNestedHints, ConflictsAndUnsupportedNestedHintsAreRefusedNamingThem) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "bad.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

def rows():
    yield [{"id": 1, "items": [{"n": "x"}]}]

p = dlt.pipeline("nbad", destination="duckdb", dataset_name="nbad_data")
p.run(dlt.resource(rows, name="things")())
try:
    p.run(dlt.resource(rows, name="things", nested_hints={"items": {"columns": {"n": {"data_type": "bigint"}}}})())
    print("loaded")
except PipelineStepFailed as e:
    print("failed at", e.step, "column `n` of table `things__items` already has type text" in str(e))
for hints in ({"items": dlt.mark.make_nested_hints(schema_contract={"columns": "freeze"})},
              {"items": {"columns": {"n": {"nullable": False}}}}):
    try:
        dlt.resource(rows, name="things", nested_hints=hints)
        print("accepted")
    except NotImplementedError as e:
        print("refused:", e)
with p.sql_client() as c:
    print(c.execute_sql("SELECT count(*) FROM things__items"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "failed at normalize True")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused: nested_hints 'items': schema_contract of nested tables are not supported")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused: nested_hints 'items': column `n` needs a data_type here")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[(1,)]")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
