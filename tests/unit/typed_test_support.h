// Helpers of the typed-batch tests (typed_job_file_test.cc, typed_resource_test.cc): a workspace
// with a DuckDB destination run through the C++ API, and typed batches of orders and of every type.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "destinations/duckdb/duckdb_api.h"
#include "dlt/pipeline.h"
#include "dlt/workspace.h"
#include "extract/resource_access.h"
#include "normalize/typed_batch.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt::typed_test {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A workspace with a DuckDB destination `warehouse`; runs pipelines through the C++ API.
class TypedEnv {
 public:
  explicit TypedEnv(fs::path root = {}) {
    // A folder of its own only when none is given: the killed child of the death test below
    // gets its parent's, and a folder it made itself would stay behind after its SIGKILL.
    if (root.empty()) tmp_.emplace();
    root_ = root.empty() ? tmp_->path() : root;
    ws_ = root_ / "ws";
    home_ = root_ / "home";
    fs::create_directories(ws_ / ".dlt");
    fs::create_directories(home_);
    testing::WriteFile(ws_ / ".dlt" / ".workspace", "");
    testing::WriteFile(ws_ / ".dlt" / "dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  }
  const fs::path& root() const { return root_; }

  StatusOr<LoadInfo> Run(const std::vector<Resource>& resources, const std::string& pipeline = "shop") {
    WorkspaceOptions o;
    o.start_dir = ws_;
    o.env = Environment({{"HOME", home_.string()}});
    o.home = home_;
    DLT_ASSIGN_OR_RETURN(Workspace w, Workspace::Open(std::move(o)));
    DLT_RETURN_IF_ERROR(w.LoadConfig());
    PipelineOptions po;
    po.pipeline_name = pipeline;
    po.destination = "warehouse";
    po.dataset_name = "shop_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(w, po));
    pipeline_dir_ = p.working_dir();
    return p.Run(resources);
  }

  // Rows of `sql` on the destination, NULL as "NULL", columns joined by `|`.
  std::vector<std::string> Rows(const std::string& sql) {
    std::vector<std::string> out;
    auto db = duckdb::Database::Open((ws_ / "_local" / "dev" / "warehouse.duckdb").string(), true);
    if (!db.ok()) {
      ADD_FAILURE() << db.status().message();
      return out;
    }
    auto con = db->Connect();
    auto r = con->Query(sql);
    if (!r.ok()) {
      ADD_FAILURE() << sql << ": " << r.status().message();
      return out;
    }
    for (const auto& row : r->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + (row[i].is_null ? std::string("NULL") : row[i].text);
      out.push_back(line);
    }
    return out;
  }

  Json StoredTable(const std::string& table) {
    std::ifstream in(pipeline_dir_ / "schemas" / "shop.schema.json");
    Json s = Json::parse(in);
    return s["tables"][table];
  }
  const fs::path& pipeline_dir() const { return pipeline_dir_; }

 private:
  std::optional<testing::TempDir> tmp_;
  fs::path root_, ws_, home_, pipeline_dir_;
};

inline TypedColumn Col(std::string name, DataType type, std::optional<int> precision = {}, std::optional<int> scale = {},
                bool nullable = true) {
  TypedColumn c;
  c.name = std::move(name);
  c.data_type = type;
  c.precision = precision;
  c.scale = scale;
  c.nullable = nullable;
  return c;
}

inline ResourceOptions Options(const std::string& name, const std::string& disposition = "append") {
  ResourceOptions o;
  o.name = name;
  o.write_disposition = disposition;
  return o;
}

// Orders with an id, a status (text) and an amount (decimal(12,2)).
inline TypedBatch Orders(std::vector<std::pair<int64_t, std::string>> rows) {
  TypedBatch b({Col("id", DataType::kBigint, {}, {}, false),
                Col("status", DataType::kText),
                Col("amount", DataType::kDecimal, 12, 2)});
  for (const auto& [id, status] : rows) {
    b.AppendInt(0, id);
    b.AppendText(1, status);
    b.AppendText(2, std::to_string(id) + ".50");
  }
  return b;
}

// Every type, one row of values and one of NULLs (but the id).
inline TypedBatch EveryType() {
  TypedBatch b({Col("id", DataType::kBigint),
                Col("name", DataType::kText),
                Col("price", DataType::kDecimal, 38, 9),
                Col("ratio", DataType::kDouble),
                Col("active", DataType::kBool),
                Col("created_at", DataType::kTimestamp),
                Col("day", DataType::kDate),
                Col("at", DataType::kTime),
                Col("doc", DataType::kJson),
                Col("blob", DataType::kBinary)});
  b.AppendInt(0, 1);
  b.AppendText(1, "Zoë, \"quoted\"\nline");
  b.AppendText(2, "12345678901234567890.123456789");
  b.AppendDouble(3, 0.1);
  b.AppendBool(4, true);
  b.AppendInt(5, 1717243200123456);  // 2024-06-01T12:00:00.123456+00:00
  b.AppendInt(6, 19875);             // 2024-06-01
  b.AppendInt(7, (13 * 3600 + 14 * 60 + 15) * 1000000LL + 500000);
  b.AppendText(8, R"({"a":[1,2],"b":null})");
  b.AppendText(9, BinaryCell(std::string("\x00\x01" "AB\\\xff", 6)));
  b.AppendInt(0, 2);
  for (size_t c = 1; c < 10; ++c) b.AppendNull(c);
  return b;
}


}  // namespace dlt::typed_test
