// Reading CSV job files back (CsvJobReader), the value conversions of the DuckDB job scan
// (checked against DuckDB's own casts), and the scan itself (duckdb::Connection::ScanJobFiles)
// against DuckDB's CSV reader on the same files.
#include "load/csv_job_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "destinations/duckdb/duckdb_api.h"
#include "normalize/job_writer.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

using Row = std::vector<std::optional<std::string>>;

// Writes rows with the job writer; returns the file.
fs::path WriteJob(const fs::path& dir, const std::vector<std::string>& cols, const std::vector<Row>& rows) {
  JobWriterSet w(dir);
  for (const Row& r : rows) {
    std::vector<std::string> cells;
    std::vector<char> present;
    for (const auto& v : r) {
      cells.push_back(v.value_or(""));
      present.push_back(v.has_value());
    }
    Status s = w.AddRow("t", cols, cells, present, cells.size());
    EXPECT_TRUE(s.ok()) << s.message();
  }
  auto files = w.Close();
  EXPECT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);
  return (*files)[0].path;
}

// Every row of a file, with the line each starts on.
std::vector<std::pair<uint64_t, Row>> ReadAll(const fs::path& path, size_t columns, size_t block) {
  std::vector<std::pair<uint64_t, Row>> out;
  auto r = CsvJobReader::Open(path, columns, block);
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return out;
  std::vector<CsvField> fields;
  for (;;) {
    auto have = (*r)->Next(fields);
    EXPECT_TRUE(have.ok()) << have.status().message();
    if (!have.ok() || !*have) break;
    Row row;
    for (const auto& f : fields) row.push_back(f.null ? std::nullopt : std::optional<std::string>(std::string(f.text)));
    out.emplace_back((*r)->line(), std::move(row));
  }
  return out;
}

std::string RandomValue(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"a", "bc", ",", "\"", "\n", "\r", " ", "\xc3\xa9", "\xe2\x82\xac",
                                                  "\xf0\x9f\x98\x80", "x1234567", "''", "\"\"", "\t"};
  std::string v;
  size_t n = rng() % 12;
  if (rng() % 50 == 0) n = 3000 + rng() % 3000;  // longer than the small blocks below
  for (size_t i = 0; i < n; ++i) v += pieces[rng() % pieces.size()];
  return v;
}

TEST(CsvJobReader, ReadsBackWhatTheWriterWroteAcrossAnyBlockSize) {
  testing::TempDir dir;
  std::mt19937 rng(20261125);
  std::vector<std::string> cols = {"id", "a b", "c,d", "e\"f"};
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) {
    Row r;
    r.push_back(std::to_string(i));
    for (int c = 1; c < 4; ++c) {
      if (rng() % 7 == 0) {
        r.push_back(std::nullopt);
      } else {
        r.push_back(RandomValue(rng));
      }
    }
    rows.push_back(std::move(r));
  }
  rows.push_back({std::string("last"), std::string(""), std::nullopt, std::string("")});  // "" is not NULL
  fs::path file = WriteJob(dir.path(), cols, rows);
  for (size_t block : {size_t{64}, size_t{100}, size_t{4096}, size_t{4} << 20}) {
    SCOPED_TRACE("block " + std::to_string(block));
    auto got = ReadAll(file, cols.size(), block);
    ASSERT_EQ(got.size(), rows.size());
    uint64_t line = 2;  // after the header
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSERT_EQ(got[i].second, rows[i]) << "row " << i;
      ASSERT_EQ(got[i].first, line) << "row " << i;
      for (const auto& v : rows[i]) line += v ? std::count(v->begin(), v->end(), '\n') : 0;
      ++line;
    }
  }
  auto r = CsvJobReader::Open(file, cols.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->header(), cols);
}

