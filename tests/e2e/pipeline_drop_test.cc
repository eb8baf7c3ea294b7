// `dlt pipeline <name> drop`: the tables of the named resources go, their state is reset, the
// other resources stay, and the new schema and state are stored in the destination.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

TEST(PipelineDrop, DropsTheResourceTablesAndResetsItsCursorOnly) {
  TempWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write("shop.toml",
           "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\ndataset_name = \"shop_data\"\n"
           "[[resources]]\nname = \"orders\"\npath = \"orders.jsonl\"\n"
           "incremental = { cursor_path = \"id\", initial_value = 0 }\n"
           "[[resources]]\nname = \"users\"\npath = \"users.jsonl\"\n");
  ws.Write("orders.jsonl", "{\"id\": 1, \"items\": [1, 2]}\n{\"id\": 2, \"items\": [3]}\n");
  ws.Write("users.jsonl", "{\"id\": 10}\n");
  RunResult r = ws.Dlt({"run", "shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto db = ws.root() / "_local/dev/warehouse.duckdb";
  ASSERT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders__items"), "3");

  r = ws.Dlt({"pipeline", "shop", "drop", "orderz"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "Did you mean `orders`?")) << r.err;

  r = ws.Dlt({"pipeline", "shop", "drop", "orders"});  // non-interactive: the answer is no
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "Nothing dropped.")) << r.out;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders"), "2");

  r = ws.Dlt({"pipeline", "shop", "drop", "orders", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "orders__items, orders")) << r.out;
  EXPECT_FALSE(TableExists(db, "shop_data", "orders")) << "table still there";
  EXPECT_FALSE(TableExists(db, "shop_data", "orders__items"));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.users"), "1");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data._dlt_loads"), "2");
  EXPECT_FALSE(Contains(ws.Read(".dlt/.var/dev/pipelines/shop/state.json"), "\"orders\""));
  EXPECT_FALSE(Contains(ws.Read(".dlt/.var/dev/pipelines/shop/schemas/shop.schema.json"), "\"orders\""));

  // The cursor was reset: the next run loads every order again (and users once more: append).
  r = ws.Dlt({"run", "shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders"), "2");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders__items"), "3");
  // The state in the destination was reset too: a sync restores the dropped-then-reloaded cursor.
  r = ws.Dlt({"pipeline", "shop", "sync", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(ws.Read(".dlt/.var/dev/pipelines/shop/state.json"), "\"orders\""));
}

TEST(PipelineDrop, DroppingAResourceThatKeptNoStateLeavesAStateTheNextRunAccepts) {
  TempWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write("shop.toml", "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\ndataset_name = \"shop_data\"\n"
                        "[[resources]]\nname = \"orders\"\npath = \"orders.jsonl\"\n");
  ws.Write("orders.jsonl", "{\"id\": 1}\n{\"id\": 2}\n");
  ASSERT_EQ(ws.Dlt({"run", "shop.toml"}).exit_code, 0);
  RunResult r = ws.Dlt({"pipeline", "shop", "drop", "orders", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = ws.Dlt({"run", "shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlValue(ws.root() / "_local/dev/warehouse.duckdb", "SELECT count(*) FROM shop_data.orders"), "2");
}

}  // namespace
}  // namespace dlt::testing
