// The stored schema's version history after a first run is dlt 1.26's: version 2 and
// previous_hashes [extract with the state table, extract with the resources' hint tables]. The
// expected hashes were computed with Python (hashlib.sha3_256 over the sorted-key JSON, then the
// table and column names) from the tables dlt's extract step builds out of these hints: declared
// columns as given, then the primary key ({name, nullable: false, primary_key: true}), then the
// incremental cursor ({name, incremental: true}); a resource without hints gives an empty table.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

TEST(SchemaHistory, AFirstRunWithKeyCursorAndColumnHintsStoresDltsPreviousHashes) {
  PipelineWorkspace w;
  w.Write("parcels.toml",
          "[pipeline]\nname = \"depot\"\ndestination = \"warehouse\"\ndataset_name = \"depot_data\"\n\n"
          "[[resources]]\nname = \"parcels\"\npath = \"parcels.jsonl\"\nwrite_disposition = \"merge\"\n"
          "primary_key = \"parcel_id\"\n"
          "incremental = { cursor_path = \"scanned_at\", initial_value = \"2024-01-01T00:00:00Z\" }\n"
          "columns = { weight = { data_type = \"double\" }, hub = { nullable = false } }\n\n"
          "[[resources]]\nname = \"hubs\"\npath = \"hubs.jsonl\"\n");
  w.Write("parcels.jsonl", "{\"parcel_id\": 7, \"scanned_at\": \"2024-05-01T08:00:00Z\", \"weight\": 2, "
                           "\"hub\": \"north\", \"legs\": [{\"from\": \"a\"}]}\n");
  w.Write("hubs.jsonl", "{\"code\": \"n1\", \"city\": \"Oslo\"}\n");
  auto r = w.RunPipeline({"parcels.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto schema = nlohmann::json::parse(ReadFile(w.PipelineDir("depot") / "schemas" / "depot.schema.json"));
  EXPECT_EQ(schema["version"], 2);
  EXPECT_EQ(schema["previous_hashes"],
            nlohmann::json::parse(R"(["NzauRbg6uGagEwSoMf/37G7LoIQv8NCAuhEQkY0FzmM=",
                                      "xukxlgQi9hwg9qMdOaxYx4tZKv6ksrZN8Vfd2gYtQl0="])"));
  // The destination's _dlt_version row holds the same document.
  auto stored = nlohmann::json::parse(SqlValue(w.Db(), "SELECT schema FROM depot_data._dlt_version"));
  EXPECT_EQ(stored["previous_hashes"], schema["previous_hashes"]);
  EXPECT_EQ(stored["version_hash"], schema["version_hash"]);

  // A second run that changes nothing keeps the history.
  w.Write("parcels.jsonl", "{\"parcel_id\": 8, \"scanned_at\": \"2024-05-02T08:00:00Z\", \"weight\": 3, "
                           "\"hub\": \"south\", \"legs\": []}\n");
  ASSERT_EQ(w.RunPipeline({"parcels.toml"}).exit_code, 0);
  auto again = nlohmann::json::parse(ReadFile(w.PipelineDir("depot") / "schemas" / "depot.schema.json"));
  EXPECT_EQ(again["version"], 2);
  EXPECT_EQ(again["previous_hashes"], schema["previous_hashes"]);
}

}  // namespace
}  // namespace dlt::testing