// The message of the first error reading `content` (with `columns` columns), or "" when none.
std::string FirstError(const std::string& content, size_t columns, size_t block = 4 << 20) {
  testing::TempDir dir;
  fs::path file = dir.path() / "t.0123456789.0.csv";
  testing::WriteFile(file, content);
  auto r = CsvJobReader::Open(file, columns, block);
  if (!r.ok()) return r.status().message();
  std::vector<CsvField> fields;
  for (;;) {
    auto have = (*r)->Next(fields);
    if (!have.ok()) return have.status().message();
    if (!*have) return "";
  }
}

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(CsvJobReader, DamagedFilesNameTheFileAndLine) {
  std::string e = FirstError("a,b\n1,2\n3\n", 2);
  EXPECT_TRUE(Has(e, "t.0123456789.0.csv, line 3: the row has 1 fields, the header 2")) << e;
  EXPECT_TRUE(Has(e, "drop-pending-packages")) << e;
  e = FirstError("a,b\n1,2,3\n", 2);
  EXPECT_TRUE(Has(e, "line 2: the row has more fields than the header (2)")) << e;
  e = FirstError("a,b\n1,\"two\nlines\"\n3,\"open\n", 2);
  EXPECT_TRUE(Has(e, "line 4: a quoted field is not closed")) << e;
  e = FirstError("a,b\n1,\"x\"y\n", 2);
  EXPECT_TRUE(Has(e, "line 2: unexpected character after a quoted field")) << e;
  e = FirstError("a,b\n1,2\n3,4", 2);  // every row the writer writes ends with a line break
  EXPECT_TRUE(Has(e, "line 3: the file ends inside a row (it was cut short)")) << e;
  e = FirstError("a,b\n1,2\n3,\"cut", 2);
  EXPECT_TRUE(Has(e, "line 3: a quoted field is not closed")) << e;
  e = FirstError("", 2);
  EXPECT_TRUE(Has(e, "is empty: it has no header line")) << e;
  e = FirstError("a,b,c\n1,2,3\n", 2);  // the header itself does not fit
  EXPECT_TRUE(Has(e, "line 1: the row has more fields than the header (2)")) << e;
  // Invalid UTF-8 far into a block: the row that holds it is named, with small and large blocks.
  std::string content = "a,b\n";
  for (int i = 0; i < 500; ++i) content += std::to_string(i) + ",caf\xc3\xa9\n";
  content += "500,bad\xff\n501,ok\n";
  for (size_t block : {size_t{64}, size_t{4} << 20}) {
    e = FirstError(content, 2, block);
    EXPECT_TRUE(Has(e, "line 502: the row is not valid UTF-8 text")) << e;
    EXPECT_TRUE(Has(e, "drop-pending-packages")) << e;
  }
  // A multi-byte character cut by a block boundary is not an error.
  std::string cut = "a\n";
  for (int i = 0; i < 200; ++i) cut += "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\n";
  for (size_t block : {size_t{64}, size_t{65}, size_t{66}, size_t{67}}) EXPECT_EQ(FirstError(cut, 1, block), "");
}

