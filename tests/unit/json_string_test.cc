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

}  // namespace
}  // namespace dlt::testing
