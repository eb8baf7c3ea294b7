// Golden hash tests: the hash algorithms of this engine (schema version hash, pipeline state
// hash, incremental row hash, nested row keys) against the values Python dlt 1.26 computed for
// the fixtures (tests/fixtures/dlt-1.26). Fast and run no pipeline: the golden pipeline runs are
// integration tests (tests/integration/golden_pipeline_test.cc).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "extract/extractor.h"
#include "load/pipeline_state.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "support/golden_fixtures.h"
#include "test_util.h"

namespace dlt {
namespace {

using testing::Fixture;
using testing::Keys;
using testing::OJson;
using testing::ReadJson;
using testing::Unordered;

const char* const kSchemaFixtures[] = {
    "nested_append/stored_schema.json",
    "merge_primary_key/after_load1/stored_schema.json",
    "merge_primary_key/after_load2/stored_schema.json",
    "incremental/after_run1/stored_schema.json",
    "incremental/after_run2/stored_schema.json",
    "types/stored_schema.json",
    "naming/stored_schema.json",
};

TEST(GoldenSchemaHash, VersionHashOfEveryStoredSchemaIsDlts) {
  for (const char* rel : kSchemaFixtures) {
    SCOPED_TRACE(rel);
    std::string text = testing::ReadFile(Fixture(rel));
    auto s = Schema::FromJson(text, rel);
    ASSERT_TRUE(s.ok()) << s.status().message();
    OJson golden = OJson::parse(text);
    EXPECT_EQ(s->ComputeVersionHash(), golden["version_hash"].get<std::string>());
    EXPECT_EQ(s->version_hash(), golden["version_hash"].get<std::string>());
    // FromJson/ToJson keep the content (what the hash is computed over) unchanged.
    EXPECT_EQ(Unordered(OJson::parse(s->ToJson())), Unordered(golden));
    // Unchanged content: no version bump.
    Schema copy = *s;
    EXPECT_FALSE(copy.BumpVersion());
    EXPECT_EQ(copy.version(), golden["version"].get<int>());
  }
}

TEST(GoldenSchemaHash, ColumnOrderChangesTheHashButKeyOrderDoesNot) {
  std::string text = testing::ReadFile(Fixture("nested_append/stored_schema.json"));
  OJson j = OJson::parse(text);
  // Reversed key order of every table object: same hash.
  OJson reordered = j;
  for (auto& [name, table] : reordered["tables"].items()) {
    OJson r = OJson::object();
    std::vector<std::string> keys = Keys(table);
    for (auto k = keys.rbegin(); k != keys.rend(); ++k) r[*k] = table[*k];
    table = r;
  }
  auto a = Schema::FromJson(reordered.dump(), "reordered");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ComputeVersionHash(), j["version_hash"].get<std::string>());
  // Two columns swapped: another hash.
  OJson swapped = j;
  OJson cols = OJson::object();
  OJson& orig = swapped["tables"]["github_events"]["columns"];
  cols["type"] = orig["type"];
  for (auto it = orig.begin(); it != orig.end(); ++it) {
    if (it.key() != "type") cols[it.key()] = it.value();
  }
  orig = cols;
  auto b = Schema::FromJson(swapped.dump(), "swapped");
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->ComputeVersionHash(), j["version_hash"].get<std::string>());
}

TEST(GoldenStateHash, VersionHashOfEveryDecodedStateIsDlts) {
  const char* const files[] = {
      "nested_append/state_decoded.json",          "merge_primary_key/after_load1/state_decoded.json",
      "merge_primary_key/after_load2/state_decoded.json", "incremental/after_run1/state_decoded.json",
      "incremental/after_run2/state_decoded.json", "types/state_decoded.json",
      "naming/state_decoded.json",                 "incremental/after_run1/local_state.json",
      "incremental/after_run2/local_state.json",
  };
  for (const char* rel : files) {
    SCOPED_TRACE(rel);
    OJson doc = ReadJson(Fixture(rel));
    PipelineState st(doc);
    EXPECT_EQ(st.ComputeHash(), doc["_version_hash"].get<std::string>());
    EXPECT_FALSE(st.BumpIfChanged());
    EXPECT_EQ(st.version(), doc["_state_version"].get<int>());
  }
  // The exact bytes dlt stored decode to the same object.
  for (const char* dir : {"nested_append", "incremental/after_run2", "merge_primary_key/after_load1"}) {
    SCOPED_TRACE(dir);
    std::string raw = testing::ReadFile(Fixture(std::string(dir) + "/state_raw_base64.txt"));
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();
    auto st = PipelineState::Decode(raw);
    ASSERT_TRUE(st.ok()) << st.status().message();
    EXPECT_EQ(Unordered(st->doc()), Unordered(ReadJson(Fixture(std::string(dir) + "/state_decoded_exact.json"))));
    EXPECT_EQ(Unordered(st->doc()), Unordered(ReadJson(Fixture(std::string(dir) + "/state_decoded.json"))));
  }
}

