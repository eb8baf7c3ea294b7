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
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "['deal_scores', 'deals']\n"
            "['deal_scores', 'deals']\n"
            "ValueError: The index name `other` does not correspond to resource name `deals`\n"
            "my_hub my_hub my_db hub\n"
            "DltSource ['x']\n"
            "[(1, 10), (2, 20)] [(1,)]\n");
}

}  // namespace
}  // namespace dlt::testing
