// Golden pipeline runs (integration tests): this engine against real outputs of Python dlt 1.26 (tests/fixtures/dlt-1.26, a
// copy of the project's shared/fixtures/dlt-1.26 kept in the repository; see its README). dlt
// produced them with postgres; we load into DuckDB, so the comparison is of logical content:
// table and column names and order, dlt data types and hints of the stored schema, the schema
// version hash, row values (timestamps as instants, doubles numerically), the
// system tables, the decoded pipeline state and its version hash, incremental state and merge
// results. Values that are random in dlt (row keys, load ids, timestamps) are not compared
// directly: the relations between them are (nested row keys derived from OUR parent keys,
// parent/root keys pointing at the right rows, load ids mapping to the right load).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "destinations/duckdb/duckdb_api.h"
#include "dlt/config.h"
#include "dlt/pipeline.h"
#include "dlt/workspace.h"
#include "extract/extractor.h"
#include "load/pipeline_state.h"
#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "support/duckdb_query.h"
#include "support/golden_fixtures.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::OJson;
using testing::UJson;

using testing::Fixture;
using testing::Keys;
using testing::ReadJson;
using testing::Unordered;

// Characters as Python's len() counts them (code points of valid UTF-8).
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ---------------------------------------------------------------------------------------------
// The fixture CSVs: header line, NULL = empty unquoted field, "" = empty string, quoted fields
// may span lines.

struct Cell {
  bool null = true;
  std::string text;
};
using Row = std::vector<Cell>;

