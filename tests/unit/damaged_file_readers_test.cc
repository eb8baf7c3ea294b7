// The readers of the JSON files the engine reads back (state.json, <schema>.schema.json,
// load_package_state.json, trace.json) against every key of a valid document replaced by a value
// of every other JSON type: the reader either accepts it or returns DataLoss naming the file, and
// neither it nor what the engine then does with an accepted document throws.
#include <gtest/gtest.h>

#include <functional>

#include "common/json_read.h"
#include "load/package_state.h"
#include "load/pipeline_state.h"
#include "normalize/schema.h"
#include "pipeline/run_trace.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const Json kState = Json::parse(R"js({
  "_state_version": 2, "_state_engine_version": 4, "pipeline_name": "shop", "dataset_name": "shop_data",
  "default_schema_name": "shop", "schema_names": ["shop"], "destination_type": "dlt.destinations.duckdb",
  "destination_name": null, "_version_hash": "abc",
  "sources": {"shop": {"resources": {"orders": {"incremental": {"id": {
      "initial_value": 0, "last_value": 5, "unique_hashes": ["h1"], "start_value": 0}}}}}},
  "_local": {"first_run": false, "_last_extracted_at": "2026-01-01T00:00:00+00:00"}})js");

const Json kPackageState = Json::parse(R"js({
  "created_at": "2026-01-01T00:00:00+00:00",
  "resources": {"orders": {"name": "orders", "table_name": "orders", "write_disposition": "append",
      "primary_key": ["id"], "merge_key": [], "max_table_nesting": 1000,
      "schema_contract": {"tables": "evolve", "columns": "evolve", "data_type": "evolve"},
      "incremental_cursor": "id",
      "columns": [{"name": "id", "data_type": "bigint", "nullable": false, "primary_key": true, "precision": 64}]}},
  "pipeline_state": {"version": 2, "engine_version": 4, "pipeline_name": "shop", "state": "eJw=",
      "version_hash": "abc", "_dlt_id": "row1"},
  "local_state": {"_state_version": 2, "sources": {"shop": {"resources": {"orders": {"incremental": {"id": {"last_value": 5}}}}}}},
  "replace_tables": ["orders"], "row_counts": {"orders": 5}, "job_bytes": {"orders.000.csv": 120},
  "generated_columns": {"orders.001.0.parquet": ["_dlt_load_id", "_dlt_id"]}})js");

const Json kTrace = Json::parse(R"js({
  "pipeline_name": "shop", "profile": "dev", "profile_selected_by": "default",
  "config_origins": [{"key": "destination.warehouse", "origin": "dev.secrets.toml"}],
  "started_at": "a", "finished_at": "b", "destination": "warehouse (duckdb)", "dataset_name": "shop_data",
  "load_ids": ["1.5"], "steps": [{"step": "extract", "seconds": 0.5, "rows": 5, "bytes": 10}],
  "rows_per_table": {"orders": 5}, "records_skipped_by_incremental": 0, "outcome": "failed", "error": "boom"})js");

Json SchemaDoc() {
  Json s = Json::parse(Schema("shop").ToJson());
  s["tables"]["orders"] = Json::parse(R"js({"name": "orders", "write_disposition": "append", "resource": "orders",
      "columns": {"id": {"name": "id", "data_type": "bigint", "nullable": false, "primary_key": true}},
      "x-normalizer": {"seen-data": true}})js");
  return s;
}

// Every path to a value in `doc` (objects and arrays included), as JSON pointers.
void Paths(const Json& doc, const Json::json_pointer& at, std::vector<Json::json_pointer>* out) {
  if (!at.empty()) out->push_back(at);
  if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it) Paths(it.value(), at / it.key(), out);
  } else if (doc.is_array()) {
    for (size_t i = 0; i < doc.size(); ++i) Paths(doc[i], at / i, out);
  }
}

