// Typed load jobs: normalize's JobWriterSet writes the rows of typed batches into .typed job
// files for destinations that read them, and DuckDB's job scan (duckdb::Connection::ScanJobFiles)
// loads them with the same values, types and NULLs as the CSV jobs of the same rows.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "destinations/duckdb/duckdb_api.h"
#include "load/job_header.h"
#include "normalize/job_writer.h"
#include "normalize/typed_batch.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TypedColumn Col(std::string name, DataType type, std::optional<int> precision = std::nullopt,
               std::optional<int> scale = std::nullopt) {
  TypedColumn c;
  c.name = std::move(name);
  c.data_type = type;
  c.precision = precision;
  c.scale = scale;
  return c;
}

std::vector<TypedColumn> Columns() {
  return {Col("s", DataType::kText), Col("i", DataType::kBigint),    Col("d", DataType::kDouble),
          Col("b", DataType::kBool), Col("ts", DataType::kTimestamp), Col("dec", DataType::kDecimal, 38, 9),
          Col("day", DataType::kDate)};
}

// A batch of `rows` random rows (about one value in six NULL), text with the characters CSV
// quotes for.
TypedBatch RandomBatch(std::mt19937_64& rng, size_t rows) {
  TypedBatch b(Columns());
  const char* pieces[] = {"a", ",", "\"", "\n", " ", "zoë", "", "\\x"};
  for (size_t r = 0; r < rows; ++r) {
    auto null = [&] { return rng() % 6 == 0; };
    if (null()) b.AppendNull(0);
    else {
      std::string s;
      for (int k = static_cast<int>(rng() % 4); k > 0; --k) s += pieces[rng() % 8];
      b.AppendText(0, s);
    }
    null() ? b.AppendNull(1) : b.AppendInt(1, static_cast<int64_t>(rng()));
    null() ? b.AppendNull(2) : b.AppendDouble(2, static_cast<double>(rng() % 1000000) / 7.0);
    null() ? b.AppendNull(3) : b.AppendBool(3, rng() % 2 == 0);
    null() ? b.AppendNull(4) : b.AppendInt(4, static_cast<int64_t>(rng() % 4000000000000000ull));
    null() ? b.AppendNull(5) : b.AppendText(5, std::to_string(rng() % 100000) + "." + std::to_string(rng() % 1000));
    null() ? b.AppendNull(6) : b.AppendInt(6, static_cast<int64_t>(rng() % 40000));
  }
  return b;
}

std::vector<std::string> Names() {
  std::vector<std::string> out;
  for (const auto& c : Columns()) out.push_back(c.name);
  return out;
}

TEST(TypedJobFiles, BatchesOfOneSetOfColumnsShareAFileAndOtherColumnsStartANewOne) {
  testing::TempDir dir;
  JobWriterSet w(dir.path());
  w.set_typed_jobs(true);
  std::mt19937_64 rng(1);
  const int slot = w.Slot("t");
  ASSERT_TRUE(w.AddBatch(slot, RandomBatch(rng, 10)).ok());
  ASSERT_TRUE(w.AddBatch(slot, RandomBatch(rng, 5)).ok());
  TypedBatch narrow({Col("s", DataType::kText)});
  narrow.AppendText(0, "x");
  ASSERT_TRUE(w.AddBatch(slot, narrow).ok());
  auto files = w.Close();
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].rows, 15u);
  EXPECT_EQ((*files)[1].rows, 1u);
  for (const auto& f : *files) {
    EXPECT_EQ(f.path.extension(), ".typed");
    EXPECT_TRUE(IsTypedJobFile(f.path));
    EXPECT_EQ(f.bytes, fs::file_size(f.path));
    auto header = ReadJobHeader(f.path);
    ASSERT_TRUE(header.ok()) << header.status().message();
    EXPECT_EQ(*header, f.columns);
  }
  EXPECT_EQ((*files)[0].columns, Names());
}

class TypedJobScan : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = duckdb::Database::Open((dir_.path() / "x.duckdb").string(), false, {{"threads", "2"}});
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
    auto conn = db_.Connect();
    ASSERT_TRUE(conn.ok());
    conn_ = std::move(conn).value();
    ASSERT_TRUE(conn_.EnableJobScans().ok());
  }
  std::vector<duckdb::ScanColumn> ScanColumns() {
    using duckdb::ScanType;
    return {{"s", ScanType::kVarchar}, {"i", ScanType::kBigint},      {"d", ScanType::kDouble},
            {"b", ScanType::kBoolean}, {"ts", ScanType::kTimestampTz}, {"dec", ScanType::kVarchar},
            {"day", ScanType::kVarchar}};
  }
  Status Load(const std::string& table, const std::vector<fs::path>& files) {
    std::vector<std::string> paths;
    for (const auto& f : files) paths.push_back(f.string());
    auto scan = conn_.ScanJobFiles(paths, ScanColumns());
    if (!scan.ok()) return scan.status();
    return conn_.Execute("INSERT INTO " + table + " SELECT s, i, d, b, ts, CAST(dec AS DECIMAL(38,9)), "
                         "CAST(day AS DATE) FROM " + scan->sql());
  }
  testing::TempDir dir_;
  duckdb::Database db_;
  duckdb::Connection conn_;
};

