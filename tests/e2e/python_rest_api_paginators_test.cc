// dlt's HeaderCursorPaginator from Python: the next page's cursor is a response header, sent back
// as a query parameter, in the dict form ({"type": "header_cursor"}) and as the object. Paginating
// a POST search API through its JSON body (offset_body_path, limit_body_path, page_body_path,
// cursor_body_path) with has_more_path / stop_after_empty_page, in rest_api_source and
// RESTClient.paginate (engine paging, and Python paging when hooks are given).
#include <gtest/gtest.h>

#include "http_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonRestApiPaginators, HeaderCursorPaginatorFollowsTheCursorHeaderAsAQueryParameterInBothForms) {
  FixtureServer server;
  TempWorkspace w;
  w.WriteConfig("[sources.rest_api]\nbase_url = \"" + server.Url() + "/\"\n");
  auto r = RunPythonSource(w, "paged.py", R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client.paginators import HeaderCursorPaginator

base_url = dlt.config["sources.rest_api.base_url"]
print(HeaderCursorPaginator(cursor_key="NextPageToken"))
source = rest_api_source({
    "client": {"base_url": base_url},
    "resources": [
        {"name": "as_dict", "endpoint": {"path": "test/header_cursor",
                                         "paginator": {"type": "header_cursor", "cursor_key": "NextPageToken"}}},
        {"name": "as_object", "endpoint": {"path": "test/header_cursor",
                                           "paginator": HeaderCursorPaginator(cursor_key="NextPageToken",
                                                                              cursor_param="cursor")}},
    ],
})
p = dlt.pipeline(pipeline_name="paged", destination="duckdb", dataset_name="paged_data")
p.run(source)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "HeaderCursorPaginator(cursor_key='NextPageToken', cursor_param='cursor')\n")) << r.out;
  const auto db = w.root() / "_local" / "dev" / "paged.duckdb";
  const std::vector<std::string> all{"11", "12", "21", "22", "31", "32"};
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM paged_data.as_dict ORDER BY id"), all);
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM paged_data.as_object ORDER BY id"), all);
  std::vector<std::string> cursors;
  for (const auto& req : server.RequestsTo("/test/header_cursor")) {
    cursors.push_back(req.params.count("cursor") ? req.params.at("cursor") : "-");
  }
  EXPECT_EQ(cursors, (std::vector<std::string>{"-", "tok-2", "tok-3", "-", "tok-2", "tok-3"}))
      << "the first page has no cursor; each next one sends the header's value back";
}

