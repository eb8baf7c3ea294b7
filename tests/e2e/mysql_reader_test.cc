// The MySQL/MariaDB reader of the sql_database source (src/extract/sql_database/mysql_reader.cc)
// against a real MariaDB server the tests start (Debian's mariadb-server, tests/mariadb_server.h).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/text.h"
#include "extract/sql_database/sql_reader.h"
#include "mariadb_server.h"

namespace dlt::sql_source {
namespace {

using testing::MariadbServer;

class MysqlReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!MariadbServer::Available()) return;
    server_ = new MariadbServer();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!MariadbServer::Available()) GTEST_SKIP() << "mariadbd is not installed (install Debian's mariadb-server)";
    ASSERT_TRUE(server_->ok()) << server_->error();
  }
  static std::string Sql(const std::string& sql) {
    std::string out = server_->Sql("SET time_zone = '+00:00'; " + sql);
    EXPECT_TRUE(server_->error().empty()) << server_->error();
    return out;
  }
  static std::unique_ptr<SqlReader> Open(const std::string& url) {
    auto r = OpenSqlReader(Secret(url));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  // Every row of the scan as its cells ("NULL" for NULL).
  static std::vector<std::vector<std::string>> ReadAll(SqlReader& reader, const ScanRequest& req,
                                                       std::vector<size_t>* sizes = nullptr) {
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
  static MariadbServer* server_;
};

MariadbServer* MysqlReaderTest::server_ = nullptr;

constexpr const char* kEverything =
    "CREATE TABLE IF NOT EXISTS everything (id INT PRIMARY KEY, ti TINYINT, b1 TINYINT(1), si SMALLINT,"
    " mi MEDIUMINT, bi BIGINT NOT NULL, ub BIGINT UNSIGNED, dec1 DECIMAL(38,9), fl FLOAT, dbl DOUBLE,"
    " vc VARCHAR(20), tx TEXT, en ENUM('a','b'), st SET('x','y'), d DATE, t TIME(6), dt DATETIME(6),"
    " ts TIMESTAMP(6) NULL DEFAULT NULL, js JSON, bin VARBINARY(10), bl BLOB, bt BIT(10), yr YEAR);"
    "DELETE FROM everything;"
    "INSERT INTO everything VALUES (1, -128, 1, -32768, 8388607, -9223372036854775808, 9223372036854775807,"
    " '12345678901234567890123456789.123456789', 1.5, 0.1, 'zoë 🎉', 'it''s \\\\ \"q\"', 'b', 'x,y', '2024-02-29',"
    " '23:59:59.999999', '2024-05-01 12:30:00.250000', '2024-05-01 12:30:00.000001', '{\"b\": 1, \"a\": [1, 2.5, \"x\"]}',"
    " X'00FF', X'DEADBEEF', b'1010101010', 2024);"
    "INSERT INTO everything (id, bi) VALUES (2, 0);"
    "INSERT INTO everything VALUES (3, 0, 0, 0, 0, 1, 0, '-0.000000001', -0.25, 1e300, '', '', 'a', '', '1000-01-01',"
    " '00:00:00', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '[]', X'', X'', b'0', 1901);";

TEST_F(MysqlReaderTest, EveryTypeRoundTripsExactlyAsTheServerPrintsIt) {
  Sql(kEverything);
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  ScanRequest req;
  auto t = reader->Reflect("", "everything", ReflectionLevel::kFull);
  ASSERT_TRUE(t.ok()) << t.status().message();
  req.table = *t;
  auto rows = ReadAll(*reader, req);
  // The server's own text of each value; binary, bit and JSON through the server's HEX, +0 and
  // JSON_COMPACT, timestamps in the load job's ISO form.
  std::string out = Sql(
      "SELECT id, ti, b1, si, mi, bi, ub, dec1, fl, dbl, vc, tx, en, st, d, t, dt, ts, JSON_COMPACT(js),"
      " CONCAT('\\\\x', LOWER(HEX(bin))), CONCAT('\\\\x', LOWER(HEX(bl))), bt + 0, yr FROM everything ORDER BY id");
  std::vector<std::vector<std::string>> expected;
  for (const std::string& line : text::Split(out, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> row = text::Split(line, '\t');
    for (size_t c : {16u, 17u}) {  // dt, ts: "YYYY-MM-DD HH:MM:SS.ffffff" -> the UTC cell
      std::string& v = row[c];
      if (v == "NULL") continue;
      v[10] = 'T';
      if (v.size() > 19 && v.substr(19) == ".000000") v.resize(19);
      v += "+00:00";
    }
    for (size_t c : {8u, 9u}) {  // fl, dbl: the server prints 1e300, the cell 1e+300; same double
      if (row[c] != "NULL") row[c] = "double:" + row[c];
    }
    if (row[15] != "NULL" && row[15].size() > 8 && row[15].substr(8) == ".000000") row[15].resize(8);  // t
    expected.push_back(row);
  }
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(expected.size(), 3u) << out;
  for (size_t r = 0; r < 3; ++r) {
    for (size_t c : {8u, 9u}) {
      std::string& e = expected[r][c];
      if (e.rfind("double:", 0) != 0) continue;
      EXPECT_EQ(std::strtod(e.c_str() + 7, nullptr), std::strtod(rows[r][c].c_str(), nullptr)) << "row " << r;
      e = rows[r][c];
    }
  }
  EXPECT_EQ(rows[0], expected[0]);
  EXPECT_EQ(rows[1], expected[1]);
  EXPECT_EQ(rows[2], expected[2]);
  // Spot checks of what the comparison relies on.
  EXPECT_EQ(rows[0][7], "12345678901234567890123456789.123456789");
  EXPECT_EQ(rows[0][10], "zoë 🎉");
  EXPECT_EQ(rows[0][17], "2024-05-01T12:30:00.000001+00:00");
  EXPECT_EQ(rows[0][19], "\\x00ff");
  EXPECT_EQ(rows[1][1], "NULL");
  EXPECT_EQ(rows[2][9], "1e+300");
}

TEST_F(MysqlReaderTest, ReflectsTypesFromInformationSchemaAsSqlAlchemysMysqlDialectDoes) {
  Sql(kEverything);
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  auto t = reader->Reflect("shop", "everything", ReflectionLevel::kFullWithPrecision);
  ASSERT_TRUE(t.ok()) << t.status().message();
  std::vector<std::string> types;
  for (const SourceColumn& c : t->columns) types.push_back(std::string(DataTypeName(c.column.data_type)));
  EXPECT_EQ(types, (std::vector<std::string>{"bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint",
                                             "decimal", "double", "double", "text", "text", "text", "text", "date",
                                             "time", "timestamp", "timestamp", "json", "binary", "binary", "bigint",
                                             "bigint"}));
  EXPECT_EQ(t->primary_key, (std::vector<std::string>{"id"}));
  EXPECT_FALSE(t->columns[5].column.nullable);
  EXPECT_EQ(t->columns[7].column.precision, 38);
  EXPECT_EQ(t->columns[7].column.scale, 9);
  EXPECT_EQ(t->columns[10].column.precision, 20);
  EXPECT_FALSE(t->columns[16].column.timezone);  // DATETIME
  EXPECT_TRUE(t->columns[17].column.timezone);   // TIMESTAMP, read in UTC
  EXPECT_EQ(t->columns[17].column.precision, 6);
  EXPECT_EQ(t->columns[2].native_type, "tinyint(1)");
  EXPECT_EQ(reader->default_schema(), "shop");
}

TEST_F(MysqlReaderTest, ScanReadsOnlyTheCursorRangeInCursorOrderInBatchesOfChunkSize) {
  Sql("CREATE TABLE IF NOT EXISTS ev (id INT PRIMARY KEY, at DATETIME(6)); DELETE FROM ev;"
      "INSERT INTO ev VALUES (1, '2024-01-01 10:00:00'), (2, '2024-01-01 09:59:59.999999'), (3, '2024-01-01 10:00:00.5'),"
      " (4, '2024-01-01 11:00:00'), (5, NULL), (6, '2024-01-01 10:30:00');");
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "ev", ReflectionLevel::kFull);
  req.chunk_size = 2;
  req.cursor_column = "at";
  req.cursor_lower = Bound{"2024-01-01T10:00:00+00:00", true};
  req.cursor_upper = Bound{"2024-01-01T11:00:00+00:00", false};
  std::vector<size_t> sizes;
  std::vector<std::string> ids;
  for (auto& r : ReadAll(*reader, req, &sizes)) ids.push_back(r[0]);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3", "6"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 1}));
  // A key range on the primary key, as parallel chunks ask.
  ScanRequest chunk;
  chunk.table = req.table;
  chunk.chunk_key = "id";
  chunk.chunk_lower = Bound{2, true};
  chunk.chunk_upper = Bound{4, true};
  ids.clear();
  for (auto& r : ReadAll(*reader, chunk)) ids.push_back(r[0]);
  EXPECT_EQ(ids, (std::vector<std::string>{"2", "3", "4"}));
  auto range = reader->KeyRange(req.table, "id");
  ASSERT_TRUE(range.ok() && range->has_value()) << range.status().message();
  EXPECT_EQ((*range)->first, 1);
  EXPECT_EQ((*range)->second, 6);
}

TEST_F(MysqlReaderTest, WrongPasswordIsAnErrorNamingHostAndUserButNeverThePassword) {
  std::string url = "mysql+pymysql://loader:Wr0ngSecret_x9@127.0.0.1:" + std::to_string(server_->port()) + "/shop";
  auto r = OpenSqlReader(Secret(url));
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos) << m;
  EXPECT_NE(m.find("`loader`"), std::string::npos) << m;
  EXPECT_NE(m.find("Access denied"), std::string::npos) << m;
  EXPECT_EQ(m.find("Wr0ngSecret_x9"), std::string::npos) << m;
}

