// duckdb::BatchReader: DuckDB result chunks as typed batches, value by value as typed_batch.h
// defines the cells (exact decimals, UTC timestamps, nested values as JSON).
#include "destinations/duckdb/duckdb_batch_reader.h"

#include <gtest/gtest.h>

namespace dlt::duckdb {
namespace {

struct Read {
  std::vector<TypedColumn> columns;
  TypedBatch batch;
};

Read ReadAll(const std::string& sql) {
  auto db = Database::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status().message();
  auto conn = db->Connect();
  EXPECT_TRUE(conn.ok());
  auto reader = BatchReader::Start(*conn, sql);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  Read out;
  if (!reader.ok()) return out;
  out.columns = (*reader)->columns();
  auto more = (*reader)->Next(&out.batch);
  EXPECT_TRUE(more.ok() && *more);
  return out;
}

std::string Cell(const TypedBatch& b, size_t c, size_t r = 0) {
  std::string s;
  b.CellText(c, r, &s);
  return s;
}

TEST(DuckDbBatchReader, NumbersKeepTheirTypesAndDecimalsTheirExactDigits) {
  Read r = ReadAll("SELECT 1::TINYINT AS a, 4000000000::UINTEGER AS b, 2.5::DOUBLE AS c, true AS d, "
               "12345678901234567890.123456789::DECIMAL(38,9) AS e, -0.05::DECIMAL(4,2) AS f, "
               "18446744073709551615::UBIGINT AS g, (-170141183460469231731687303715884105727)::HUGEINT AS h");
  ASSERT_EQ(r.columns.size(), 8u);
  EXPECT_EQ(r.columns[0].data_type, DataType::kBigint);
  EXPECT_EQ(r.batch.vector(1).ints[0], 4000000000);
  EXPECT_EQ(r.columns[2].data_type, DataType::kDouble);
  EXPECT_EQ(r.columns[3].data_type, DataType::kBool);
  EXPECT_EQ(r.columns[4].data_type, DataType::kDecimal);
  EXPECT_EQ(r.columns[4].precision, 38);
  EXPECT_EQ(r.columns[4].scale, 9);
  EXPECT_EQ(Cell(r.batch, 4), "12345678901234567890.123456789");
  EXPECT_EQ(Cell(r.batch, 5), "-0.05");
  EXPECT_EQ(Cell(r.batch, 6), "18446744073709551615");
  EXPECT_EQ(Cell(r.batch, 7), "-170141183460469231731687303715884105727");
}

TEST(DuckDbBatchReader, DatesTimesAndTimestampsBecomeCanonicalCells) {
  Read r = ReadAll("SELECT DATE '2024-02-29' AS d, TIME '23:59:59.5' AS t, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, "
               "TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz, TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ns, "
               "'\\x00\\xFF'::BLOB AS b");
  EXPECT_EQ(Cell(r.batch, 0), "2024-02-29");
  EXPECT_EQ(Cell(r.batch, 1), "23:59:59.500000");
  EXPECT_EQ(Cell(r.batch, 2), "2024-01-02T03:04:05.123456+00:00");
  EXPECT_FALSE(r.columns[2].timezone);
  EXPECT_EQ(Cell(r.batch, 3), "2024-01-02T01:04:05+00:00");
  EXPECT_TRUE(r.columns[3].timezone);
  EXPECT_EQ(Cell(r.batch, 4), "2024-01-02T03:04:05.123456+00:00");
  EXPECT_EQ(r.columns[5].data_type, DataType::kBinary);
  EXPECT_EQ(Cell(r.batch, 5), "\\x00ff");
}

TEST(DuckDbBatchReader, NestedValuesBecomeJsonCells) {
  Read r = ReadAll("SELECT [1, NULL, 3] AS l, {'a': 'x\"y', 'b': [1.5::DOUBLE, 'nan'::DOUBLE]} AS s, "
               "MAP {'k': 2} AS m, [DATE '2024-01-01'] AS dl, [1.10::DECIMAL(5,2)] AS dec, "
               "NULL::INTEGER[] AS n, ['1'::JSON] AS j");
  for (const auto& c : r.columns) EXPECT_EQ(c.data_type, DataType::kJson) << c.name;
  EXPECT_EQ(Cell(r.batch, 0), "[1,null,3]");
  EXPECT_EQ(Cell(r.batch, 1), "{\"a\":\"x\\\"y\",\"b\":[1.5,null]}");
  EXPECT_EQ(Cell(r.batch, 2), "{\"k\":2}");
  EXPECT_EQ(Cell(r.batch, 3), "[\"2024-01-01\"]");
  EXPECT_EQ(Cell(r.batch, 4), "[1.10]");
  EXPECT_TRUE(r.batch.IsNull(5, 0));
  EXPECT_EQ(Cell(r.batch, 6), "[1]");
}

TEST(DuckDbBatchReader, AFailingQueryReportsDuckDbsError) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto reader = BatchReader::Start(*conn, "SELECT * FROM read_parquet('/nonexistent/x.parquet')");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("/nonexistent/x.parquet"), std::string::npos) << reader.status().message();
}

}  // namespace
}  // namespace dlt::duckdb
