// Golden pipeline runs (integration tests): this engine against real outputs of Python dlt 1.26 (tests/fixtures/dlt-1.26, a
// copy of the project's shared/fixtures/dlt-1.26 kept in the repository; see its README). dlt
// produced them with postgres; we load into DuckDB, so the comparison is of logical content:
// table and column names and order, dlt data types and hints of the stored schema, the schema
// version hash, row values (timestamps as instants, doubles numerically), the
// system tables, the decoded pipeline state and its version hash, incremental state and merge
// results. Values that are random in dlt (row keys, load ids, timestamps) are not compared
// directly: the relations between them are (nested row keys derived from OUR parent keys,
// parent/root keys pointing at the right rows, load ids mapping to the right load).
//
// This header: the fixture CSVs, value comparison, the workspace and DuckDB destination of a run
// and the comparison of data tables, shared by the golden_*_test.cc files.
#pragma once

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

namespace dlt::golden_test {

namespace fs = std::filesystem;
using testing::OJson;
using testing::UJson;

using testing::Fixture;
using testing::Keys;
using testing::ReadJson;
using testing::Unordered;

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

inline Csv ParseCsv(const std::string& s) {
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

inline Csv ReadCsv(const fs::path& p) { return ParseCsv(testing::ReadFile(p)); }

// ---------------------------------------------------------------------------------------------
// Value normalization.

// "2024-03-01 10:00:00[.ffffff]+00[:00]" (postgres and DuckDB text of timestamptz) -> UTC
// instant "2024-03-01T10:00:00.000000Z"; other text unchanged.
inline std::string NormalizeTimestamp(const std::string& s) {
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

inline bool ParseNumber(const std::string& s, long double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtold(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// Compares one data value given dlt's text (postgres) and ours (DuckDB) for a DuckDB column type.
inline bool SameValue(const Cell& golden, const duckdb::Value& ours, const std::string& type) {
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
inline bool KeyLess(const std::string& a, const std::string& b) {
  long double x, y;
  if (ParseNumber(a, &x) && ParseNumber(b, &y) && x != y) return x < y;
  return a < b;
}

inline bool IsRandomColumn(const std::string& c) {
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

inline std::vector<std::string> GoldenLoadIds(const fs::path& dir) {
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
inline void CompareTables(Db& db, const std::string& dataset, const fs::path& dir, const std::vector<TableRef>& refs,
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
inline void CompareColumnsCsv(Db& db, const std::string& dataset, const fs::path& columns_csv,
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

}  // namespace dlt::golden_test