TEST_F(MysqlReaderTest, UnreachablePortIsAClearErrorNamingHostAndPort) {
  // A port bound but not listening: connections to it are refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string port = std::to_string(ntohs(a.sin_port));
  auto r = OpenSqlReader(Secret("mariadb://loader:pw_secret_77@127.0.0.1:" + port + "/shop"));
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot connect to MySQL/MariaDB at 127.0.0.1:" + port), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("pw_secret_77"), std::string::npos);
}

TEST_F(MysqlReaderTest, MissingTableIsNotFoundNamingIt) {
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  auto t = reader->Reflect("", "orders", ReflectionLevel::kFull);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("table shop.orders not found"), std::string::npos) << t.status().message();
}

TEST_F(MysqlReaderTest, TimeOutsideOneDayIsAnErrorNamingTableColumnAndRow) {
  Sql("CREATE TABLE IF NOT EXISTS spans (id INT PRIMARY KEY, took TIME); DELETE FROM spans;"
      "INSERT INTO spans VALUES (1, '01:00:00'), (2, '100:00:00');");
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "spans", ReflectionLevel::kFull);
  auto scan = reader->Scan(req);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  TypedBatch b;
  std::string where;
  auto more = (*scan)->NextBatch(&b, &where);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("table spans, column `took` (time), row 2: the value '100:00:00'"),
            std::string::npos)
      << more.status().message();
}

