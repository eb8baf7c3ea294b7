// Golden pipeline runs (see golden_tables_support.h): the stored schema, the _dlt_version and
// _dlt_loads rows, the pipeline state and row counts compared with dlt's; shared by the
// golden_*_test.cc files.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "destinations/duckdb/duckdb_api.h"
#include "dlt/pipeline.h"
#include "golden_tables_support.h"
#include "load/pipeline_state.h"
#include "normalize/schema.h"
#include "support/golden_fixtures.h"

namespace dlt::golden_test {

// fs, OJson, UJson, Fixture, Keys, ReadJson and Unordered come with golden_tables_support.h.

// Characters as Python's len() counts them (code points of valid UTF-8).
inline size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Stored schema.

// Tables, columns (in order) with every hint, table properties, settings and normalizers; key
// order ignored (dlt's key order is an artifact of how it builds its dicts).
inline void ExpectSameSchemaContent(const OJson& ours, const OJson& golden) {
  std::vector<std::string> ot = Keys(ours["tables"]), gt = Keys(golden["tables"]);
  std::sort(ot.begin(), ot.end());
  std::sort(gt.begin(), gt.end());
  EXPECT_EQ(ot, gt) << "schema tables";
  for (const auto& name : gt) {
    if (!ours["tables"].contains(name)) continue;
    SCOPED_TRACE("schema table " + name);
    const OJson& o = ours["tables"][name];
    const OJson& g = golden["tables"][name];
    EXPECT_EQ(Keys(o["columns"]), Keys(g["columns"])) << "column order";
    for (auto it = g["columns"].begin(); it != g["columns"].end(); ++it) {
      if (!o["columns"].contains(it.key())) continue;
      EXPECT_EQ(Unordered(o["columns"][it.key()]), Unordered(it.value())) << "column " << it.key();
    }
    OJson op = o, gp = g;
    op.erase("columns");
    gp.erase("columns");
    EXPECT_EQ(Unordered(op), Unordered(gp)) << "table properties";
  }
  EXPECT_EQ(Unordered(ours["settings"]), Unordered(golden["settings"]));
  EXPECT_EQ(Unordered(ours["normalizers"]), Unordered(golden["normalizers"]));
  EXPECT_EQ(ours["engine_version"], golden["engine_version"]);
  EXPECT_EQ(ours["name"], golden["name"]);
}

// The stored schema of `dataset` is dlt's (dir/stored_schema.json: content, version, version
// hash) and its tables have dlt's columns (dir/columns.csv); returns dlt's schema.
inline OJson ExpectDltsStoredSchema(Db& db, const std::string& dataset, const fs::path& dir) {
  OJson golden_schema = ReadJson(dir / "stored_schema.json");
  OJson ours = db.StoredSchema(dataset);
  ExpectSameSchemaContent(ours, golden_schema);
  EXPECT_EQ(ours["version_hash"], golden_schema["version_hash"]);
  EXPECT_EQ(ours["version"], golden_schema["version"]);
  CompareColumnsCsv(db, dataset, dir / "columns.csv");
  return golden_schema;
}

// Sets version_hash to dlt's hash of the content (the algorithm is checked on every fixture by
// GoldenSchemaHash); for golden schemas translated to a known difference.
inline OJson Rehashed(OJson schema) {
  auto s = Schema::FromJson(schema.dump(), "rehashed");
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (s.ok()) schema["version_hash"] = s->ComputeVersionHash();
  return schema;
}

// _dlt_version and _dlt_loads rows against the fixture (masking timestamps and load ids).
// `expected` is the stored schema the newest _dlt_version row must hold: dlt's, possibly with
// known differences applied (then its text length is adjusted by exactly their length).
inline void CompareVersionAndLoads(Db& db, const std::string& dataset, const fs::path& dir, const OJson& expected) {
  Csv gv = ReadCsv(dir / "_dlt_version.csv");
  OJson golden = ReadJson(dir / "stored_schema.json");
  auto ov = db.Q("SELECT version, engine_version, schema_name, version_hash, schema FROM " +
                 duckdb::QuoteIdentifier(dataset) + "._dlt_version ORDER BY inserted_at");
  ASSERT_EQ(ov.rows.size(), gv.rows.size()) << "_dlt_version rows";
  for (size_t i = 0; i < gv.rows.size(); ++i) {
    const Row& g = gv.rows[i];
    EXPECT_EQ(ov.rows[i][0].text, g[gv.Col("version")].text) << "_dlt_version.version";
    EXPECT_EQ(ov.rows[i][1].text, g[gv.Col("engine_version")].text);
    EXPECT_EQ(ov.rows[i][2].text, g[gv.Col("schema_name")].text);
  }
  const auto& newest = ov.rows.back();
  const Row& gnewest = gv.rows.back();
  // dlt stores the schema as compact JSON: as long as the fixture's schema dumped compactly.
  ASSERT_EQ(std::to_string(CodePoints(golden.dump())), gnewest[gv.Col("schema_length")].text);
  EXPECT_EQ(golden["version_hash"].get<std::string>(), gnewest[gv.Col("version_hash")].text);
  EXPECT_EQ(newest[3].text, expected["version_hash"].get<std::string>()) << "_dlt_version.version_hash";
  EXPECT_EQ(CodePoints(newest[4].text), CodePoints(expected.dump())) << "characters of the stored schema text";
  Csv gl = ReadCsv(dir / "_dlt_loads.csv");
  auto ol = db.Q("SELECT schema_name, status, schema_version_hash FROM " + duckdb::QuoteIdentifier(dataset) +
                 "._dlt_loads ORDER BY inserted_at");
  ASSERT_EQ(ol.rows.size(), gl.rows.size()) << "_dlt_loads rows";
  for (size_t i = 0; i < gl.rows.size(); ++i) {
    EXPECT_EQ(ol.rows[i][0].text, gl.rows[i][gl.Col("schema_name")].text);
    EXPECT_EQ(ol.rows[i][1].text, gl.rows[i][gl.Col("status")].text);
    EXPECT_EQ(gl.rows[i][gl.Col("schema_version_hash")].text, golden["version_hash"].get<std::string>());
    EXPECT_EQ(ol.rows[i][2].text, expected["version_hash"].get<std::string>());
  }
}

// ---------------------------------------------------------------------------------------------
// Pipeline state.

// Sorts every `unique_hashes` list (dlt builds it in set order).
inline void SortUniqueHashes(OJson& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "unique_hashes" && it.value().is_array()) {
        std::sort(it.value().begin(), it.value().end());
      } else {
        SortUniqueHashes(it.value());
      }
    }
  }
}