// Writes `valid` with each value replaced by each of seven values of other types (and with each
// key removed) to `file`, and calls `read`, which must not throw and must return OK or DataLoss
// naming the file. Returns how many variants were refused.
int EachDamage(const Json& valid, const fs::path& file, const std::function<Status()>& read) {
  const std::vector<Json> values = {Json("x"), Json(-7), Json(3.5), Json(true), Json(nullptr), Json::array({1}),
                                    Json::object({{"k", 1}})};
  std::vector<Json::json_pointer> paths;
  Paths(valid, Json::json_pointer(), &paths);
  int refused = 0;
  auto check = [&](const Json& doc, const std::string& what) {
    WriteFile(file, doc.dump());
    Status s;
    try {
      s = read();
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": threw " << e.what();
      return;
    }
    if (s.ok()) return;
    ++refused;
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << what << ": " << s.message();
    EXPECT_NE(s.message().find(file.filename().string()), std::string::npos) << what << ": " << s.message();
  };
  for (const auto& p : paths) {
    for (const auto& v : values) {
      Json doc = valid;
      doc[p] = v;
      check(doc, p.to_string() + " = " + v.dump());
    }
    Json doc = valid;
    doc[p.parent_pointer()].is_object() ? (void)doc[p.parent_pointer()].erase(p.back()) : (void)0;
    check(doc, p.to_string() + " removed");
  }
  return refused;
}

class DamagedFileReaders : public ::testing::Test {
 protected:
  fs::path Dir(const std::string& rel) {
    fs::create_directories(tmp_.path() / rel);
    return tmp_.path() / rel;
  }
  TempDir tmp_;
};

TEST_F(DamagedFileReaders, StateJsonIsRefusedOrUsableButNeverThrows) {
  const fs::path file = Dir("pipelines/shop") / "state.json";
  int refused = EachDamage(kState, file, [&]() -> Status {
    DLT_ASSIGN_OR_RETURN(PipelineState st, PipelineState::Load(file));
    (void)st.version();
    (void)st.ComputeHash();
    (void)st.Encode();
    (void)st.FindResourceState("shop", "orders");
    Json& inc = st.ResourceState("shop", "orders")["incremental"]["id"];
    (void)inc;
    st.doc()["_local"]["first_run"] = false;
    st.BumpIfChanged();
    return Status::Ok();
  });
  EXPECT_GT(refused, 20);
}