TEST_F(MysqlReaderTest, ColumnTypeWithoutADltTypeIsReadAsTheServersTextAndNamed) {
  Sql("CREATE TABLE IF NOT EXISTS hosts (id INT PRIMARY KEY, u UUID, ip INET6); DELETE FROM hosts;"
      "INSERT INTO hosts VALUES (1, '123e4567-e89b-12d3-a456-426614174000', '2001:db8::1');");
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  ScanRequest req;
  auto t = reader->Reflect("", "hosts", ReflectionLevel::kFull);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->columns[1].column.data_type, DataType::kText);
  EXPECT_EQ(t->columns[1].native_type, "uuid");
  EXPECT_EQ(t->columns[2].native_type, "inet6");
  req.table = *t;
  auto rows = ReadAll(*reader, req);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "123e4567-e89b-12d3-a456-426614174000", "2001:db8::1"}));
}

TEST_F(MysqlReaderTest, BigTableIsStreamedInBatchesOfChunkSizeWithEveryRowOnce) {
  Sql("CREATE TABLE IF NOT EXISTS big (id INT PRIMARY KEY, v VARCHAR(10)); DELETE FROM big;"
      "INSERT INTO big SELECT seq, CONCAT('v', seq) FROM seq_1_to_10000;");
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  ScanRequest req;
  req.table = *reader->Reflect("", "big", ReflectionLevel::kFull);
  req.chunk_size = 3000;
  std::vector<size_t> sizes;
  auto rows = ReadAll(*reader, req, &sizes);
  EXPECT_EQ(sizes, (std::vector<size_t>{3000, 3000, 3000, 1000}));
  ASSERT_EQ(rows.size(), 10000u);
  long sum = 0;
  for (auto& r : rows) sum += std::stol(r[0]);
  EXPECT_EQ(sum, 10000L * 10001 / 2);
}

TEST_F(MysqlReaderTest, ListsTablesSortedAndViewsOnlyWhenAsked) {
  Sql("CREATE TABLE IF NOT EXISTS zeta (x INT); CREATE TABLE IF NOT EXISTS alpha (x INT);"
      "CREATE OR REPLACE VIEW alpha_v AS SELECT x FROM alpha;");
  auto reader = Open(server_->Url());
  ASSERT_TRUE(reader);
  auto tables = reader->ListTables("", false);
  ASSERT_TRUE(tables.ok());
  EXPECT_NE(std::find(tables->begin(), tables->end(), "alpha"), tables->end());
  EXPECT_EQ(std::find(tables->begin(), tables->end(), "alpha_v"), tables->end());
  EXPECT_TRUE(std::is_sorted(tables->begin(), tables->end()));
  auto with_views = reader->ListTables("", true);
  ASSERT_TRUE(with_views.ok());
  EXPECT_NE(std::find(with_views->begin(), with_views->end(), "alpha_v"), with_views->end());
}

}  // namespace
}  // namespace dlt::sql_source
