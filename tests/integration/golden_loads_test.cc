// Golden pipeline runs (golden_tables_support.h) of nested append, merge on a primary key and
// incremental loads against the outputs of dlt 1.26, and the schema version history after a first run.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/pipeline.h"
#include "golden_schema_state_support.h"
#include "golden_tables_support.h"
#include "support/golden_fixtures.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::OJson;
using testing::Fixture;
using testing::ReadJson;
using testing::Unordered;
using golden_test::GoldenEnv;
using golden_test::Db;
using golden_test::TableRef;
using golden_test::GoldenLoadIds;
using golden_test::CompareTables;
using golden_test::CompareColumnsCsv;
using golden_test::ExpectSameSchemaContent;
using golden_test::ExpectDltsStoredSchema;
using golden_test::Rehashed;
using golden_test::CompareVersionAndLoads;
using golden_test::SortUniqueHashes;
using golden_test::CompareState;
using golden_test::ExpectRowCounts;
using golden_test::CountRows;
using golden_test::CountsFromJson;

// =============================================================================================
// a. nested_append

TEST(GoldenNestedAppend, TablesSchemaStateAndSystemTablesMatchDlt) {
  const fs::path dir = Fixture("nested_append");
  GoldenEnv env;
  ResourceOptions r;
  r.name = "github_events";
  r.write_disposition = "append";
  auto info = env.Run("gh_events", "gh_events_data", {Resource::FromFiles(r, {"input.jsonl"}, dir, "jsonl")});
  ASSERT_TRUE(info.ok()) << info.status().message();
  ExpectRowCounts(*info, ReadJson(dir / "row_counts.json"));

  Db db(env.db_path());
  const std::string ds = "gh_events_data";
  OJson golden_schema = ExpectDltsStoredSchema(db, ds, dir);
  auto golden_loads = GoldenLoadIds(dir);
  auto our_loads = db.LoadIds(ds);
  CompareTables(db, ds, dir,
                {{"github_events", "github_events.csv", "id", ""},
                 {"github_events__payload__commits", "github_events__payload__commits.csv", "", "github_events"},
                 {"github_events__payload__commits__files", "github_events__payload__commits__files.csv", "",
                  "github_events__payload__commits"},
                 {"github_events__payload__labels", "github_events__payload__labels.csv", "", "github_events"}},
                golden_loads, our_loads);
  CompareVersionAndLoads(db, ds, dir, golden_schema);
  CompareState(db, ds, dir, golden_loads, our_loads);
  EXPECT_EQ(CountRows(db, ds), CountsFromJson(ReadJson(dir / "row_counts.json")));
}

// =============================================================================================
// b. merge_primary_key

std::vector<TableRef> MergeTables() {
  return {{"issues", "issues.csv", "id", ""},
          {"issues__assignees", "issues__assignees.csv", "", "issues"},
          {"issues__comments", "issues__comments.csv", "", "issues"},
          {"issues__comments__reactions", "issues__comments__reactions.csv", "", "issues__comments"},
          {"issues__labels", "issues__labels.csv", "", "issues"}};
}

TEST(GoldenMergePrimaryKey, DeleteInsertMergeMatchesDltAfterEachLoad) {
  const fs::path base = Fixture("merge_primary_key");
  GoldenEnv env;
  ResourceOptions r;
  r.name = "issues";
  r.write_disposition = "merge";
  r.primary_key = {"id"};
  const std::string ds = "gh_issues_data";
  const OJson counts = ReadJson(base / "row_counts.json");
  const char* const loads[] = {"input_load1.jsonl", "input_load2.jsonl"};
  for (int n = 1; n <= 2; ++n) {
    SCOPED_TRACE("after load " + std::to_string(n));
    const fs::path dir = base / ("after_load" + std::to_string(n));
    auto info = env.Run("gh_issues", ds, {Resource::FromFiles(r, {loads[n - 1]}, base, "jsonl")});
    ASSERT_TRUE(info.ok()) << info.status().message();
    Db db(env.db_path());
    OJson golden_schema = ExpectDltsStoredSchema(db, ds, dir);
    auto golden_loads = GoldenLoadIds(dir);
    auto our_loads = db.LoadIds(ds);
    CompareTables(db, ds, dir, MergeTables(), golden_loads, our_loads);
    CompareVersionAndLoads(db, ds, dir, golden_schema);
    CompareState(db, ds, dir, golden_loads, our_loads);
    EXPECT_EQ(CountRows(db, ds), CountsFromJson(counts["after_load" + std::to_string(n)]));
    // The staging dataset keeps the rows of the last load.
    std::vector<TableRef> staging = MergeTables();
    for (auto& t : staging) t.csv = "staging/" + t.csv;
    CompareTables(db, ds + "_staging", dir, staging, golden_loads, our_loads);
    // Like dlt, the staging dataset also holds a `_dlt_version` table.
    CompareColumnsCsv(db, ds + "_staging", dir / "staging" / "columns.csv");
  }
}

TEST(GoldenMergePrimaryKey, StagingDatasetHasAVersionTable) {
  const fs::path base = Fixture("merge_primary_key");
  GoldenEnv env;
  ResourceOptions r;
  r.name = "issues";
  r.write_disposition = "merge";
  r.primary_key = {"id"};
  auto info = env.Run("gh_issues", "gh_issues_data", {Resource::FromFiles(r, {"input_load1.jsonl"}, base, "jsonl")});
  ASSERT_TRUE(info.ok()) << info.status().message();
  Db db(env.db_path());
  CompareColumnsCsv(db, "gh_issues_data_staging", base / "after_load1" / "staging" / "columns.csv");
}

