// The incremental cursor's boundary de-duplication with a primary key, as dlt 1.26 does it: rows
// whose cursor equals the last value are remembered by the hash of their primary key value(s), so a
// row at the boundary whose other fields changed is not loaded twice. Expected hashes are
// base64(shake_128(json, 15 bytes)) of the key's JSON, computed with Python's hashlib.
#include <algorithm>
#include <set>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

using Json = nlohmann::json;

std::string Order(const std::string& no, const std::string& ts, const std::string& status,
                  const std::string& region = "eu") {
  return "{\"order_no\": \"" + no + "\", \"region\": \"" + region + "\", \"changed_at\": \"" + ts +
         "\", \"status\": \"" + status + "\"}\n";
}

std::set<std::string> Hashes(const Json& cursor) {
  std::set<std::string> out;
  for (const auto& h : cursor["unique_hashes"]) out.insert(h.get<std::string>());
  return out;
}

class IncrementalKey : public ::testing::Test {
 protected:
  void Pipeline(const std::string& extra) {
    w.Write("orders.toml", PipelineFile("shipments", "orders.jsonl",
                                        extra + "incremental = { cursor_path = \"changed_at\"" + inc_extra + " }\n"));
  }
  Json Cursor() {
    return w.State("shipments")["sources"]["shipments"]["resources"]["orders"]["incremental"]["changed_at"];
  }
  std::vector<std::string> Loaded() {
    return SqlColumn(w.Db(), "SELECT order_no || ':' || status FROM shipments_data.orders ORDER BY 1");
  }
  PipelineWorkspace w;
  std::string inc_extra;
};

TEST_F(IncrementalKey, ABoundaryRowWhoseOtherFieldsChangedIsNotLoadedAgain) {
  Pipeline("primary_key = \"order_no\"\n");
  w.Write("orders.jsonl", Order("A-0", "2024-03-01T09:00:00Z", "new") + Order("A-1", "2024-03-01T10:00:00Z", "new") +
                              Order("A-2", "2024-03-01T10:00:00Z", "new"));
  auto r1 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  // dlt hashes json.dumps(row["order_no"]): "\"A-1\"" and "\"A-2\"", not the whole rows.
  EXPECT_EQ(Hashes(Cursor()), (std::set<std::string>{"frilb5TlajWiJjW4L1yo", "/xfg1VB4BG/KE9w9g1vV"}))
      << Cursor().dump();

  // A-1 comes back at the boundary with another status: the same key, so it is skipped; A-3 has
  // the boundary value and a new key (loaded), A-4 is newer.
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "shipped") +
                              Order("A-3", "2024-03-01T10:00:00Z", "new") + Order("A-4", "2024-03-02T08:00:00Z", "new"));
  auto r2 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"A-0:new", "A-1:new", "A-2:new", "A-3:new", "A-4:new"}));
  EXPECT_EQ(Cursor().value("last_value", ""), "2024-03-02T08:00:00Z");
}

TEST_F(IncrementalKey, ACompoundKeyIsHashedAsTheListOfItsValues) {
  Pipeline("primary_key = [\"order_no\", \"region\"]\n");
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new", "eu") +
                              Order("A-2", "2024-03-01T10:00:00Z", "new", "us") +
                              Order("A-2", "2024-03-01T10:00:00Z", "again", "us"));
  auto r1 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  // json.dumps(["A-1", "eu"]) and ["A-2", "us"]; the two rows sharing a key give one hash.
  EXPECT_EQ(Cursor()["unique_hashes"].size(), 2u) << Cursor().dump();
  EXPECT_EQ(Hashes(Cursor()), (std::set<std::string>{"USM4mFJONgSbn3nhFQgo", "Prxtb/3yTpsF5qAjG1fY"}));

  // The same order in another region is another row.
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "late", "eu") +
                              Order("A-1", "2024-03-01T10:00:00Z", "new", "us"));
  auto r2 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT order_no || '/' || region || ':' || status FROM shipments_data.orders ORDER BY 1"),
            (std::vector<std::string>{"A-1/eu:new", "A-1/us:new", "A-2/us:again", "A-2/us:new"}));
  EXPECT_EQ(Cursor()["unique_hashes"].size(), 3u) << Cursor().dump();
}

TEST_F(IncrementalKey, WithoutAPrimaryKeyTheWholeRowIsHashed) {
  Pipeline("");
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new"));
  ASSERT_EQ(w.RunPipeline({"orders.toml"}).exit_code, 0);
  // A changed row at the boundary is a different row: loaded again (dlt does the same).
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new") + Order("A-1", "2024-03-01T10:00:00Z", "shipped"));
  auto r2 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"A-1:new", "A-1:shipped"}));
  EXPECT_EQ(Cursor()["unique_hashes"].size(), 2u);
}

// A state written before (whole-row hashes) still keeps its boundary rows out once a primary key
// decides: nothing is loaded twice by the upgrade.
TEST_F(IncrementalKey, WholeRowHashesOfAnEarlierStateStillKeepTheirRowsOut) {
  Pipeline("");
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new"));
  ASSERT_EQ(w.RunPipeline({"orders.toml"}).exit_code, 0);
  Pipeline("primary_key = \"order_no\"\n");
  auto r2 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"A-1:new"}));
}

TEST_F(IncrementalKey, AnEmptyIncrementalPrimaryKeyTurnsDeduplicationOff) {
  inc_extra = ", primary_key = []";
  Pipeline("primary_key = \"order_no\"\n");
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new"));
  ASSERT_EQ(w.RunPipeline({"orders.toml"}).exit_code, 0);
  EXPECT_TRUE(Cursor()["unique_hashes"].empty()) << Cursor().dump();
  auto r2 = w.RunPipeline({"orders.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"A-1:new", "A-1:new"}));
  EXPECT_TRUE(Cursor()["unique_hashes"].empty());
}

TEST_F(IncrementalKey, TheIncrementalsOwnPrimaryKeyWinsOverTheResources) {
  inc_extra = ", primary_key = \"region\"";
  Pipeline("primary_key = \"order_no\"\n");
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new", "eu"));
  ASSERT_EQ(w.RunPipeline({"orders.toml"}).exit_code, 0);
  // json.dumps("eu")
  std::string eu_hash = Cursor()["unique_hashes"][0].get<std::string>();
  w.Write("orders.jsonl", Order("A-9", "2024-03-01T10:00:00Z", "new", "eu"));
  ASSERT_EQ(w.RunPipeline({"orders.toml"}).exit_code, 0);
  EXPECT_EQ(Loaded(), (std::vector<std::string>{"A-1:new"}));
  EXPECT_EQ(Hashes(Cursor()), (std::set<std::string>{eu_hash}));
}

TEST_F(IncrementalKey, ABoundaryRowWithoutThePrimaryKeyIsAClearErrorAndNothingIsLoaded) {
  Pipeline("primary_key = \"order_no\"\n");
  w.Write("orders.jsonl", Order("A-1", "2024-03-01T10:00:00Z", "new") +
                              "{\"region\": \"eu\", \"changed_at\": \"2024-03-01T10:00:00Z\", \"status\": \"x\"}\n");
  auto r = w.RunPipeline({"orders.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("orders.jsonl:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("primary key `order_no`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resource `orders`"), std::string::npos) << r.err;
  EXPECT_TRUE(!std::filesystem::exists(w.Db()) || !TableExists(w.Db(), "shipments_data", "orders"));
}

}  // namespace
}  // namespace dlt::testing
