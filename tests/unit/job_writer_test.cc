// The CSV job files of normalize: exact bytes for values that need quoting and those that do
// not (rows without any quoting take a one-pass path; the rest are quoted field by field), and a
// round trip through DuckDB's CSV reader with the options the loader uses.
#include "normalize/job_writer.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "destinations/duckdb/duckdb_api.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

std::string Field(std::string_view v) {
  std::string out;
  JobWriterSet::AppendCsvField(out, v);
  return out;
}

TEST(CsvField, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(Field("plain"), "plain");
  EXPECT_EQ(Field("exactly8"), "exactly8");
  EXPECT_EQ(Field("a rather long value without specials"), "a rather long value without specials");
  EXPECT_EQ(Field(""), "\"\"");  // empty string, not NULL
  EXPECT_EQ(Field(" lead"), "\" lead\"");
  EXPECT_EQ(Field("trail "), "\"trail \"");
  // A special character at every position of a word and of the tail.
  for (const char* special : {",", "\"", "\n", "\r"}) {
    for (size_t at = 0; at < 19; ++at) {
      std::string v(19, 'x');
      v[at] = special[0];
      std::string want = "\"" + v + "\"";
      if (special[0] == '"') want = "\"" + v.substr(0, at) + "\"\"" + v.substr(at + 1) + "\"";
      EXPECT_EQ(Field(v), want) << "special " << static_cast<int>(special[0]) << " at " << at;
    }
  }
  // Bytes that differ from a special one by one bit, and UTF-8, are not special.
  EXPECT_EQ(Field("-.#$\x0b\x0c\x0e/<>\xc3\xa9\xe2\x82\xac_more"), "-.#$\x0b\x0c\x0e/<>\xc3\xa9\xe2\x82\xac_more");
}

TEST(JobWriterFiles, RowsWithAndWithoutQuotingAndNulls) {
  testing::TempDir dir;
  std::vector<std::string> cols = {"id", "name", "note"};
  JobWriterSet w(dir.path());
  auto row = [&](std::vector<std::string> cells, std::vector<char> present) {
    ASSERT_TRUE(w.AddRow("t", cols, cells, present, cells.size()).ok());
  };
  row({"1", "alpha", "plain note"}, {1, 1, 1});
  row({"2", "", "x"}, {1, 1, 1});                     // empty string
  row({"3", "", ""}, {1, 0, 0});                      // NULLs
  row({"4", "has,comma", "say \"hi\""}, {1, 1, 1});
  row({"5", "two\nlines", "cr\rhere"}, {1, 1, 1});
  row({"6", "long value, with comma late", " padded "}, {1, 1, 1});
  row({"7"}, {1});                                    // shorter than the header
  auto files = w.Close();
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 1u);
  const JobFileInfo& f = (*files)[0];
  EXPECT_EQ(f.rows, 7u);
  std::string want =
      "id,name,note\n"
      "1,alpha,plain note\n"
      "2,\"\",x\n"
      "3,,\n"
      "4,\"has,comma\",\"say \"\"hi\"\"\"\n"
      "5,\"two\nlines\",\"cr\rhere\"\n"
      "6,\"long value, with comma late\",\" padded \"\n"
      "7,,\n";
  EXPECT_EQ(testing::ReadFile(f.path), want);
  EXPECT_EQ(f.bytes, want.size());

  // DuckDB reads it back as written: NULL for unquoted empty, "" for the empty string.
  auto db = duckdb::Database::Open(":memory:", false);
  ASSERT_TRUE(db.ok());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto r = conn->Query(
      "SELECT id, coalesce(name, '<null>'), coalesce(note, '<null>') FROM read_csv(" + duckdb::QuoteLiteral(f.path.string()) +
      ", header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', nullstr = '', "
      "allow_quoted_nulls = false, strict_mode = true, columns = {'id': 'BIGINT', 'name': 'VARCHAR', 'note': 'VARCHAR'}) "
      "ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 7u);
  auto cell = [&](size_t row, size_t col) { return r->rows[row][col].text; };
  EXPECT_EQ(cell(0, 2), "plain note");
  EXPECT_EQ(cell(1, 1), "");
  EXPECT_EQ(cell(2, 1), "<null>");
  EXPECT_EQ(cell(2, 2), "<null>");
  EXPECT_EQ(cell(3, 1), "has,comma");
  EXPECT_EQ(cell(3, 2), "say \"hi\"");
  EXPECT_EQ(cell(4, 1), "two\nlines");
  EXPECT_EQ(cell(4, 2), "cr\rhere");
  EXPECT_EQ(cell(5, 2), " padded ");
  EXPECT_EQ(cell(6, 1), "<null>");
}


