// One schema per source, as dlt keeps them: a `@dlt.source` extracts into a schema named after the
// source (its file, its packages, the schema_name of _dlt_loads and _dlt_version, its part of the
// state: sources.<source>), the first schema is the pipeline's default, data and resources run
// alone go to the default schema, several sources in one run get a package and schema each, a
// wiped working folder gets every schema back from the destination, and the CLI's schema and
// drop take --schema.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* kScript = R"PY(
import sys, dlt

@dlt.source
def github():
    @dlt.resource(primary_key="id", write_disposition="merge")
    def issues(updated=dlt.sources.incremental("updated_at", initial_value=0)):
        n = int(sys.argv[2])
        yield [{"id": i, "updated_at": i, "title": f"issue {i}"} for i in range(n)]
    return issues

@dlt.source(name="shop")
def shop_source():
    @dlt.resource(write_disposition="append")
    def orders():
        st = dlt.current.source_state()
        st["runs"] = st.get("runs", 0) + 1
        yield [{"order": st["runs"]}]
    return orders

@dlt.resource(write_disposition="append")
def loose():
    yield {"a": 1}

p = dlt.pipeline(pipeline_name="hub", destination="duckdb", dataset_name="hub_data")
what = sys.argv[1]
if what == "github":
    info = p.run(github())
elif what == "both":
    info = p.run([github(), shop_source()])
elif what == "loose":
    info = p.run(loose())
print("packages", sorted(pk.schema_name for pk in info.load_packages))
print("default", p.default_schema_name, "schemas", p.schema_names)
print("sources", sorted(p.state["sources"]))
print("tables", {k: sorted(v.data_table_names()) for k, v in p.schemas.items()})
)PY";

std::string Loads(const TempWorkspace& w) {
  auto rows = SqlColumn(DevDb(w, "hub"), "SELECT schema_name || ':' || count(*) FROM hub_data._dlt_loads GROUP BY schema_name ORDER BY schema_name");
  std::string out;
  for (const auto& r : rows) out += r + " ";
  return out;
}

TEST(PythonSourceSchemas, ASourceExtractsIntoASchemaNamedAfterItAndTheFirstIsTheDefault) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "hub.py", kScript, {"github", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "packages ['github']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "default github schemas ['github']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sources ['github']\n")) << r.out;
  const fs::path schemas = w.root() / ".dlt" / ".var" / "dev" / "pipelines" / "hub" / "schemas";
  EXPECT_TRUE(fs::exists(schemas / "github.schema.json"));
  EXPECT_FALSE(fs::exists(schemas / "hub.schema.json"));
  EXPECT_EQ(Loads(w), "github:1 ");
  EXPECT_EQ(SqlColumn(DevDb(w, "hub"), "SELECT DISTINCT schema_name FROM hub_data._dlt_version"),
            (std::vector<std::string>{"github"}));

  // A resource run alone goes to the default schema (dlt's), not to one named after the pipeline.
  r = RunPython(w, "hub.py", {"loose", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "packages ['github']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "tables {'github': ['issues', 'loose']}\n")) << r.out;
  EXPECT_FALSE(fs::exists(schemas / "hub.schema.json"));
}

TEST(PythonSourceSchemas, TwoSourcesGetAPackageAndSchemaEachAndComeBackFromTheDestination) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "hub.py", kScript, {"both", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "packages ['github', 'shop']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "default github schemas ['github', 'shop']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "tables {'github': ['issues'], 'shop': ['orders']}\n")) << r.out;
  EXPECT_EQ(Loads(w), "github:1 shop:1 ");

  // The working folder is lost: both schemas and both sources' state come back, so the cursor
  // of github.issues holds (only the new rows are loaded) and shop's counter goes on.
  fs::remove_all(w.root() / ".dlt" / ".var");
  r = RunPython(w, "hub.py", {"both", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "default github schemas ['github', 'shop']\n")) << r.out;
  EXPECT_EQ(SqlColumn(DevDb(w, "hub"), "SELECT count(*) || '/' || count(DISTINCT id) FROM hub_data.issues"),
            (std::vector<std::string>{"8/8"}));
  EXPECT_EQ(SqlColumn(DevDb(w, "hub"), "SELECT string_agg(\"order\"::text, ',' ORDER BY \"order\") FROM hub_data.orders"),
            (std::vector<std::string>{"1,2"}));

  // The CLI shows every schema and drops a source's resource with --schema.
  r = w.Dlt({"pipeline", "hub", "info"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "Resources and tables in schema github")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Resources and tables in schema shop")) << r.out;
  r = w.Dlt({"pipeline", "hub", "schema", "--schema", "shop", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "\"name\": \"shop\"")) << r.out;
  r = w.Dlt({"pipeline", "hub", "drop", "orders", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out + r.err, "no resource `orders` in schema `github`")) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out + r.err, "other schemas (one per source): shop; pick one with --schema")) << r.out << r.err;
  r = w.Dlt({"pipeline", "hub", "drop", "orders", "--schema", "shop", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(SqlColumn(DevDb(w, "hub"), "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                         "'hub_data' AND table_name = 'orders'").empty());
}

TEST(PythonSourceSchemas, ASourceNameThatIsNoIdentifierIsRefusedAndSchemaPicksTheSchema) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "names.py", R"PY(
import dlt
from dlt.common.schema.exceptions import InvalidSchemaName

@dlt.source(name="my-shop")
def shop():
    return [{"a": 1}]

try:
    shop()
except InvalidSchemaName as e:
    print("refused", isinstance(e, ValueError), e.name)

@dlt.source
def github():
    @dlt.resource(primary_key="id", write_disposition="append")
    def issues(updated=dlt.sources.incremental("id", initial_value=0)):
        yield [{"id": i} for i in range(1, 4)]
    return issues

# run(schema=...): the source goes to that schema (and its part of the state) instead of its own.
p = dlt.pipeline(pipeline_name="legacy", destination="duckdb", dataset_name="legacy_data")
info = p.run(github(), schema=dlt.Schema("legacy"))
print("schema", [pk.schema_name for pk in info.load_packages], p.schema_names, sorted(p.state["sources"]))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "refused True my-shop\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "schema ['legacy'] ['legacy'] ['legacy']\n")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