TEST_F(DamagedFileReaders, StateJsonMessagesNameTheFileTheKeyAndSync) {
  const fs::path file = Dir("pipelines/shop") / "state.json";
  Json bad = kState;
  bad["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["unique_hashes"] = "h1";
  WriteFile(file, bad.dump());
  auto st = PipelineState::Load(file);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(st.status().message(), fs::absolute(file).lexically_normal().string() +
                                       " is damaged: key 'sources.shop.resources.orders.incremental.id.unique_hashes' "
                                       "must be a list, found a string. Restore the pipeline state from the destination "
                                       "with `dlt pipeline shop sync`, or delete the file to start over");
}

TEST_F(DamagedFileReaders, StateStoredInTheDestinationIsCheckedAsTheLocalOneIs) {
  Json bad = kState;
  bad["_local"] = Json::object();
  bad["_state_version"] = "2";
  auto st = PipelineState::Decode(PipelineState(bad).Encode());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(st.status().message().find("the pipeline state stored in the destination is damaged: key '_state_version'"),
            std::string::npos)
      << st.status().message();
}

TEST_F(DamagedFileReaders, PackageStateIsRefusedOrUsableButNeverThrows) {
  const fs::path file = Dir("load/normalized/1.5") / "load_package_state.json";
  int refused = EachDamage(kPackageState, file, [&]() -> Status {
    DLT_ASSIGN_OR_RETURN(LoadPackageState ps, ReadLoadPackageState(file, "shop"));
    if (ps.local_state) (void)PipelineState(*ps.local_state).version();
    for (auto it = ps.resources().begin(); it != ps.resources().end(); ++it) (void)it.value().value("name", "");
    return Status::Ok();
  });
  EXPECT_GT(refused, 40);
  Json bad = kPackageState;
  bad["job_bytes"]["orders.000.csv"] = "120";
  WriteFile(file, bad.dump());
  auto ps = ReadLoadPackageState(file, "shop");
  ASSERT_FALSE(ps.ok());
  EXPECT_EQ(ps.status().message(), "load package 1.5: " + fs::absolute(file).lexically_normal().string() +
                                       " is damaged: key 'job_bytes.orders.000.csv' must be a whole number of at least 0, "
                                       "found a string. Discard the package with `dlt pipeline shop drop-pending-packages`, "
                                       "then restore the state with `dlt pipeline shop sync`");
}

TEST_F(DamagedFileReaders, PackageStateNamesADamagedGeneratedColumn) {
  const fs::path file = Dir("load/normalized/1.5") / "load_package_state.json";
  Json bad = kPackageState;
  bad["generated_columns"]["orders.001.0.parquet"][1] = 7;
  WriteFile(file, bad.dump());
  auto ps = ReadLoadPackageState(file, "shop");
  ASSERT_FALSE(ps.ok());
  EXPECT_EQ(ps.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(ps.status().message().find("key 'generated_columns.orders.001.0.parquet"), std::string::npos)
      << ps.status().message();
}

TEST_F(DamagedFileReaders, PackageStateGivesTypedFields) {
  const fs::path file = Dir("load/normalized/1.5") / "load_package_state.json";
  WriteFile(file, kPackageState.dump());
  auto ps = ReadLoadPackageState(file, "shop");
  ASSERT_TRUE(ps.ok()) << ps.status().message();
  EXPECT_EQ(ps->row_counts, (std::vector<std::pair<std::string, uint64_t>>{{"orders", 5}}));
  EXPECT_EQ(ps->job_bytes.at("orders.000.csv"), 120u);
  EXPECT_EQ(ps->replace_tables, std::vector<std::string>{"orders"});
  EXPECT_EQ(ps->generated_columns.at("orders.001.0.parquet"), (std::vector<std::string>{"_dlt_load_id", "_dlt_id"}));
  ASSERT_TRUE(ps->pipeline_state);
  EXPECT_EQ(ps->pipeline_state->state, "eJw=");
  EXPECT_EQ(ps->pipeline_state->row_id, "row1");
  ASSERT_TRUE(ps->local_state);
  EXPECT_EQ(PipelineState(*ps->local_state).version(), 2);
}

TEST_F(DamagedFileReaders, TraceIsRefusedOrUsableButNeverThrows) {
  const fs::path file = Dir("pipelines/shop") / "trace.json";
  int refused = EachDamage(kTrace, file, [&]() -> Status { return ReadRunTrace(file).status(); });
  EXPECT_GT(refused, 40);
  WriteFile(file, kTrace.dump());
  auto t = ReadRunTrace(file);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->steps.size(), 1u);
  EXPECT_EQ(t->steps[0].rows, 5u);
  EXPECT_EQ(t->config_origins[0].second, "dev.secrets.toml");
  EXPECT_EQ(t->error, "boom");
}

TEST_F(DamagedFileReaders, SchemaIsRefusedOrUsableButNeverThrows) {
  const fs::path file = Dir("pipelines/shop/schemas") / "shop.schema.json";
  int refused = EachDamage(SchemaDoc(), file, [&]() -> Status {
    DLT_ASSIGN_OR_RETURN(Schema s, Schema::ReadFile(file, "Restore it."));
    s.EnableRootKeyPropagation("orders");
    (void)s.PropagatesRootKey("orders");
    (void)s.ComputeVersionHash();
    (void)s.ToJson(true);
    return Status::Ok();
  });
  EXPECT_GT(refused, 20);
}

TEST_F(DamagedFileReaders, JsonFileSaysWhatWasExpectedAndWhatWasFound) {
  jsonread::JsonFile f(tmp_.path() / "x.json", "Delete it.");
  Json doc = Json::parse(R"js({"a": {"b": [1, "two"]}, "n": null})js");
  EXPECT_TRUE(f.Optional(doc, "", "missing", jsonread::Kind::kString).ok());
  EXPECT_TRUE(f.OptionalOrNull(doc, "", "n", jsonread::Kind::kString).ok());
  EXPECT_EQ(f.Optional(doc, "", "n", jsonread::Kind::kString).message(),
            (tmp_.path() / "x.json").string() + " is damaged: key 'n' must be a string, found null. Delete it.");
  EXPECT_EQ(f.Required(doc, "a", "c", jsonread::Kind::kArray).message(),
            (tmp_.path() / "x.json").string() + " is damaged: key 'a.c' is missing. Delete it.");
  Status each = f.Each(doc["a"]["b"], "a.b", jsonread::Kind::kInteger);
  EXPECT_EQ(each.code(), StatusCode::kDataLoss);
  EXPECT_NE(each.message().find("key 'a.b[1]' must be a whole number, found a string"), std::string::npos) << each.message();
  auto parsed = f.ParseObject("{\"a\": ");
  EXPECT_EQ(parsed.status().message(),
            (tmp_.path() / "x.json").string() + " is corrupt (not valid JSON: truncated or edited). Delete it.");
}

}  // namespace
}  // namespace dlt::testing
