// The SQLite reader of the sql_database source (src/extract/sql_database/sqlite_reader.cc) on real
// database files the tests write with Debian's sqlite3 command line tool.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "extract/sql_database/sql_reader.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt::sql_source {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class SqliteReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3 (scripts/bootstrap.sh does)";
    db_ = tmp_.path() / "shop.db";
  }
  void Sql(const std::string& sql) {
    auto r = dlt::testing::Run({"/usr/bin/sqlite3", db_.string(), sql}, tmp_.path(), {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::unique_ptr<SqlReader> Open() {
    auto r = OpenSqlReader(Secret("sqlite:///" + db_.string()));  // sqlite:////abs/path
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  // Every row of the scan as the cells the load job gets ("NULL" for NULL), batch sizes in `sizes`.
  std::vector<std::vector<std::string>> ReadAll(SqlReader& reader, const ScanRequest& req, std::vector<size_t>* sizes = nullptr) {
    std::vector<std::vector<std::string>> rows;
    auto scan = reader.Scan(req);
    EXPECT_TRUE(scan.ok()) << scan.status().message();
    if (!scan.ok()) return rows;
    TypedBatch b;
    std::string where, cell;
    while (true) {
      auto more = (*scan)->NextBatch(&b, &where);
      EXPECT_TRUE(more.ok()) << more.status().message();
      if (!more.ok() || !*more) break;
      EXPECT_TRUE(b.Validate(where).ok());
      if (sizes) sizes->push_back(b.rows());
      for (size_t r = 0; r < b.rows(); ++r) {
        std::vector<std::string> row;
        for (size_t c = 0; c < b.columns().size(); ++c) {
          b.CellText(c, r, &cell);
          row.push_back(b.IsNull(c, r) ? "NULL" : cell);
        }
        rows.push_back(row);
      }
    }
    return rows;
  }
  TempDir tmp_;
  fs::path db_;
};

TEST_F(SqliteReaderTest, ReflectsDeclaredTypesAsSqlAlchemysSqliteDialectDoes) {
  Sql("CREATE TABLE t (id INTEGER NOT NULL, small SMALLINT, f REAL, d DOUBLE PRECISION, price DECIMAL(10,2), n NUMERIC,"
      " ok BOOLEAN, day DATE, at DATETIME, ts TIMESTAMP, tod TIME, raw BLOB, doc JSON, name VARCHAR(20), note TEXT,"
      " anything, weird MONEYISH, PRIMARY KEY (name, id))");
  auto reader = Open();
  ASSERT_TRUE(reader);
  auto t = reader->Reflect("", "t", ReflectionLevel::kFullWithPrecision);
  ASSERT_TRUE(t.ok()) << t.status().message();
  std::vector<std::string> types;
  for (const SourceColumn& c : t->columns) types.push_back(std::string(DataTypeName(c.column.data_type)));
  EXPECT_EQ(types, (std::vector<std::string>{"bigint", "bigint", "double", "double", "decimal", "decimal", "bool",
                                             "date", "timestamp", "timestamp", "time", "binary", "json", "text", "text",
                                             "text", "decimal"}));
  EXPECT_FALSE(t->columns[0].column.nullable);
  EXPECT_TRUE(t->columns[1].column.nullable);
  EXPECT_EQ(t->columns[4].column.precision, 10);
  EXPECT_EQ(t->columns[4].column.scale, 2);
  EXPECT_EQ(t->columns[13].column.precision, 20);
  EXPECT_FALSE(t->columns[8].column.timezone);
  EXPECT_EQ(t->columns[4].native_type, "DECIMAL(10,2)");
  EXPECT_EQ(t->primary_key, (std::vector<std::string>{"name", "id"}));
  // Lengths are dlt's full_with_precision only; decimals keep theirs at full.
  auto full = reader->Reflect("main", "t", ReflectionLevel::kFull);
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->columns[13].column.precision.has_value());
  EXPECT_EQ(full->columns[4].column.precision, 10);
}

TEST_F(SqliteReaderTest, ReadsEveryTypeIntoTheCanonicalCellOfItsColumnAndNullsAsNull) {
  Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, big BIGINT, f REAL, price DECIMAL(10,2), n NUMERIC, ok BOOLEAN,"
      " day DATE, at DATETIME, tod TIME, raw BLOB, doc JSON, name TEXT);"
      "INSERT INTO t VALUES (1, 9223372036854775807, 1.5, '12.5', '1234567890.123', 1, '2024-02-29',"
      " '2024-05-01 12:30:00.250000', '23:59:59.5', X'00FF10', '{\"b\": 1, \"a\": [1, 2]}', 'zoë');"
      "INSERT INTO t VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
      "INSERT INTO t VALUES (3, -1, -0.25, 0, 7, 0, '1999-12-31', '2024-05-01T01:02:03+02:00', '00:00:00', X'', '[]', '');");
  auto reader = Open();
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "t", ReflectionLevel::kFull);
  auto rows = ReadAll(*reader, req);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "9223372036854775807", "1.5", "12.50", "1234567890.123",
                                               "true", "2024-02-29", "2024-05-01T12:30:00.250000+00:00",
                                               "23:59:59.500000", "\\x00ff10", "{\"b\":1,\"a\":[1,2]}", "zoë"}));
  for (size_t c = 1; c < rows[1].size(); ++c) EXPECT_EQ(rows[1][c], "NULL") << "column " << c;
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "-1", "-0.25", "0.00", "7", "false", "1999-12-31",
                                               "2024-04-30T23:02:03+00:00", "00:00:00", "\\x", "[]", ""}));
}

