// dlt's sql_cs_v1, sql_ci_v1 and duck_case naming conventions (dlt/common/normalizers/naming/),
// and the collision check of case-sensitive names on a case-insensitive destination
// (dlt/common/destination/utils.py verify_schema_capabilities). The expected names are Python
// dlt 1.26's for the same inputs.
#include <gtest/gtest.h>

#include "load/identifier_collision.h"
#include "normalize/naming.h"
#include "normalize/schema.h"

namespace dlt {
namespace {

const SnakeCaseNaming kSqlCs(0, NamingConvention::kSqlCsV1);
const SnakeCaseNaming kSqlCi(0, NamingConvention::kSqlCiV1);
const SnakeCaseNaming kDuck(0, NamingConvention::kDuckCase);

TEST(NamingConventions, ParsedByNameOrModulePathAndNamedAsDltStoresThem) {
  EXPECT_EQ(ParseNamingConvention("sql_cs_v1"), NamingConvention::kSqlCsV1);
  EXPECT_EQ(ParseNamingConvention("dlt.common.normalizers.naming.sql_ci_v1"), NamingConvention::kSqlCiV1);
  EXPECT_EQ(ParseNamingConvention("duck_case"), NamingConvention::kDuckCase);
  EXPECT_EQ(ParseNamingConvention("my_module.naming"), std::nullopt);
  EXPECT_EQ(kSqlCs.name(), "sql_cs_v1");
  EXPECT_EQ(kSqlCi.name(), "sql_ci_v1");
  EXPECT_EQ(kDuck.name(), "duck_case");
  EXPECT_EQ(NamingConventionNames(), "`snake_case`, `direct`, `sql_cs_v1`, `sql_ci_v1`, `duck_case`");
  EXPECT_TRUE(kSqlCs.case_sensitive());
  EXPECT_FALSE(kSqlCi.case_sensitive());
  EXPECT_TRUE(kDuck.case_sensitive());
  EXPECT_TRUE(SnakeCaseNaming(0, NamingConvention::kDirect).case_sensitive());
  EXPECT_FALSE(SnakeCaseNaming().case_sensitive());
  for (const auto* n : {&kSqlCs, &kSqlCi, &kDuck}) EXPECT_EQ(n->path_separator(), "__");
}

TEST(NamingConventions, SqlCsKeepsCaseAndReducesToSqlSafeCharacters) {
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("CamelCase Key"), "CamelCase_Key");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("  My \"Key\"\n "), "My_Key");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("it's\r"), "it_s");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("a-b+c"), "a_b_c");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("1st Place"), "_1st_Place");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("\xD9\xA3rd"), "_\xD9\xA3rd");  // ٣rd: a decimal digit leads
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("Ünïcode ٣"), "_n_code_٣");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("trailing___"), "trailing");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("_"), "_");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("-"), "_");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("a--b"), "a_b");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("userId"), "userId");
  EXPECT_EQ(kSqlCs.NormalizeIdentifier("x\xE2\x96\xB6y"), "x_y");
  EXPECT_EQ(kSqlCs.NormalizeKey("Parent__Child Key"), "Parent__Child_Key");
}

TEST(NamingConventions, SqlCiIsSqlCsInLowerCase) {
  EXPECT_EQ(kSqlCi.NormalizeIdentifier("CamelCase Key"), "camelcase_key");
  EXPECT_EQ(kSqlCi.NormalizeIdentifier("1st Place"), "_1st_place");
  EXPECT_EQ(kSqlCi.NormalizeIdentifier("userId"), "userid");  // no snake-case break
  EXPECT_EQ(kSqlCi.NormalizeIdentifier("ID"), "id");
  EXPECT_EQ(kSqlCi.NormalizeIdentifier("Ärger über"), "_rger_ber");
}

TEST(NamingConventions, DuckCaseKeepsEverythingButNewlinesAndDoubleQuotes) {
  EXPECT_EQ(kDuck.NormalizeIdentifier("CamelCase Key"), "CamelCase Key");
  EXPECT_EQ(kDuck.NormalizeIdentifier("  My \"Key\"\n "), "My _Key_");
  EXPECT_EQ(kDuck.NormalizeIdentifier("it's\r"), "it's");  // stripped first; ' is kept
  EXPECT_EQ(kDuck.NormalizeIdentifier("a-b+c"), "a-b+c");
  EXPECT_EQ(kDuck.NormalizeIdentifier("trailing___"), "trailing_");
  EXPECT_EQ(kDuck.NormalizeIdentifier("Ärger über"), "Ärger über");
  EXPECT_EQ(kDuck.NormalizeIdentifier("x\xE2\x96\xB6y"), "x\xE2\x96\xB6y");
  EXPECT_EQ(kDuck.NormalizeKey("a__b"), "a__b");  // a path of a and b
}

TEST(NamingConventions, ShortenedWithTheTagOfTheStrippedName) {
  const std::string name = "A Very Long Column Name With Many Words";
  EXPECT_EQ(SnakeCaseNaming(20, NamingConvention::kSqlCsV1).NormalizeIdentifier(name), "A_Very_drvagqy_Words");
  EXPECT_EQ(SnakeCaseNaming(20, NamingConvention::kSqlCiV1).NormalizeIdentifier(name), "a_very_drvagqy_words");
  EXPECT_EQ(SnakeCaseNaming(20, NamingConvention::kDuckCase).NormalizeIdentifier(name), "A Very drvagqy Words");
}

Schema SchemaOf(const std::vector<std::pair<std::string, std::vector<std::string>>>& tables) {
  Schema s("src");
  s.set_naming("sql_cs_v1");
  for (const auto& [name, columns] : tables) {
    Table t;
    t.name = name;
    for (const auto& c : columns) {
      Column col;
      col.name = c;
      t.columns.push_back(col);
    }
    s.AddTable(std::move(t));
  }
  return s;
}

TEST(IdentifierCollision, NamesApartOnlyByCaseCollideAsDltReportsThem) {
  EXPECT_EQ(FindIdentifierCollision(SchemaOf({{"Events", {"id", "Name"}}, {"users", {"id"}}})), std::nullopt);
  auto column = FindIdentifierCollision(SchemaOf({{"Events", {"id", "Name", "name"}}}));
  ASSERT_TRUE(column);
  EXPECT_EQ(*column,
            "In schema `src`: A `column` name `name` in table `Events` collides with `Name` after normalization with "
            "`sql_cs_v1` naming convention. Destination is case insensitive. Please clean up your data before loading "
            "so the entities have different name. You can also change to case insensitive naming convention. Note that "
            "in that case data from both columns will be merged into one.");
  auto table = FindIdentifierCollision(SchemaOf({{"Events", {"id"}}, {"EVENTS", {"id"}}}));
  ASSERT_TRUE(table);
  EXPECT_NE(table->find("A `table` name `EVENTS` collides with `Events` after normalization"), std::string::npos);
  // dlt's order: a table's own columns are checked before the next table's name.
  auto first = FindIdentifierCollision(SchemaOf({{"a", {"X", "x"}}, {"A", {"id"}}}));
  ASSERT_TRUE(first);
  EXPECT_NE(first->find("A `column` name `x` in table `a`"), std::string::npos);
}

}  // namespace
}  // namespace dlt
