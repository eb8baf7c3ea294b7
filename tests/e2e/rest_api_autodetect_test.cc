// Paginator auto-detection as dlt 1.26's PaginatorFactory orders its detectors: a Link header,
// a "next" link in the body, a total page count (total_pages / pages / totalPages, at any depth
// of objects), a "next" cursor, else one page.
#include <gtest/gtest.h>

#include "support/python_http_server.h"

namespace dlt::testing {
namespace {

// Defect: a response with a total page count and no "next" value was taken as a single page, so
// every page after the first was never loaded. dlt detects PageNumberPaginator(total_path=...)
// (base_page 0: after the first request, page=1, 2, ... until the page number reaches the total),
// also through RESTClient.paginate; a count that int() cannot read is no page count.
TEST(RestApiAutoDetect, ATotalPageCountMakesAPageNumberPaginator) {
  TempWorkspace w;
  auto r = RunWithServer(w, R"PY(
import srv, dlt
from dlt.sources.rest_api import rest_api_source
from dlt.sources.helpers.rest_client import RESTClient
def h(r):
    page = int(r["q"].get("page", "0"))
    rows = [{"id": page * 10 + i} for i in range(2)] if page < 3 else []
    if r["path"] == "/flat":
        return 200, {}, {"data": rows, "total_pages": 3}
    if r["path"] == "/nested":
        return 200, {}, {"items": rows, "meta": {"paging": {"totalPages": "2"}}}
    if r["path"] == "/words":
        return 200, {}, {"data": rows, "pages": "many"}
    return 404, {}, {}
s, base = srv.start(h)
p = dlt.pipeline("ad", destination="duckdb", dataset_name="ad_data")
p.run(rest_api_source({"client": {"base_url": base}, "resources": ["flat", "nested", "words"]}))
with p.sql_client() as c:
    for t in ("flat", "nested", "words"):
        print(t, [row[0] for row in c.execute_sql(f"SELECT id FROM {t} ORDER BY id")])
print([x["path"] + ("?page=" + x["q"]["page"] if "page" in x["q"] else "") for x in srv.LOG])
srv.LOG.clear()
print([[row["id"] for row in page] for page in RESTClient(base_url=base).paginate("/flat")])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "flat [0, 1, 10, 11, 20, 21]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "nested [0, 1, 10, 11]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "words [0, 1]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "['/flat', '/flat?page=1', '/flat?page=2', '/nested', '/nested?page=1', '/words']"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "[[0, 1], [10, 11], [20, 21]]")) << r.out;
}

// dlt's order: a "next" link wins over a page count; a page count (a boolean one too) over a
// "next" cursor.
TEST(RestApiAutoDetect, ANextLinkComesBeforeAPageCountAndAPageCountBeforeACursor) {
  TempWorkspace w;
  auto r = RunWithServer(w, R"PY(
import srv, dlt
from dlt.sources.rest_api import rest_api_source
def h(r):
    if r["path"] == "/linked":
        n = int(r["q"].get("n", "1"))
        return 200, {}, {"data": [{"id": n}], "total_pages": 9, "next": f"/linked?n={n + 1}" if n < 2 else None}
    if r["path"] == "/flag":
        return 200, {}, {"data": [{"id": 1}], "pages": True, "next": "tok"}
    if r["path"] == "/counted":
        page = int(r["q"].get("page", "0"))
        return 200, {}, {"data": [{"id": page}], "pages": 2, "next_token": "abc"}
    return 404, {}, {}
s, base = srv.start(h)
p = dlt.pipeline("ao", destination="duckdb", dataset_name="ao_data")
p.run(rest_api_source({"client": {"base_url": base}, "resources": ["linked", "counted", "flag"]}))
print([x["path"] + "?" + "&".join(f"{k}={v}" for k, v in x["q"].items()) for x in srv.LOG])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // a boolean page count is Python's int(True), 1: one page, the "next" cursor not followed
  EXPECT_TRUE(Contains(r.out, "['/linked?', '/linked?n=2', '/counted?', '/counted?page=1', '/flag?']")) << r.out;
}

}  // namespace
}  // namespace dlt::testing