TEST_F(SqliteReaderTest, ScanReadsOnlyTheCursorRangeInCursorOrderInBatchesOfChunkSize) {
  Sql("CREATE TABLE ev (id INTEGER PRIMARY KEY, seq INTEGER);"
      "INSERT INTO ev VALUES (1, 50), (2, 10), (3, 30), (4, 20), (5, 40), (6, NULL), (7, 60);");
  auto reader = Open();
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "ev", ReflectionLevel::kFull);
  req.chunk_size = 2;
  req.cursor_column = "seq";
  req.cursor_lower = Bound{20, true};
  req.cursor_upper = Bound{60, false};
  std::vector<size_t> sizes;
  auto rows = ReadAll(*reader, req, &sizes);
  std::vector<std::string> seqs;
  for (auto& r : rows) seqs.push_back(r[1]);
  EXPECT_EQ(seqs, (std::vector<std::string>{"20", "30", "40", "50"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2}));
  // An exclusive lower bound, descending (last_value_func=min), NULL cursors asked for.
  req.cursor_lower = Bound{30, false};
  req.cursor_upper.reset();
  req.descending = true;
  req.cursor_nulls = true;
  seqs.clear();
  for (auto& r : ReadAll(*reader, req)) seqs.push_back(r[1]);
  EXPECT_EQ(seqs, (std::vector<std::string>{"60", "50", "40", "NULL"}));
}

TEST_F(SqliteReaderTest, TimestampCursorBoundsMatchValuesStoredWithOrWithoutFraction) {
  Sql("CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME);"
      "INSERT INTO ev VALUES (1, '2024-01-01 10:00:00'), (2, '2024-01-01 10:00:00.000000'),"
      " (3, '2024-01-01 09:59:59.999999'), (4, '2024-01-01 10:00:00.500000'), (5, '2024-01-01 11:00:00');");
  auto reader = Open();
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "ev", ReflectionLevel::kFull);
  req.cursor_column = "at";
  req.cursor_lower = Bound{"2024-01-01T10:00:00+00:00", true};
  req.cursor_upper = Bound{"2024-01-01T11:00:00+00:00", false};
  std::vector<std::string> ids;
  for (auto& r : ReadAll(*reader, req)) ids.push_back(r[0]);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "4"}));
  req.cursor_lower = Bound{"2024-01-01T10:00:00+00:00", false};
  ids.clear();
  for (auto& r : ReadAll(*reader, req)) ids.push_back(r[0]);
  EXPECT_EQ(ids, (std::vector<std::string>{"4"}));
}