// =============================================================================================
// c. incremental

TEST(GoldenIncremental, CursorStateAndLoadedRowsMatchDltAfterEachRun) {
  const fs::path base = Fixture("incremental");
  const OJson summary = ReadJson(base / "summary.json");
  GoldenEnv env;
  ResourceOptions r;
  r.name = "issues";
  r.write_disposition = "append";
  r.incremental.emplace();
  r.incremental->cursor_path = "updated_at";
  r.incremental->initial_value_json = "\"2024-01-01T00:00:00Z\"";
  const std::string ds = "gh_incremental_data";
  for (int n = 1; n <= 2; ++n) {
    SCOPED_TRACE("after run " + std::to_string(n));
    const fs::path dir = base / ("after_run" + std::to_string(n));
    const OJson& run = summary["runs"][n - 1];
    auto info = env.Run("gh_incremental", ds,
                        {Resource::FromFiles(r, {"input_run" + std::to_string(n) + ".jsonl"}, base, "jsonl")});
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->rows_per_table["issues"], run["rows_loaded_by_this_run"].get<uint64_t>());

    // The incremental state, in the local state and in the state stored in the destination.
    OJson local = ReadJson(env.pipeline_dir() / "state.json");
    OJson golden_local = ReadJson(dir / "local_state.json");
    OJson inc = local["sources"]["gh_incremental"]["resources"]["issues"]["incremental"]["updated_at"];
    OJson want = run["incremental_state"];
    SortUniqueHashes(inc);
    SortUniqueHashes(want);
    EXPECT_EQ(Unordered(inc), Unordered(want));
    OJson ls = local["sources"], gls = golden_local["sources"];
    SortUniqueHashes(ls);
    SortUniqueHashes(gls);
    EXPECT_EQ(Unordered(ls), Unordered(gls));
    EXPECT_EQ(local["_state_version"], golden_local["_state_version"]);

    Db db(env.db_path());
    OJson golden_schema = ReadJson(dir / "stored_schema.json");
    OJson ours = db.StoredSchema(ds);
    ExpectSameSchemaContent(ours, golden_schema);
    EXPECT_EQ(ours["version"], golden_schema["version"]);
    CompareVersionAndLoads(db, ds, dir, Rehashed(golden_schema));
    auto golden_loads = GoldenLoadIds(dir);
    auto our_loads = db.LoadIds(ds);
    CompareTables(db, ds, dir,
                  {{"issues", "issues.csv", "id", ""}, {"issues__labels", "issues__labels.csv", "", "issues"}},
                  golden_loads, our_loads);
    CompareState(db, ds, dir, golden_loads, our_loads);
    EXPECT_EQ(CountRows(db, ds), CountsFromJson(run["rows_in_table_after_run"]));
    EXPECT_EQ(db.Q("SELECT count(*) FROM gh_incremental_data._dlt_loads").rows[0][0].text, std::to_string(n));
  }
}

TEST(GoldenIncremental, CursorColumnHasTheIncrementalHint) {
  const fs::path dir = Fixture("incremental/after_run1");
  GoldenEnv env;
  ResourceOptions r;
  r.name = "issues";
  r.incremental.emplace();
  r.incremental->cursor_path = "updated_at";
  r.incremental->initial_value_json = "\"2024-01-01T00:00:00Z\"";
  auto info = env.Run("gh_incremental", "gh_incremental_data",
                      {Resource::FromFiles(r, {"input_run1.jsonl"}, Fixture("incremental"), "jsonl")});
  ASSERT_TRUE(info.ok()) << info.status().message();
  Db db(env.db_path());
  OJson golden_schema = ReadJson(dir / "stored_schema.json");
  OJson ours = db.StoredSchema("gh_incremental_data");
  ExpectSameSchemaContent(ours, golden_schema);
  EXPECT_EQ(ours["version_hash"], golden_schema["version_hash"]);
  CompareVersionAndLoads(db, "gh_incremental_data", dir, golden_schema);
}

// =============================================================================================
// The schema version history after a first run.

// dlt 1.26 ends a first run with version 2 and previous_hashes [H_b, H_a]: H_a is the schema as
// extract leaves it (system tables and each resource's root table with its hint columns only),
// H_b the same plus `_dlt_pipeline_state` as the state adds it (normalize/schema_history.h).
TEST(GoldenSchemaVersion, PreviousHashesAfterFirstRunAreDlts) {
  GoldenEnv env;
  ResourceOptions r;
  r.name = "github_events";
  const fs::path dir = Fixture("nested_append");
  auto info = env.Run("gh_events", "gh_events_data", {Resource::FromFiles(r, {"input.jsonl"}, dir, "jsonl")});
  ASSERT_TRUE(info.ok()) << info.status().message();
  Db db(env.db_path());
  EXPECT_EQ(db.StoredSchema("gh_events_data")["previous_hashes"], ReadJson(dir / "stored_schema.json")["previous_hashes"]);
}

}  // namespace
}  // namespace dlt