TEST_F(TypedJobScan, TypedJobsLoadTheSameRowsAsCsvJobsOfTheSameBatches) {
  const std::string table_sql =
      " (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, ts TIMESTAMPTZ, dec DECIMAL(38,9), day DATE)";
  ASSERT_TRUE(conn_.Execute("CREATE TABLE typed" + table_sql + "; CREATE TABLE csv" + table_sql +
                            "; CREATE TABLE mixed" + table_sql).ok());
  fs::create_directories(dir_.path() / "typed");
  fs::create_directories(dir_.path() / "csv");
  JobWriterSet typed(dir_.path() / "typed"), csv(dir_.path() / "csv");
  typed.set_typed_jobs(true);
  typed.SetRotation(64 << 10, nullptr);  // several files: read by both of DuckDB's threads
  std::mt19937_64 rng(7);
  const std::vector<std::string> names = Names();
  for (int k = 0; k < 12; ++k) {
    TypedBatch b = RandomBatch(rng, 1000 + static_cast<size_t>(k) * 37);
    std::vector<std::string> cells(names.size());
    std::vector<char> present(names.size());
    for (size_t r = 0; r < b.rows(); ++r) {
      for (size_t c = 0; c < names.size(); ++c) {
        present[c] = !b.IsNull(c, r);
        b.CellText(c, r, &cells[c]);
      }
      ASSERT_TRUE(csv.AddRow("t", names, cells, present, names.size()).ok());
    }
    ASSERT_TRUE(typed.AddBatch(typed.Slot("t"), b).ok());
  }
  auto typed_files = typed.Close();
  auto csv_files = csv.Close();
  ASSERT_TRUE(typed_files.ok() && csv_files.ok());
  ASSERT_GT(typed_files->size(), 2u);
  std::vector<fs::path> tf, cf, both;
  for (const auto& f : *typed_files) tf.push_back(f.path), both.push_back(f.path);
  for (const auto& f : *csv_files) cf.push_back(f.path), both.push_back(f.path);
  Status s = Load("typed", tf);
  ASSERT_TRUE(s.ok()) << s.message();
  s = Load("csv", cf);
  ASSERT_TRUE(s.ok()) << s.message();
  s = Load("mixed", both);  // one scan over both kinds of files
  ASSERT_TRUE(s.ok()) << s.message();
  auto q = conn_.Query(
      "SELECT (SELECT count(*) FROM typed), (SELECT count(*) FROM typed WHERE s IS NULL),"
      " (SELECT count(*) FROM (SELECT * FROM typed EXCEPT ALL SELECT * FROM csv)),"
      " (SELECT count(*) FROM (SELECT * FROM csv EXCEPT ALL SELECT * FROM typed)),"
      " (SELECT count(*) FROM (SELECT * FROM mixed EXCEPT ALL (SELECT * FROM csv UNION ALL SELECT * FROM typed)))");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->rows[0][0].text, std::to_string(12 * 1000 + 37 * 66));
  EXPECT_NE(q->rows[0][1].text, "0");  // NULLs came through
  EXPECT_EQ(q->rows[0][2].text, "0");
  EXPECT_EQ(q->rows[0][3].text, "0");
  EXPECT_EQ(q->rows[0][4].text, "0");
}

