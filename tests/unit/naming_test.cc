#include "normalize/naming.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/golden_fixtures.h"

namespace dlt {
namespace {

using Json = nlohmann::ordered_json;

Json LoadFixture(const std::string& rel) { return Json::parse(testing::ReadFixture(rel)); }

const SnakeCaseNaming kUnlimited;
const SnakeCaseNaming kPostgres(63);

// ---------------------------------------------------------------------------------------------
// Golden: naming/naming.json, produced by Python dlt 1.26.

TEST(NamingGolden, EveryName) {
  Json doc = LoadFixture("naming/naming.json");
  const auto& names = doc.at("names");
  ASSERT_EQ(names.size(), 77u);
  int errors_seen = 0;
  for (const auto& entry : names) {
    std::string src = entry.at("source_name");
    SCOPED_TRACE("source_name=\"" + src + "\"");
    // Python raises ValueError for empty / whitespace-only names in normalize_identifier; the
    // C++ API returns the relational normalizer's substitute "_empty" instead (documented).
    if (entry.at("normalize_identifier").is_object()) {
      ++errors_seen;
      EXPECT_TRUE(entry.at("normalize_identifier").at("error").get<std::string>().rfind(
                      "ValueError", 0) == 0);
      EXPECT_TRUE(entry.at("normalize_identifier_max63").is_object());
      EXPECT_EQ(kUnlimited.NormalizeIdentifier(src), "_empty");
      EXPECT_EQ(kPostgres.NormalizeIdentifier(src), "_empty");
    } else {
      EXPECT_EQ(kUnlimited.NormalizeIdentifier(src), entry.at("normalize_identifier").get<std::string>());
      EXPECT_EQ(kPostgres.NormalizeIdentifier(src),
                entry.at("normalize_identifier_max63").get<std::string>());
    }
    EXPECT_EQ(kUnlimited.NormalizePath(src), entry.at("normalize_path").get<std::string>());
    EXPECT_EQ(kPostgres.NormalizePath(src), entry.at("normalize_path_max63").get<std::string>());
    // The column that received the value in postgres (all names here fit in 63 bytes).
    EXPECT_EQ(kPostgres.NormalizeKey(src), entry.at("postgres_column").get<std::string>());
    if (entry.contains("shortened_tag")) {
      EXPECT_EQ(SnakeCaseNaming::ComputeTag(src), entry.at("shortened_tag").get<std::string>());
    }
  }
  EXPECT_EQ(errors_seen, 2);  // "" and " "
}

TEST(NamingGolden, FieldNamesOfInputMatchNamingJson) {
  // naming.json lists exactly input.json's field names, in order.
  Json input = LoadFixture("naming/input.json");
  Json doc = LoadFixture("naming/naming.json");
  const auto& fields = input.at("field_names");
  ASSERT_EQ(fields.size(), doc.at("names").size());
  for (size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(fields[i].get<std::string>(), doc.at("names")[i].at("source_name").get<std::string>());
  }
}

TEST(NamingGolden, TableName) {
  Json doc = LoadFixture("naming/naming.json");
  std::string src = doc.at("table_name").at("source");
  EXPECT_EQ(kPostgres.NormalizePath(src), doc.at("table_name").at("postgres_table").get<std::string>());
  EXPECT_EQ(kUnlimited.NormalizeIdentifier(src), "naming_probe");
}

// A minimal model of dlt's relational flattening, enough for the nested records of the fixture:
// dict values are flattened into `parent__child` columns (MakePath over normalized keys), list
// values become tables MakePath(parent table, path..., normalize_path(key)), lists of scalars get
// a `value` column.
void Flatten(const SnakeCaseNaming& naming, const Json& obj, const std::vector<std::string>& path,
             const std::vector<std::string>& table_path, std::vector<std::string>* columns,
             std::map<std::string, std::vector<std::string>>* tables) {
  for (const auto& [key, value] : obj.items()) {
    std::string norm = naming.NormalizeKey(key);
    std::vector<std::string> child_path = path;
    child_path.push_back(norm);
    if (value.is_object()) {
      Flatten(naming, value, child_path, table_path, columns, tables);
    } else if (value.is_array()) {
      std::vector<std::string> nested_table_path = table_path;
      nested_table_path.insert(nested_table_path.end(), path.begin(), path.end());
      nested_table_path.push_back(naming.NormalizePath(key));
      std::string table = naming.MakePath(nested_table_path);
      auto& cols = (*tables)[table];
      for (const auto& item : value) {
        if (item.is_object()) {
          std::vector<std::string> item_cols;
          Flatten(naming, item, {}, nested_table_path, &item_cols, tables);
          for (auto& c : item_cols) {
            if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
          }
        } else if (std::find(cols.begin(), cols.end(), "value") == cols.end()) {
          cols.push_back("value");
        }
      }
    } else if (!value.is_null()) {
      columns->push_back(path.empty() ? norm : naming.MakePath(child_path));
    }
  }
}

TEST(NamingGolden, NestedPaths) {
  Json doc = LoadFixture("naming/naming.json");
  std::string root = kPostgres.NormalizePath(doc.at("table_name").at("source").get<std::string>());
  const auto& cases = doc.at("nested_paths");
  ASSERT_EQ(cases.size(), 6u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("record").dump());
    std::vector<std::string> columns;
    std::map<std::string, std::vector<std::string>> tables;
    Flatten(kPostgres, c.at("record"), {}, {root}, &columns, &tables);
    EXPECT_EQ(columns, c.at("root_columns").get<std::vector<std::string>>());
    std::map<std::string, std::vector<std::string>> expected;
    for (const auto& [table, cols] : c.at("nested_tables").items()) {
      auto& data_cols = expected[table];
      for (const auto& col : cols) {
        std::string name = col.get<std::string>();
        if (name.rfind("_dlt_", 0) != 0) data_cols.push_back(name);
      }
    }
    EXPECT_EQ(tables, expected);
  }
}

TEST(NamingGolden, LongNameShorteningExamples) {
  Json doc = LoadFixture("naming/naming.json");
  const auto& shortening = doc.at("long_name_shortening");
  EXPECT_EQ(shortening.at("tag_bytes").get<int>(), 4);
  const auto& examples = shortening.at("examples");
  ASSERT_EQ(examples.size(), 4u);
  for (const auto& ex : examples) {
    std::string src = ex.at("source_name");
    SCOPED_TRACE(src);
    std::string untrimmed = ex.at("normalized_untrimmed");
    std::string result = ex.at("result");
    EXPECT_EQ(kUnlimited.NormalizeIdentifier(src), untrimmed);
    EXPECT_EQ(SnakeCaseNaming::CharLength(untrimmed), ex.at("untrimmed_length").get<size_t>());
    EXPECT_EQ(SnakeCaseNaming::ComputeTag(ex.at("tag_input").get<std::string>()),
              ex.at("tag").get<std::string>());
    EXPECT_EQ(kPostgres.NormalizeIdentifier(src), result);
    EXPECT_EQ(kPostgres.NormalizePath(src), result);
    EXPECT_EQ(SnakeCaseNaming::ShortenIdentifier(untrimmed, ex.at("tag_input").get<std::string>(), 63),
              result);
    std::string head = ex.at("head"), tag = ex.at("tag"), tail = ex.at("tail");
    EXPECT_EQ(head + tag + tail, result);
    EXPECT_EQ(result.size(), 63u);
  }
}

TEST(NamingGolden, NestedShorteningExamples) {
  Json doc = LoadFixture("naming/naming.json");
  const auto& nested = doc.at("long_name_shortening").at("nested_examples");
  ASSERT_EQ(nested.size(), 2u);

  // Column from a nested object: parent__child joined, then shortened with the tag of the join.
  const auto& col = nested[0];
  const Json& rec = col.at("record");
  auto parent_it = rec.items().begin();
  std::string parent_key = parent_it.key();
  std::string child_key = parent_it.value().items().begin().key();
  std::string parent = kPostgres.NormalizeKey(parent_key);
  std::string child = kPostgres.NormalizeKey(child_key);
  EXPECT_EQ(parent, col.at("parent_part").get<std::string>());
  EXPECT_EQ(child, col.at("child_part").get<std::string>());
  EXPECT_EQ(kUnlimited.MakePath({parent, child}), col.at("joined_normalized").get<std::string>());
  EXPECT_EQ(SnakeCaseNaming::ComputeTag(col.at("tag_input").get<std::string>()),
            col.at("tag").get<std::string>());
  EXPECT_EQ(kPostgres.MakePath({parent, child}), col.at("result").get<std::string>());
  EXPECT_EQ(col.at("postgres_column")[0].get<std::string>(), col.at("result").get<std::string>());

  // Nested table name from a list key: the key is shortened on its own first (tag of the raw
  // key), then the joined table name is shortened again (tag of the joined name).
  const auto& tbl = nested[1];
  std::string list_key = tbl.at("record").items().begin().key();
  EXPECT_EQ(kUnlimited.NormalizePath(list_key), tbl.at("key_normalized_untrimmed").get<std::string>());
  EXPECT_EQ(SnakeCaseNaming::ComputeTag(tbl.at("step1_tag_input").get<std::string>()),
            tbl.at("step1_tag").get<std::string>());
  std::string step1 = kPostgres.NormalizePath(list_key);
  EXPECT_EQ(step1, tbl.at("step1_key_shortened_to_63").get<std::string>());
  EXPECT_EQ(kUnlimited.MakePath({"naming_probe", step1}), tbl.at("step2_joined").get<std::string>());
  EXPECT_EQ(SnakeCaseNaming::ComputeTag(tbl.at("step2_tag_input").get<std::string>()),
            tbl.at("step2_tag").get<std::string>());
  EXPECT_EQ(kPostgres.MakePath({"naming_probe", step1}), tbl.at("result").get<std::string>());
  EXPECT_EQ(tbl.at("postgres_table")[0].get<std::string>(), tbl.at("result").get<std::string>());
}

TEST(NamingGolden, UnicodeDigitsCountCharactersNotBytes) {
  Json doc = LoadFixture("naming/naming.json");
  for (const auto& c : doc.at("unicode_digits_byte_limit")) {
    std::string src = c.at("source_name");
    std::string col = kPostgres.NormalizePath(src);
    EXPECT_EQ(col, c.at("schema_column").get<std::string>());
    EXPECT_EQ(SnakeCaseNaming::CharLength(col), c.at("schema_column_chars").get<size_t>());
    EXPECT_EQ(col.size(), c.at("schema_column_utf8_bytes").get<size_t>());
  }
  for (const auto& c : doc.at("compute_only")) {
    std::string src = c.at("source_name");
    SCOPED_TRACE(src);
    EXPECT_EQ(kUnlimited.NormalizeIdentifier(src), c.at("normalize_identifier").get<std::string>());
    EXPECT_EQ(kPostgres.NormalizePath(src), c.at("normalize_path_max63").get<std::string>());
    std::string col = kPostgres.NormalizePath(src);
    EXPECT_EQ(SnakeCaseNaming::CharLength(col), c.at("chars").get<size_t>());
    EXPECT_EQ(col.size(), c.at("utf8_bytes").get<size_t>());
  }
}

TEST(NamingGolden, IsolatedNamesNormalizeToEmptyPath) {
  Json doc = LoadFixture("naming/naming.json");
  for (const auto& c : doc.at("isolated_names")) {
    std::string src = c.at("source_name");
    EXPECT_EQ(kUnlimited.NormalizeIdentifier(src), c.at("normalize_identifier").get<std::string>());
    EXPECT_EQ(kUnlimited.NormalizePath(src), c.at("normalize_path").get<std::string>());
    EXPECT_EQ(kPostgres.NormalizePath(src), "");
    // Not blank, so the relational normalizer does not substitute `_empty`: the empty column
    // name is what crashes dlt (KeyError: '').
    EXPECT_EQ(kPostgres.NormalizeKey(src), "");
  }
}

// The stored schema's `naming_probe` columns: name_idx, the first name's column, the two _dlt
// columns, then every new column in order of first appearance (names, then nested records).
TEST(NamingGolden, StoredSchemaColumnOrder) {
  Json doc = LoadFixture("naming/naming.json");
  Json input = LoadFixture("naming/input.json");
  Json schema = LoadFixture("naming/stored_schema.json");
  std::vector<std::string> expected = {"name_idx"};
  auto add = [&](const std::string& c) {
    if (std::find(expected.begin(), expected.end(), c) == expected.end()) expected.push_back(c);
  };
  const auto& fields = input.at("field_names");
  add(kPostgres.NormalizeKey(fields[0].get<std::string>()));
  add("_dlt_load_id");
  add("_dlt_id");
  for (const auto& f : fields) add(kPostgres.NormalizeKey(f.get<std::string>()));
  std::map<std::string, std::vector<std::string>> tables;
  for (const auto& rec : input.at("nested_records")) {
    std::vector<std::string> cols;
    Flatten(kPostgres, rec, {}, {"naming_probe"}, &cols, &tables);
    for (auto& c : cols) add(c);
  }
  std::vector<std::string> actual;
  for (const auto& [name, _] : schema.at("tables").at("naming_probe").at("columns").items()) {
    actual.push_back(name);
  }
  EXPECT_EQ(actual, expected);
  for (const auto& [table, cols] : tables) {
    ASSERT_TRUE(schema.at("tables").contains(table)) << table;
    std::vector<std::string> stored;
    for (const auto& [name, _] : schema.at("tables").at(table).at("columns").items()) {
      if (name.rfind("_dlt_", 0) != 0) stored.push_back(name);
    }
    EXPECT_EQ(stored, cols) << table;
  }
}

// ---------------------------------------------------------------------------------------------
// Rules checked against Python dlt 1.26's NamingConvention (values computed with it).

struct Expect {
  const char* in;
  const char* identifier;
  const char* path;
};

TEST(NamingRules, PythonReferenceValues) {
  const Expect cases[] = {
      // snake-case breaks scan left to right without overlaps
      {"aBcDe", "a_bc_de", "a_bc_de"},
      {"ABCDefGHIjk", "abc_def_gh_ijk", "abc_def_gh_ijk"},
      {"a1B2C", "a1_b2_c", "a1_b2_c"},
      {"_Abc", "_abc", "_abc"},
      {"x_Abc", "x_abc", "x_abc"},
      {"٣Abc", "_٣_abc", "_٣_abc"},       // an Nd digit is [^_] for the first break
      {"٣B", "_٣b", "_٣b"},               // ... but not [0-9] for the second
      {"𝟘x", "_𝟘x", "_𝟘x"},               // U+1D7D8, 4-byte Nd digit
      {"x²", "xx", "xx"},                 // superscript two is not Nd
      {"Ⅻ", "x", "x"},                    // roman numeral (Nl) neither
      // reduce alphabet only + - * @ |, other punctuation is a run
      {"a!b$c#d=e:f", "a_b_c_d_e_f", "a_b_c_d_e_f"},
      {"a+-*@|b", "ax_xalb", "ax_xalb"},
      {"a _b", "a_b", "a_b"},
      {"- -", "xxx", "xxx"},
      // Python str.strip(): Unicode white space, including NBSP and U+3000
      {"\xc2\xa0name\xe3\x80\x80", "name", "name"},
      {"\x1f" "a" "\x1c", "a", "a"},
      {"\xc2\x85", "_empty", ""},
      // paths
      {"a__ __b", "a_b", "a__b"},
      {" a __ b ", "a_b", "a__b"},
      {"__a__", "_axx", "a"},
      {"A__B___C", "a_b_c", "a__b___c"},
      {"1__2", "_1_2", "_1___2"},
      {"a____b", "a_b", "a__b"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(kUnlimited.NormalizeIdentifier(c.in), c.identifier) << c.in;
    EXPECT_EQ(kUnlimited.NormalizePath(c.in), c.path) << c.in;
  }
}

TEST(NamingRules, ShorteningCountsCharacters) {
  // Python: NamingConvention(10).normalize_identifier("٣" * 20) etc.
  const SnakeCaseNaming n10(10);
  std::string digits;
  for (int i = 0; i < 20; ++i) digits += "٣";
  std::string out = n10.NormalizeIdentifier(digits);
  EXPECT_EQ(SnakeCaseNaming::CharLength(out), 10u);
  EXPECT_EQ(out, "_٣xjylya٣٣");
  // 10 characters but 19 bytes: not shortened.
  std::string nine = "_";
  for (int i = 0; i < 9; ++i) nine += "٣";
  EXPECT_EQ(n10.NormalizeIdentifier(nine.substr(1)), nine);
  EXPECT_EQ(SnakeCaseNaming::ShortenIdentifier("abcdefghijk", "abcdefghijk", 10),
            "abah6k9gjk");
  EXPECT_EQ(SnakeCaseNaming::ShortenIdentifier("abcdefghijk", "x", 0), "abcdefghijk");
  EXPECT_EQ(SnakeCaseNaming::ShortenIdentifier("abcdefghij", "x", 10), "abcdefghij");
  // odd remainder: the head gets the extra character
  EXPECT_EQ(SnakeCaseNaming::ShortenIdentifier("abcdefghijkl", "o", 9),
            "aboligcwl");
}

TEST(NamingRules, PathShortensPartsThenWhole) {
  // Python: NamingConvention(10).normalize_path(...) / normalize_identifier(...)
  const SnakeCaseNaming n10(10);
  EXPECT_EQ(n10.NormalizePath("abcdefghijkl__x"), "abqsarew_x");
  EXPECT_EQ(n10.NormalizePath("abc__def"), "abc__def");
  EXPECT_EQ(n10.NormalizePath("abcd__efgh"), "abcd__efgh");
  EXPECT_EQ(n10.NormalizeIdentifier("abcd__efghi"), "abcd_efghi");
  EXPECT_EQ(n10.NormalizePath("abcd__efghi"), "abp4aa5ghi");
  // the tag of a path comes from the path as given, not stripped
  EXPECT_EQ(n10.NormalizePath(" abcd__efghi"), "abd4pkqghi");
  // ... while an identifier's tag comes from the stripped name
  EXPECT_EQ(n10.NormalizeIdentifier(" abcdefghijk "), "abah6k9gjk");
  EXPECT_EQ(n10.NormalizePath(" abcdefghijk "), "abah6k9gjk");
}

TEST(NamingRules, MakePath) {
  EXPECT_EQ(kUnlimited.MakePath({}), "");
  EXPECT_EQ(kUnlimited.MakePath({"a"}), "a");
  EXPECT_EQ(kUnlimited.MakePath({"a", "", " ", "b"}), "a__b");
  EXPECT_EQ(kUnlimited.max_length(), 0u);
  EXPECT_EQ(kPostgres.max_length(), 63u);
}

TEST(NamingRules, InvalidUtf8DoesNotCrash) {
  const char* inputs[] = {"\xff", "a\xff" "b", "\xc3", "\xe0\x80\x80x", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "ab\xc3", "\xc3(", "\x80\x80\x80"};
  for (const char* in : inputs) {
    std::string out = kUnlimited.NormalizeIdentifier(in);
    EXPECT_FALSE(out.empty());
    for (char ch : out) {
      auto c = static_cast<unsigned char>(ch);
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << in;
    }
    (void)kPostgres.NormalizePath(in);
    (void)SnakeCaseNaming::ShortenIdentifier(in, in, 2);
    (void)SnakeCaseNaming::CharLength(in);
  }
  EXPECT_EQ(kUnlimited.NormalizeIdentifier("a\xff" "b"), "a_b");
  EXPECT_EQ(kUnlimited.NormalizeIdentifier("a\xff\xfe b"), "a_b");
  EXPECT_EQ(SnakeCaseNaming::CharLength("\xff\xfe"), 2u);
  EXPECT_EQ(SnakeCaseNaming::CharLength("٣a"), 2u);
  EXPECT_EQ(SnakeCaseNaming::CharLength("\xf0\x9f\x9a\x80"), 1u);
  // a limit below the tag length gives part of the tag, never a crash
  EXPECT_EQ(SnakeCaseNaming::ShortenIdentifier("abcdefgh", "abcdefgh", 3),
            SnakeCaseNaming::ComputeTag("abcdefgh").substr(0, 3));
}

}  // namespace
}  // namespace dlt

