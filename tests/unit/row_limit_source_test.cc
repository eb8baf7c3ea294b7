// LimitRows (extract/row_limit_source.h): at most N rows of a source, JSON records or typed
// batches (the last batch cut), and never the source's whole files.
#include "extract/row_limit_source.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "extract/batch_source.h"

namespace dlt {
namespace {

class Lines : public RecordSource {
 public:
  explicit Lines(int n) : n_(n) {}
  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    if (i_ >= n_) return false;
    text_ = "{\"id\": " + std::to_string(i_++) + "}";
    *json = text_;
    *where = "lines:" + std::to_string(i_);
    return true;
  }

 private:
  int n_, i_ = 0;
  std::string text_;
};

TypedBatch Ints(int from, int to) {
  TypedColumn c;
  c.name = "id";
  c.data_type = DataType::kBigint;
  TypedBatch b({c});
  for (int i = from; i < to; ++i) b.AppendInt(0, i);
  return b;
}

TEST(RowLimitSource, JsonRecordsStopAfterTheLimit) {
  auto src = LimitRows(std::make_unique<Lines>(10), 3);
  std::string_view json;
  std::string where;
  std::vector<std::string> got;
  for (;;) {
    auto more = src->Next(&json, &where);
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
    got.emplace_back(json);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"{\"id\": 0}", "{\"id\": 1}", "{\"id\": 2}"}));
  EXPECT_EQ(src->kind(), SourceKind::kJson);
}

TEST(RowLimitSource, TypedBatchesAreCutAtTheLimitAndWholeFilesAreNotOffered) {
  auto src = LimitRows(std::make_unique<InMemoryBatchSource>("ints", std::vector<TypedBatch>{Ints(0, 4), Ints(4, 8), Ints(8, 12)}), 6);
  EXPECT_EQ(src->kind(), SourceKind::kTyped);
  EXPECT_EQ(src->whole_files(), nullptr);
  TypedBatch b;
  std::string where, cell;
  std::vector<std::string> got;
  for (;;) {
    auto more = src->NextBatch(&b, &where);
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
    for (size_t r = 0; r < b.rows(); ++r) {
      b.CellText(0, r, &cell);
      got.push_back(cell);
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  auto none = LimitRows(std::make_unique<InMemoryBatchSource>("ints", std::vector<TypedBatch>{Ints(0, 4)}), 0);
  auto more = none->NextBatch(&b, &where);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

}  // namespace
}  // namespace dlt
