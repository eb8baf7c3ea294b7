// Every JSON file the engine reads back from a pipeline folder, damaged in the ways a full disk
// or a hand edit damages it (a key of the wrong type, a missing key, not JSON at all): the run
// stops with exit code 6 and an error naming the file, the key and what to do, it changes nothing
// in the folder or the destination, and it never ends with a JSON library exception. trace.json
// is only a record of the last run: runs never read it, so a damaged one is replaced by the next
// run and only `dlt pipeline <name> trace` reports it. Files written for dlt's layout and never
// read back (schema_updates.json, applied_schema_updates.json) do not matter.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// Every file of the pipeline folder with its content, except trace.json and traces/ (each run,
// failed or not, replaces the one and adds to the other), the lock files and load/new/ (leftovers of a killed run, which every run
// removes when it starts).
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), dir).string();
    if (rel == "trace.json" || rel.starts_with("traces/") || rel.ends_with(".lock") || rel.starts_with("load/new/")) continue;
    out[rel] = ReadFile(e.path());
  }
  return out;
}

// The files that differ between two snapshots (added, removed or changed), for messages.
std::vector<std::string> Changed(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) out.push_back("removed " + k);
    else if (it->second != v) out.push_back("changed " + k);
  }
  for (const auto& [k, v] : b) {
    if (!a.count(k)) out.push_back("added " + k);
  }
  return out;
}

Json ReadDoc(const fs::path& file) { return Json::parse(ReadFile(file)); }

class DamagedFiles : public ShopPipelineWithNewRows {
 protected:
  fs::path Dir() const { return w_.PipelineDir("shop"); }

  // Writes `damaged` over `file`, runs the pipeline twice and checks each run: exit code 6, the
  // file and every one of `expect` named, no exception text, nothing loaded, the folder as it was.
  // Puts the original content back afterwards.
  void ExpectRefused(const fs::path& file, const std::string& damaged, const std::vector<std::string>& expect) {
    const std::string original = ReadFile(file);
    WriteFile(file, damaged);
    auto before = Snapshot(Dir());
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto r = w_.RunPipeline({"shop.toml"});
      EXPECT_EQ(r.exit_code, 6) << damaged << "\n" << r.err;
      EXPECT_TRUE(Contains(r.err, file.string())) << r.err;
      for (const auto& e : expect) EXPECT_TRUE(Contains(r.err, e)) << "missing `" << e << "` in " << r.err;
      EXPECT_FALSE(Contains(r.err, "json.exception")) << r.err;
      EXPECT_FALSE(Contains(r.err, "terminate called")) << r.err;
    }
    EXPECT_EQ(Changed(before, Snapshot(Dir())), std::vector<std::string>{}) << damaged;
    EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 5);
    WriteFile(file, original);
  }
  // A run killed at `point` leaves a pending package in `stage`; its id.
  std::string PendingPackage(const std::string& point, const std::string& stage) {
    auto killed = w_.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", point}});
    EXPECT_EQ(killed.exit_code, 137);
    auto pending = w_.Packages("shop", stage);
    EXPECT_EQ(pending.size(), 1u);
    return pending.empty() ? "" : pending[0];
  }
  // The pipeline recovers as the message says: drop the package, sync, run.
  void ExpectDropSyncRecovers() {
    ASSERT_EQ(w_.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"}).exit_code, 0);
    auto sync = w_.Dlt({"pipeline", "shop", "sync", "--yes"});
    ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
    auto again = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(SqlValue(w_.Db(), "SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM shop_data.orders"), "1..8 x8");
  }
};