TEST(CsvJobValues, IntegersDoublesAndBooleans) {
  int64_t i = 0;
  EXPECT_TRUE(ParseJobBigint("9223372036854775807", &i));
  EXPECT_EQ(i, std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(ParseJobBigint("-9223372036854775808", &i));
  EXPECT_EQ(i, std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(ParseJobBigint("+7", &i));
  EXPECT_EQ(i, 7);
  for (const char* bad : {"9223372036854775808", "", "-", "+", "+-5", "++5", "-+5", "1.5", "12a", " 1", "0x10"}) {
    EXPECT_FALSE(ParseJobBigint(bad, &i)) << bad;
  }
  double d = 0;
  EXPECT_TRUE(ParseJobDouble("0.1", &d));
  EXPECT_EQ(d, 0.1);
  EXPECT_TRUE(ParseJobDouble("1e+300", &d));
  EXPECT_EQ(d, 1e300);
  EXPECT_TRUE(ParseJobDouble("-0", &d));
  EXPECT_TRUE(std::signbit(d));
  EXPECT_TRUE(ParseJobDouble("inf", &d));
  EXPECT_TRUE(std::isinf(d) && d > 0);
  EXPECT_TRUE(ParseJobDouble("-inf", &d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_TRUE(ParseJobDouble("nan", &d));
  EXPECT_TRUE(std::isnan(d));
  EXPECT_TRUE(ParseJobDouble("2.2250738585072014e-308", &d));
  EXPECT_EQ(d, 2.2250738585072014e-308);
  for (const char* bad : {"", "1.5x", "--1", "1,5"}) EXPECT_FALSE(ParseJobDouble(bad, &d)) << bad;
  bool b = false;
  for (const char* yes : {"true", "True", "TRUE", "t", "1"}) {
    EXPECT_TRUE(ParseJobBool(yes, &b) && b) << yes;
  }
  for (const char* no : {"false", "False", "f", "0"}) {
    EXPECT_TRUE(ParseJobBool(no, &b) && !b) << no;
  }
  for (const char* bad : {"", "yes", "2", "truth"}) EXPECT_FALSE(ParseJobBool(bad, &b)) << bad;
}

struct Memory {
  duckdb::Database db;
  duckdb::Connection conn;
};
Memory MemoryConnection() {
  auto db = duckdb::Database::Open(":memory:", false);
  EXPECT_TRUE(db.ok());
  auto conn = db->Connect();
  EXPECT_TRUE(conn.ok());
  return {std::move(db).value(), std::move(conn).value()};
}

TEST(CsvJobValues, TimestampsAreReadAsDuckDbCastsThem) {
  auto memory = MemoryConnection();
  duckdb::Connection& conn = memory.conn;
  // A value without an offset is UTC for the scan (the writer always writes one); DuckDB's cast
  // uses the session's time zone.
  ASSERT_TRUE(conn.Execute("SET TimeZone = 'UTC'").ok());
  const std::vector<std::string> forms = {
      "2024-01-01T00:00:00Z", "2024-01-01T00:00:07Z", "2024-02-29T23:59:59.5Z", "2024-01-01T00:00:00.1Z",
      "2024-01-01T00:00:00.123456Z", "2024-01-01T00:00:00.1234567Z", "2024-01-01T00:00:00.999999999Z",
      "2024-01-01T00:00:00+00:00", "2024-06-30T12:34:56.000001+00:00", "2024-01-01T05:30:00+05:30",
      "2024-01-01T00:00:00-08:00", "2024-01-01T00:00:00+0200", "2024-01-01T00:00:00+02", "2024-01-01 10:11:12",
      "2024-01-01T10:11", "2024-01-01", "1970-01-01T00:00:00+00:00",
      "1969-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00+00:00", "1900-03-01T00:00:00+00:00",
      "2000-02-29T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00", "12345-06-07T08:09:10+00:00",
      "-0044-03-15T00:00:00+00:00", "-044-03-15T00:00:00+00:00", "294247-01-10T04:00:54.775806Z",
      "-290308-12-22T00:00:00Z"};
  for (const auto& s : forms) {
    int64_t ours = 0;
    ASSERT_TRUE(ParseJobTimestampMicros(s, &ours)) << s;
    auto r = conn.Query("SELECT epoch_us(CAST(" + duckdb::QuoteLiteral(s) + " AS TIMESTAMPTZ))::VARCHAR");
    EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
    if (r.ok()) {
      EXPECT_EQ(std::to_string(ours), r->rows[0][0].text) << s;
    }
  }
  for (const char* bad : {"", "2024", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31", "2024-01-01T24:00:00Z",
                          "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+24:00",
                          "2024-01-01T00:00:00 UTC", "2024-1-01", "x2024-01-01", "2024-01-01T00:00:00Zjunk", "2024-01-01t10:11:12Z", "2024-01-01T10:11:12z",
                          "999999999-01-01T00:00:00Z", "294247-01-10T04:00:54.775807Z",
                          "-290308-12-21T23:59:59.999999Z"}) {
    int64_t v = 0;
    EXPECT_FALSE(ParseJobTimestampMicros(bad, &v)) << bad;
  }
}

TEST(CsvJobValues, DecimalsAreReadAsDuckDbCastsThem) {
  auto memory = MemoryConnection();
  duckdb::Connection& conn = memory.conn;
  // DuckDB's verdict on `s` as DECIMAL(w, s), as DuckDB prints it, or nullopt when the cast fails.
  auto duck = [&](const std::string& s, int w, int sc) -> std::optional<std::string> {
    auto r = conn.Query("SELECT TRY_CAST(" + duckdb::QuoteLiteral(s) + " AS DECIMAL(" + std::to_string(w) + "," +
                        std::to_string(sc) + "))::VARCHAR");
    EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
    if (!r.ok() || r->rows[0][0].is_null) return std::nullopt;
    return r->rows[0][0].text;
  };
  // Ours, printed as DuckDB prints a DECIMAL(w, sc): the scale's digits after the point, and a
  // 0 before it unless the type has no integer digits.
  auto print = [](int64_t v, int w, int sc) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    if (static_cast<int>(digits.size()) <= sc) digits.insert(0, static_cast<size_t>(sc) + 1 - digits.size(), '0');
    if (sc > 0) digits.insert(digits.size() - static_cast<size_t>(sc), ".");
    if (w == sc) digits.erase(0, 1);
    return (v < 0 ? "-" : "") + digits;
  };
  // A number with an exponent written out without it ("-12.5e-3" -> "-0.0125"): DuckDB's cast of
  // exponent forms refuses some values that fit (1e-3 as DECIMAL(3,3)) and rounds others from a
  // shortened mantissa (5e-3 as DECIMAL(9,0) gives 1), where ours reads the value exactly, as its
  // plain form is read.
  auto plain = [](const std::string& s) {
    const size_t e = s.find_first_of("eE");
    if (e == std::string::npos) return s;
    const size_t exp_digits = e + 1 < s.size() && (s[e + 1] == '-' || s[e + 1] == '+') ? e + 2 : e + 1;
    if (exp_digits >= s.size() || s.find_first_not_of("0123456789", exp_digits) != std::string::npos) return s;
    std::string m = s.substr(0, e), sign;
    const long exp = std::strtol(s.c_str() + e + 1, nullptr, 10);
    if (!m.empty() && (m[0] == '-' || m[0] == '+')) {
      sign = m[0] == '-' ? "-" : "";
      m.erase(0, 1);
    }
    size_t point = m.find('.');
    if (point == std::string::npos) point = m.size();
    else m.erase(point, 1);
    if (m.empty() || m.find_first_not_of("0123456789") != std::string::npos || exp > 60) return s;
    if (exp < -60) return sign + "0.0";  // below any scale
    long at = static_cast<long>(point) + exp;
    if (at < 0) {
      m.insert(0, static_cast<size_t>(-at), '0');
      at = 0;
    }
    if (at > static_cast<long>(m.size())) m.append(static_cast<size_t>(at) - m.size(), '0');
    return sign + (at == 0 ? "0" : m.substr(0, static_cast<size_t>(at))) + "." + m.substr(static_cast<size_t>(at)) + "0";
  };
  auto check = [&](const std::string& s, int w, int sc) {
    int64_t ours = 0;
    const bool ok = ParseJobDecimal(s, w, sc, &ours);
    const auto want = duck(plain(s), w, sc);
    EXPECT_EQ(ok, want.has_value()) << "'" << s << "' as DECIMAL(" << w << "," << sc << ")";
    if (ok && want) EXPECT_EQ(print(ours, w, sc), *want) << "'" << s << "' as DECIMAL(" << w << "," << sc << ")";
  };
  const std::vector<std::string> forms = {
      "0", "1", "-1", "+7", "12.34", "-12.34", "1.005", "-1.005", "1.004", "1.0049999", "0.0051", "-0.001",
      "99.995", "99.994", "99.99", "100", "999999", "1e2", "1.5e2", "12.345e1", "1e-3", "5e-3", "-5e-3", "1E+2",
      ".5", "5.", "+.5", "007.50", "0.000", "00000000000000000000000000000000000000000000012.5", " 3.25 ",
      "123456789012345678", "999999999999999999", "9999999999999999999", "0.123456789012345678901234567890",
      "1e18", "1e400", "1e-400", "", ".", "-", "e5", "1e", "1e+", "1.2.3", "12a", "--1", "NaN", "inf", "0x10"};
  for (const auto& s : forms) {
    for (auto [w, sc] : {std::pair{4, 2}, {9, 0}, {9, 4}, {12, 2}, {18, 0}, {18, 6}, {18, 18}, {1, 0}, {3, 3}}) {
      check(s, w, sc);
    }
  }
  // Random values of random forms, against the cast.
  std::mt19937_64 rng(7);
  for (int k = 0; k < 2000; ++k) {
    std::string s = (rng() % 3 == 0) ? "-" : "";
    const int int_digits = static_cast<int>(rng() % 12), frac_digits = static_cast<int>(rng() % 12);
    for (int d = 0; d < int_digits; ++d) s += static_cast<char>('0' + rng() % 10);
    if (frac_digits) s += ".";
    for (int d = 0; d < frac_digits; ++d) s += static_cast<char>('0' + rng() % 10);
    if (int_digits + frac_digits == 0) s += "0";
    if (rng() % 4 == 0) s += "e" + std::to_string(static_cast<int>(rng() % 9) - 4);
    const int w = 1 + static_cast<int>(rng() % 18);
    check(s, w, static_cast<int>(rng() % (w + 1)));
  }
}

TEST(DuckDbJobScan, LoadsWhatDuckDbsCsvReaderLoads) {
  testing::TempDir dir;
  std::mt19937 rng(7);
  std::vector<std::string> cols = {"s", "i", "d", "b", "ts", "dec", "j"};
  std::vector<fs::path> files;
  for (int f = 0; f < 4; ++f) {
    std::vector<Row> rows;
    for (int k = 0; k < 3000; ++k) {
      auto maybe = [&](std::string v) { return rng() % 9 == 0 ? std::nullopt : std::optional<std::string>(v); };
      rows.push_back({maybe(RandomValue(rng)), maybe(std::to_string(static_cast<int64_t>(rng()) - (1ll << 31))),
                      maybe(std::to_string(static_cast<double>(rng()) / 7.0)), maybe(rng() % 2 ? "true" : "false"),
                      maybe("2024-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) + "T0" +
                            std::to_string(rng() % 10) + ":00:00." + std::to_string(rng() % 1000) + "Z"),
                      maybe(std::to_string(rng() % 100000) + ".25"),
                      maybe("{\"k\": [" + std::to_string(rng() % 10) + ", \"v\"]}")});
    }
    fs::path sub = dir.path() / std::to_string(f);
    fs::create_directories(sub);
    files.push_back(WriteJob(sub, cols, rows));
  }
  auto db = duckdb::Database::Open((dir.path() / "x.duckdb").string(), false, {{"threads", "2"}});
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  using duckdb::ScanType;
  auto early = conn->ScanJobFiles({}, {{"s", ScanType::kVarchar}});
  ASSERT_FALSE(early.ok());
  EXPECT_TRUE(Has(early.status().message(), "EnableJobScans")) << early.status().message();
  ASSERT_TRUE(conn->EnableJobScans().ok());
  const std::string table_sql =
      " (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, ts TIMESTAMPTZ, dec DECIMAL(38,9), j JSON)";
  ASSERT_TRUE(conn->Execute("CREATE TABLE ours" + table_sql + "; CREATE TABLE theirs" + table_sql).ok());
  std::vector<std::string> paths;
  std::string list;
  for (const auto& f : files) {
    paths.push_back(f.string());
    list += (list.empty() ? "" : ", ") + duckdb::QuoteLiteral(f.string());
  }
  auto scan = conn->ScanJobFiles(paths, {{"s", ScanType::kVarchar},
                                        {"i", ScanType::kBigint},
                                        {"d", ScanType::kDouble},
                                        {"b", ScanType::kBoolean},
                                        {"ts", ScanType::kTimestampTz},
                                        {"dec", ScanType::kVarchar},
                                        {"j", ScanType::kVarchar}});
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  Status s = conn->Execute("INSERT INTO ours SELECT s, i, d, b, ts, CAST(dec AS DECIMAL(38,9)), CAST(j AS JSON) FROM " +
                           scan->sql());
  ASSERT_TRUE(s.ok()) << s.message();
  s = conn->Execute("INSERT INTO theirs SELECT * FROM read_csv([" + list +
                    "], header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', nullstr = '', "
                    "allow_quoted_nulls = false, strict_mode = true, columns = {'s': 'VARCHAR', 'i': 'BIGINT', "
                    "'d': 'DOUBLE', 'b': 'BOOLEAN', 'ts': 'TIMESTAMPTZ', 'dec': 'DECIMAL(38,9)', 'j': 'VARCHAR'})");
  ASSERT_TRUE(s.ok()) << s.message();
  auto count = conn->Query("SELECT count(*), count(s), count(ts), count(*) FILTER (WHERE s = '') FROM ours");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0][0].text, "12000");
  EXPECT_NE(count->rows[0][1].text, "12000");  // some NULLs
  auto diff = conn->Query(
      "SELECT (SELECT count(*) FROM (SELECT * FROM ours EXCEPT ALL SELECT * FROM theirs)),"
      "       (SELECT count(*) FROM (SELECT * FROM theirs EXCEPT ALL SELECT * FROM ours))");
  ASSERT_TRUE(diff.ok()) << diff.status().message();
  EXPECT_EQ(diff->rows[0][0].text, "0");
  EXPECT_EQ(diff->rows[0][1].text, "0");

  // Once the scan object is gone, the statement cannot find it.
  std::string gone = scan->sql();
  scan = duckdb::JobFileScan();
  auto late = conn->Query("SELECT count(*) FROM " + gone);
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(Has(late.status().message(), "no scan with this id")) << late.status().message();

  // Two connections to one database each use their own scans.
  auto other = db->Connect();
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->EnableJobScans().ok());  // already known to the database: fine
  auto s1 = conn->ScanJobFiles({paths[0]}, {{"s", ScanType::kVarchar}, {"i", ScanType::kBigint}, {"d", ScanType::kVarchar},
                                           {"b", ScanType::kVarchar}, {"ts", ScanType::kVarchar},
                                           {"dec", ScanType::kVarchar}, {"j", ScanType::kVarchar}});
  auto s2 = other->ScanJobFiles({paths[1], paths[2]}, {{"s", ScanType::kVarchar}, {"i", ScanType::kBigint},
                                                      {"d", ScanType::kVarchar}, {"b", ScanType::kVarchar},
                                                      {"ts", ScanType::kVarchar}, {"dec", ScanType::kVarchar},
                                                      {"j", ScanType::kVarchar}});
  ASSERT_TRUE(s1.ok() && s2.ok()) << (s1.ok() ? s2.status().message() : s1.status().message());
  auto c1 = conn->Query("SELECT count(*) FROM " + s1->sql());
  auto c2 = other->Query("SELECT count(*) FROM " + s2->sql());
  ASSERT_TRUE(c1.ok() && c2.ok());
  EXPECT_EQ(c1->rows[0][0].text, "3000");
  EXPECT_EQ(c2->rows[0][0].text, "6000");
}

