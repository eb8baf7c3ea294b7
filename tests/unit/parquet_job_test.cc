// The DuckDB side of Parquet files kept as they are (pipeline/file_items.h): a file's columns and
// row count from its metadata, the types DuckDB loads unchanged, the first row where a check
// fails, and the load of Parquet jobs by DuckDbClient with dlt's columns filled in
// (dlt_new_row_key()). Unit tests run under ASan/UBSan too.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/hash.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_client.h"
#include "destinations/duckdb/duckdb_file_source.h"
#include "normalize/relational.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using ::dlt::testing::TempDir;

Column Col(std::string name, DataType type = DataType::kText) {
  Column c;
  c.name = std::move(name);
  c.data_type = type;
  return c;
}

void WriteParquet(const fs::path& file, const std::string& select) {
  auto db = duckdb::Database::Open(":memory:");
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  Status s = conn->Execute("COPY (" + select + ") TO " + duckdb::QuoteLiteral(file.string()) + " (FORMAT parquet)");
  ASSERT_TRUE(s.ok()) << s.message();
}

// dlt's row key: 10 random bytes in base64 without padding; re-encoding the decoded bytes gives
// the same text, so the fast encoder writes what Base64Encode writes.
TEST(ParquetJobs, RowKeysAreTenRandomBytesInBase64) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = NewRowKey();
    ASSERT_EQ(key.size(), kRowKeyChars);
    auto bytes = hash::Base64Decode(key + "==");
    ASSERT_TRUE(bytes.ok()) << key;
    ASSERT_EQ(bytes->size(), 10u) << key;
    EXPECT_EQ(hash::Base64Encode(*bytes, false), key);
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(ParquetJobs, DescribeGivesTheColumnsTypesAndRowsFromTheMetadata) {
  TempDir tmp;
  const fs::path file = tmp.path() / "f.parquet";
  WriteParquet(file,
               "SELECT i AS id, i::INTEGER AS small, (i * 1.5)::DECIMAL(12,2) AS amount, 'x' || i AS name, "
               "TIMESTAMP '2024-01-01' AS at, [i] AS tags, i::UBIGINT AS big FROM range(2500) t(i)");
  auto info = DescribeParquetFile(file);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->rows, 2500u);
  std::vector<std::string> names;
  for (const auto& c : info->columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "small", "amount", "name", "at", "tags", "big"}));
  EXPECT_EQ(info->duckdb_types, (std::vector<std::string>{"BIGINT", "INTEGER", "DECIMAL(12,2)", "VARCHAR", "TIMESTAMP",
                                                          "BIGINT[]", "UBIGINT"}));
  EXPECT_EQ(info->columns[2].data_type, DataType::kDecimal);
  EXPECT_EQ(info->columns[2].precision, 12);
  EXPECT_FALSE(info->columns[4].timezone);
  EXPECT_TRUE(info->columns[5].nested);
  std::vector<bool> unchanged;
  for (const auto& t : info->duckdb_types) unchanged.push_back(LoadsUnchanged(t));
  EXPECT_EQ(unchanged, (std::vector<bool>{true, true, true, true, true, false, false}));
  for (const char* t : {"TIMESTAMP_NS", "HUGEINT", "JSON", "UUID", "INTERVAL", "STRUCT(a INTEGER)"}) {
    EXPECT_FALSE(LoadsUnchanged(t)) << t;
  }
}

TEST(ParquetJobs, AFileDuckDbCannotReadIsAnErrorNamingIt) {
  TempDir tmp;
  const fs::path file = tmp.path() / "broken.parquet";
  ::dlt::testing::WriteFile(file, "PAR1 not really");
  auto info = DescribeParquetFile(file);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(info.status().message().find(file.string() + ": cannot read Parquet file"), std::string::npos)
      << info.status().message();
}

TEST(ParquetJobs, FirstRowsWhereGivesTheFirstRowOfEachCondition) {
  TempDir tmp;
  const fs::path file = tmp.path() / "f.parquet";
  WriteParquet(file,
               "SELECT i AS id, CASE WHEN i IN (7000, 9000) THEN NULL ELSE i END AS k, "
               "CASE WHEN i = 4321 THEN 'inf'::DOUBLE ELSE i * 0.5 END AS x FROM range(10000) t(i)");
  auto first = FirstParquetRowsWhere(file, {"\"k\" IS NULL", "NOT isfinite(\"x\")", "\"id\" < 0"});
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0], 7000u);
  EXPECT_EQ((*first)[1], 4321u);
  EXPECT_FALSE((*first)[2].has_value());
}

TEST(ParquetJobs, TheClientLoadsParquetJobsWithTheLoadIdAndANewRowKeyPerRow) {
  TempDir tmp;
  const fs::path a = tmp.path() / "a.parquet", b = tmp.path() / "b.parquet";
  WriteParquet(a, "SELECT i AS id, 'a' || i AS v FROM range(3000) t(i)");
  WriteParquet(b, "SELECT i AS id, 'b' || i AS v FROM range(3000, 5000) t(i)");
  auto client = DuckDbClient::Open((tmp.path() / "w.duckdb").string(), "w.duckdb", false);
  ASSERT_TRUE(client.ok()) << client.status().message();
  DuckDbClient& c = **client;
  ASSERT_TRUE(c.Execute("CREATE SCHEMA ds; CREATE TABLE ds.t (id BIGINT, v VARCHAR, _dlt_load_id VARCHAR NOT NULL, "
                        "_dlt_id VARCHAR NOT NULL)")
                  .ok());
  auto cols = c.ParquetJobColumns(a);
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  EXPECT_EQ(*cols, (std::vector<std::string>{"id", "v"}));
  Column id = Col("id", DataType::kBigint), v = Col("v"), load_id = Col("_dlt_load_id"), row_key = Col("_dlt_id");
  row_key.row_key = true;
  Status s = c.CopyParquetJobs("ds", "t", {&id, &v}, {&load_id, &row_key}, "1700000000.25", {a, b});
  ASSERT_TRUE(s.ok()) << s.message();
  auto rows = c.Query("SELECT count(*), count(DISTINCT _dlt_id), min(length(_dlt_id)), max(length(_dlt_id)), "
                      "min(_dlt_load_id), max(_dlt_load_id), sum(id), count(*) FILTER (WHERE v LIKE 'b%') FROM ds.t");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  std::vector<std::string> got;
  for (const auto& cell : (*rows)[0]) got.push_back(cell.value_or("NULL"));
  EXPECT_EQ(got, (std::vector<std::string>{"5000", "5000", "14", "14", "1700000000.25", "1700000000.25", "12497500",
                                           "2000"}));
  // Keys are base64 (dlt's alphabet, no padding).
  auto bad = c.Query("SELECT count(*) FROM ds.t WHERE NOT regexp_full_match(_dlt_id, '[A-Za-z0-9+/]{14}')");
  ASSERT_TRUE(bad.ok()) << bad.status().message();
  EXPECT_EQ((*bad)[0][0].value_or("NULL"), "0");

  // A generated column the load does not know is refused, naming it.
  Column other = Col("other");
  s = c.CopyParquetJobs("ds", "t", {&id, &v}, {&other}, "1", {a});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("column `other`"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace dlt