TEST_F(DamagedFiles, StateJsonWithAKeyOfTheWrongTypeStopsTheRunWithExitCode6NamingTheKey) {
  const fs::path state = Dir() / "state.json";
  const Json good = ReadDoc(state);
  struct Case {
    const char* what;
    std::function<void(Json&)> damage;
    std::string key;
  };
  std::vector<Case> cases = {
      {"version as text", [](Json& d) { d["_state_version"] = "3"; }, "key '_state_version' must be a whole number, found a string"},
      {"local part a list", [](Json& d) { d["_local"] = Json::array(); }, "key '_local' must be an object, found a list"},
      {"source a number", [](Json& d) { d["sources"]["shop"] = 5; }, "key 'sources.shop' must be an object"},
      {"cursor state text", [](Json& d) { d["sources"]["shop"]["resources"]["orders"]["incremental"]["id"] = "x"; },
       "key 'sources.shop.resources.orders.incremental.id' must be an object"},
      {"hash not text", [](Json& d) { d["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["unique_hashes"] = {1}; },
       "key 'sources.shop.resources.orders.incremental.id.unique_hashes[0]' must be a string"},
      {"dataset null", [](Json& d) { d["dataset_name"] = nullptr; }, "key 'dataset_name' must be a string, found null"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Json bad = good;
    c.damage(bad);
    ExpectRefused(state, bad.dump(2), {c.key, "is damaged", "dlt pipeline shop sync"});
  }
  // `info` reads the same file and says the same.
  Json bad = good;
  bad["_local"] = "x";
  WriteFile(state, bad.dump());
  auto info = w_.Dlt({"pipeline", "shop", "info"});
  EXPECT_EQ(info.exit_code, 6) << info.err;
  EXPECT_TRUE(Contains(info.err, state.string() + " is damaged: key '_local' must be an object")) << info.err;
  WriteFile(state, good.dump(2));
  auto again = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 8);
}

TEST_F(DamagedFiles, StateJsonThatIsNotAnObjectOrNotJsonIsCorruptWithExitCode6) {
  const fs::path state = Dir() / "state.json";
  ExpectRefused(state, "[1, 2]", {"is corrupt (it holds a list, not a JSON object)", "dlt pipeline shop sync"});
  ExpectRefused(state, ReadFile(state).substr(0, 30), {"is corrupt (not valid JSON", "dlt pipeline shop sync"});
}

TEST_F(DamagedFiles, StoredSchemaWithAKeyOfTheWrongTypeStopsTheRunWithExitCode6NamingTheKey) {
  const fs::path schema = Dir() / "schemas" / "shop.schema.json";
  const Json good = ReadDoc(schema);
  ASSERT_TRUE(good["tables"].contains("orders"));
  struct Case {
    const char* what;
    std::function<void(Json&)> damage;
    std::string key;
  };
  std::vector<Case> cases = {
      {"columns text", [](Json& d) { d["tables"]["orders"]["columns"] = "id"; }, "key 'tables.orders.columns' must be an object, found a string"},
      {"column a list", [](Json& d) { d["tables"]["orders"]["columns"]["id"] = Json::array(); }, "key 'tables.orders.columns.id' must be an object"},
      {"unknown type", [](Json& d) { d["tables"]["orders"]["columns"]["id"]["data_type"] = "money"; },
       "key 'tables.orders.columns.id.data_type' holds the unknown data type \"money\""},
      {"no name", [](Json& d) { d.erase("name"); }, "key 'name' is missing"},
      {"version text", [](Json& d) { d["version"] = "2"; }, "key 'version' must be a whole number"},
      {"table a number", [](Json& d) { d["tables"]["orders"] = 1; }, "key 'tables.orders' must be an object"},
      {"seen-data text", [](Json& d) { d["tables"]["orders"]["x-normalizer"] = {{"seen-data", "yes"}}; },
       "key 'tables.orders.x-normalizer.seen-data' must be true or false"},
      {"propagation a list", [](Json& d) { d["normalizers"]["json"]["config"]["propagation"] = Json::array(); },
       "key 'normalizers.json.config.propagation' must be an object"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Json bad = good;
    c.damage(bad);
    ExpectRefused(schema, bad.dump(2), {c.key, "is damaged", "dlt pipeline shop sync"});
  }
  auto again = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 8);
}

TEST_F(DamagedFiles, ExtractedPackageStateWithAKeyOfTheWrongTypeIsADamagedPackageAndCanBeDropped) {
  const std::string id = PendingPackage("after_extract", "normalize/extracted");
  ASSERT_FALSE(id.empty());
  const fs::path ps = Dir() / "normalize/extracted" / id / "load_package_state.json";
  const Json good = ReadDoc(ps);
  ASSERT_TRUE(good.contains("resources") && good.contains("local_state") && good.contains("pipeline_state"));
  struct Case {
    const char* what;
    std::function<void(Json&)> damage;
    std::string key;
  };
  std::vector<Case> cases = {
      {"primary key text", [](Json& d) { d["resources"]["orders"]["primary_key"] = "id"; }, "key 'resources.orders.primary_key' must be a list"},
      {"hints a list", [](Json& d) { d["resources"]["orders"] = Json::array(); }, "key 'resources.orders' must be an object"},
      {"disposition unknown", [](Json& d) { d["resources"]["orders"]["write_disposition"] = "upsert"; },
       "key 'resources.orders.write_disposition' holds the unknown write disposition"},
      {"local state cursor", [](Json& d) { d["local_state"]["sources"]["shop"]["resources"]["orders"]["incremental"] = 8; },
       "key 'local_state.sources.shop.resources.orders.incremental' must be an object"},
      {"state row without state", [](Json& d) { d["pipeline_state"].erase("state"); }, "key 'pipeline_state.state' is missing"},
      {"nesting text", [](Json& d) { d["resources"]["orders"]["max_table_nesting"] = "2"; }, "key 'resources.orders.max_table_nesting' must be a whole number"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Json bad = good;
    c.damage(bad);
    ExpectRefused(ps, bad.dump(), {"load package " + id, c.key, "drop-pending-packages"});
  }
  ExpectRefused(ps, ReadFile(ps).substr(0, 20), {"load package " + id, "is corrupt (not valid JSON", "drop-pending-packages"});
  WriteFile(ps, "{\"resources\": 1}");
  ExpectDropSyncRecovers();
}

TEST_F(DamagedFiles, NormalizedPackageStateWithAKeyOfTheWrongTypeIsADamagedPackageAndCanBeDropped) {
  const std::string id = PendingPackage("after_normalize", "load/normalized");
  ASSERT_FALSE(id.empty());
  const fs::path ps = Dir() / "load/normalized" / id / "load_package_state.json";
  const Json good = ReadDoc(ps);
  ASSERT_TRUE(good.contains("row_counts") && good.contains("job_bytes"));
  struct Case {
    const char* what;
    std::function<void(Json&)> damage;
    std::string key;
  };
  std::vector<Case> cases = {
      {"negative count", [](Json& d) { d["row_counts"]["orders"] = -3; }, "key 'row_counts.orders' must be a whole number of at least 0, found a whole number"},
      {"counts a list", [](Json& d) { d["row_counts"] = Json::array(); }, "key 'row_counts' must be an object, found a list"},
      {"size text", [](Json& d) { d["job_bytes"].begin().value() = "12"; }, "must be a whole number of at least 0, found a string"},
      {"replace table number", [](Json& d) { d["replace_tables"] = {7}; }, "key 'replace_tables[0]' must be a string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Json bad = good;
    c.damage(bad);
    ExpectRefused(ps, bad.dump(), {"load package " + id, c.key, "drop-pending-packages", "dlt pipeline shop sync"});
  }
  // `load-package` shows the same error for it.
  Json bad = good;
  bad["row_counts"]["orders"] = "eight";
  WriteFile(ps, bad.dump());
  auto show = w_.Dlt({"pipeline", "shop", "load-package", id});
  EXPECT_EQ(show.exit_code, 6) << show.out << show.err;
  EXPECT_TRUE(Contains(show.err, ps.string() + " is damaged: key 'row_counts.orders'")) << show.err;
  ExpectDropSyncRecovers();
}

TEST_F(DamagedFiles, NormalizedPackageSchemaWithAKeyOfTheWrongTypeIsADamagedPackage) {
  const std::string id = PendingPackage("after_normalize", "load/normalized");
  ASSERT_FALSE(id.empty());
  const fs::path schema = Dir() / "load/normalized" / id / "schema.json";
  Json bad = ReadDoc(schema);
  bad["tables"]["orders"]["columns"] = 1;
  ExpectRefused(schema, bad.dump(), {"key 'tables.orders.columns' must be an object", "drop-pending-packages"});
  ExpectRefused(schema, ReadFile(schema).substr(0, 50), {"not a valid schema document", "drop-pending-packages"});
  ExpectDropSyncRecovers();
}

// Written for dlt's package layout, never read back: damaging them changes nothing.
TEST_F(DamagedFiles, SchemaUpdatesOfAPendingPackageAreNotReadBackSoDamagingThemChangesNothing) {
  const std::string id = PendingPackage("after_normalize", "load/normalized");
  ASSERT_FALSE(id.empty());
  WriteFile(Dir() / "load/normalized" / id / "schema_updates.json", "{not json");
  auto r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM shop_data.orders"), "1..8 x8");
}

TEST_F(DamagedFiles, ADamagedTraceIsReportedByTheTraceCommandAndReplacedByTheNextRun) {
  const fs::path trace = Dir() / "trace.json";
  Json bad = ReadDoc(trace);
  bad["steps"] = "extract";
  WriteFile(trace, bad.dump());
  auto shown = w_.Dlt({"pipeline", "shop", "trace"});
  EXPECT_EQ(shown.exit_code, 6) << shown.out << shown.err;
  EXPECT_TRUE(Contains(shown.err, trace.string() + " is damaged: key 'steps' must be a list, found a string")) << shown.err;
  EXPECT_TRUE(Contains(shown.err, "The next run of the pipeline replaces it")) << shown.err;
  WriteFile(trace, "{\"outcome\": \"compl");
  shown = w_.Dlt({"pipeline", "shop", "trace"});
  EXPECT_EQ(shown.exit_code, 6) << shown.out << shown.err;
  EXPECT_TRUE(Contains(shown.err, trace.string() + " is corrupt (not valid JSON")) << shown.err;

  auto r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 8);
  shown = w_.Dlt({"pipeline", "shop", "trace"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_TRUE(Contains(shown.out, "completed")) << shown.out;
}

}  // namespace
}  // namespace dlt::testing
