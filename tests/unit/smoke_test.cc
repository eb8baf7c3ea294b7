#include <gtest/gtest.h>
#include "dlt/status.h"
TEST(Status, OkByDefault) { EXPECT_TRUE(dlt::Status().ok()); }
