// The outputs of Python dlt 1.26 the golden tests compare with: tests/fixtures/dlt-1.26, a copy
// kept in the repository (see its README), so a plain clone has them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace dlt::testing {

using OJson = nlohmann::ordered_json;
using UJson = nlohmann::json;  // std::map objects: equality ignores key order

// A path under tests/fixtures/dlt-1.26 ("" for the folder itself).
inline std::filesystem::path Fixture(const std::string& rel = "") {
  return (std::filesystem::path(DLT_SOURCE_DIR "/tests/fixtures/dlt-1.26/") / rel).lexically_normal();
}

// The text of a fixture file; a missing file is a test failure naming it (and gives "").
inline std::string ReadFixture(const std::string& rel) {
  std::filesystem::path path = Fixture(rel);
  if (!std::filesystem::is_regular_file(path)) ADD_FAILURE() << "missing fixture " << path;
  return ReadFile(path);
}

inline OJson ReadJson(const std::filesystem::path& p) { return OJson::parse(ReadFile(p)); }
inline UJson Unordered(const OJson& j) { return UJson::parse(j.dump()); }

// The keys of a JSON object in their stored order.
inline std::vector<std::string> Keys(const OJson& o) {
  std::vector<std::string> out;
  for (auto it = o.begin(); it != o.end(); ++it) out.push_back(it.key());
  return out;
}

}  // namespace dlt::testing
