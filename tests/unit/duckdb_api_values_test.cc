// The dlopen-based DuckDB C API wrapper: query results (values and column types exactly as DuckDB
// casts them to text), CSV reading, the appender and quoting.
#include "destinations/duckdb/duckdb_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "duckdb_api_support.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt::duckdb {
namespace {

namespace fs = std::filesystem;
using ::dlt::testing::TempDir;
using ::dlt::testing::WriteFile;
using api_test::OpenOrDie;
using api_test::ConnectOrDie;
using api_test::QueryOrDie;
using api_test::Has;

TEST(DuckDbApi, FileDatabaseRoundTrip) {
  TempDir tmp;
  const std::string path = (tmp.path() / "round.duckdb").string();
  {
    Database db = OpenOrDie(path);
    EXPECT_TRUE(db.is_open());
    EXPECT_EQ(db.path(), path);
    Connection conn = ConnectOrDie(db);
    ASSERT_OK(conn.Execute("CREATE SCHEMA IF NOT EXISTS my_data"));
    ASSERT_OK(conn.Execute(
        "CREATE TABLE my_data.items (id BIGINT, name VARCHAR, price DECIMAL(10,2), seen TIMESTAMP WITH TIME ZONE, "
        "ok BOOLEAN, score DOUBLE)"));
    ASSERT_OK(conn.Execute(
        "SET TimeZone = 'UTC';"
        "INSERT INTO my_data.items VALUES (1, 'one', 1.5, '2024-01-02 03:04:05+00', true, 0.25),"
        " (2, NULL, NULL, NULL, NULL, NULL), (3, '', -7, '2024-06-30 23:59:59.123456+02', false, -1e20)"));
  }
  EXPECT_TRUE(fs::exists(path));
  Database db = OpenOrDie(path);
  Connection conn = ConnectOrDie(db);
  QueryResult r = QueryOrDie(conn, "SELECT * FROM my_data.items ORDER BY id");
  ASSERT_EQ(r.column_names, (std::vector<std::string>{"id", "name", "price", "seen", "ok", "score"}));
  EXPECT_EQ(r.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR", "DECIMAL(10,2)", "TIMESTAMP WITH TIME ZONE",
                                                      "BOOLEAN", "DOUBLE"}));
  EXPECT_EQ(r.ColumnIndex("seen"), 3);
  EXPECT_EQ(r.ColumnIndex("missing"), -1);
  ASSERT_EQ(r.rows.size(), 3u);
  auto text = [&](size_t row, size_t col) { return r.rows[row][col].text; };
  EXPECT_EQ(text(0, 0), "1");
  EXPECT_EQ(text(0, 1), "one");
  EXPECT_EQ(text(0, 2), "1.50");
  EXPECT_EQ(text(0, 3), "2024-01-02 03:04:05+00");
  EXPECT_EQ(text(0, 4), "true");
  EXPECT_EQ(text(0, 5), "0.25");
  for (size_t c = 1; c < 6; ++c) {
    EXPECT_TRUE(r.rows[1][c].is_null) << c;
    EXPECT_EQ(r.rows[1][c].text, "");
  }
  EXPECT_FALSE(r.rows[1][0].is_null);
  EXPECT_FALSE(r.rows[2][1].is_null);  // '' is not NULL
  EXPECT_EQ(text(2, 1), "");
  EXPECT_EQ(text(2, 2), "-7.00");
  EXPECT_EQ(text(2, 3), "2024-06-30 21:59:59.123456+00");  // always shown in UTC
  EXPECT_EQ(text(2, 4), "false");
  EXPECT_EQ(text(2, 5), "-1e+20");

  // A type the C API does not describe: a clear error that says what to do.
  auto time_ns = conn.Query("SELECT 1 AS a, '10:00:00.123456789'::TIME_NS AS t");
  ASSERT_FALSE(time_ns.ok());
  EXPECT_TRUE(Has(time_ns.status().message(), "column t: ")) << time_ns.status().message();
  EXPECT_TRUE(Has(time_ns.status().message(), "CAST the column to VARCHAR")) << time_ns.status().message();
  auto time_ns_text = conn.Query("SELECT '10:00:00.123456789'::TIME_NS::VARCHAR AS t");
  ASSERT_TRUE(time_ns_text.ok()) << time_ns_text.status().message();
  EXPECT_EQ(time_ns_text->rows[0][0].text, "10:00:00.123456789");

  // A statement without rows, and an empty result with its columns.
  QueryResult empty = QueryOrDie(conn, "SELECT id, name FROM my_data.items WHERE id > 100");
  EXPECT_EQ(empty.column_names.size(), 2u);
  EXPECT_TRUE(empty.rows.empty());
  QueryResult info = QueryOrDie(conn, "SELECT table_schema, table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'my_data'");
  ASSERT_EQ(info.rows.size(), 1u);
  EXPECT_EQ(info.rows[0][1].text, "items");
}