namespace dlt {
namespace {

// dlt's `direct` convention (dlt/common/normalizers/naming/direct.py): names stay as given (case
// and spaces too); only \n, \r, ', " and ▶ become `_`; nested paths are joined with ▶; shortening
// is snake_case's (the tag from the stripped name).
const SnakeCaseNaming kDirect(0, NamingConvention::kDirect);

TEST(NamingDirect, KeepsNamesAndReplacesOnlyQuotesNewlinesAndTheSeparator) {
  EXPECT_EQ(kDirect.NormalizeIdentifier("CamelCase Key"), "CamelCase Key");
  EXPECT_EQ(kDirect.NormalizeIdentifier("  My \"Key\"\n "), "My _Key_");
  EXPECT_EQ(kDirect.NormalizeIdentifier("it's\r"), "it_s");
  EXPECT_EQ(kDirect.NormalizeIdentifier("a\xE2\x96\xB6" "b"), "a_b");
  EXPECT_EQ(kDirect.NormalizeIdentifier("a__b-c+d"), "a__b-c+d");
  EXPECT_EQ(kDirect.NormalizeIdentifier("Ünïcode ٣"), "Ünïcode ٣");
  EXPECT_EQ(kDirect.NormalizeIdentifier("   "), "_empty");
  EXPECT_EQ(kDirect.name(), "direct");
  EXPECT_EQ(kUnlimited.name(), "snake_case");
}

TEST(NamingDirect, PathsAreJoinedAndSplitWithTheTriangle) {
  const std::string sep = "\xE2\x96\xB6";
  EXPECT_EQ(kDirect.path_separator(), sep);
  EXPECT_EQ(kUnlimited.path_separator(), "__");
  EXPECT_EQ(kDirect.MakePath({"items", "Sub List"}), "items" + sep + "Sub List");
  EXPECT_EQ(kDirect.NormalizePath("a" + sep + " B c " + sep + "d\""), "a" + sep + "B c" + sep + "d_");
  EXPECT_EQ(kDirect.NormalizeKey("parent__child"), "parent__child");  // `__` is no separator here
  EXPECT_EQ(kDirect.NormalizeKey(""), "_empty");
}

TEST(NamingDirect, ShortensAsSnakeCaseDoesCountingCharacters) {
  const SnakeCaseNaming direct8(8, NamingConvention::kDirect);
  EXPECT_EQ(direct8.NormalizeIdentifier("ABCDEFGH"), "ABCDEFGH");
  EXPECT_EQ(direct8.NormalizeIdentifier("ABCDEFGHIJ"), SnakeCaseNaming::ShortenIdentifier("ABCDEFGHIJ", "ABCDEFGHIJ", 8));
  EXPECT_EQ(direct8.NormalizeIdentifier("ABCDEFGHIJ"), "A" + SnakeCaseNaming::ComputeTag("ABCDEFGHIJ") + "J");
  // eight characters of two bytes each are within the limit
  EXPECT_EQ(direct8.NormalizeIdentifier("ääääääää"), "ääääääää");
}

TEST(NamingDirect, ConventionNamesAsConfigurationWritesThem) {
  EXPECT_EQ(ParseNamingConvention("snake_case"), NamingConvention::kSnakeCase);
  EXPECT_EQ(ParseNamingConvention("direct"), NamingConvention::kDirect);
  EXPECT_EQ(ParseNamingConvention("dlt.common.normalizers.naming.direct"), NamingConvention::kDirect);
  EXPECT_EQ(ParseNamingConvention("dlt.common.normalizers.naming.snake_case"), NamingConvention::kSnakeCase);
  EXPECT_EQ(ParseNamingConvention("s3_tables"), std::nullopt);  // dlt has it; this engine not yet
  EXPECT_EQ(ParseNamingConvention("Direct"), std::nullopt);
}

}  // namespace
}  // namespace dlt
