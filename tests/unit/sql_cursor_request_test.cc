// The cursor range a sql_database scan asks the server for: where reading starts (the stored
// last value, else initial_value), where it ends (end_value), which side is inclusive, and that
// values written as dlt's typed JSON (a Python datetime is a marked string) reach the server as
// their plain text.
#include <gtest/gtest.h>

#include <string>

#include "extract/sql_database/sql_table_scan.h"

namespace dlt::sql_source {
namespace {

TableScanPlan PlanWith(IncrementalOptions inc) {
  TableScanPlan plan;
  plan.table.name = "events";
  plan.resource = "events";
  plan.incremental = std::move(inc);
  return plan;
}

// U+F027 (EF 80 A7): dlt's datetime marker.
const std::string kMarkedTs = "\"\xEF\x80\xA7" "2024-01-01T00:00:00+00:00\"";

TEST(SqlCursorRequest, AMarkedDatetimeInitialValueIsSentAsItsPlainText) {
  IncrementalOptions inc;
  inc.cursor_path = "updated_at";
  inc.initial_value_json = kMarkedTs;
  auto req = CursorRequest(PlanWith(inc), ExtractContext{});
  ASSERT_TRUE(req.ok()) << req.status().message();
  ASSERT_TRUE(req->cursor_lower.has_value());
  EXPECT_EQ(req->cursor_lower->value, "2024-01-01T00:00:00+00:00");
  EXPECT_TRUE(req->cursor_lower->inclusive);
  EXPECT_FALSE(req->cursor_upper.has_value());
  EXPECT_EQ(*req->cursor_column, "updated_at");
}

TEST(SqlCursorRequest, AMarkedLastValueFromTheStateWinsOverTheInitialValue) {
  IncrementalOptions inc;
  inc.cursor_path = "updated_at";
  inc.initial_value_json = "\"2020-01-01T00:00:00+00:00\"";
  ExtractContext ctx;
  ctx.last_value = [](std::string_view resource, std::string_view cursor) -> std::optional<nlohmann::ordered_json> {
    if (resource != "events" || cursor != "updated_at") return std::nullopt;
    return nlohmann::ordered_json::parse(kMarkedTs);
  };
  auto req = CursorRequest(PlanWith(inc), ctx);
  ASSERT_TRUE(req.ok()) << req.status().message();
  ASSERT_TRUE(req->cursor_lower.has_value());
  EXPECT_EQ(req->cursor_lower->value, "2024-01-01T00:00:00+00:00");
}

TEST(SqlCursorRequest, AnEndValueClosesTheRangeAndLeavesTheStateUnread) {
  IncrementalOptions inc;
  inc.cursor_path = "id";
  inc.initial_value_json = "10";
  inc.end_value_json = "20";
  inc.range_start = "open";
  ExtractContext ctx;
  ctx.last_value = [](std::string_view, std::string_view) -> std::optional<nlohmann::ordered_json> { return 15; };
  auto req = CursorRequest(PlanWith(inc), ctx);
  ASSERT_TRUE(req.ok()) << req.status().message();
  EXPECT_EQ(req->cursor_lower->value, 10);
  EXPECT_FALSE(req->cursor_lower->inclusive);
  EXPECT_EQ(req->cursor_upper->value, 20);
  EXPECT_FALSE(req->cursor_upper->inclusive);
}

TEST(SqlCursorRequest, AMinCursorReadsDownwardFromTheStart) {
  IncrementalOptions inc;
  inc.cursor_path = "rank";
  inc.initial_value_json = "100";
  inc.last_value_func = "min";
  auto req = CursorRequest(PlanWith(inc), ExtractContext{});
  ASSERT_TRUE(req.ok()) << req.status().message();
  EXPECT_TRUE(req->descending);
  EXPECT_FALSE(req->cursor_lower.has_value());
  EXPECT_EQ(req->cursor_upper->value, 100);
  EXPECT_TRUE(req->cursor_upper->inclusive);
}

TEST(SqlCursorRequest, AnInitialValueThatIsNotJsonNamesTheResource) {
  IncrementalOptions inc;
  inc.cursor_path = "id";
  inc.initial_value_json = "{not json";
  auto req = CursorRequest(PlanWith(inc), ExtractContext{});
  ASSERT_FALSE(req.ok());
  EXPECT_NE(req.status().message().find("`events`"), std::string::npos) << req.status().message();
  EXPECT_NE(req.status().message().find("initial_value"), std::string::npos) << req.status().message();
}

}  // namespace
}  // namespace dlt::sql_source