struct Csv {
  std::vector<std::string> header;
  std::vector<Row> rows;
  int Col(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

Csv ParseCsv(const std::string& s) {
  std::vector<Row> all;
  Row row;
  std::string field;
  bool quoted = false, in_quotes = false, row_started = false;
  auto finish_field = [&] {
    Cell c;
    c.null = !quoted && field.empty();
    c.text = field;
    row.push_back(std::move(c));
    field.clear();
    quoted = false;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (in_quotes) {
      if (ch == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    row_started = true;
    if (ch == '"') {
      in_quotes = quoted = true;
    } else if (ch == ',') {
      finish_field();
    } else if (ch == '\n') {
      finish_field();
      all.push_back(std::move(row));
      row.clear();
      row_started = false;
    } else if (ch != '\r') {
      field += ch;
    }
  }
  if (row_started) {
    finish_field();
    all.push_back(std::move(row));
  }
  Csv out;
  if (all.empty()) return out;
  for (const auto& c : all[0]) out.header.push_back(c.text);
  out.rows.assign(all.begin() + 1, all.end());
  return out;
}

Csv ReadCsv(const fs::path& p) { return ParseCsv(testing::ReadFile(p)); }

// ---------------------------------------------------------------------------------------------
// Value normalization.

// "2024-03-01 10:00:00[.ffffff]+00[:00]" (postgres and DuckDB text of timestamptz) -> UTC
// instant "2024-03-01T10:00:00.000000Z"; other text unchanged.
std::string NormalizeTimestamp(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return s;
  size_t pos = s.find(':', 11);
  pos = s.find(':', pos + 1) + 3;  // after seconds
  long micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    int digits = 0;
    ++pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0'), ++digits;
      ++pos;
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  int off_min = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    std::sscanf(s.c_str() + pos + 1, "%2d", &oh);
    if (pos + 3 < s.size() && s[pos + 3] == ':') std::sscanf(s.c_str() + pos + 4, "%2d", &om);
    off_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
  }
  // days from civil
  int64_t yy = y - (mo <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  int64_t epoch = days * 86400 + h * 3600 + mi * 60 + sec - off_min * 60;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%06ld", static_cast<long long>(epoch), micros);
  return buf;
}

bool ParseNumber(const std::string& s, long double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtold(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// Compares one data value given dlt's text (postgres) and ours (DuckDB) for a DuckDB column type.
bool SameValue(const Cell& golden, const duckdb::Value& ours, const std::string& type) {
  if (golden.null || ours.is_null) return golden.null == ours.is_null;
  if (type == "DOUBLE") {
    char* e1 = nullptr;
    char* e2 = nullptr;
    double a = std::strtod(golden.text.c_str(), &e1), b = std::strtod(ours.text.c_str(), &e2);
    return *e1 == 0 && *e2 == 0 && a == b;
  }
  if (type == "TIMESTAMP WITH TIME ZONE") return NormalizeTimestamp(golden.text) == NormalizeTimestamp(ours.text);
  return golden.text == ours.text;
}

// Numeric-aware "natural key" order of the fixture CSVs.
bool KeyLess(const std::string& a, const std::string& b) {
  long double x, y;
  if (ParseNumber(a, &x) && ParseNumber(b, &y) && x != y) return x < y;
  return a < b;
}

bool IsRandomColumn(const std::string& c) {
  return c == "_dlt_id" || c == "_dlt_parent_id" || c == "_dlt_root_id" || c == "_dlt_load_id";
}

// ---------------------------------------------------------------------------------------------
// A workspace with a named DuckDB destination `warehouse`, as the brief of these tests says.

class GoldenEnv {
 public:
  GoldenEnv() { ws_.WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\n", "dev"); }

  StatusOr<LoadInfo> Run(const std::string& pipeline, const std::string& dataset,
                         const std::vector<Resource>& resources) {
    DLT_ASSIGN_OR_RETURN(Workspace w, ws_.Open());
    DLT_RETURN_IF_ERROR(w.LoadConfig());
    PipelineOptions po;
    po.pipeline_name = pipeline;
    po.destination = "warehouse";
    po.dataset_name = dataset;
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(w, po));
    pipeline_dir_ = p.working_dir();
    return p.Run(resources);
  }

  fs::path db_path() const { return ws_.root() / "_local" / "dev" / "warehouse.duckdb"; }
  const fs::path& pipeline_dir() const { return pipeline_dir_; }

 private:
  testing::TempWorkspace ws_;
  fs::path pipeline_dir_;
};

// Read access to the destination (support/duckdb_query.h: the file is opened around each query).
class Db {
 public:
  explicit Db(fs::path path) : path_(std::move(path)) {}

  // Typed values: comparisons with the fixtures need the column types.
  duckdb::QueryResult Q(const std::string& sql) { return testing::QueryDuckDbTyped(path_, sql); }

  std::vector<std::string> Tables(const std::string& dataset) {
    std::vector<std::string> out;
    for (const auto& r : Q("SELECT table_name FROM information_schema.tables WHERE table_schema = " +
                           duckdb::QuoteLiteral(dataset) + " ORDER BY table_name")
                             .rows) {
      out.push_back(r[0].text);
    }
    return out;
  }

  // The load ids of the dataset, oldest first.
  std::vector<std::string> LoadIds(const std::string& dataset) {
    std::vector<std::string> out;
    for (const auto& r : Q("SELECT load_id FROM " + duckdb::QuoteIdentifier(dataset) +
                           "._dlt_loads ORDER BY inserted_at, load_id")
                             .rows) {
      out.push_back(r[0].text);
    }
    return out;
  }

  // The newest stored schema.
  OJson StoredSchema(const std::string& dataset) {
    auto r = Q("SELECT schema FROM " + duckdb::QuoteIdentifier(dataset) +
               "._dlt_version ORDER BY inserted_at DESC, version DESC LIMIT 1");
    if (r.rows.empty()) {
      ADD_FAILURE() << "no _dlt_version row in " << dataset;
      return OJson::object();
    }
    return OJson::parse(r.rows[0][0].text);
  }

 private:
  fs::path path_;
};

std::vector<std::string> GoldenLoadIds(const fs::path& dir) {
  std::vector<std::string> out;
  Csv c = ReadCsv(dir / "_dlt_loads.csv");
  for (const auto& r : c.rows) out.push_back(r[c.Col("load_id")].text);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Data tables.

struct TableRef {
  std::string name;
  std::string csv;     // relative to the case directory
  std::string key;     // top-level tables: the natural key the fixture rows are sorted by
  std::string parent;  // nested tables: the parent table (listed before them)
};

struct LoadedTable {
  std::vector<std::string> columns, types;
  std::vector<std::vector<duckdb::Value>> rows;  // ours, in the fixture's row order
  std::map<std::string, size_t> our_index;       // our _dlt_id -> row
  std::map<std::string, size_t> golden_index;    // dlt's _dlt_id -> row
  std::string root;
};

// Compares every listed table of `dataset` with the fixture CSVs in `dir`.
void CompareTables(Db& db, const std::string& dataset, const fs::path& dir, const std::vector<TableRef>& refs,
                   const std::vector<std::string>& golden_loads, const std::vector<std::string>& our_loads) {
  std::map<std::string, LoadedTable> done;
  for (const auto& ref : refs) {
    SCOPED_TRACE("table " + dataset + "." + ref.name);
    Csv golden = ReadCsv(dir / ref.csv);
    auto res = db.Q("SELECT * FROM " + duckdb::QuoteIdentifier(dataset) + "." + duckdb::QuoteIdentifier(ref.name));
    LoadedTable& t = done[ref.name];
    t.columns = res.column_names;
    t.types = res.column_types;
    t.rows = res.rows;
    t.root = ref.parent.empty() ? ref.name : done[ref.parent].root;
    EXPECT_EQ(t.columns, golden.header) << "column names and order";
    if (t.columns != golden.header) continue;
    ASSERT_EQ(t.rows.size(), golden.rows.size()) << "row count";
    int id_col = golden.Col("_dlt_id");
    int parent_col = golden.Col("_dlt_parent_id");
    int idx_col = golden.Col("_dlt_list_idx");
    // Our rows in the fixture's order.
    if (!ref.key.empty()) {
      int k = golden.Col(ref.key);
      ASSERT_GE(k, 0) << ref.key;
      std::stable_sort(t.rows.begin(), t.rows.end(), [&](const auto& a, const auto& b) {
        if (a[k].text != b[k].text) return KeyLess(a[k].text, b[k].text);
        for (size_t c = 0; c < a.size(); ++c) {
          if (IsRandomColumn(t.columns[c]) || a[c].text == b[c].text) continue;
          return a[c].text < b[c].text;
        }
        return false;
      });
    } else {
      ASSERT_GE(parent_col, 0);
      ASSERT_GE(idx_col, 0);
      const LoadedTable& p = done[ref.parent];
      auto pos = [&](const std::vector<duckdb::Value>& r) {
        auto it = p.our_index.find(r[parent_col].text);
        return std::make_pair(it == p.our_index.end() ? SIZE_MAX : it->second, std::stoll(r[idx_col].text));
      };
      std::stable_sort(t.rows.begin(), t.rows.end(), [&](const auto& a, const auto& b) { return pos(a) < pos(b); });
    }
    for (size_t i = 0; i < t.rows.size(); ++i) {
      if (id_col >= 0) {
        t.our_index[t.rows[i][id_col].text] = i;
        t.golden_index[golden.rows[i][id_col].text] = i;
      }
    }
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const auto& ours = t.rows[i];
      const Row& g = golden.rows[i];
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const std::string& col = t.columns[c];
        SCOPED_TRACE("row " + std::to_string(i) + " column " + col);
        if (col == "_dlt_id") {
          ASSERT_FALSE(ours[c].is_null);
          EXPECT_EQ(ours[c].text.size(), 14u);
          if (!ref.parent.empty()) {
            EXPECT_EQ(ours[c].text, NestedRowKey(ours[parent_col].text, ref.name, std::stoull(ours[idx_col].text)))
                << "nested _dlt_id must be derived from our parent id";
          }
        } else if (col == "_dlt_parent_id") {
          const LoadedTable& p = done[ref.parent];
          auto o = p.our_index.find(ours[c].text);
          auto gi = p.golden_index.find(g[c].text);
          ASSERT_TRUE(o != p.our_index.end()) << "parent row missing: " << ours[c].text;
          ASSERT_TRUE(gi != p.golden_index.end());
          EXPECT_EQ(o->second, gi->second) << "points at another parent row than dlt's";
        } else if (col == "_dlt_root_id") {
          const LoadedTable& r = done[t.root];
          auto o = r.our_index.find(ours[c].text);
          auto gi = r.golden_index.find(g[c].text);
          ASSERT_TRUE(o != r.our_index.end()) << "root row missing: " << ours[c].text;
          ASSERT_TRUE(gi != r.golden_index.end());
          EXPECT_EQ(o->second, gi->second) << "points at another root row than dlt's";
        } else if (col == "_dlt_load_id") {
          auto o = std::find(our_loads.begin(), our_loads.end(), ours[c].text);
          auto gl = std::find(golden_loads.begin(), golden_loads.end(), g[c].text);
          ASSERT_TRUE(o != our_loads.end());
          ASSERT_TRUE(gl != golden_loads.end());
          EXPECT_EQ(o - our_loads.begin(), gl - golden_loads.begin()) << "row of another load than dlt's";
        } else {
          EXPECT_TRUE(SameValue(g[c], ours[c], t.types[c]))
              << "dlt: " << (g[c].null ? "NULL" : "'" + g[c].text + "'")
              << " ours: " << (ours[c].is_null ? "NULL" : "'" + ours[c].text + "'") << " (" << t.types[c] << ")";
        }
      }
    }
  }
}

// columns.csv (information_schema of postgres) against DuckDB's: tables, column order, NOT NULL.
void CompareColumnsCsv(Db& db, const std::string& dataset, const fs::path& columns_csv,
                       const std::map<std::string, std::string>& rename = {},
                       const std::set<std::string>& skip_tables = {}) {
  Csv golden = ReadCsv(columns_csv);
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> want, have;
  for (const auto& r : golden.rows) {
    if (skip_tables.count(r[golden.Col("table_name")].text)) continue;
    std::string col = r[golden.Col("column_name")].text;
    if (auto it = rename.find(col); it != rename.end()) col = it->second;
    std::string table = r[golden.Col("table_name")].text;
    if (auto it = rename.find(table); it != rename.end()) table = it->second;
    want[table].emplace_back(col, r[golden.Col("is_nullable")].text);
  }
  auto res = db.Q("SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = " +
                  duckdb::QuoteLiteral(dataset) + " ORDER BY table_name, ordinal_position");
  for (const auto& r : res.rows) have[r[0].text].emplace_back(r[1].text, r[2].text);
  EXPECT_EQ(have, want) << "tables, columns (in order) and nullability of " << dataset;
}

// ---------------------------------------------------------------------------------------------
// Stored schema.

// Tables, columns (in order) with every hint, table properties, settings and normalizers; key
// order ignored (dlt's key order is an artifact of how it builds its dicts).
void ExpectSameSchemaContent(const OJson& ours, const OJson& golden) {
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


// Sets version_hash to dlt's hash of the content (the algorithm is checked on every fixture by
// GoldenSchemaHash); for golden schemas translated to a known difference.
OJson Rehashed(OJson schema) {
  auto s = Schema::FromJson(schema.dump(), "rehashed");
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (s.ok()) schema["version_hash"] = s->ComputeVersionHash();
  return schema;
}

// _dlt_version and _dlt_loads rows against the fixture (masking timestamps and load ids).
// `expected` is the stored schema the newest _dlt_version row must hold: dlt's, possibly with
// known differences applied (then its text length is adjusted by exactly their length).
void CompareVersionAndLoads(Db& db, const std::string& dataset, const fs::path& dir, const OJson& expected) {
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
void SortUniqueHashes(OJson& j) {
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
void AdoptUniqueHashOrder(OJson& ours, const OJson& golden) {
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
void CompareState(Db& db, const std::string& dataset, const fs::path& dir, const std::vector<std::string>& golden_loads,
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

void ExpectRowCounts(const LoadInfo& info, const OJson& counts) {
  std::map<std::string, uint64_t> want;
  for (auto it = counts.begin(); it != counts.end(); ++it) want[it.key()] = it.value().get<uint64_t>();
  std::map<std::string, uint64_t> have = info.rows_per_table;
  have.erase("_dlt_pipeline_state");
  EXPECT_EQ(have, want);
}

std::map<std::string, uint64_t> CountRows(Db& db, const std::string& dataset) {
  std::map<std::string, uint64_t> out;
  for (const auto& t : db.Tables(dataset)) {
    if (t.starts_with("_dlt_")) continue;
    auto r = db.Q("SELECT count(*) FROM " + duckdb::QuoteIdentifier(dataset) + "." + duckdb::QuoteIdentifier(t));
    out[t] = std::stoull(r.rows[0][0].text);
  }
  return out;
}

std::map<std::string, uint64_t> CountsFromJson(const OJson& j) {
  std::map<std::string, uint64_t> out;
  for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<uint64_t>();
  return out;
}

std::string JsonKey(const std::string& k) { return OJson(k).dump(); }

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
  OJson golden_schema = ReadJson(dir / "stored_schema.json");
  OJson ours = db.StoredSchema(ds);
  ExpectSameSchemaContent(ours, golden_schema);
  EXPECT_EQ(ours["version_hash"], golden_schema["version_hash"]);
  EXPECT_EQ(ours["version"], golden_schema["version"]);
  CompareColumnsCsv(db, ds, dir / "columns.csv");
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
    OJson golden_schema = ReadJson(dir / "stored_schema.json");
    OJson ours = db.StoredSchema(ds);
    ExpectSameSchemaContent(ours, golden_schema);
    EXPECT_EQ(ours["version_hash"], golden_schema["version_hash"]);
    EXPECT_EQ(ours["version"], golden_schema["version"]);
    CompareColumnsCsv(db, ds, dir / "columns.csv");
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
// e. types

// {"probe_id": 1, <field>: <value>, ...} in fixture order, values as dlt got them (raw JSON).
std::string ProbeRow(const OJson& types) {
  std::string row = "{\"probe_id\": 1";
  for (const auto& e : types["examples"]) {
    row += ", " + JsonKey(e["field"].get<std::string>()) + ": " + e["input_json"].get<std::string>();
  }
  return row + "}";
}

std::vector<Resource> TypesResources(const OJson& types) {
  std::vector<Resource> out;
  ResourceOptions probe;
  probe.name = types["probe_table"].get<std::string>();
  out.push_back(Resource::FromRows(probe, {ProbeRow(types)}));
  for (const auto& seq : types["variant_sequences"]) {
    ResourceOptions o;
    o.name = seq["table"].get<std::string>();
    std::vector<std::string> rows;
    int i = 0;
    for (const auto& v : seq["input_values_in_row_order"]) {
      rows.push_back("{\"seq\": " + std::to_string(i++) + ", \"v\": " + v.get<std::string>() + "}");
    }
    out.push_back(Resource::FromRows(o, rows));
  }
  return out;
}

TEST(GoldenTypes, InferenceCoercionAndVariantColumnsMatchDlt) {
  const fs::path dir = Fixture("types");
  const OJson types = ReadJson(dir / "types.json");
  GoldenEnv env;
  auto info = env.Run("types_probe", "types_probe_data", TypesResources(types));
  ASSERT_TRUE(info.ok()) << info.status().message();
  ExpectRowCounts(*info, ReadJson(dir / "row_counts.json"));
  const std::string ds = "types_probe_data";
  Db db(env.db_path());
  OJson golden_schema = ReadJson(dir / "stored_schema.json");
  OJson ours = db.StoredSchema(ds);
  ExpectSameSchemaContent(ours, golden_schema);
  EXPECT_EQ(ours["version_hash"], golden_schema["version_hash"]);
  EXPECT_EQ(ours["version"], golden_schema["version"]);
  CompareColumnsCsv(db, ds, dir / "columns.csv");

  // Per example: the inferred dlt type of each column it created, and the nested tables.
  OJson probe = ours["tables"]["type_probe"]["columns"];
  for (const auto& e : types["examples"]) {
    SCOPED_TRACE("example " + e["field"].get<std::string>());
    for (auto it = e["columns"].begin(); it != e["columns"].end(); ++it) {
      ASSERT_TRUE(probe.contains(it.key())) << it.key();
      EXPECT_EQ(probe[it.key()]["data_type"], it.value()["data_type"]);
    }
    if (e["columns"].empty()) {
      EXPECT_FALSE(probe.contains(e["field"].get<std::string>()));
    }
    if (e.contains("nested_tables") && e["nested_tables"].is_object()) {
      for (auto it = e["nested_tables"].begin(); it != e["nested_tables"].end(); ++it) {
        ASSERT_TRUE(ours["tables"].contains(it.key())) << it.key();
        OJson t = ours["tables"][it.key()];
        EXPECT_EQ(t["parent"], it.value()["parent"]);
        std::vector<std::string> want;
        for (auto c = it.value()["columns"].begin(); c != it.value()["columns"].end(); ++c) {
          want.push_back(c.key());
          EXPECT_EQ(t["columns"][c.key()]["data_type"], c.value()["data_type"]) << c.key();
        }
        EXPECT_EQ(Keys(t["columns"]), want);
      }
    }
  }
  // Per variant sequence: columns in order with types and the variant flag.
  for (const auto& seq : types["variant_sequences"]) {
    const std::string table = seq["table"].get<std::string>();
    SCOPED_TRACE("variant sequence " + table);
    OJson cols = ours["tables"][table]["columns"];
    EXPECT_EQ(Keys(cols), Keys(seq["columns"]));
    for (auto it = seq["columns"].begin(); it != seq["columns"].end(); ++it) {
      EXPECT_EQ(cols[it.key()]["data_type"], it.value()["data_type"]) << it.key();
      EXPECT_EQ(cols[it.key()].value("variant", false), it.value().value("variant", false)) << it.key();
    }
  }

  auto golden_loads = GoldenLoadIds(dir);
  auto our_loads = db.LoadIds(ds);
  std::vector<TableRef> refs = {
      {"type_probe", "tables/type_probe.csv", "probe_id", ""},
      {"type_probe__list_ints", "tables/type_probe__list_ints.csv", "", "type_probe"},
      {"type_probe__list_strings", "tables/type_probe__list_strings.csv", "", "type_probe"},
      {"type_probe__list_of_lists", "tables/type_probe__list_of_lists.csv", "", "type_probe"},
      {"type_probe__list_of_lists__list", "tables/type_probe__list_of_lists__list.csv", "", "type_probe__list_of_lists"},
      {"type_probe__list_mixed", "tables/type_probe__list_mixed.csv", "", "type_probe"},
      {"type_probe__list_objects_type_change", "tables/type_probe__list_objects_type_change.csv", "", "type_probe"},
      {"type_probe__list_list_objects", "tables/type_probe__list_list_objects.csv", "", "type_probe"},
      {"type_probe__list_list_objects__list", "tables/type_probe__list_list_objects__list.csv", "",
       "type_probe__list_list_objects"},
      {"scalar_then_list", "tables/scalar_then_list.csv", "seq", ""},
      {"scalar_then_list__v", "tables/scalar_then_list__v.csv", "", "scalar_then_list"},
  };
  for (const char* t : {"int_then_others", "text_then_others", "timestamp_then_others", "bool_then_others",
                        "double_then_others", "object_then_scalar", "null_then_int"}) {
    refs.push_back({t, std::string("tables/") + t + ".csv", "seq", ""});
  }
  CompareTables(db, ds, dir, refs, golden_loads, our_loads);
  CompareVersionAndLoads(db, ds, dir, golden_schema);
  CompareState(db, ds, dir, golden_loads, our_loads);
  EXPECT_EQ(CountRows(db, ds), CountsFromJson(ReadJson(dir / "row_counts.json")));
}

TEST(GoldenTypes, ValuesThatBreakDltFailWithAClearError) {
  const OJson types = ReadJson(Fixture("types/types.json"));
  for (const auto& e : types["isolated_examples"]) {
    const std::string field = e["field"].get<std::string>();
    SCOPED_TRACE("isolated example " + field);
    std::vector<std::string> rows;
    for (const auto& v : e["input_values_in_row_order"]) {
      rows.push_back("{" + JsonKey(field) + ": " + v.get<std::string>() + "}");
    }
    GoldenEnv env;
    ResourceOptions o;
    o.name = "type_probe";
    auto info = env.Run("types_probe", "types_probe_data", {Resource::FromRows(o, rows)});
    ASSERT_FALSE(info.ok()) << "dlt fails on this input (" << e["error"] << "); we loaded it";
    const std::string& msg = info.status().message();
    // A clear error names the field and the offending value.
    std::string value = e["input_values_in_row_order"].back().get<std::string>();
    if (value.front() == '"') value = value.substr(1, value.size() - 2);
    EXPECT_NE(msg.find(field), std::string::npos) << msg;
    EXPECT_NE(msg.find(value), std::string::npos) << msg;
  }
}

// =============================================================================================
// d. naming

TEST(GoldenNaming, TableAndColumnNamesMatchDlt) {
  const fs::path dir = Fixture("naming");
  const OJson input = ReadJson(dir / "input.json");
  const OJson naming = ReadJson(dir / "naming.json");
  std::vector<std::string> rows;
  const auto& names = input["field_names"];
  for (size_t i = 0; i < names.size(); ++i) {
    rows.push_back("{\"name_idx\": " + std::to_string(i) + ", " + names[i].dump() + ": \"v" + std::to_string(i) + "\"}");
  }
  size_t j = 1000;
  for (const auto& rec : input["nested_records"]) {
    OJson row = OJson::object();
    row["name_idx"] = j++;
    for (auto it = rec.begin(); it != rec.end(); ++it) row[it.key()] = it.value();
    rows.push_back(row.dump());
  }
  GoldenEnv env;
  ResourceOptions o;
  o.name = input["table_name"].get<std::string>();  // "Naming Probe"
  auto info = env.Run("naming_probe", "naming_probe_data", {Resource::FromRows(o, rows)});
  ASSERT_TRUE(info.ok()) << info.status().message();

  // dlt loaded into postgres, which limits identifiers to 63 characters: dlt shortened the long
  // names. DuckDB has no such limit (dlt's duckdb capabilities neither), so the names here are
  // dlt's normalize_path without a length limit. The golden schema is translated accordingly.
  std::map<std::string, std::string> rename;
  for (const auto& n : naming["names"]) {
    std::string full = n["normalize_path"].get<std::string>();
    if (full.empty()) continue;  // "" and " " -> _empty (the relational normalizer's key)
    if (n["postgres_column"] != full) rename[n["postgres_column"].get<std::string>()] = full;
  }
  SnakeCaseNaming unlimited;
  for (const auto& p : naming["nested_paths"]) {
    for (auto it = p["record"].begin(); it != p["record"].end(); ++it) {
      const OJson& v = it.value();
      std::string top = unlimited.NormalizeKey(it.key());
      if (v.is_object()) {
        // one level of nesting below (the fixture's records have objects of objects)
        std::vector<std::string> path{top};
        const OJson* cur = &v;
        while (cur->is_object() && cur->size() == 1) {
          path.push_back(unlimited.NormalizeKey(cur->begin().key()));
          cur = &cur->begin().value();
        }
        std::string full = unlimited.MakePath(path);
        for (const auto& c : p["root_columns"]) {
          if (c.get<std::string>() != full) rename[c.get<std::string>()] = full;
        }
      } else {
        for (auto t = p["nested_tables"].begin(); t != p["nested_tables"].end(); ++t) {
          std::string full = unlimited.MakePath({"naming_probe", top});
          if (t.key() != full) rename[t.key()] = full;
        }
      }
    }
  }
  EXPECT_EQ(rename.size(), 6u) << "4 field names over 63 characters, 1 nested column, 1 nested table";
  OJson golden_schema = ReadJson(dir / "stored_schema.json");
  OJson translated = golden_schema;
  OJson tables = OJson::object();
  for (auto t = golden_schema["tables"].begin(); t != golden_schema["tables"].end(); ++t) {
    std::string tname = rename.count(t.key()) ? rename[t.key()] : t.key();
    OJson table = t.value();
    table["name"] = tname;
    OJson cols = OJson::object();
    for (auto c = t.value()["columns"].begin(); c != t.value()["columns"].end(); ++c) {
      std::string cname = rename.count(c.key()) ? rename[c.key()] : c.key();
      OJson col = c.value();
      col["name"] = cname;
      cols[cname] = col;
    }
    table["columns"] = cols;
    tables[tname] = table;
  }
  translated["tables"] = tables;

  const std::string ds = "naming_probe_data";
  Db db(env.db_path());
  OJson ours = db.StoredSchema(ds);
  EXPECT_TRUE(ours["tables"].contains("naming_probe"));
  EXPECT_EQ(ours["tables"]["naming_probe"]["resource"], "Naming Probe");
  ExpectSameSchemaContent(ours, translated);
  // dlt's hash algorithm (validated on the fixtures by GoldenSchemaHash) over the translated schema.
  auto expected = Schema::FromJson(translated.dump(), "translated");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(ours["version_hash"].get<std::string>(), expected->ComputeVersionHash());
  EXPECT_EQ(ours["version"], golden_schema["version"]);
  CompareColumnsCsv(db, ds, dir / "columns.csv", rename);
  CompareVersionAndLoads(db, ds, dir, Rehashed(translated));

  // Every value is in the column dlt put it in.
  auto all = db.Q("SELECT * FROM naming_probe_data.naming_probe ORDER BY name_idx");
  ASSERT_EQ(all.rows.size(), names.size() + input["nested_records"].size());
  for (size_t i = 0; i < names.size(); ++i) {
    const OJson& n = naming["names"][i];
    std::string col = n["postgres_column"].get<std::string>();
    if (rename.count(col)) col = rename[col];
    int c = all.ColumnIndex(col);
    ASSERT_GE(c, 0) << col;
    EXPECT_EQ(all.rows[i][all.ColumnIndex("name_idx")].text, std::to_string(i));
    EXPECT_EQ(all.rows[i][c].text, "v" + std::to_string(i)) << names[i] << " -> " << col;
  }
  auto golden_loads = GoldenLoadIds(dir);
  auto our_loads = db.LoadIds(ds);
  CompareState(db, ds, dir, golden_loads, our_loads);
}

TEST(GoldenNaming, KeysThatNormalizeToNothingFailWithAClearError) {
  const OJson naming = ReadJson(Fixture("naming/naming.json"));
  for (const auto& n : naming["isolated_names"]) {
    const std::string name = n["source_name"].get<std::string>();
    SCOPED_TRACE(name);
    GoldenEnv env;
    ResourceOptions o;
    o.name = "Naming Probe";
    auto info = env.Run("naming_probe", "naming_probe_data",
                        {Resource::FromRows(o, {"{\"name_idx\": 0, " + JsonKey(name) + ": \"v\"}"})});
    ASSERT_FALSE(info.ok()) << "dlt fails on this key (" << n["root_cause"] << ")";
    EXPECT_NE(info.status().message().find("`" + name + "`"), std::string::npos) << info.status().message();
    EXPECT_NE(info.status().message().find("empty"), std::string::npos) << info.status().message();
  }
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
