// max_table_nesting as dlt 1.26's relational normalizer applies it (relational.py: the nesting
// level counts down from max_table_nesting; a list of a row at level n becomes a table whose rows
// are at level n - 1; a field that is an object or a list where the level is down to 0 is a json
// column). What this pins down, each checked against that code:
//  - an object in a list is a row of the list's table at any depth: its scalar fields are
//    columns, its own objects and lists json columns once the level is used up;
//  - a list in a list is a row wrapping it as the field `list`: a table `<table>__list` while the
//    level allows, else that row's json column `list`.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "normalize/schema.h"
#include "normalize_test_support.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

// One record: a list of objects holding a scalar, a list of scalars, a list of objects with an
// object, and an object with a scalar and a list; and a list of lists.
const char* kRecord =
    R"({"id": 1, "f": [{"v": 120, "l": ["a"], "lo": [{"e": {"v": 1}}], "d": {"x": 1, "y": [1]}}], "ll": [[1, 2], [3]]})";

// Data tables -> their data columns (dlt's own columns left out) with their types.
using Tables = std::map<std::string, std::map<std::string, std::string>>;

Tables NormalizeAt(int max_nesting) {
  testing::TempDir dir;
  Schema schema("nesting");
  EXPECT_FALSE(testing::NormalizeRecords(dir.path(), schema, {kRecord}, max_nesting).empty());
  Tables out;
  for (const Table& t : schema.tables()) {
    if (schema.IsSystemTable(t.name)) continue;
    auto& cols = out[t.name];
    for (const Column& c : t.columns) {
      if (c.name.rfind("_dlt_", 0) != 0) cols[c.name] = DataTypeName(c.data_type);
    }
  }
  return out;
}

TEST(MaxTableNesting, OneLevelObjectsInTheListStayRowsWithTheirNestedValuesAsJson) {
  Tables t = NormalizeAt(1);
  Tables want = {
      {"t", {{"id", "bigint"}}},
      {"t__f", {{"v", "bigint"}, {"l", "json"}, {"lo", "json"}, {"d", "json"}}},
      {"t__ll", {{"list", "json"}}},
  };
  EXPECT_EQ(t, want);
}

TEST(MaxTableNesting, TwoLevelsFlattenObjectsOnceAndTheDeepestValuesAreJson) {
  Tables t = NormalizeAt(2);
  Tables want = {
      {"t", {{"id", "bigint"}}},
      {"t__f", {{"v", "bigint"}, {"d__x", "bigint"}, {"d__y", "json"}}},
      {"t__f__l", {{"value", "text"}}},
      {"t__f__lo", {{"e", "json"}}},
      {"t__ll", {{"list", "json"}}},
  };
  EXPECT_EQ(t, want);
}

TEST(MaxTableNesting, ZeroKeepsEveryNestedValueAsAJsonColumnOfTheRoot) {
  Tables t = NormalizeAt(0);
  Tables want = {{"t", {{"id", "bigint"}, {"f", "json"}, {"ll", "json"}}}};
  EXPECT_EQ(t, want);
}

TEST(MaxTableNesting, WithoutALimitListsOfListsGetTheirOwnTables) {
  Tables t = NormalizeAt(1000);
  Tables want = {
      {"t", {{"id", "bigint"}}},
      {"t__f", {{"v", "bigint"}, {"d__x", "bigint"}}},
      {"t__f__l", {{"value", "text"}}},
      {"t__f__lo", {{"e__v", "bigint"}}},
      {"t__f__d__y", {{"value", "bigint"}}},
      {"t__ll", {}},
      {"t__ll__list", {{"value", "bigint"}}},
  };
  EXPECT_EQ(t, want);
}

}  // namespace
}  // namespace dlt
