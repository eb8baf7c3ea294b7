// The C++ API example (examples/load_events.cc) builds with the project and loads into the
// active profile's destination, like `dlt run` does.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

TEST(ExampleProgram, LoadsRowsFromCodeIntoTheDevWarehouseAndMergesOnRerun) {
  TempWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  for (int run = 0; run < 2; ++run) {
    RunResult r = dlt::testing::Run({DLT_EXAMPLE_BINARY, "25"}, ws.root(), ws.env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, "events: 25")) << r.out;
  }
  // merge on id: the second run replaced the rows instead of adding them
  auto rows = QueryDuckDb(ws.root() / "_local/dev/warehouse.duckdb",
                          "SELECT (SELECT count(*) FROM api_events_data.events), "
                          "(SELECT count(*) FROM api_events_data.events__tags), "
                          "(SELECT count(*) FROM api_events_data._dlt_loads)");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "25");
  EXPECT_EQ(rows[0][1], "50");
  EXPECT_EQ(rows[0][2], "2");
  EXPECT_TRUE(ws.Exists(".dlt/.var/dev/pipelines/api_events/state.json"));
}

}  // namespace
}  // namespace dlt::testing
