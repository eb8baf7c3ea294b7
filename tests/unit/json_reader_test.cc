// The streaming JSON record splitter (JSON Lines and JSON arrays, plain and gzip) and ExpandGlob.
#include "extract/json_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

struct Rec {
  std::string json;
  uint64_t line;
  bool operator==(const Rec&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{" << r.json << " @" << r.line << "}";
}

struct Result {
  std::vector<Rec> records;
  Status status;  // the error that stopped reading, if any
};

Result ReadAll(JsonRecordReader& reader) {
  Result res;
  RawRecord rec;
  for (;;) {
    StatusOr<bool> more = reader.Next(&rec);
    if (!more.ok()) {
      res.status = more.status();
      break;
    }
    if (!*more) break;
    EXPECT_EQ(rec.index, res.records.size());
    res.records.push_back({std::string(rec.json), rec.line});
  }
  return res;
}

Result ReadString(const std::string& data, JsonReaderOptions options = {}) {
  return ReadAll(*JsonRecordReader::FromString(data, "input.json", options));
}

Result ReadFileWith(const fs::path& path, JsonReaderOptions options) {
  auto reader = JsonRecordReader::Open(path, options);
  if (!reader.ok()) return {{}, reader.status()};
  return ReadAll(**reader);
}

// Reads `data` from memory and from a file with several tiny buffer sizes (so records and line
// endings span buffer boundaries) and checks that every way gives the same result.
Result ReadEveryWay(const std::string& data, JsonReaderOptions options = {}) {
  Result expected = ReadString(data, options);
  TempDir dir;
  fs::path file = dir.path() / "input.json";
  WriteFile(file, data);
  for (size_t buffer : {4, 5, 7, 16, 64, 1 << 20}) {
    JsonReaderOptions o = options;
    o.buffer_bytes = buffer;
    Result got = ReadFileWith(file, o);
    EXPECT_EQ(got.records, expected.records) << "buffer_bytes=" << buffer;
    EXPECT_EQ(got.status.code(), expected.status.code()) << "buffer_bytes=" << buffer;
    // The file reader names the file by its path, the string reader by "input.json".
    if (!expected.status.ok()) {
      std::string msg = got.status.message();
      auto at = msg.find(file.string());
      if (at != std::string::npos) msg.replace(at, file.string().size(), "input.json");
      EXPECT_EQ(msg, expected.status.message()) << "buffer_bytes=" << buffer;
    }
  }
  return expected;
}

void WriteGzip(const fs::path& path, const std::string& data, const char* mode = "wb") {
  gzFile f = gzopen(path.c_str(), mode);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())), static_cast<int>(data.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

TEST(JsonReader, JsonLinesWithCrlfBlankLinesAndBom) {
  std::string data =
      "\xEF\xBB\xBF{\"a\":1}\r\n"
      "\r\n"
      "   \t \n"
      "{\"b\": \"x y\"}\n"
      "\n"
      "  {\"c\":3}  \r\n"
      "{\"d\":4}";  // no line ending at the end
  Result r = ReadEveryWay(data);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  std::vector<Rec> want = {
      {"{\"a\":1}", 1}, {"{\"b\": \"x y\"}", 4}, {"  {\"c\":3}  ", 6}, {"{\"d\":4}", 7}};
  EXPECT_EQ(r.records, want);
}

TEST(JsonReader, JsonLinesEmptyAndBlankInputs) {
  for (std::string data : {"", "\n", "\r\n\r\n", "  \n\t\n   ", "\xEF\xBB\xBF", "\xEF\xBB\xBF\n \n"}) {
    Result r = ReadEveryWay(data);
    EXPECT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_TRUE(r.records.empty()) << "input: " << data;
  }
}

TEST(JsonReader, JsonLinesLastLineWithCrOnly) {
  Result r = ReadEveryWay("{\"a\":1}\n{\"b\":2}\r");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.records, (std::vector<Rec>{{"{\"a\":1}", 1}, {"{\"b\":2}", 2}}));
}

