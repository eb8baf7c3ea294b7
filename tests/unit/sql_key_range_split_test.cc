// The key ranges a big table is read in, one connection each: together they hold every key of
// [min, max] exactly once, whatever the span (down to one key, up to all of int64).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "extract/sql_database/sql_table_scan.h"

namespace dlt::sql_source {
namespace {

// The ranges follow one another without a gap or an overlap, from min to max.
void ExpectCover(int64_t min, int64_t max, int parts) {
  auto r = SplitKeyRange(min, max, parts);
  ASSERT_FALSE(r.empty());
  EXPECT_LE(r.size(), static_cast<size_t>(parts));
  EXPECT_EQ(r.front().first, min);
  EXPECT_EQ(r.back().second, max);
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_LE(r[i].first, r[i].second) << "range " << i;
    if (i > 0) {
      EXPECT_EQ(r[i].first, r[i - 1].second + 1) << "range " << i;
    }
  }
}

TEST(SqlKeyRangeSplit, RangesCoverEveryKeyOnceForAnySpan) {
  ExpectCover(1, 10, 2);
  ExpectCover(1, 11, 3);
  ExpectCover(-5, 5, 4);
  ExpectCover(7, 7, 4);
  ExpectCover(0, 2, 8);
  ExpectCover(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 3);
}

TEST(SqlKeyRangeSplit, EvenSpansGiveEvenRanges) {
  auto r = SplitKeyRange(1, 100, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].first, 1);
  EXPECT_EQ(r[0].second, 25);
  EXPECT_EQ(r[3].first, 76);
  EXPECT_EQ(r[3].second, 100);
}

TEST(SqlKeyRangeSplit, AnEmptyRangeHasNoChunks) { EXPECT_TRUE(SplitKeyRange(5, 4, 2).empty()); }

}  // namespace
}  // namespace dlt::sql_source
