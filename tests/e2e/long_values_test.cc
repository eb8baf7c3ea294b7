// Values longer than DuckDB's default CSV line limit (2 MB) still load: the loader raises the
// reader's limit for the job files that need it.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

TEST(LongValues, AThreeMegabyteStringAndALargeJsonValueAreLoadedWhole) {
  TempWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write("p.toml",
           "[pipeline]\nname = \"big\"\ndestination = \"warehouse\"\ndataset_name = \"d\"\n"
           "[[resources]]\nname = \"docs\"\npath = \"docs.jsonl\"\nmax_table_nesting = 0\n");
  std::string big(3 * 1000 * 1000, 'x');
  std::string items;
  for (int i = 0; i < 200000; ++i) items += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  ws.Write("docs.jsonl", "{\"id\": 1, \"body\": \"" + big + "\"}\n{\"id\": 2, \"body\": \"short\", \"tags\": [" +
                             items + "]}\n");
  RunResult r = ws.Dlt({"run", "p.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rows = QueryDuckDb(ws.root() / "_local/dev/warehouse.duckdb",
                          "SELECT id, length(body), json_array_length(tags) FROM d.docs ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "3000000");
  EXPECT_EQ(rows[1][2], "200000");
}

}  // namespace
}  // namespace dlt::testing

namespace dlt::testing {
namespace {

TEST(JsonColumns, ManySmallNestedValuesOfOneRecordKeepTheirOwnText) {
  TempWorkspace ws;
  ws.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  ws.Write("p.toml",
           "[pipeline]\nname = \"j\"\ndestination = \"warehouse\"\ndataset_name = \"d\"\n"
           "[[resources]]\nname = \"docs\"\npath = \"docs.jsonl\"\nmax_table_nesting = 0\n");
  std::string rec = "{\"id\": 1";
  for (int i = 0; i < 40; ++i) rec += ", \"f" + std::to_string(i) + "\": [" + std::to_string(i) + "]";
  rec += "}\n";
  ws.Write("docs.jsonl", rec);
  RunResult r = ws.Dlt({"run", "p.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (int i : {0, 7, 23, 39}) {
    auto rows = QueryDuckDb(ws.root() / "_local/dev/warehouse.duckdb",
                            "SELECT CAST(f" + std::to_string(i) + " AS VARCHAR) FROM d.docs");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "[" + std::to_string(i) + "]");
  }
}

}  // namespace
}  // namespace dlt::testing