TEST(JobWriterFiles, RotatedAndGrownFilesAreCompleteAfterClose) {
  testing::TempDir dir;
  JobWriterSet w(dir.path());
  std::vector<std::string> closed_early;
  // A file handed on early is complete (streamed loads read it at once, before it is synced).
  w.SetRotation(200, [&](const JobFileInfo& f) {
    closed_early.push_back(f.path.filename().string());
    std::string content = testing::ReadFile(f.path);
    EXPECT_EQ(content.size(), f.bytes) << f.path;
    EXPECT_EQ(static_cast<uint64_t>(std::count(content.begin(), content.end(), '\n')), f.rows + 1) << f.path;
  });
  std::vector<std::string> narrow = {"id", "name"}, wide = {"id", "name", "extra"};
  uint64_t written = 0;
  for (int i = 0; i < 100; ++i) {
    const bool grown = i >= 60;
    std::vector<std::string> cells = {std::to_string(i), "name " + std::to_string(i), "x"};
    std::vector<char> present = {1, 1, 1};
    ASSERT_TRUE(w.AddRow("t", grown ? wide : narrow, cells, present, grown ? 3 : 2).ok());
    ++written;
  }
  auto files = w.Close();
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_GT(files->size(), 3u);
  EXPECT_EQ(closed_early.size(), files->size() - 1);  // all but the last were closed early
  // Every file holds its header and exactly its rows; together, every row once and in order.
  uint64_t rows = 0;
  int next_id = 0;
  for (const JobFileInfo& f : *files) {
    std::string content = testing::ReadFile(f.path);
    EXPECT_EQ(content.size(), f.bytes) << f.path;
    std::string header = content.substr(0, content.find('\n'));
    EXPECT_EQ(header, f.columns.size() == 3 ? "id,name,extra" : "id,name") << f.path;
    EXPECT_EQ(static_cast<uint64_t>(std::count(content.begin(), content.end(), '\n')), f.rows + 1) << f.path;
    size_t pos = content.find('\n') + 1;
    while (pos < content.size()) {
      EXPECT_EQ(content.substr(pos, content.find(',', pos) - pos), std::to_string(next_id++));
      pos = content.find('\n', pos) + 1;
    }
    rows += f.rows;
  }
  EXPECT_EQ(rows, written);
  EXPECT_EQ(next_id, 100);
}


TEST(JobWriterFiles, ATableGrowingAColumnPerRowDoesNotRunOutOfFileDescriptors) {
  // Each new column closes the table's file; closed files are synced later, but only a few stay
  // open meanwhile. With a limit of 128 descriptors, 400 files get written.
  struct rlimit old;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  struct rlimit low = old;
  low.rlim_cur = std::min<rlim_t>(old.rlim_cur, 128);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  testing::TempDir dir;
  Status status = Status::Ok();
  size_t files = 0;
  {
    JobWriterSet w(dir.path());
    std::vector<std::string> cols = {"id"};
    for (int i = 0; i < 400 && status.ok(); ++i) {
      cols.push_back("c" + std::to_string(i));
      std::vector<std::string> cells(cols.size(), "v");
      std::vector<char> present(cols.size(), 1);
      status = w.AddRow("t", cols, cells, present, cells.size());
    }
    if (status.ok()) {
      auto closed = w.Close();
      status = closed.status();
      if (closed.ok()) files = closed->size();
    }
  }
  ::setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(files, 400u);
}

}  // namespace
}  // namespace dlt
