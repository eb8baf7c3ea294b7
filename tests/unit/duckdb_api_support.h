// Shared by the duckdb_api_*_test.cc files (the dlopen-based DuckDB C API wrapper): ASSERT_OK, and
// opening, connecting and querying that fail the test on an error.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "destinations/duckdb/duckdb_api.h"

#define ASSERT_OK(expr)                                   \
  do {                                                    \
    ::dlt::Status s_ = (expr);                            \
    ASSERT_TRUE(s_.ok()) << s_.message();                 \
  } while (0)

namespace dlt::duckdb::api_test {

inline Database OpenOrDie(const std::string& path, bool read_only = false) {
  auto db = Database::Open(path, read_only);
  EXPECT_TRUE(db.ok()) << db.status().message();
  return std::move(db).value();
}

inline Connection ConnectOrDie(Database& db) {
  auto conn = db.Connect();
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  return std::move(conn).value();
}

inline QueryResult QueryOrDie(Connection& conn, const std::string& sql) {
  auto r = conn.Query(sql);
  EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().message();
  if (!r.ok()) return {};
  return std::move(r).value();
}

inline bool Has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace dlt::duckdb::api_test