TEST(DuckDbJobScan, ABadValueFailsTheStatementNamingFileLineAndColumn) {
  testing::TempDir dir;
  fs::path file = dir.path() / "t.abcdef0123.0.csv";
  testing::WriteFile(file, "id,at\n1,2024-01-01T00:00:00Z\n2,\"multi\nline\"\n3,2024-02-30T00:00:00Z\n");
  auto memory = MemoryConnection();
  duckdb::Connection& conn = memory.conn;
  ASSERT_TRUE(conn.Execute("CREATE TABLE t (id BIGINT, \"at\" TIMESTAMPTZ)").ok());
  ASSERT_TRUE(conn.EnableJobScans().ok());
  using duckdb::ScanType;
  auto scan = conn.ScanJobFiles({file.string()}, {{"id", ScanType::kBigint}, {"at", ScanType::kVarchar}});
  ASSERT_TRUE(scan.ok());
  auto n = conn.Query("SELECT count(*) FROM " + scan->sql());
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->rows[0][0].text, "3");
  auto typed = conn.ScanJobFiles({file.string()}, {{"id", ScanType::kBigint}, {"at", ScanType::kTimestampTz}});
  ASSERT_TRUE(typed.ok());
  Status s = conn.Execute("INSERT INTO t SELECT * FROM " + typed->sql());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Has(s.message(), file.string() + ", line 3, column `at`: 'multi\nline' is not a TIMESTAMP WITH TIME ZONE value"))
      << s.message();
  auto rows = conn.Query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows[0][0].text, "0");  // nothing of the statement
  // A damaged file fails it too, with the reader's message.
  testing::WriteFile(file, "id,at\n1\n");
  auto damaged = conn.ScanJobFiles({file.string()}, {{"id", ScanType::kBigint}, {"at", ScanType::kTimestampTz}});
  ASSERT_TRUE(damaged.ok());
  s = conn.Execute("INSERT INTO t SELECT * FROM " + damaged->sql());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Has(s.message(), "line 2: the row has 1 fields, the header 2")) << s.message();
}


