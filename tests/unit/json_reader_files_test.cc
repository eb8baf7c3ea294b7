// The streaming JSON record splitter on files: the record size limit, file errors, progress
// counters, and gzip (detected by its magic bytes, multi-member, truncated or corrupt).
#include "extract/json_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "json_reader_support.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;
using json_reader_test::Rec;
using json_reader_test::Result;
using json_reader_test::ReadAll;
using json_reader_test::ReadString;
using json_reader_test::ReadFileWith;
using json_reader_test::ReadEveryWay;

void WriteGzip(const fs::path& path, const std::string& data, const char* mode = "wb") {
  gzFile f = gzopen(path.c_str(), mode);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())), static_cast<int>(data.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}
// ---------------------------------------------------------------------------------------------
// Record size limit

TEST(JsonReader, RecordAtTheLimitIsAccepted) {
  JsonReaderOptions o;
  o.max_record_bytes = 10;
  Result r = ReadEveryWay("0123456789\r\n\"12345678\"\n", o);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.records.size(), 2u);
  Result a = ReadEveryWay("[\"12345678\", [1,2,3,45]]", o);
  ASSERT_TRUE(a.status.ok()) << a.status.message();
  EXPECT_EQ(a.records.size(), 2u);
}

TEST(JsonReader, JsonLinesRecordOverTheLimit) {
  JsonReaderOptions o;
  o.max_record_bytes = 10;
  Result r = ReadEveryWay("{\"a\":1}\n\n{\"a\":\"0123\"}\n{}\n", o);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(),
            "input.json:3: record exceeds the 10 bytes limit (max_record_bytes)");
  EXPECT_EQ(r.records.size(), 1u);
  Result last = ReadEveryWay("{}\n{\"a\":\"0123\"}", o);
  EXPECT_EQ(last.status.message(),
            "input.json:2: record exceeds the 10 bytes limit (max_record_bytes)");
}

TEST(JsonReader, ArrayElementOverTheLimit) {
  JsonReaderOptions o;
  o.max_record_bytes = 10;
  Result r = ReadEveryWay("[\n  {},\n  {\"a\":\n \"0123\"}\n]", o);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(),
            "input.json:3: record exceeds the 10 bytes limit (max_record_bytes)");
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(JsonReader, LimitNamesMegabytes) {
  JsonReaderOptions o;
  o.max_record_bytes = 1 << 20;
  Result r = ReadString(std::string((1 << 20) + 1, 'x') + "\n", o);
  EXPECT_EQ(r.status.message(),
            "input.json:1: record exceeds the 1 MB limit (max_record_bytes)");
}

TEST(JsonReader, OversizedRecordIsDetectedWithoutReadingItAll) {
  TempDir dir;
  fs::path file = dir.path() / "big.jsonl";
  WriteFile(file, "{}\n" + std::string(4 << 20, 'x') + "\n{}\n");
  for (JsonFormat format : {JsonFormat::kJsonLines, JsonFormat::kJsonArray}) {
    if (format == JsonFormat::kJsonArray) {
      WriteFile(file, "[{}, \"" + std::string(4 << 20, 'x') + "\"]");
    }
    JsonReaderOptions o;
    o.format = format;
    o.max_record_bytes = 1000;
    o.buffer_bytes = 256;
    auto reader = JsonRecordReader::Open(file, o);
    ASSERT_TRUE(reader.ok());
    Result r = ReadAll(**reader);
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status.message().find("record exceeds the 1000 bytes limit"), std::string::npos);
    EXPECT_LE((*reader)->compressed_bytes_read(), 1000u + 256u + 256u);
  }
}

// ---------------------------------------------------------------------------------------------
// Files, gzip and progress

TEST(JsonReader, OpenReportsMissingFileAndFolder) {
  TempDir dir;
  auto missing = JsonRecordReader::Open(dir.path() / "nope.jsonl");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.jsonl"), std::string::npos);
  auto folder = JsonRecordReader::Open(dir.path());
  EXPECT_EQ(folder.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(folder.status().message().find(dir.path().string()), std::string::npos);
}

TEST(JsonReader, FileErrorsNameTheFile) {
  TempDir dir;
  fs::path file = dir.path() / "bad.json";
  WriteFile(file, "[1,\n2");
  auto reader = JsonRecordReader::Open(file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->display_name(), file.string());
  Result r = ReadAll(**reader);
  EXPECT_EQ(r.status.message().rfind(file.string() + ":2: unterminated JSON array", 0), 0u)
      << r.status.message();
}

TEST(JsonReader, ProgressCounters) {
  TempDir dir;
  fs::path file = dir.path() / "p.jsonl";
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "{\"i\":" + std::to_string(i) + "}\n";
  WriteFile(file, data);
  JsonReaderOptions o;
  o.buffer_bytes = 1024;
  auto reader = JsonRecordReader::Open(file, o);
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->gzip());
  RawRecord rec;
  uint64_t last = 0;
  int n = 0;
  while (*(*reader)->Next(&rec)) {
    EXPECT_GE((*reader)->bytes_read(), last);
    last = (*reader)->bytes_read();
    ++n;
    if (n == 500) {
      EXPECT_LT((*reader)->compressed_bytes_read(), data.size());
    }
  }
  EXPECT_EQ(n, 1000);
  EXPECT_EQ((*reader)->bytes_read(), data.size());
  EXPECT_EQ((*reader)->compressed_bytes_read(), data.size());
}

