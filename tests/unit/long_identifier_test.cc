// Names longer than a destination takes are shortened as dlt 1.26 shortens them: the limit comes
// from the destination type (PostgreSQL 63, DuckDB 65536), and a nested column or table name is
// shortened from the whole path of normalized keys, not from its parent's shortened name.
// The expected names were computed with dlt 1.26's own naming functions (snake_case
// normalize_path and shorten_fragments with max_length 63); the algorithm itself is checked
// against dlt's PostgreSQL output in naming_test.cc and golden_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dlt/destination.h"
#include "normalize/job_writer.h"
#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

// A 63-character prefix shared by two columns.
const std::string kPrefix = "sensor_reading_recorded_by_the_primary_instrument_in_north_wing";
const std::string kList = "ThisIsAVeryLongListNameThatWillMakeTheNestedTableNameExceedTheLimit";
const std::string kInnerList = "InnerListWithAnotherRatherLongNameForTesting";
const std::string kObject = "ParentObjectWithAQuiteLongNameNumberOne";
const std::string kChild = "ChildFieldWithAnotherLongName";

// One record with two long columns sharing 63 characters, a list of objects holding a list, and
// an object of an object holding a leaf and a list.
std::string Record() {
  return "{\"id\": 1, \"" + kPrefix + "_celsius\": \"c\", \"" + kPrefix + "_fahrenheit\": \"f\", \"" + kList +
         "\": [{\"value_a\": 1, \"" + kInnerList + "\": [[10, 20]]}], \"" + kObject + "\": {\"" + kChild +
         "\": {\"Leaf\": 5, \"tags\": [\"x\"]}}}";
}

struct Normalized {
  Schema schema{"events_schema"};
  std::vector<std::string> tables;  // data tables, in the order the schema has them
};

Normalized NormalizeWith(size_t max_length) {
  testing::TempDir dir;
  Normalized out;
  SnakeCaseNaming naming(max_length);
  JobWriterSet writers(dir.path());
  Normalizer n(&out.schema, &naming, "1700000000.1", &writers);
  TableHints h;
  h.table_name = "events";
  h.resource = "events";
  EXPECT_TRUE(n.Prepare(h).ok());
  Status s = n.NormalizeRecord(Record(), h, "record");
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(writers.Close().ok());
  for (const Table& t : out.schema.tables()) {
    if (!out.schema.IsSystemTable(t.name)) out.tables.push_back(t.name);
  }
  return out;
}

TEST(DestinationIdentifierLimits, AreDltsCapabilities) {
  EXPECT_EQ(MaxIdentifierLength("postgres"), 63u);
  EXPECT_EQ(MaxIdentifierLength("duckdb"), 65536u);
  EXPECT_EQ(MaxIdentifierLength("motherduck"), 65536u);
}

TEST(LongIdentifiers, TwoColumnsSharing63CharactersGetDistinctTaggedNames) {
  Normalized r = NormalizeWith(63);
  const Table* t = r.schema.FindTable("events");
  ASSERT_NE(t, nullptr);
  const std::string a = "sensor_reading_recorded_by_thd6morarument_in_north_wing_celsius";
  const std::string b = "sensor_reading_recorded_by_thhgxenqent_in_north_wing_fahrenheit";
  EXPECT_NE(t->FindColumn(a), nullptr) << a;
  EXPECT_NE(t->FindColumn(b), nullptr) << b;
  EXPECT_EQ(a.size(), 63u);
  EXPECT_EQ(b.size(), 63u);
}

TEST(LongIdentifiers, NestedTableNamesAreShortenedFromTheWholePath) {
  Normalized r = NormalizeWith(63);
  // events -> long list -> list inside its items -> list of that list; and a list in an object.
  const std::string t1 = "events__this_is_a_very_long_lyzydrw_table_name_exceed_the_limit";
  const std::string t2 = "events__this_is_a_very_long_ledplzgrather_long_name_for_testing";
  const std::string t3 = "events__this_is_a_very_long_lizpk2w_long_name_for_testing__list";
  const std::string t4 = "events__parent_object_with_a_i0vuvwwith_another_long_name__tags";
  EXPECT_EQ(r.tables, (std::vector<std::string>{"events", t1, t2, t3, t4}));
  ASSERT_NE(r.schema.FindTable(t2), nullptr);
  EXPECT_EQ(r.schema.FindTable(t1)->parent, std::optional<std::string>("events"));
  EXPECT_EQ(r.schema.FindTable(t2)->parent, std::optional<std::string>(t1));
  EXPECT_EQ(r.schema.FindTable(t3)->parent, std::optional<std::string>(t2));
  EXPECT_EQ(r.schema.FindTable(t4)->parent, std::optional<std::string>("events"));
  // Shortening t1's name and then appending the inner list would give
  // "events__this_is_a_very_long_lr1bbcwrather_long_name_for_testing" instead.
  EXPECT_EQ(r.schema.FindTable("events__this_is_a_very_long_lr1bbcwrather_long_name_for_testing"), nullptr);
}

TEST(LongIdentifiers, FieldOfANestedObjectIsShortenedFromTheWholePath) {
  Normalized r = NormalizeWith(63);
  const Table* t = r.schema.FindTable("events");
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t->FindColumn("parent_object_with_a_quite_lompnvkqwith_another_long_name__leaf"), nullptr);
  // Not from the shortened name of the object above it.
  EXPECT_EQ(t->FindColumn("parent_object_with_a_quite_lozyl0oqwith_another_long_name__leaf"), nullptr);
}

TEST(LongIdentifiers, WithoutALimitNamesAreKeptWhole) {
  Normalized r = NormalizeWith(65536);
  const Table* t = r.schema.FindTable("events");
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t->FindColumn(kPrefix + "_celsius"), nullptr);
  EXPECT_NE(t->FindColumn(kPrefix + "_fahrenheit"), nullptr);
  EXPECT_NE(t->FindColumn("parent_object_with_a_quite_long_name_number_one__child_field_with_another_long_name__leaf"),
            nullptr);
  const std::string t1 = "events__this_is_a_very_long_list_name_that_will_make_the_nested_table_name_exceed_the_limit";
  EXPECT_EQ(r.tables, (std::vector<std::string>{"events", t1, t1 + "__inner_list_with_another_rather_long_name_for_testing",
                                                t1 + "__inner_list_with_another_rather_long_name_for_testing__list",
                                                "events__parent_object_with_a_quite_long_name_number_one__child_field_"
                                                "with_another_long_name__tags"}));
}

}  // namespace
}  // namespace dlt
