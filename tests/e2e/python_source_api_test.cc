// dlt's source API beyond decorating a function (source.md): adding resources to a source after
// it was made (`source.<name> = ...`, `source.resources.add(...)`), a source function cloned with
// other defaults (`clone(name=, section=)`), and an async source function, each a real script
// run by python3.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonSourceApi, ResourcesAddedAfterTheSourceWasMadeAClonedSourceAndAnAsyncSourceLoad) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "src.py", R"PY(
import asyncio
import dlt

@dlt.source
def hub():
    return [dlt.resource([{"id": 1}, {"id": 2}], name="deals")]

@dlt.transformer
def deal_scores(deal):
    yield {"deal_id": deal["id"], "score": deal["id"] * 10}

s = hub()
s.deal_scores = s.deals | deal_scores
print(sorted(s.resources.keys()))
s2 = hub()
s2.resources.add(s2.deals | deal_scores)
print(sorted(s2.resources.keys()))
try:
    s2.resources["other"] = s2.deals
except ValueError as e:
    print("ValueError:", e)
cloned = hub.clone(name="my_hub", section="my_db")
print(cloned.name, cloned().name, cloned().section, hub().name)

@dlt.source
async def asrc():
    await asyncio.sleep(0)
    return dlt.resource([{"a": 1}], name="x")

src = asyncio.run(asrc())
print(type(src).__name__, list(src.resources))
p = dlt.pipeline("src_api", destination="duckdb", dataset_name="sd")
p.run(src)
p.run(s)
with p.sql_client() as c:
    print(c.execute_sql("SELECT deal_id, score FROM sd.deal_scores ORDER BY 1"), c.execute_sql("SELECT a FROM sd.x"))
from dlt.common import Decimal
print(s.deals.compute_table_schema()["resource"], Decimal("1.50"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "['deal_scores', 'deals']\n"
            "['deal_scores', 'deals']\n"
            "ValueError: The index name `other` does not correspond to resource name `deals`\n"
            "my_hub my_hub my_db hub\n"
            "DltSource ['x']\n"
            "[(1, 10), (2, 20)] [(1,)]\n"
            "deals 1.50\n");
}

// A source's root_key (dlt's root_key_propagation): True gives the nested tables of any write
// disposition `_dlt_root_id`; False keeps merge from adding it, and a delete-insert merge of
// nested rows then stops with a clear error (dlt raises there too) instead of leaving stale rows.
TEST(PythonSourceApi, RootKeyOfASourceDecidesWhetherNestedTablesGetTheRootKey) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "rk.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

def data():
    return [{"id": 1, "items": [{"x": 1}, {"x": 2}]}]

@dlt.source(root_key=True)
def on():
    return dlt.resource(data(), name="a", write_disposition="replace")

@dlt.source(root_key=False)
def off():
    return dlt.resource(data(), name="b", write_disposition="append")

@dlt.source
def default():
    return dlt.resource(data(), name="c", write_disposition="merge", primary_key="id")

p = dlt.pipeline("rk", destination="duckdb", dataset_name="rkd")
for s in (on(), off(), default()):
    p.run(s)
    name = list(s.resources)[0]
    schema = p.schemas[s.name]
    print(name, "_dlt_root_id" in schema.tables[name + "__items"]["columns"],
          schema.to_dict()["normalizers"]["json"].get("config", {}).get("root_key_propagation"))
with p.sql_client() as c:
    print(c.execute_sql("SELECT count(*) FROM rkd.a__items a JOIN rkd.a r ON a._dlt_root_id = r._dlt_id"))

@dlt.source(root_key=False)
def merged():
    return dlt.resource(data(), name="m", write_disposition="merge", primary_key="id")
try:
    p.run(merged())
except PipelineStepFailed as e:
    print(e.step, "has no root key column (`_dlt_root_id`)" in str(e))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "a True True\n"
            "b False False\n"
            "c True None\n"
            "[(2,)]\n"
            "load True\n");
}

// A resource that names its table per item (table_name=lambda) and yields nothing in a run:
// the package has no job files and no table, and the run completes (it crashed the normalize
// step); a later run with rows loads them.
TEST(PythonSourceApi, ARunOfATablePerItemResourceThatYieldsNothingCompletes) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "empty.py", R"PY(
import dlt
p = dlt.pipeline("per_item", destination="duckdb", dataset_name="pid")

@dlt.resource(table_name=lambda i: i["type"])
def events(rows):
    yield from rows

print(p.run(events([])).has_failed_jobs)
p.run(events([{"type": "click", "id": 1}, {"type": "view", "id": 2}]))
with p.sql_client() as c:
    print(c.execute_sql("SELECT count(*) FROM pid.click"), c.execute_sql("SELECT count(*) FROM pid.view"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "False\n[(1,)] [(1,)]\n");
}

}  // namespace
}  // namespace dlt::testing
