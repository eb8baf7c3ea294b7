// text::AppendJsonString: the one JSON string writer of the engine. Two byte forms are kept on
// purpose: json columns get \u00XX for every control character (what the loaded values have
// always been), boundary-row hashes get orjson's short escapes (the hash must equal dlt's).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/text.h"

namespace dlt::testing {
namespace {

std::string Quoted(std::string_view s, bool short_escapes) {
  std::string out;
  text::AppendJsonString(out, s, short_escapes);
  return out;
}

TEST(JsonString, QuotesAndBackslashesAreEscapedAndUtf8PassesThrough) {
  EXPECT_EQ(Quoted("a\"b\\c", false), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("Zürich ✓", false), "\"Zürich ✓\"");
  EXPECT_EQ(Quoted("", true), "\"\"");
}

TEST(JsonString, ControlCharactersAreUnicodeEscapesOrOrjsonsShortFormsOnRequest) {
  const std::string s("a\nb\tc\rd\be\ff\x01g\x1f");
  EXPECT_EQ(Quoted(s, false), R"("a\u000ab\u0009c\u000dd\u0008e\u000cf\u0001g\u001f")");
  EXPECT_EQ(Quoted(s, true), R"("a\nb\tc\rd\be\ff\u0001g\u001f")");
}

TEST(JsonString, BothFormsParseBackToTheSameString) {
  std::string s;
  for (int c = 0; c < 128; ++c) s += static_cast<char>(c);
  for (bool short_escapes : {false, true}) {
    EXPECT_EQ(nlohmann::json::parse(Quoted(s, short_escapes)).get<std::string>(), s) << short_escapes;
  }
}

// Runs without escapes are scanned eight bytes at a time: every byte value, at every position of
// a word and across words, comes out as the byte-by-byte rule says (bytes from 0x80 up, whose
// low bits look like '"' or '\\', included).
TEST(JsonString, EveryByteAtEveryPositionOfLongStringsIsWrittenByTheRule) {
  auto expected = [](const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20) {
        char b[8];
        std::snprintf(b, sizeof b, "\\u%04x", c);
        out += b;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "\"";
  };
  for (int c = 0; c < 256; ++c) {
    for (size_t pos = 0; pos < 24; ++pos) {
      std::string s(24, 'a');
      s[pos] = static_cast<char>(c);
      ASSERT_EQ(Quoted(s, false), expected(s)) << "byte " << c << " at " << pos;
      s += s;  // two of them, the second in a later word
      ASSERT_EQ(Quoted(s, false), expected(s)) << "byte " << c << " at " << pos << " and " << pos + 24;
    }
  }
}

}  // namespace
}  // namespace dlt::testing