// Texts of up to 12 bytes are written into the vector's own slot by the scan, longer ones through
// DuckDB: either way each equals its literal, and equal texts group, join and sort as one value
// (a short text's slot must be zero-padded, or equal values would hash and compare apart).
TEST_F(TypedJobScan, TextsOfEveryLengthAroundTheInlineLimitAreStoredExactly) {
  ASSERT_TRUE(conn_.Execute("CREATE TABLE t (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, ts TIMESTAMPTZ, "
                            "dec DECIMAL(38,9), day DATE); CREATE TABLE expected (s VARCHAR, n BIGINT)").ok());
  std::vector<std::string> texts;
  for (size_t len = 0; len <= 20; ++len) {
    std::string t;
    for (size_t k = 0; k < len; ++k) t += static_cast<char>('a' + (len + k) % 26);
    texts.push_back(t);
  }
  texts.push_back("zoë-ünïcödé");  // 12 characters, more bytes
  texts.push_back("ëëëëëë");      // 12 bytes
  JobWriterSet w(dir_.path());
  w.set_typed_jobs(true);
  TypedBatch b(Columns());
  constexpr int kCopies = 3;  // each text several times, in different rows
  for (int copy = 0; copy < kCopies; ++copy) {
    for (const auto& t : texts) {
      b.AppendText(0, t);
      for (size_t c = 1; c < Columns().size(); ++c) b.AppendNull(c);
    }
  }
  ASSERT_TRUE(w.AddBatch(w.Slot("t"), b).ok());
  auto files = w.Close();
  ASSERT_TRUE(files.ok());
  Status s = Load("t", {(*files)[0].path});
  ASSERT_TRUE(s.ok()) << s.message();
  std::string values;
  for (const auto& t : texts) values += std::string(values.empty() ? "" : ", ") + "('" + t + "', " +
                                        std::to_string(t.size()) + ")";
  ASSERT_TRUE(conn_.Execute("INSERT INTO expected VALUES " + values).ok());
  auto q = conn_.Query(
      "SELECT (SELECT count(*) FROM t), (SELECT count(DISTINCT s) FROM t),"
      " (SELECT count(*) FROM t JOIN expected e ON t.s = e.s AND octet_length(encode(t.s)) = e.n),"
      " (SELECT count(*) FROM (SELECT s, count(*) AS k FROM t GROUP BY s) WHERE k = " + std::to_string(kCopies) + "),"
      " (SELECT count(*) FROM t WHERE s = 'abcdefghijklm'[2:13]),"
      " (SELECT string_agg(DISTINCT s, '|' ORDER BY s) = (SELECT string_agg(s, '|' ORDER BY s) FROM expected) FROM t)");
  ASSERT_TRUE(q.ok()) << q.status().message();
  const size_t n = texts.size();
  EXPECT_EQ(q->rows[0][0].text, std::to_string(n * kCopies));
  EXPECT_EQ(q->rows[0][1].text, std::to_string(n));
  EXPECT_EQ(q->rows[0][2].text, std::to_string(n * kCopies));
  EXPECT_EQ(q->rows[0][3].text, std::to_string(n));
  EXPECT_EQ(q->rows[0][4].text, "0");  // "bcdefghijklm" is none of them
  EXPECT_EQ(q->rows[0][5].text, "true");
  // The same straight from the scan's vectors, before any storage rewrites them.
  auto scan = conn_.ScanJobFiles({(*files)[0].path.string()}, ScanColumns());
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  auto direct = conn_.Query("SELECT count(DISTINCT s), count(*) FILTER (WHERE s IN (SELECT s FROM expected)),"
                            " (SELECT count(*) FROM (SELECT s FROM " + scan->sql() + " GROUP BY s)) FROM " +
                            scan->sql());
  ASSERT_TRUE(direct.ok()) << direct.status().message();
  EXPECT_EQ(direct->rows[0][0].text, std::to_string(n));
  EXPECT_EQ(direct->rows[0][1].text, std::to_string(n * kCopies));
  EXPECT_EQ(direct->rows[0][2].text, std::to_string(n));
}

TEST_F(TypedJobScan, ValueThatIsNotOfItsColumnsTypeFailsNamingTheFileBatchAndColumn) {
  ASSERT_TRUE(conn_.Execute("CREATE TABLE t (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, ts TIMESTAMPTZ, "
                            "dec DECIMAL(38,9), day DATE)").ok());
  JobWriterSet w(dir_.path());
  w.set_typed_jobs(true);
  std::mt19937_64 rng(3);
  TypedBatch b = RandomBatch(rng, 3);
  ASSERT_TRUE(w.AddBatch(w.Slot("t"), b).ok());
  // A batch whose `i` is text (a source that typed it so; the file keeps the names of its first
  // batch, each batch its own types): its value is read as the table's BIGINT and is not one.
  std::vector<TypedColumn> text_i = Columns();
  text_i[1].data_type = DataType::kText;
  TypedBatch broken(text_i);
  broken.AppendText(0, "ok");
  broken.AppendText(1, "twelve");
  for (size_t c = 2; c < text_i.size(); ++c) broken.AppendNull(c);
  ASSERT_TRUE(w.AddBatch(w.Slot("t"), broken).ok());
  auto files = w.Close();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  Status s = Load("t", {(*files)[0].path});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Has(s.message(), (*files)[0].path.string())) << s.message();
  EXPECT_TRUE(Has(s.message(), "batch 2")) << s.message();
  EXPECT_TRUE(Has(s.message(), "column `i`")) << s.message();
  EXPECT_TRUE(Has(s.message(), "'twelve' is not a BIGINT value")) << s.message();
}

TEST_F(TypedJobScan, TruncatedTypedJobFailsNamingTheFileAndWhatToDo) {
  ASSERT_TRUE(conn_.Execute("CREATE TABLE t (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, ts TIMESTAMPTZ, "
                            "dec DECIMAL(38,9), day DATE)").ok());
  JobWriterSet w(dir_.path());
  w.set_typed_jobs(true);
  std::mt19937_64 rng(5);
  ASSERT_TRUE(w.AddBatch(w.Slot("t"), RandomBatch(rng, 100)).ok());
  auto files = w.Close();
  ASSERT_TRUE(files.ok());
  const fs::path f = (*files)[0].path;
  fs::resize_file(f, fs::file_size(f) - 20);  // the end and some cells are gone
  Status s = Load("t", {f});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Has(s.message(), f.string())) << s.message();
  EXPECT_TRUE(Has(s.message(), "drop-pending-packages")) << s.message();
  auto rows = conn_.Query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows[0][0].text, "0");
}

}  // namespace
}  // namespace dlt
