// The streaming JSON record splitter on JSON Lines and JSON arrays: records with their line
// numbers and the errors in malformed input, the same from memory and through tiny buffers.
#include "extract/json_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "json_reader_support.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using json_reader_test::Rec;
using json_reader_test::Result;
using json_reader_test::ReadEveryWay;

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

}  // namespace
}  // namespace dlt
