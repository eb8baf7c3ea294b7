// The C++ API example (examples/load_events.cc) builds with the project and loads into the
// active profile's destination, like `dlt run` does.
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "destinations/duckdb/duckdb_api.h"

namespace dlt::testing {
namespace {

TEST(ExampleProgram, LoadsRowsFromCodeIntoTheDevWarehouseAndMergesOnRerun) {
  CliWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  for (int run = 0; run < 2; ++run) {
    RunResult r = dlt::testing::Run({DLT_EXAMPLE_BINARY, "25"}, ws.root(), ws.env());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, "events: 25")) << r.out;
  }
  auto db = duckdb::Database::Open((ws.root() / "_local/dev/warehouse.duckdb").string(), true);
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = db->Connect();
  ASSERT_TRUE(c.ok());
  // merge on id: the second run replaced the rows instead of adding them
  auto q = c->Query("SELECT (SELECT count(*) FROM api_events_data.events), "
                    "(SELECT count(*) FROM api_events_data.events__tags), "
                    "(SELECT count(*) FROM api_events_data._dlt_loads)");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->rows[0][0].text, "25");
  EXPECT_EQ(q->rows[0][1].text, "50");
  EXPECT_EQ(q->rows[0][2].text, "2");
  EXPECT_TRUE(ws.Exists(".dlt/.var/dev/pipelines/api_events/state.json"));
}

}  // namespace
}  // namespace dlt::testing