// Copies the order of dlt's `unique_hashes` lists into ours when they hold the same hashes, so
// that the state hash (computed over lists as they are) can be compared.
inline void AdoptUniqueHashOrder(OJson& ours, const OJson& golden) {
  if (!ours.is_object() || !golden.is_object()) return;
  for (auto it = ours.begin(); it != ours.end(); ++it) {
    if (!golden.contains(it.key())) continue;
    const OJson& g = golden[it.key()];
    if (it.key() == "unique_hashes" && it.value().is_array() && g.is_array()) {
      OJson a = it.value(), b = g;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      if (a == b) it.value() = g;
    } else {
      AdoptUniqueHashOrder(it.value(), g);
    }
  }
}

// The newest _dlt_pipeline_state row: row fields against the fixture, the decoded state as an
// object, and the state version hash (ours must be dlt's hash of our content; with dlt's
// destination fields put in, it must be the fixture's hash).
inline void CompareState(Db& db, const std::string& dataset, const fs::path& dir, const std::vector<std::string>& golden_loads,
                         const std::vector<std::string>& our_loads) {
  Csv gs = ReadCsv(dir / "_dlt_pipeline_state.csv");
  auto os = db.Q("SELECT version, engine_version, pipeline_name, state, version_hash, _dlt_load_id, _dlt_id FROM " +
                 duckdb::QuoteIdentifier(dataset) + "._dlt_pipeline_state ORDER BY version");
  ASSERT_EQ(os.rows.size(), gs.rows.size()) << "_dlt_pipeline_state rows";
  for (size_t i = 0; i < gs.rows.size(); ++i) {
    const Row& g = gs.rows[i];
    const auto& o = os.rows[i];
    EXPECT_EQ(o[0].text, g[gs.Col("version")].text) << "state version";
    EXPECT_EQ(o[1].text, g[gs.Col("engine_version")].text);
    EXPECT_EQ(o[2].text, g[gs.Col("pipeline_name")].text);
    auto ol = std::find(our_loads.begin(), our_loads.end(), o[5].text);
    auto gl = std::find(golden_loads.begin(), golden_loads.end(), g[gs.Col("_dlt_load_id")].text);
    ASSERT_TRUE(ol != our_loads.end());
    ASSERT_TRUE(gl != golden_loads.end());
    EXPECT_EQ(ol - our_loads.begin(), gl - golden_loads.begin()) << "state row of another load";
    EXPECT_EQ(o[6].text.size(), 14u);
  }
  const auto& newest = os.rows.back();
  auto decoded = PipelineState::Decode(newest[3].text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  OJson ours = decoded->doc();
  OJson golden = ReadJson(dir / "state_decoded.json");
  // Our _version_hash is dlt's hash of our content and is the row's version_hash.
  EXPECT_EQ(ours.value("_version_hash", ""), PipelineState(ours).ComputeHash());
  EXPECT_EQ(newest[4].text, ours.value("_version_hash", ""));
  // The destination differs by design (DuckDB, a named destination `warehouse`).
  EXPECT_EQ(ours.value("destination_type", ""), "dlt.destinations.duckdb");
  EXPECT_EQ(ours.value("destination_name", OJson()), OJson("warehouse"));
  ours["destination_type"] = golden["destination_type"];
  ours["destination_name"] = golden["destination_name"];
  AdoptUniqueHashOrder(ours, golden);
  EXPECT_EQ(PipelineState(ours).ComputeHash(), golden["_version_hash"].get<std::string>())
      << "state hash with dlt's destination fields: " << ours.dump();
  ours["_version_hash"] = golden["_version_hash"];
  SortUniqueHashes(ours);
  SortUniqueHashes(golden);
  EXPECT_EQ(Unordered(ours), Unordered(golden));
}

inline void ExpectRowCounts(const LoadInfo& info, const OJson& counts) {
  std::map<std::string, uint64_t> want;
  for (auto it = counts.begin(); it != counts.end(); ++it) want[it.key()] = it.value().get<uint64_t>();
  std::map<std::string, uint64_t> have = info.rows_per_table;
  have.erase("_dlt_pipeline_state");
  EXPECT_EQ(have, want);
}

inline std::map<std::string, uint64_t> CountRows(Db& db, const std::string& dataset) {
  std::map<std::string, uint64_t> out;
  for (const auto& t : db.Tables(dataset)) {
    if (t.starts_with("_dlt_")) continue;
    auto r = db.Q("SELECT count(*) FROM " + duckdb::QuoteIdentifier(dataset) + "." + duckdb::QuoteIdentifier(t));
    out[t] = std::stoull(r.rows[0][0].text);
  }
  return out;
}

inline std::map<std::string, uint64_t> CountsFromJson(const OJson& j) {
  std::map<std::string, uint64_t> out;
  for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<uint64_t>();
  return out;
}

inline std::string JsonKey(const std::string& k) { return OJson(k).dump(); }

}  // namespace dlt::golden_test
