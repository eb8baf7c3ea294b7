// dlt's HeaderCursorPaginator from Python: the next page's cursor is a response header, sent back
// as a query parameter, in the dict form ({"type": "header_cursor"}) and as the object.
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

}  // namespace
}  // namespace dlt::testing
