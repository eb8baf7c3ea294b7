// dlt's filesystem layout placeholders, as dlt 1.26's path_utils expands them.
#include "destinations/filesystem/filesystem_layout.h"

#include <gtest/gtest.h>

namespace dlt {
namespace {

LayoutValues Values(std::string load_id = "1709280000.5217235") {
  return {"shop", "orders__items", std::move(load_id), "a1b2c3d4e5", "parquet"};
}

TEST(FilesystemLayout, DefaultLayoutPutsEachTableInItsOwnFolder) {
  EXPECT_EQ(ExpandLayout("{table_name}/{load_id}.{file_id}.{ext}", Values()),
            "orders__items/1709280000.5217235.a1b2c3d4e5.parquet");
  EXPECT_EQ(TablePrefix("{table_name}/{load_id}.{file_id}.{ext}", "shop", "orders"), "orders/");
  EXPECT_EQ(TablePrefix("{schema_name}/{table_name}.{load_id}.{ext}", "shop", "orders"), "shop/orders.");
}

TEST(FilesystemLayout, DatePartsAreTheLoadPackagesTimeInUtcAsPendulumFormatsThemLowerCased) {
  // 1709280000 is Friday 2024-03-01 08:00:00 UTC.
  EXPECT_EQ(ExpandLayout("{table_name}/{YYYY}/{MM}/{DD}/{HH}/{mm}/{ss}/{file_id}.{ext}", Values()),
            "orders__items/2024/03/01/08/00/00/a1b2c3d4e5.parquet");
  EXPECT_EQ(ExpandLayout("{table_name}/{Y}-{M}-{D}-{H}-{Q}-{d}-{ddd}-{dddd}-{MMM}-{MMMM}-{YY}.{ext}", Values()),
            "orders__items/2024-3-1-8-1-5-fri-friday-mar-march-24.parquet");
  EXPECT_EQ(ExpandLayout("{table_name}/{curr_date}/{timestamp}/{timestamp_ms}/{SSS}.{ext}", Values()),
            "orders__items/2024-03-01/1709280000/1709280000521/521.parquet");
  EXPECT_EQ(ExpandLayout("{table_name}/{load_package_timestamp}.{ext}", Values("1709280000")),
            "orders__items/1709280000.parquet");
}

TEST(FilesystemLayout, WithoutExtPlaceholderTheExtensionIsAppended) {
  EXPECT_EQ(ExpandLayout("{table_name}/{load_id}", Values()), "orders__items/1709280000.5217235.parquet");
}

TEST(FilesystemLayout, BadLayoutsAreRefusedWithWhatToFix) {
  EXPECT_TRUE(CheckLayout("{table_name}/{load_id}.{file_id}.{ext}").ok());
  EXPECT_TRUE(CheckLayout("{schema_name}/{table_name}/{YYYY}/{load_id}.{ext}").ok());
  Status s = CheckLayout("{table_name}/{month}.{ext}");
  EXPECT_NE(s.message().find("unknown placeholder(s) {month}"), std::string::npos) << s.message();
  s = CheckLayout("{load_id}.{ext}");
  EXPECT_NE(s.message().find("has no {table_name}"), std::string::npos) << s.message();
  s = CheckLayout("{YYYY}/{table_name}/{load_id}.{ext}");
  EXPECT_NE(s.message().find("{YYYY} before {table_name}"), std::string::npos) << s.message();
  s = CheckLayout("{table_name}{load_id}.{ext}");
  EXPECT_NE(s.message().find("needs a separator"), std::string::npos) << s.message();
}

// dlt's current_datetime: the date parts, {timestamp} and {curr_date} come from it, the
// {load_package_timestamp} still from the package; extra_placeholders are static values.
TEST(FilesystemLayout, CurrentDatetimeAndExtraPlaceholders) {
  LayoutSettings settings;
  settings.current_datetime_us = int64_t{1713052800} * 1000000 + 250000;  // Sunday 2024-04-14 00:00:00.25 UTC
  settings.extra_placeholders = {{"env", "prod"}};
  const std::string layout = "{table_name}/{env}/{YYYY}-{MM}-{DD}/{ddd}/{timestamp_ms}/{curr_date}/{load_package_timestamp}.{ext}";
  EXPECT_TRUE(CheckLayout(layout, settings.extra_placeholders).ok());
  EXPECT_FALSE(CheckLayout(layout).ok());  // {env} is not dlt's own
  EXPECT_EQ(ExpandLayout(layout, Values(), settings),
            "orders__items/prod/2024-04-14/sun/1713052800250/2024-04-14/1709280000.parquet");
  // Before 1970 the date parts count back correctly.
  settings.current_datetime_us = -int64_t{1} * 1000000;  // 1969-12-31 23:59:59 UTC
  EXPECT_EQ(ExpandLayout("{table_name}/{YYYY}{MM}{DD}{HH}{mm}{ss}.{ext}", Values(), settings),
            "orders__items/19691231235959.parquet");
}

}  // namespace
}  // namespace dlt