TEST(JsonReader, AutoDetectsJsonLinesWhenFirstByteIsNotBracket) {
  auto reader = JsonRecordReader::FromString("\n\n  {\"a\":[1]}\n", "x");
  RawRecord rec;
  ASSERT_TRUE(*reader->Next(&rec));
  EXPECT_EQ(reader->format(), JsonFormat::kJsonLines);
  EXPECT_EQ(rec.json, "  {\"a\":[1]}");  // the line as it is, leading whitespace included
  EXPECT_EQ(rec.line, 3u);
  EXPECT_EQ(rec.index, 0u);
  EXPECT_FALSE(*reader->Next(&rec));
  EXPECT_FALSE(*reader->Next(&rec));  // stays at the end
}

TEST(JsonReader, ForcedJsonLinesTreatsBracketLinesAsRecords) {
  JsonReaderOptions o;
  o.format = JsonFormat::kJsonLines;
  Result r = ReadEveryWay("[1,2]\n[3]\n", o);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.records, (std::vector<Rec>{{"[1,2]", 1}, {"[3]", 2}}));
}

TEST(JsonReader, JsonLinesDoesNotValidateRecords) {
  Result r = ReadEveryWay("{\"a\": \"unterminated\n}}}\n");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.records, (std::vector<Rec>{{"{\"a\": \"unterminated", 1}, {"}}}", 2}}));
}

// ---------------------------------------------------------------------------------------------
// JSON arrays

TEST(JsonReader, PrettyPrintedArrayWithTrickyStrings) {
  std::string data =
      "\n"
      "[\n"                                                  // line 2
      "  {\n"                                                // line 3
      "    \"name\": \"a ] b } c , d [ e {\",\n"
      "    \"quote\": \"say \\\"hi\\\" ]\",\n"
      "    \"backslash\": \"C:\\\\dir\\\\\",\n"
      "    \"nested\": [[1, 2], {\"x\": [3, {\"y\": \"]]\"}]}]\n"
      "  },\n"
      "  {\"b\": 2}, {\"c\": \"\\\\\\\"\"} ,\n"               // line 9: two elements
      "\n"
      "  [1, [2, [3]]],\n"                                   // line 11
      "  \"just a string, with ] in it\",\n"                 // line 12
      "  42,\n"                                              // line 13
      "  -1.5e3 , true,null\n"                               // line 14
      "]\n"
      "\n";
  Result r = ReadEveryWay(data);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  std::vector<Rec> want = {
      {"{\n"
       "    \"name\": \"a ] b } c , d [ e {\",\n"
       "    \"quote\": \"say \\\"hi\\\" ]\",\n"
       "    \"backslash\": \"C:\\\\dir\\\\\",\n"
       "    \"nested\": [[1, 2], {\"x\": [3, {\"y\": \"]]\"}]}]\n"
       "  }",
       3},
      {"{\"b\": 2}", 9},
      {"{\"c\": \"\\\\\\\"\"}", 9},
      {"[1, [2, [3]]]", 11},
      {"\"just a string, with ] in it\"", 12},
      {"42", 13},
      {"-1.5e3", 14},
      {"true", 14},
      {"null", 14},
  };
  EXPECT_EQ(r.records, want);
}

TEST(JsonReader, CompactArrayAndEmptyArrays) {
  Result r = ReadEveryWay("[{\"a\":1},{\"a\":2},{\"a\":[3]}]");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.records,
            (std::vector<Rec>{{"{\"a\":1}", 1}, {"{\"a\":2}", 1}, {"{\"a\":[3]}", 1}}));
  for (std::string data : {"[]", " [ ] \n", "\xEF\xBB\xBF\r\n[\r\n]\r\n", "[\n\n]"}) {
    Result e = ReadEveryWay(data);
    EXPECT_TRUE(e.status.ok()) << data << ": " << e.status.message();
    EXPECT_TRUE(e.records.empty()) << data;
  }
}

TEST(JsonReader, ArrayWithBomCrlfAndExtraCommas) {
  Result r = ReadEveryWay("\xEF\xBB\xBF  \r\n[\r\n{\"a\":1},\r\n,{\"b\":2},\r\n]\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.records, (std::vector<Rec>{{"{\"a\":1}", 3}, {"{\"b\":2}", 4}}));
}

