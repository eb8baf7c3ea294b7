// The Python package (`import dlt` on the native engine): real scripts run by Debian's python3
// with the package of this build, in temporary workspaces; what they load is read back from the
// DuckDB file. Increment 1: data shapes, LoadInfo as dlt prints it, errors of user code.
#include <gtest/gtest.h>

#include <regex>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

TEST(PythonPackage, ListsGeneratorsPagesAndNestedDictsLoadIntoTheDevProfilesDuckDb) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt

@dlt.resource(primary_key="id", write_disposition="merge")
def users():
    # a page (list) of rows, then a single row
    yield [{"id": 1, "name": "Ada", "tags": ["x", "y"], "address": {"city": "Paris"}},
           {"id": 2, "name": "Bob", "score": 2.0}]
    yield {"id": 3, "name": "Cy", "score": 1.5}

p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
p.run(users())
p.run(users())  # merge on id: still three users
p.run([{"n": 1}, {"n": 2}], table_name="plain")
p.run((i for i in [{"v": "a"}, {"v": "b"}, {"v": "c"}]), table_name="from_gen")
p.run({"only": True}, table_name="single")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = w.root() / "_local" / "dev" / "shop.duckdb";
  ASSERT_TRUE(fs::exists(db));
  EXPECT_EQ(CountRows(db, "shop_data.users"), 3);
  EXPECT_EQ(SqlColumn(db, "SELECT name FROM shop_data.users ORDER BY id"), (std::vector<std::string>{"Ada", "Bob", "Cy"}));
  EXPECT_EQ(SqlValue(db, "SELECT address__city FROM shop_data.users WHERE id = 1"), "Paris");
  EXPECT_EQ(SqlColumn(db, "SELECT value FROM shop_data.users__tags ORDER BY _dlt_list_idx"),
            (std::vector<std::string>{"x", "y"}));
  // 2.0 stays a double (not a bigint)
  EXPECT_EQ(SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_data' "
                         "AND table_name = 'users' AND column_name = 'score'"),
            "DOUBLE");
  EXPECT_EQ(CountRows(db, "shop_data.plain"), 2);
  EXPECT_EQ(CountRows(db, "shop_data.from_gen"), 3);
  EXPECT_EQ(SqlValue(db, "SELECT \"only\" FROM shop_data.single"), "true");
}

TEST(PythonPackage, PrintedLoadInfoReadsAsDlts) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
info = p.run([{"id": 1}], table_name="t")
print(info)
print("FAILED" if info.has_failed_jobs else "OK", len(info.load_packages), info.load_packages[0].load_id == info.loads_ids[0])
info.raise_on_failed_jobs()
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = fs::canonical(w.root()).string() + "/_local/dev/shop.duckdb";
  std::regex expected(
      "Pipeline shop load step completed in [0-9]+\\.[0-9]{2} seconds\n"
      "1 load package\\(s\\) were loaded to destination duckdb and into dataset shop_data\n"
      "The duckdb destination used duckdb:///" + std::regex_replace(db, std::regex("[.]"), "\\.") +
      " location to store data\n"
      "Load package [0-9]+\\.[0-9]+ is LOADED and contains no failed jobs\n"
      "OK 1 True\n");
  EXPECT_TRUE(std::regex_match(r.out, expected)) << r.out;
}

TEST(PythonPackage, AGeneratorThatRaisesFailsTheExtractNamingTheResourceAndLoadsNothing) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.extract.exceptions import ResourceExtractionError

@dlt.resource
def events():
    yield [{"id": 1}, {"id": 2}]
    raise ValueError("the API said 500")

p = dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data")
try:
    p.run(events())
except PipelineStepFailed as e:
    assert e.step == "extract", e.step
    assert isinstance(e.exception, ResourceExtractionError)
    assert isinstance(e.exception.__cause__, ValueError)
    print(e)
p.run(events())
)PY");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Pipeline execution failed at `step=extract` with exception:\n\n"
                       "<class 'dlt.extract.exceptions.ResourceExtractionError'>\n"
                       "In processing pipe `events`: extraction of resource `events` in `generator` `events` caused "
                       "an exception: the API said 500"),
            std::string::npos)
      << r.out;
  // The uncaught second failure: a traceback naming the user's line and the error.
  EXPECT_NE(r.err.find("ValueError: the API said 500"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("load.py\", line 9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dlt.pipeline.exceptions.PipelineStepFailed"), std::string::npos) << r.err;
  // Nothing loaded, nothing pending.
  EXPECT_FALSE(fs::exists(w.root() / "_local" / "dev" / "shop.duckdb") &&
               TableExists(w.root() / "_local" / "dev" / "shop.duckdb", "shop_data", "events"));
  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_NE(info.out.find("No pending packages."), std::string::npos) << info.out;
}

TEST(PythonPackage, AValueThatIsNotJsonFailsNamingTheResourceAndTheField) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "load.py", R"PY(
import dlt
def rows():
    yield {"id": 1, "payload": {"ok": 1}}
    yield {"id": 2, "payload": {"when": {1, 2}}}
dlt.pipeline(pipeline_name="shop", destination="duckdb", dataset_name="shop_data").run(rows(), table_name="rows")
)PY");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("In processing pipe `rows`: extraction of resource `rows` in `generator` `rows` caused an "
                       "exception: field `payload.when`: a set is not JSON serializable ({1, 2}); yield a list instead"),
            std::string::npos)
      << r.err;
  fs::path db = w.root() / "_local" / "dev" / "shop.duckdb";
  EXPECT_FALSE(fs::exists(db) && TableExists(db, "shop_data", "rows"));
}

}  // namespace
}  // namespace dlt::testing