// Every value Query() renders must equal DuckDB's own CAST(... AS VARCHAR), and every column type
// name must equal typeof().
TEST(DuckDbApi, ValuesAndTypesMatchDuckDbCasts) {
  Database db = OpenOrDie(":memory:");
  Connection conn = ConnectOrDie(db);
  ASSERT_OK(conn.Execute("SET TimeZone = 'UTC'"));
  ASSERT_OK(conn.Execute("CREATE TYPE big_enum AS ENUM (SELECT 'v' || i FROM range(300) t(i))"));
  const std::vector<std::string> exprs = {
      "true", "false",
      "(-128)::TINYINT", "32767::SMALLINT", "(-2147483648)::INTEGER", "9223372036854775807::BIGINT",
      "(-9223372036854775807 - 1)::BIGINT", "255::UTINYINT", "65535::USMALLINT", "4294967295::UINTEGER",
      "18446744073709551615::UBIGINT", "170141183460469231731687303715884105727::HUGEINT",
      "(-170141183460469231731687303715884105727)::HUGEINT - 1", "0::HUGEINT",
      "340282366920938463463374607431768211455::UHUGEINT",
      "1.5::FLOAT", "1e-7::FLOAT", "3.4e38::FLOAT", "16777216::FLOAT", "0.1::FLOAT", "'-0.0'::FLOAT",
      "'nan'::FLOAT", "'-inf'::FLOAT", "1e7::FLOAT", "123456.79::FLOAT",
      "0.1::DOUBLE", "100000.0::DOUBLE", "1e15::DOUBLE", "1e16::DOUBLE", "1e-5::DOUBLE", "0.0001::DOUBLE",
      "123456789.125::DOUBLE", "1.7976931348623157e308::DOUBLE", "5e-324::DOUBLE", "'-0.0'::DOUBLE",
      "'inf'::DOUBLE", "'nan'::DOUBLE", "2.5e-310::DOUBLE", "1::DOUBLE / 3", "-2::DOUBLE / 3", "0::DOUBLE",
      "1.50::DECIMAL(4,2)", "(-0.05)::DECIMAL(9,3)", "12345678.9::DECIMAL(18,1)",
      "(-123456789012345678901234567.891)::DECIMAL(38,3)", "7::DECIMAL(5,0)", "0::DECIMAL(10,4)",
      "0.001::DECIMAL(3,3)", "(-0.5)::DECIMAL(1,1)", "0::DECIMAL(2,2)", "(-1)::DECIMAL(2,1)",
      "0.5::DECIMAL(38,38)", "(-0.5)::DECIMAL(18,18)",
      "DATE '2024-02-29'", "DATE '1970-01-01'", "DATE '1969-12-31'", "DATE '0001-01-01'", "make_date(-43, 3, 15)",
      "make_date(0, 12, 31)", "'294247-01-10'::DATE", "'infinity'::DATE", "'-infinity'::DATE",
      "'5877642-06-25 (BC)'::DATE", "DATE '1600-02-29'", "DATE '1900-03-01'",
      "TIME '00:00:00'", "TIME '23:59:59.999999'", "TIME '12:34:56.5'", "TIME '24:00:00'",
            "'10:00:00+02'::TIMETZ", "'10:00:00.5+05:30'::TIMETZ", "'23:59:59-03:30:15'::TIMETZ",
      "'00:00:00+00'::TIMETZ",
      "'12:00:00-15:59:59'::TIMETZ", "'12:00:00+15:59:59'::TIMETZ",
      "TIMESTAMP '2024-01-02 03:04:05'", "TIMESTAMP '2024-01-02 03:04:05.000001'", "TIMESTAMP '1969-12-31 23:59:59.5'",
      "make_timestamp(-43, 3, 15, 10, 0, 0)", "'infinity'::TIMESTAMP", "'-infinity'::TIMESTAMP",
      "TIMESTAMP '294247-01-10 04:00:54.775806'", "TIMESTAMP '1677-09-22 00:00:00'",
      "TIMESTAMP_S '2024-01-02 03:04:05'", "TIMESTAMP_S '1960-01-02 03:04:05'",
      "TIMESTAMP_MS '2024-01-02 03:04:05.123'",
      "TIMESTAMP_MS '1969-12-31 23:59:59.999'", "TIMESTAMP_NS '2024-01-02 03:04:05.123456789'",
      "TIMESTAMP_NS '1969-12-31 23:59:59.999999999'", "TIMESTAMP_NS '2024-01-02 03:04:05.5'",
      "'infinity'::TIMESTAMP_S", "'-infinity'::TIMESTAMP_MS", "'infinity'::TIMESTAMP_NS",
      "TIMESTAMPTZ '2024-01-02 03:04:05+00'", "TIMESTAMPTZ '2024-01-02 03:04:05.25+05:30'", "'infinity'::TIMESTAMPTZ",
      "'-infinity'::TIMESTAMPTZ", "make_timestamp(-43, 3, 15, 10, 0, 0)::TIMESTAMPTZ",
      "INTERVAL '1 year 2 months 3 days 04:05:06.789'", "INTERVAL '-1 year -2 months -3 days -04:05:06.5'",
      "INTERVAL '0 seconds'", "INTERVAL '14 months'", "INTERVAL '1 day'", "INTERVAL '-100 hours'",
      "INTERVAL '1 microsecond'", "INTERVAL '-1 day 01:00:00'", "INTERVAL '1 month -1 day'", "INTERVAL '12 months'",
      "INTERVAL '-13 months'", "INTERVAL '36 hours 30 seconds'",
      "'hello'", "''", "'it''s'", "'é ü 日本'", "'a' || chr(0) || 'b'", "'line' || chr(10) || 'two'",
      "'{\"a\": [1, 2]}'::JSON",
      "'\\xFF\\x00a'::BLOB", "encode('ab' || chr(10) || '\\' || '''\"' || chr(127) || 'é')", "''::BLOB",
      "'00000000-0000-0000-0000-000000000000'::UUID", "'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID",
      "'123e4567-e89b-12d3-a456-426614174000'::UUID", "'7fffffff-ffff-ffff-8000-000000000001'::UUID",
      "'101'::BIT", "'0000000011'::BIT", "'1'::BIT", "'11111111'::BIT", "'111111111'::BIT",
      "123456789012345678901234567890::BIGNUM", "(-123456789012345678901234567890)::BIGNUM", "0::BIGNUM",
      "(-1)::BIGNUM", "255::BIGNUM", "(-256)::BIGNUM", "256::BIGNUM", "1000000000::BIGNUM", "(-999999999)::BIGNUM",
      "'b'::ENUM('a', 'b', 'it''s')", "'it''s'::ENUM('a', 'b', 'it''s')", "'v299'::big_enum",
      // Nested values.
      "[1, 2, NULL]", "[]::INTEGER[]", "[[1, 2], [3], [], NULL]", "[{'a': [1]}, NULL]",
      "['a', 'b c', ' d', 'e,f', 'it''s', '[x]', '{y}', '', NULL, 'null', 'NULL', 'Null', 'a\"b', 'k=v', 'x:y', "
      "'a\\b', 'a\\', 'tab' || chr(9), chr(10) || 'x', chr(11) || 'v', chr(12) || 'f', 'x' || chr(13), '(p)', 'é', "
      "chr(160) || 'nb', 'it''s\\x', ' ', 'nUll '] ",
      "{'a': 1, 'b': 'x', 'my key': NULL::INTEGER, 'k''q': [1], 'c': 'NULL', 'd': '', 'x\\y': 'p:q', 'e': 'x=y'}",
      "{'x': {'y': 'z'}, 'l': [1, 2]::INTEGER[2]}",
      "MAP {'k': 1, 'l': NULL}", "MAP {'a b': 'c d', 'x=y': 'z', 'x:y': 'a:b', 'it''s': '(q)'}",
      "MAP {[1]: {'a': 1}}", "MAP {}::MAP(VARCHAR, INTEGER)", "{'a': MAP {'x': 'y'}}",
      "[1, 2]::INTEGER[2]", "[[1, 2]::INTEGER[2], NULL]", "[['a b', 'c,d'], ['', NULL]]::VARCHAR[2][]",
      "['a b', 'c,d']::VARCHAR[2]", "[{'a': 'x,y'}]::STRUCT(a VARCHAR)[1]", "[['x,y']]::VARCHAR[][1]",
      "[TIMESTAMP '2020-01-01 10:00']::TIMESTAMP[1]", "MAP {'k,1': ['v,1', 'w']::VARCHAR[2]}",
      "union_value(k := 1)", "union_value(s := 'a b')", "[union_value(s := 'a,b')]",
      "[union_value(t := TIMESTAMP '2020-01-01 10:00')]", "row(1, 'a', NULL::DATE)", "row('x,y', [1])",
      "[TIMESTAMP '2020-01-01 10:00', NULL]", "[TIME '10:00']", "['a:b'::ENUM('a:b', 'c')]", "[INTERVAL 90 MINUTE]",
      "[TIMESTAMPTZ '2020-01-01 10:00:00+00']", "[make_date(-43, 3, 15)]", "['('::BLOB, 'a b'::BLOB, ''::BLOB]",
      "['{\"a\": \"b c\"}'::JSON, 'null'::JSON]", "['123e4567-e89b-12d3-a456-426614174000'::UUID]",
      "['10:00:00+02'::TIMETZ]", "[1.5::DECIMAL(5,2)]", "[1.5::DOUBLE, NULL, 'nan', '-inf']", "['101'::BIT]",
      "[true, false]", "[DATE '2020-01-01']", "[123::BIGNUM]", "[1::HUGEINT, 2::UHUGEINT]",
      "{'SELECT': 1, 'name': 2, 'A': 3, '1a': 4, '_x': 5, 'é': 6, 'q\"r': 7, 'Ab_c9': 8, 'order': 9}",
      "{'type': 'x'}::STRUCT(\"type\" VARCHAR)", "[{'my field': 1}]",
  };
  std::string sql = "SELECT ";
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i) sql += ", ";
    std::string n = std::to_string(i);
    sql += "(" + exprs[i] + ") AS v" + n + ", CAST((" + exprs[i] + ") AS VARCHAR) AS s" + n + ", typeof((" +
           exprs[i] + ")) AS t" + n;
  }
  QueryResult r = QueryOrDie(conn, sql);
  ASSERT_EQ(r.rows.size(), 1u);
  ASSERT_EQ(r.column_names.size(), exprs.size() * 3);
  for (size_t i = 0; i < exprs.size(); ++i) {
    const Value& v = r.rows[0][i * 3];
    const Value& s = r.rows[0][i * 3 + 1];
    const Value& t = r.rows[0][i * 3 + 2];
    EXPECT_EQ(v.is_null, s.is_null) << exprs[i];
    EXPECT_EQ(v.text, s.text) << exprs[i];
    EXPECT_EQ(r.column_types[i * 3], t.text) << exprs[i];
    EXPECT_EQ(r.column_names[i * 3], "v" + std::to_string(i));
  }
}