TEST(JsonReader, ArrayFormatReported) {
  auto reader = JsonRecordReader::FromString("[{}]", "x");
  EXPECT_EQ(reader->format(), JsonFormat::kAuto);
  RawRecord rec;
  ASSERT_TRUE(*reader->Next(&rec));
  EXPECT_EQ(reader->format(), JsonFormat::kJsonArray);
  EXPECT_EQ(rec.json, "{}");
  EXPECT_FALSE(*reader->Next(&rec));
}

TEST(JsonReader, ForcedArrayRejectsOtherInput) {
  JsonReaderOptions o;
  o.format = JsonFormat::kJsonArray;
  Result r = ReadEveryWay("\n{\"a\":1}\n", o);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "input.json:2: expected a JSON array (starting with '[')");
  Result empty = ReadEveryWay("  \n", o);
  EXPECT_EQ(empty.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status.message(), "input.json:2: expected a JSON array, found an empty input");
}

TEST(JsonReader, UnterminatedArray) {
  Result r = ReadEveryWay("[\n  {\"a\": 1},\n  {\"b\": 2}\n");
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(),
            "input.json:4: unterminated JSON array (the array opened on line 1 has no closing ']')");
  EXPECT_EQ(r.records.size(), 2u);  // the complete elements come first

  Result scalar = ReadEveryWay("[1, 2");
  EXPECT_EQ(scalar.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(scalar.status.message().find("input.json:1: unterminated JSON array"), std::string::npos)
      << scalar.status.message();

  Result nested = ReadEveryWay("[\n{\"a\": [1, 2}\n");
  EXPECT_EQ(nested.status.message(), "input.json:2: unterminated JSON object");
  EXPECT_TRUE(nested.records.empty());

  Result inner = ReadEveryWay("[\n  [1, [2]\n");
  EXPECT_EQ(inner.status.message(), "input.json:2: unterminated JSON array");
}

TEST(JsonReader, UnterminatedString) {
  Result r = ReadEveryWay("[\n{\"a\": 1},\n{\"b\":\n  \"never closed]}\n]\n");
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "input.json:4: unterminated string");
  EXPECT_EQ(r.records, (std::vector<Rec>{{"{\"a\": 1}", 2}}));

  Result escaped = ReadEveryWay("[\"ends with an escaped quote\\\"]");
  EXPECT_EQ(escaped.status.message(), "input.json:1: unterminated string");
}

TEST(JsonReader, TextAfterArray) {
  Result r = ReadEveryWay("[1]\n\n  x\n");
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "input.json:3: unexpected text after the JSON array");
  EXPECT_EQ(r.records, (std::vector<Rec>{{"1", 1}}));

  Result second = ReadEveryWay("[{\"a\":1}]\n[{\"a\":2}]\n");
  EXPECT_EQ(second.status.message(), "input.json:2: unexpected text after the JSON array");
}

TEST(JsonReader, MissingSeparatorBetweenElements) {
  Result r = ReadEveryWay("[{\"a\":1}\n{\"a\":2}]");
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "input.json:2: expected ',' or ']' after an array element");
  Result stray = ReadEveryWay("[}]");
  EXPECT_EQ(stray.status.message(), "input.json:1: unexpected '}' in the JSON array");
}

TEST(JsonReader, ErrorsAreSticky) {
  auto reader = JsonRecordReader::FromString("[1", "x");
  RawRecord rec;
  StatusOr<bool> first = reader->Next(&rec);
  ASSERT_FALSE(first.ok());
  StatusOr<bool> again = reader->Next(&rec);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(), first.status().message());
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

// Random inputs, read from memory and through tiny buffers: the results must agree.
TEST(JsonReader, RandomInputsAgreeAcrossBufferSizes) {
  std::mt19937 rng(12345);
  const std::string pieces[] = {"{",  "}",  "[",  "]",  ",",  "\"", "\\", "\n", "\r\n", " ",
                                "a",  "12", "\"x\"", "{\"k\":[1,\"]\"]}", "\t", "\xEF\xBB\xBF"};
  for (int round = 0; round < 60; ++round) {
    std::string data;
    if (round % 2 == 0) data = "[";
    int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) data += pieces[rng() % std::size(pieces)];
    if (round % 4 == 0) data += "]";
    JsonReaderOptions o;
    o.max_record_bytes = 8 + rng() % 32;
    ReadEveryWay(data, o);  // expectations inside
  }
}

// ---------------------------------------------------------------------------------------------
// Globs

