#include <gtest/gtest.h>
#include "test_util.h"
TEST(Cli, VersionPrintsName) {
  dlt::testing::TempDir d;
  auto r = dlt::testing::Run({DLT_BINARY, "--version"}, d.path(), {{"HOME", d.path().string()}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("dlt ", 0), 0u);
}
