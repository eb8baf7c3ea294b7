// How a package's job files are cut into parts for the normalize workers (normalize_parts.h):
// contiguous, about equal in bytes, never more parts than workers, files or 24 MB shares.
#include "pipeline/normalize_parts.h"

#include <gtest/gtest.h>

namespace dlt {
namespace {

constexpr uint64_t MB = 1ull << 20;

TEST(NormalizeParts, SmallPackagesAndOneWorkerAreOnePart) {
  EXPECT_EQ(CutParts({16 * MB, 16 * MB}, 8), (std::vector<size_t>{0})) << "32 MB: below two 24 MB shares";
  EXPECT_EQ(CutParts({16 * MB, 16 * MB, 16 * MB, 16 * MB}, 1), (std::vector<size_t>{0}));
  EXPECT_EQ(CutParts({100 * MB}, 4), (std::vector<size_t>{0})) << "one file cannot be shared";
  EXPECT_EQ(CutParts({}, 4), (std::vector<size_t>{0}));
}

TEST(NormalizeParts, EqualFilesAreSharedEquallyAmongTheWorkers) {
  std::vector<uint64_t> files(16, 16 * MB);  // 256 MB
  EXPECT_EQ(CutParts(files, 2), (std::vector<size_t>{0, 8}));
  EXPECT_EQ(CutParts(files, 4), (std::vector<size_t>{0, 4, 8, 12}));
  // At most total / 24 MB parts (10), of about 25.6 MB each: one or two files.
  auto cuts = CutParts(files, 16);
  ASSERT_EQ(cuts.size(), 10u);
  for (size_t k = 1; k < cuts.size(); ++k) {
    EXPECT_GE(cuts[k] - cuts[k - 1], 1u);
    EXPECT_LE(cuts[k] - cuts[k - 1], 2u);
  }
  EXPECT_LE(files.size() - cuts.back(), 2u);
}

TEST(NormalizeParts, CutsFallWhereTheSharesComeClosestToEqual) {
  // 16+16+16+1+16+16 = 81 MB for two workers: halves at 40.5 MB; after the third file (48) is
  // 7.5 off, after the second (32) 8.5 off.
  EXPECT_EQ(CutParts({16 * MB, 16 * MB, 16 * MB, 1 * MB, 16 * MB, 16 * MB}, 2), (std::vector<size_t>{0, 3}));
  // A big first file: the others share what is left; every part gets a file.
  auto cuts = CutParts({200 * MB, 16 * MB, 16 * MB, 16 * MB}, 4);
  ASSERT_EQ(cuts.size(), 4u);
  EXPECT_EQ(cuts, (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(NormalizeParts, MergingAPartAppendsItsNewTablesAndColumnsInItsOrder) {
  Schema a("s"), b("s");
  Table t;
  t.name = "orders";
  t.columns.push_back(Column{.name = "id", .data_type = DataType::kBigint});
  a.AddTable(t);
  Table tb = t;
  tb.columns.push_back(Column{.name = "late", .data_type = DataType::kText});
  b.AddTable(tb);
  Table nested;
  nested.name = "orders__extras";
  nested.parent = "orders";
  b.AddTable(nested);
  ASSERT_TRUE(SchemasAgree(a, b));
  MergeSchemaInto(a, b);
  ASSERT_NE(a.FindTable("orders__extras"), nullptr);
  ASSERT_EQ(a.FindTable("orders")->columns.size(), 2u);
  EXPECT_EQ(a.FindTable("orders")->columns[1].name, "late");

  Schema c("s");
  Table tc = t;
  tc.columns[0].data_type = DataType::kText;
  c.AddTable(tc);
  EXPECT_FALSE(SchemasAgree(a, c)) << "a type change is a disagreement: that part is normalized again";
}

}  // namespace
}  // namespace dlt