TEST(PythonRestApiPaginators, PostSearchApisArePaginatedThroughTheirJsonBody) {
  FixtureServer server;
  TempWorkspace w;
  w.WriteConfig("[sources.rest_api]\nbase_url = \"" + server.Url() + "/\"\n");
  auto r = RunPythonSource(w, "bodies.py", R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator, OffsetPaginator

base_url = dlt.config["sources.rest_api.base_url"]
source = rest_api_source({
    "client": {"base_url": base_url},
    "resources": [
        {"name": "by_offset", "endpoint": {
            "path": "test/body_pages", "method": "POST", "json": {"kind": "offset", "query": {"q": "x"}},
            "data_selector": "items",
            "paginator": {"type": "offset", "limit": 3, "offset_body_path": "paging.offset",
                          "limit_body_path": "paging.limit", "total_path": "total"}}},
        {"name": "by_page", "endpoint": {
            "path": "test/body_pages", "method": "POST", "json": {"kind": "page"}, "data_selector": "results",
            "paginator": {"type": "page_number", "base_page": 1, "page_body_path": "page",
                          "has_more_path": "has_more", "total_path": None}}},
        {"name": "by_cursor", "endpoint": {
            "path": "test/body_pages", "method": "POST", "json": {"kind": "cursor"}, "data_selector": "results",
            "paginator": JSONResponseCursorPaginator(cursor_path="next_cursor", cursor_body_path="start_cursor",
                                                     has_more_path="has_more")}},
    ],
})
p = dlt.pipeline(pipeline_name="bodies", destination="duckdb", dataset_name="bodies_data")
p.run(source)

client = RESTClient(base_url=base_url)
pager = JSONResponseCursorPaginator(cursor_path="next_cursor", cursor_body_path="start_cursor",
                                    has_more_path="has_more")
print("engine:", [[r["id"] for r in page] for page in
                  client.paginate("test/body_pages", method="POST", json={"kind": "cursor"}, paginator=pager,
                                  data_selector="results")])
hooked = client.paginate("test/body_pages", method="POST", json={"kind": "offset"}, data_selector="items",
                         paginator=OffsetPaginator(limit=4, offset_body_path="paging.offset",
                                                   limit_body_path="paging.limit"),
                         hooks={"response": [lambda response, *a, **k: None]})
print("python:", [[r["id"] for r in page] for page in hooked])
for bad in (lambda: JSONResponseCursorPaginator(cursor_param="c", cursor_body_path="c"),
            lambda: OffsetPaginator(limit=1, offset_param="o", offset_body_path="o")):
    try:
        bad()
    except ValueError as e:
        print("refused:", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto db = w.root() / "_local" / "dev" / "bodies.duckdb";
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM bodies_data.by_offset ORDER BY id"),
            (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6"}));
  const std::vector<std::string> three_pages{"11", "12", "21", "22", "31", "32"};
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM bodies_data.by_page ORDER BY id"), three_pages);
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM bodies_data.by_cursor ORDER BY id"), three_pages);
  EXPECT_TRUE(Contains(r.out, "engine: [[11, 12], [21, 22], [31, 32]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "python: [[0, 1, 2, 3], [4, 5, 6]]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "refused: Either 'cursor_param' or 'cursor_body_path' must be provided, not both.\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "refused: Either 'offset_param' or 'offset_body_path' must be provided, not both.\n"))
      << r.out;
  std::vector<std::string> bodies;
  for (const auto& req : server.RequestsTo("/test/body_pages")) bodies.push_back(req.method + " " + req.body);
  const std::vector<std::string> want{
      // rest_api: the body's other keys stay, the paginator's values are set inside it
      R"(POST {"kind":"offset","query":{"q":"x"},"paging":{"offset":0,"limit":3}})",
      R"(POST {"kind":"offset","query":{"q":"x"},"paging":{"offset":3,"limit":3}})",
      R"(POST {"kind":"offset","query":{"q":"x"},"paging":{"offset":6,"limit":3}})",
      R"(POST {"kind":"page","page":1})", R"(POST {"kind":"page","page":2})", R"(POST {"kind":"page","page":3})",
      R"(POST {"kind":"cursor"})", R"(POST {"kind":"cursor","start_cursor":"c2"})",
      R"(POST {"kind":"cursor","start_cursor":"c3"})",
      // RESTClient.paginate in the engine: has_more false on the third page ends it (next_cursor c4 unused)
      R"(POST {"kind":"cursor"})", R"(POST {"kind":"cursor","start_cursor":"c2"})",
      R"(POST {"kind":"cursor","start_cursor":"c3"})"};
  ASSERT_GE(bodies.size(), want.size());
  EXPECT_EQ(std::vector<std::string>(bodies.begin(), bodies.begin() + want.size()), want);
  ASSERT_EQ(bodies.size(), want.size() + 2) << "the Python-paged offset requests";
  EXPECT_TRUE(Contains(bodies[want.size()], "\"paging\"")) << bodies[want.size()];
  EXPECT_TRUE(Contains(bodies[want.size() + 1], "\"offset\": 4") || Contains(bodies[want.size() + 1], "\"offset\":4"))
      << bodies[want.size() + 1];
}

TEST(PythonRestApiPaginators, TheSourcesMaxTableNestingAppliesToResourcesWithoutTheirOwn) {
  FixtureServer server;
  TempWorkspace w;
  w.WriteConfig("[sources.rest_api]\nbase_url = \"" + server.Url() + "/api/v2/\"\n");
  auto r = RunPythonSource(w, "nesting.py", R"PY(
import dlt
from dlt.sources.rest_api import rest_api_source

base_url = dlt.config["sources.rest_api.base_url"]
source = rest_api_source({
    "client": {"base_url": base_url},
    "resources": [
        {"name": "flat", "endpoint": {"path": "pokemon/poke3", "data_selector": "$"}},
        {"name": "nested", "max_table_nesting": 1, "endpoint": {"path": "pokemon/poke3", "data_selector": "$"}},
    ],
}, max_table_nesting=0)
p = dlt.pipeline(pipeline_name="nesting", destination="duckdb", dataset_name="nesting_data")
p.run(source)
print(sorted(t for t in p.default_schema.tables if not t.startswith("_dlt")))
print(p.default_schema.tables["flat"]["columns"]["types"]["data_type"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "['flat', 'nested', 'nested__stats', 'nested__types']\njson\n");
}

}  // namespace
}  // namespace dlt::testing