TEST(GoldenIncrementalHash, UniqueHashOfBoundaryRowsIsDlts) {
  OJson summary = ReadJson(Fixture("incremental/summary.json"));
  int checked = 0;
  for (const auto& run : summary["runs"]) {
    for (const auto& r : run["unique_hash_recomputation"]) {
      auto h = IncrementalRowHash(r["row"].dump());
      ASSERT_TRUE(h.ok()) << h.status().message();
      EXPECT_EQ(*h, r["digest128_15_bytes"].get<std::string>()) << r["hash_input_json"];
      // Key order of the input does not matter (keys are sorted before hashing).
      OJson reversed = OJson::object();
      std::vector<std::string> keys = Keys(r["row"]);
      for (auto k = keys.rbegin(); k != keys.rend(); ++k) reversed[*k] = r["row"][*k];
      EXPECT_EQ(*IncrementalRowHash(reversed.dump()), r["digest128_15_bytes"].get<std::string>());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}

// dlt hashes JSON as orjson writes it, floats included (1e300, 0.00001, 1.5e16, 1e-7): values
// computed with Python (hashlib + orjson) from the same input.
TEST(GoldenIncrementalHash, FloatsAreSerializedAsOrjsonDoes) {
  auto h = IncrementalRowHash(R"({"id": 1, "a": 1e300, "b": 1e-05, "c": 1.5e16, "d": 0.1, "e": 1e-07, "f": 2.0,)"
                              R"( "g": 123456789.125, "h": -0.0, "i": 1e15, "j": 0.00012})");
  ASSERT_TRUE(h.ok()) << h.status().message();
  // orjson: {"a":1e300,"b":0.00001,"c":1.5e16,"d":0.1,"e":1e-7,"f":2.0,"g":123456789.125,"h":-0.0,
  //          "i":1000000000000000.0,"id":1,"j":0.00012}
  EXPECT_EQ(*h, "1PVRYbmPv/J3I0U3uf23");
}

TEST(GoldenStateHash, FloatsAreSerializedAsOrjsonDoes) {
  OJson state = OJson::parse(R"({"_state_version": 3, "_state_engine_version": 4, "pipeline_name": "p",)"
                             R"( "sources": {"p": {"resources": {"r": {"incremental": {"x": {"initial_value": 1e-05,)"
                             R"( "last_value": 1.5e16, "unique_hashes": [], "start_value": 0.5}}}}}}})");
  EXPECT_EQ(PipelineState(state).ComputeHash(), "yiO04iyEjF3Snwh31vUCvKUDxtmQTiPuhT+Tzt2gEfw=");
}

TEST(GoldenSchemaHash, FloatsInHintsAreSerializedAsOrjsonDoes) {
  OJson j = ReadJson(Fixture("nested_append/stored_schema.json"));
  j["tables"]["github_events"]["x-weight"] = 1e16;
  j["tables"]["github_events"]["columns"]["score"]["x-threshold"] = 1e-05;
  auto s = Schema::FromJson(j.dump(), "floats");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->ComputeVersionHash(), "QTAVOXAYmyuPSDd/qAqapW41mkdKL89/RWPl36OnTTg=");
}

TEST(GoldenNestedIds, DerivationExamplesAreDlts) {
  OJson d = ReadJson(Fixture("nested_append/dlt_id_derivation.json"));
  for (const auto& e : d["examples"]) {
    EXPECT_EQ(NestedRowKey(e["parent_id"].get<std::string>(), e["table"].get<std::string>(), e["list_idx"].get<uint64_t>()),
              e["_dlt_id"].get<std::string>());
  }
}

}  // namespace
}  // namespace dlt
