// Shared by the pipeline_cli_*_test.cc files (`dlt run` and `dlt pipeline` as a user runs them):
// the dataset of their `shop` pipeline, a table in it, and a membership test.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "pipeline_fixture.h"

namespace dlt::testing::pipeline_cli_test {

const char* const kDb = "shop_data";

inline std::string Q(const std::string& table) { return std::string(kDb) + "." + table; }

inline bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace dlt::testing::pipeline_cli_test
