// What the SqlSession tests of DuckDB and PostgreSQL share: a pipeline `events` run through the
// C++ API with one row holding a value of every dlt type (and one of NULLs), the query that reads
// it back, and the types and texts every destination must return for it.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/pipeline.h"
#include "dlt/sql.h"
#include "pipeline_fixture.h"

namespace dlt::testing {

inline StatusOr<Pipeline> EventsPipeline(const Workspace& ws) {
  PipelineOptions po;
  po.pipeline_name = "events";
  po.destination = "warehouse";
  po.dataset_name = "events_data";
  return Pipeline::Create(ws, po);
}

inline ColumnOptions Hint(std::string name, std::string type, std::optional<int> precision = {},
                          std::optional<int> scale = {}) {
  ColumnOptions c;
  c.name = std::move(name);
  c.data_type = std::move(type);
  c.precision = precision;
  c.scale = scale;
  return c;
}

// Table `events`: row 1 has a value in every column, row 2 only id, active and price.
inline Resource EveryTypeResource() {
  ResourceOptions o;
  o.name = "events";
  o.columns = {Hint("id", "bigint"),        Hint("amount", "double"),   Hint("active", "bool"),
               Hint("price", "decimal", 12, 4), Hint("created_at", "timestamp"), Hint("day", "date"),
               Hint("clock", "time"),          Hint("name", "text"),       Hint("payload", "json"),
               Hint("raw", "binary")};
  return Resource::FromRows(
      o, {R"({"id": 1, "amount": 1.5, "active": true, "price": "12.345", "created_at": "2024-01-02T03:04:05.123456Z",)"
          R"( "day": "2024-01-02", "clock": "03:04:05.5", "name": "it's", "payload": {"a": [1, 2], "b": "x"},)"
          // the bytes a b 0x01 ' " as dlt's typed JSON writes bytes (marker U+F02B, base64): plain
          // text is not bytes (dlt decodes only 0x-hex or base64 text into a binary column)
          R"( "raw": "\uf02bYWIBJyI="})",
          R"({"id": 2, "active": false, "price": "-0.5"})"});
}

inline constexpr const char* kEveryTypeSelect =
    "SELECT id, amount, active, price, created_at, day, clock, name, payload, raw FROM events ORDER BY id";

inline std::string Types(const QueryResult& r) {
  std::string out;
  for (const auto& c : r.columns) out += (out.empty() ? "" : " ") + c.data_type;
  return out;
}

// The values joined by `|`, NULL as "NULL".
inline std::string Texts(const std::vector<std::optional<std::string>>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("NULL");
  return out;
}

// The result of kEveryTypeSelect, the same on every destination (JSON compared as JSON: each
// database spaces it its own way).
inline void ExpectEveryTypeRows(const QueryResult& r) {
  EXPECT_EQ(Types(r), "bigint double bool decimal timestamp date time text json binary");
  ASSERT_EQ(r.columns.size(), 10u);
  EXPECT_EQ(r.columns[4].name, "created_at");
  ASSERT_EQ(r.rows.size(), 2u);
  std::vector<std::optional<std::string>> first = r.rows[0];
  ASSERT_TRUE(first[8].has_value());
  EXPECT_EQ(nlohmann::json::parse(*first[8], nullptr, false), nlohmann::json::parse(R"({"a": [1, 2], "b": "x"})"))
      << *first[8];
  first[8] = "<json>";
  EXPECT_EQ(Texts(first),
            "1|1.5|true|12.3450|2024-01-02T03:04:05.123456+00:00|2024-01-02|03:04:05.500000|it's|<json>|6162012722");
  EXPECT_EQ(Texts(r.rows[1]), "2|NULL|false|-0.5000|NULL|NULL|NULL|NULL|NULL|NULL");
}

}  // namespace dlt::testing