TEST(DuckDbJobScan, AFailedLoadRolledBackLeavesTheScanUsable) {
  // The loader's transaction fails and rolls back; the next package on the same connection
  // still loads (the function was registered outside any transaction).
  testing::TempDir dir;
  fs::path good = dir.path() / "t.0000000001.0.csv";
  fs::path bad = dir.path() / "t.0000000002.0.csv";
  testing::WriteFile(good, "id\n1\n2\n");
  testing::WriteFile(bad, "id\n1\nx\n");
  auto memory = MemoryConnection();
  duckdb::Connection& conn = memory.conn;
  ASSERT_TRUE(conn.EnableJobScans().ok());
  ASSERT_TRUE(conn.Execute("CREATE TABLE t (id BIGINT)").ok());
  using duckdb::ScanType;
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(conn.Execute("BEGIN TRANSACTION").ok());
    auto s1 = conn.ScanJobFiles({good.string()}, {{"id", ScanType::kBigint}});
    ASSERT_TRUE(s1.ok());
    ASSERT_TRUE(conn.Execute("INSERT INTO t SELECT * FROM " + s1->sql()).ok());
    auto s2 = conn.ScanJobFiles({bad.string()}, {{"id", ScanType::kBigint}});
    ASSERT_TRUE(s2.ok());
    Status s = conn.Execute("INSERT INTO t SELECT * FROM " + s2->sql());
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(Has(s.message(), bad.string() + ", line 3, column `id`: 'x' is not a BIGINT value")) << s.message();
    ASSERT_TRUE(conn.Execute("ROLLBACK").ok());
  }
  auto s3 = conn.ScanJobFiles({good.string()}, {{"id", ScanType::kBigint}});
  ASSERT_TRUE(s3.ok());
  Status s = conn.Execute("INSERT INTO t SELECT * FROM " + s3->sql());
  ASSERT_TRUE(s.ok()) << s.message();
  auto n = conn.Query("SELECT count(*), sum(id) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->rows[0][0].text, "2");
  EXPECT_EQ(n->rows[0][1].text, "3");
}

}  // namespace
}  // namespace dlt
