// dlt's incremental options beyond a growing cursor, in a pipeline file: a backfill range
// (initial_value .. end_value) that neither reads nor moves the stored cursor, a cursor that
// decreases (last_value_func = "min"), and the open/closed edges of the range.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string Rows(std::initializer_list<int> ids) {
  std::string out;
  for (int id : ids) out += "{\"id\": " + std::to_string(id) + ", \"v\": \"r" + std::to_string(id) + "\"}\n";
  return out;
}

class IncrementalRange : public ::testing::Test {
 protected:
  void Pipeline(const std::string& inc) {
    w.Write("orders.toml", PipelineFile("ranges", "orders.jsonl", "incremental = { cursor_path = \"id\"" + inc + " }\n"));
  }
  Json Cursor() { return w.State("ranges")["sources"]["ranges"]["resources"]["orders"]["incremental"]["id"]; }
  std::vector<std::string> Loaded() { return SqlColumn(w.Db(), "SELECT id FROM ranges_data.orders ORDER BY id"); }
  PipelineWorkspace w;
};

TEST_F(IncrementalRange, AnEndValueLoadsTheHalfOpenRangeAndLeavesTheStoredCursorAlone) {
  Pipeline(", initial_value = 2");
  w.Write("orders.jsonl", Rows({1, 2, 3}));
  auto r = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Cursor().value("last_value", 0), 3);

  // A backfill of [5, 8): 8 itself is out (range_end is open by default), the cursor stays at 3.
  Pipeline(", initial_value = 5, end_value = 8");
  w.Write("orders.jsonl", Rows({4, 5, 6, 7, 8, 9}));
  r = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"2", "3", "5", "6", "7"}));
  EXPECT_EQ(Cursor().value("last_value", 0), 3) << Cursor().dump();

  // The growing cursor goes on from 3 afterwards, as if the backfill had not happened.
  Pipeline("");
  w.Write("orders.jsonl", Rows({3, 4, 10}));
  r = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"2", "3", "4", "5", "6", "7", "10"}));
  EXPECT_EQ(Cursor().value("last_value", 0), 10);
}

TEST_F(IncrementalRange, AClosedRangeEndTakesTheEndValueAndAnOpenStartDropsTheStartValue) {
  Pipeline(", initial_value = 5, end_value = 8, range_start = \"open\", range_end = \"closed\"");
  w.Write("orders.jsonl", Rows({4, 5, 6, 7, 8, 9}));
  auto r = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"6", "7", "8"}));
}

TEST_F(IncrementalRange, ACursorThatDecreasesLoadsOnlyLowerValuesWithMin) {
  Pipeline(", initial_value = 100, last_value_func = \"min\"");
  w.Write("orders.jsonl", Rows({120, 100, 90, 80}));
  auto r = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"80", "90", "100"}));
  EXPECT_EQ(Cursor().value("last_value", 0), 80) << Cursor().dump();

  // 80 is the boundary (de-duplicated by the whole row), 70 is new, 95 is behind the cursor.
  w.Write("orders.jsonl", Rows({95, 80, 70}));
  r = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"70", "80", "90", "100"}));
  EXPECT_EQ(Cursor().value("last_value", 0), 70);
}

TEST_F(IncrementalRange, BadRangeOptionsAreClearErrorsNamingTheKey) {
  Pipeline(", end_value = 8");
  w.Write("orders.jsonl", Rows({1}));
  auto r = w.RunPipeline({"orders.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "orders.toml")) << r.err;
  EXPECT_TRUE(Contains(r.err, "`end_value` needs `initial_value`")) << r.err;

  Pipeline(", initial_value = 1, last_value_func = \"median\"");
  r = w.RunPipeline({"orders.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "`last_value_func` must be \"max\" or \"min\"")) << r.err;
  EXPECT_FALSE(fs::exists(w.Db())) << "nothing is loaded when the pipeline file is refused";
}

}  // namespace
}  // namespace dlt::testing