TEST(GlobMatch, Wildcards) {
  EXPECT_TRUE(GlobMatch("*.jsonl", "a.jsonl"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("*.jsonl", "a.json"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(GlobMatch("?.json", "x.json"));
  EXPECT_FALSE(GlobMatch("?.json", "xy.json"));
  EXPECT_TRUE(GlobMatch("part[0-9].csv", "part7.csv"));
  EXPECT_FALSE(GlobMatch("part[0-9].csv", "partx.csv"));
  EXPECT_TRUE(GlobMatch("[abc]x", "bx"));
  EXPECT_FALSE(GlobMatch("[!abc]x", "bx"));
  EXPECT_TRUE(GlobMatch("[!abc]x", "dx"));
  EXPECT_TRUE(GlobMatch("[]]", "]"));
  EXPECT_TRUE(GlobMatch("a[b", "a[b"));  // unclosed class: literal '['
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exactly"));
}

class Glob : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"a.jsonl", "b.jsonl", "c.json", "x1.csv", "x2.csv", "x10.csv", ".hidden.jsonl",
                          "sub/d.jsonl", "sub/deep/e.jsonl", "sub/deep/f.txt", ".git/g.jsonl"}) {
      WriteFile(dir_.path() / f, "{}\n");
    }
    fs::create_directories(dir_.path() / "folder.jsonl");  // a folder that matches *.jsonl
  }

  std::vector<std::string> Expand(std::string_view pattern) {
    auto r = ExpandGlob(pattern, dir_.path());
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> rel;
    if (r.ok()) {
      for (const fs::path& p : *r) rel.push_back(p.lexically_relative(dir_.path()).string());
    }
    return rel;
  }

  TempDir dir_;
};

using Strings = std::vector<std::string>;

TEST_F(Glob, StarAndQuestionMarkWithinASegment) {
  EXPECT_EQ(Expand("*.jsonl"), (Strings{"a.jsonl", "b.jsonl"}));
  EXPECT_EQ(Expand("?.json*"), (Strings{"a.jsonl", "b.jsonl", "c.json"}));
  EXPECT_EQ(Expand("x?.csv"), (Strings{"x1.csv", "x2.csv"}));
  EXPECT_EQ(Expand("x[12].csv"), (Strings{"x1.csv", "x2.csv"}));
  EXPECT_EQ(Expand("*/*.jsonl"), (Strings{"sub/d.jsonl"}));
  EXPECT_EQ(Expand("sub/*/*"), (Strings{"sub/deep/e.jsonl", "sub/deep/f.txt"}));
  EXPECT_EQ(Expand(".*.jsonl"), (Strings{".hidden.jsonl"}));
}

TEST_F(Glob, DoubleStarForAnyDepth) {
  EXPECT_EQ(Expand("**/*.jsonl"), (Strings{"a.jsonl", "b.jsonl", "sub/d.jsonl", "sub/deep/e.jsonl"}));
  EXPECT_EQ(Expand("sub/**"), (Strings{"sub/d.jsonl", "sub/deep/e.jsonl", "sub/deep/f.txt"}));
  EXPECT_EQ(Expand("sub/**/e.jsonl"), (Strings{"sub/deep/e.jsonl"}));
  EXPECT_EQ(Expand("**/**/d.jsonl"), (Strings{"sub/d.jsonl"}));  // no duplicates
}

TEST_F(Glob, LiteralPathsAndAbsolutePatterns) {
  EXPECT_EQ(Expand("sub/d.jsonl"), (Strings{"sub/d.jsonl"}));
  auto abs = ExpandGlob((dir_.path() / "sub/*.jsonl").string(), "/nonexistent");
  ASSERT_TRUE(abs.ok()) << abs.status().message();
  EXPECT_EQ(*abs, (std::vector<fs::path>{dir_.path() / "sub/d.jsonl"}));
}

TEST_F(Glob, NoMatchIsNotFoundNamingThePattern) {
  auto none = ExpandGlob("*.parquet", dir_.path());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("*.parquet"), std::string::npos);
  auto missing = ExpandGlob("missing.jsonl", dir_.path());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.jsonl"), std::string::npos);
  auto deep = ExpandGlob("nope/**/*.jsonl", dir_.path());
  EXPECT_EQ(deep.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace dlt