std::string SampleLines(int n) {
  std::string data;
  for (int i = 0; i < n; ++i) {
    data += "{\"id\":" + std::to_string(i) + ",\"name\":\"row " + std::to_string(i) + "\"}\n";
  }
  return data;
}

TEST(JsonReaderGzip, DetectedByMagicBytesNotExtension) {
  TempDir dir;
  fs::path file = dir.path() / "data.jsonl";  // no .gz
  std::string data = SampleLines(2000);
  WriteGzip(file, data);
  for (size_t buffer : {16, 1000, 1 << 20}) {
    JsonReaderOptions o;
    o.buffer_bytes = buffer;
    auto reader = JsonRecordReader::Open(file, o);
    ASSERT_TRUE(reader.ok());
    EXPECT_TRUE((*reader)->gzip());
    Result r = ReadAll(**reader);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(r.records, ReadString(data).records);
    EXPECT_EQ((*reader)->bytes_read(), data.size());
    EXPECT_EQ((*reader)->compressed_bytes_read(), fs::file_size(file));
  }
}

TEST(JsonReaderGzip, ArrayInGzip) {
  TempDir dir;
  fs::path file = dir.path() / "data.json.gz";
  WriteGzip(file, "[\n  {\"a\": \"]\"},\n  {\"b\": [1, 2]}\n]\n");
  JsonReaderOptions o;
  o.buffer_bytes = 16;
  Result r = ReadFileWith(file, o);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.records, (std::vector<Rec>{{"{\"a\": \"]\"}", 2}, {"{\"b\": [1, 2]}", 3}}));
}

TEST(JsonReaderGzip, MultiMember) {
  TempDir dir;
  fs::path file = dir.path() / "multi.gz";
  std::string part1 = SampleLines(300);
  std::string part2 = "{\"second\":true}\n{\"split\":";  // a record split across members
  std::string part3 = "1}\n";
  WriteGzip(file, part1, "wb");
  WriteGzip(file, part2, "ab");
  WriteGzip(file, part3, "ab");
  std::string all = part1 + part2 + part3;
  for (size_t buffer : {16, 333, 1 << 20}) {
    JsonReaderOptions o;
    o.buffer_bytes = buffer;
    Result r = ReadFileWith(file, o);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(r.records, ReadString(all).records) << "buffer_bytes=" << buffer;
    EXPECT_EQ(r.records.back(), (Rec{"{\"split\":1}", 302}));
  }
}

TEST(JsonReaderGzip, Truncated) {
  TempDir dir;
  fs::path whole = dir.path() / "whole.gz";
  WriteGzip(whole, SampleLines(5000));
  std::string bytes = testing::ReadFile(whole);
  // Cut in the middle of the deflate data, and cut only the 8-byte trailer.
  for (size_t keep : {bytes.size() / 2, bytes.size() - 4, bytes.size() - 8}) {
    fs::path file = dir.path() / ("cut" + std::to_string(keep) + ".jsonl.gz");
    WriteFile(file, bytes.substr(0, keep));
    for (size_t buffer : {64, 1 << 20}) {
      JsonReaderOptions o;
      o.buffer_bytes = buffer;
      Result r = ReadFileWith(file, o);
      EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status.message();
      EXPECT_NE(r.status.message().find(file.string()), std::string::npos) << r.status.message();
      EXPECT_NE(r.status.message().find("truncated gzip"), std::string::npos) << r.status.message();
    }
  }
}

TEST(JsonReaderGzip, CorruptDataIsDataLoss) {
  TempDir dir;
  fs::path whole = dir.path() / "whole.gz";
  WriteGzip(whole, SampleLines(100));
  std::string bytes = testing::ReadFile(whole);
  bytes += "garbage after the member";
  fs::path file = dir.path() / "corrupt.gz";
  WriteFile(file, bytes);
  Result r = ReadFileWith(file, {});
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find(file.string()), std::string::npos);
}

TEST(JsonReaderGzip, EmptyGzip) {
  TempDir dir;
  fs::path file = dir.path() / "empty.gz";
  WriteGzip(file, "");
  Result r = ReadFileWith(file, {});
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.records.empty());
}

}  // namespace
}  // namespace dlt