TEST(DuckDbApi, RandomNumbersMatchDuckDbCasts) {
  Database db = OpenOrDie(":memory:");
  Connection conn = ConnectOrDie(db);
  QueryResult r = QueryOrDie(conn,
                             "SELECT x, x::VARCHAR, f, f::VARCHAR, d, d::VARCHAR FROM ("
                             " SELECT x, CASE WHEN abs(x) < 1e38 THEN x::FLOAT END AS f,"
                             "  CASE WHEN abs(x) < 1e30 THEN round(x, 3)::DECIMAL(38,3) END AS d FROM ("
                             "  SELECT (random() - 0.5) * pow(10, floor(random() * 620 - 310)) AS x FROM range(3000)"
                             "  UNION ALL SELECT round((random() - 0.5) * pow(10, floor(random() * 20)))"
                             "   FROM range(1000)"
                             "  UNION ALL SELECT 1 / (i + 1)::DOUBLE FROM range(1000) t(i)"
                             "  UNION ALL SELECT random() * pow(10, floor(random() * 70 - 40)) FROM range(3000)"
                             "  UNION ALL SELECT round(random() * pow(10, floor(random() * 12)), 3)"
                             "   FROM range(2000)))");
  ASSERT_EQ(r.column_types[0], "DOUBLE");
  ASSERT_EQ(r.column_types[2], "FLOAT");
  ASSERT_EQ(r.rows.size(), 10000u);
  int mismatches = 0;
  for (const auto& row : r.rows) {
    for (int c = 0; c < 6; c += 2) {
      if (row[c].text != row[c + 1].text && ++mismatches < 10) {
        ADD_FAILURE() << "rendered " << row[c].text << " but DuckDB casts to " << row[c + 1].text;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(DuckDbApi, ReadCsvUnquotedEmptyIsNullQuotedEmptyIsEmptyString) {
  TempDir tmp;
  const fs::path csv = tmp.path() / "f.csv";
  WriteFile(csv, "a,b\n1,hello\n2,\n3,\"\"\n,x\n4,\"with, comma\"\n");
  Database db = OpenOrDie((tmp.path() / "csv.duckdb").string());
  Connection conn = ConnectOrDie(db);
  QueryResult r = QueryOrDie(
      conn, "SELECT a, b, b IS NULL AS b_null FROM read_csv(" + QuoteLiteral(csv.string()) +
                ", header=true, columns={'a':'BIGINT','b':'VARCHAR'}, allow_quoted_nulls=false) ORDER BY a NULLS LAST");
  EXPECT_EQ(r.column_names, (std::vector<std::string>{"a", "b", "b_null"}));
  EXPECT_EQ(r.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR", "BOOLEAN"}));
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_EQ(r.rows[0][1].text, "hello");
  EXPECT_TRUE(r.rows[1][1].is_null);  // 2,<nothing>
  EXPECT_EQ(r.rows[1][2].text, "true");
  EXPECT_FALSE(r.rows[2][1].is_null);  // 3,""
  EXPECT_EQ(r.rows[2][1].text, "");
  EXPECT_EQ(r.rows[2][2].text, "false");
  EXPECT_EQ(r.rows[3][0].text, "4");
  EXPECT_EQ(r.rows[3][1].text, "with, comma");
  EXPECT_TRUE(r.rows[4][0].is_null);  // <nothing>,x
  EXPECT_EQ(r.rows[4][1].text, "x");
}

TEST(DuckDbApi, AppenderRoundTrip) {
  TempDir tmp;
  Database db = OpenOrDie((tmp.path() / "app.duckdb").string());
  Connection conn = ConnectOrDie(db);
  ASSERT_OK(conn.Execute("CREATE SCHEMA s; CREATE TABLE s.t (id BIGINT, name VARCHAR, score DOUBLE, ok BOOLEAN, "
                         "ts TIMESTAMP, n INTEGER)"));
  {
    auto app = Appender::Create(conn, "s", "t");
    ASSERT_TRUE(app.ok()) << app.status().message();
    for (int i = 0; i < 3000; ++i) {
      ASSERT_OK(app->AppendInt64(i));
      ASSERT_OK(i % 2 ? app->AppendVarchar("name " + std::to_string(i)) : app->AppendNull());
      ASSERT_OK(app->AppendDouble(i / 4.0));
      ASSERT_OK(app->AppendBool(i % 3 == 0));
      ASSERT_OK(app->AppendVarchar("2024-01-02 03:04:05"));  // cast by DuckDB
      ASSERT_OK(app->AppendVarchar(std::to_string(i * 2)));
      ASSERT_OK(app->EndRow());
    }
    ASSERT_OK(app->Flush());
    ASSERT_OK(app->AppendInt64(-1));
    ASSERT_OK(app->AppendVarchar(std::string("nul\0byte", 8)));
    ASSERT_OK(app->AppendDouble(-0.5));
    ASSERT_OK(app->AppendBool(true));
    ASSERT_OK(app->AppendNull());
    ASSERT_OK(app->AppendNull());
    ASSERT_OK(app->EndRow());
    ASSERT_OK(app->Close());
    ASSERT_OK(app->Close());  // closing twice is harmless
    EXPECT_FALSE(app->AppendInt64(1).ok());
  }
  QueryResult r = QueryOrDie(conn, "SELECT count(*), count(name), sum(id), sum(n), min(ts)::VARCHAR, "
                                   "count(*) FILTER (ok) FROM s.t");
  EXPECT_EQ(r.rows[0][0].text, "3001");
  EXPECT_EQ(r.rows[0][1].text, "1501");
  EXPECT_EQ(r.rows[0][2].text, std::to_string(2999 * 3000 / 2 - 1));
  EXPECT_EQ(r.rows[0][3].text, std::to_string(2999 * 3000));
  EXPECT_EQ(r.rows[0][4].text, "2024-01-02 03:04:05");
  EXPECT_EQ(r.rows[0][5].text, "1001");
  QueryResult last = QueryOrDie(conn, "SELECT name, score, ts FROM s.t WHERE id = -1");
  EXPECT_EQ(last.rows[0][0].text, std::string("nul\0byte", 8));
  EXPECT_EQ(last.rows[0][1].text, "-0.5");
  EXPECT_TRUE(last.rows[0][2].is_null);

  // Default schema, and errors.
  ASSERT_OK(conn.Execute("CREATE TABLE plain (a INTEGER, b VARCHAR)"));
  {
    auto app = Appender::Create(conn, "", "plain");
    ASSERT_TRUE(app.ok()) << app.status().message();
    Status conv = app->AppendVarchar("not a number");
    if (conv.ok()) conv = app->AppendVarchar("x");
    if (conv.ok()) conv = app->EndRow();
    if (conv.ok()) conv = app->Close();
    ASSERT_FALSE(conv.ok());
    EXPECT_TRUE(Has(conv.message(), "plain")) << conv.message();
    EXPECT_TRUE(Has(conv.message(), "not a number")) << conv.message();
  }
  {
    auto app = Appender::Create(conn, "", "plain");
    ASSERT_TRUE(app.ok());
    ASSERT_OK(app->AppendInt64(1));
    Status early = app->EndRow();  // one column missing
    EXPECT_FALSE(early.ok());
    EXPECT_TRUE(Has(early.message(), "appending to table plain")) << early.message();
  }
  auto missing = Appender::Create(conn, "s", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Has(missing.status().message(), "cannot append to table s.nope")) << missing.status().message();
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().message();
}

TEST(DuckDbApi, QuotingHelpers) {
  EXPECT_EQ(QuoteIdentifier("plain"), "\"plain\"");
  EXPECT_EQ(QuoteIdentifier("my \"name\""), "\"my \"\"name\"\"\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteLiteral(""), "''");
  Database db = OpenOrDie(":memory:");
  Connection conn = ConnectOrDie(db);
  const std::string weird = "we\"ird 'name'";
  ASSERT_OK(conn.Execute("CREATE TABLE " + QuoteIdentifier(weird) + " (" + QuoteIdentifier(weird) + " VARCHAR)"));
  ASSERT_OK(conn.Execute("INSERT INTO " + QuoteIdentifier(weird) + " VALUES (" + QuoteLiteral(weird) + ")"));
  QueryResult r = QueryOrDie(conn, "SELECT * FROM " + QuoteIdentifier(weird));
  EXPECT_EQ(r.column_names[0], weird);
  EXPECT_EQ(r.rows[0][0].text, weird);
}

}  // namespace
}  // namespace dlt::duckdb