TEST_F(SqliteReaderTest, ValueThatDoesNotFitItsColumnTypeIsAnErrorNamingTableColumnAndRow) {
  Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, day DATE); INSERT INTO t VALUES (1, '2024-01-01'), (2, 'soon');");
  auto reader = Open();
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "t", ReflectionLevel::kFull);
  auto scan = reader->Scan(req);
  ASSERT_TRUE(scan.ok());
  TypedBatch b;
  std::string where;
  auto more = (*scan)->NextBatch(&b, &where);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("table t, column `day` (DATE), row 2"), std::string::npos) << more.status().message();
  EXPECT_NE(more.status().message().find("'soon' is not a date"), std::string::npos) << more.status().message();
}

TEST_F(SqliteReaderTest, ListsTablesSortedAndViewsOnlyWhenAsked) {
  Sql("CREATE TABLE b (x INT); CREATE TABLE a (x INT); CREATE VIEW v AS SELECT x FROM a;");
  auto reader = Open();
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->default_schema(), "main");
  EXPECT_EQ(*reader->ListTables("main", false), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*reader->ListTables("", true), (std::vector<std::string>{"a", "b", "v"}));
  auto v = reader->Reflect("", "v", ReflectionLevel::kFull);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->is_view);
}

TEST_F(SqliteReaderTest, KeyRangeIsTheMinimumAndMaximumOfTheKeyOrNothingForAnEmptyTable) {
  Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE e (id INTEGER PRIMARY KEY);"
      "INSERT INTO t VALUES (7, 'a'), (-3, 'b'), (42, 'c');");
  auto reader = Open();
  ASSERT_TRUE(reader);
  auto range = reader->KeyRange(*reader->Reflect("", "t", ReflectionLevel::kFull), "id");
  ASSERT_TRUE(range.ok()) << range.status().message();
  ASSERT_TRUE(range->has_value());
  EXPECT_EQ((*range)->first, -3);
  EXPECT_EQ((*range)->second, 42);
  auto empty = reader->KeyRange(*reader->Reflect("", "e", ReflectionLevel::kFull), "id");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
}

TEST_F(SqliteReaderTest, MissingTableIsNotFoundNamingTheTableAndFile) {
  Sql("CREATE TABLE t (x INT);");
  auto reader = Open();
  ASSERT_TRUE(reader);
  auto t = reader->Reflect("", "orders", ReflectionLevel::kFull);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("table orders not found"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find(db_.string()), std::string::npos);
}

TEST_F(SqliteReaderTest, MissingFileIsNotFoundNamingThePathAndNothingIsCreated) {
  auto r = OpenSqlReader(Secret("sqlite:///" + (tmp_.path() / "nope.db").string()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find((tmp_.path() / "nope.db").string()), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(tmp_.path() / "nope.db"));
}

TEST_F(SqliteReaderTest, ThreeSlashUrlIsRelativeToTheCurrentFolder) {
  Sql("CREATE TABLE t (x INT);");
  fs::path before = fs::current_path();
  fs::current_path(tmp_.path());
  auto r = OpenSqlReader(Secret("sqlite:///shop.db"));
  fs::current_path(before);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*(*r)->ListTables("", false), (std::vector<std::string>{"t"}));
}

TEST_F(SqliteReaderTest, MissingRelativeFileIsNamedWithItsAbsolutePath) {
  fs::path before = fs::current_path();
  fs::current_path(tmp_.path());
  auto r = OpenSqlReader(Secret("sqlite:///data/missing.db"));
  fs::current_path(before);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("data/missing.db (" + (tmp_.path() / "data/missing.db").string() + ")"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace dlt::sql_source
