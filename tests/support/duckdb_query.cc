#include "support/duckdb_query.h"

#include <gtest/gtest.h>

namespace dlt::testing {

namespace fs = std::filesystem;

namespace {

// Opens, connects and queries; the error says which step failed, on which file, for which SQL.
StatusOr<duckdb::QueryResult> OpenAndQuery(const fs::path& db, const std::string& sql, bool read_only) {
  auto d = duckdb::Database::Open(db.string(), read_only);
  if (!d.ok()) return Internal("cannot open " + db.string() + ": " + d.status().message());
  auto c = d->Connect();
  if (!c.ok()) return Internal("cannot connect to " + db.string() + ": " + c.status().message());
  auto r = c->Query(sql);
  if (!r.ok()) return Internal("query on " + db.string() + " failed: " + sql + ": " + r.status().message());
  return std::move(*r);
}

}  // namespace

duckdb::QueryResult QueryDuckDbTyped(const fs::path& db, const std::string& sql, bool read_only) {
  auto r = OpenAndQuery(db, sql, read_only);
  if (!r.ok()) {
    ADD_FAILURE() << r.status().message();
    return {};
  }
  return std::move(*r);
}

SqlRows QueryDuckDb(const fs::path& db, const std::string& sql) {
  SqlRows out;
  for (const auto& row : QueryDuckDbTyped(db, sql).rows) {
    std::vector<std::optional<std::string>> values;
    for (const auto& v : row) values.push_back(v.is_null ? std::nullopt : std::optional<std::string>(v.text));
    out.push_back(std::move(values));
  }
  return out;
}

bool ExecDuckDb(const fs::path& db, const std::string& sql) {
  auto r = OpenAndQuery(db, sql, /*read_only=*/false);
  if (!r.ok()) ADD_FAILURE() << r.status().message();
  return r.ok();
}

std::string DuckDbError(const fs::path& db, const std::string& sql) {
  auto r = OpenAndQuery(db, sql, /*read_only=*/false);
  return r.ok() ? std::string() : r.status().message();
}

std::string SqlValue(const fs::path& db, const std::string& sql) {
  SqlRows rows = QueryDuckDb(db, sql);
  if (rows.empty() || rows[0].empty()) return "<no rows>";
  return rows[0][0].value_or("NULL");
}

std::vector<std::string> SqlColumn(const fs::path& db, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& r : QueryDuckDb(db, sql)) out.push_back(r.empty() ? "" : r[0].value_or("NULL"));
  return out;
}

int64_t CountRows(const fs::path& db, const std::string& table) {
  std::string v = SqlValue(db, "SELECT count(*) FROM " + table);
  try {
    return std::stoll(v);
  } catch (...) {
    return -1;
  }
}

bool TableExists(const fs::path& db, const std::string& dataset, const std::string& table) {
  return SqlValue(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + dataset +
                          "' AND table_name = '" + table + "'") == "1";
}

std::vector<std::string> TableColumns(const fs::path& db, const std::string& dataset, const std::string& table) {
  return SqlColumn(db, "SELECT column_name FROM information_schema.columns WHERE table_schema = '" + dataset +
                           "' AND table_name = '" + table + "' ORDER BY ordinal_position");
}

std::string FileSql(const std::string& sql) {
  auto db = duckdb::Database::Open(":memory:");
  if (!db.ok()) return "open failed: " + db.status().message();
  auto c = db->Connect();
  if (!c.ok()) return "connect failed: " + c.status().message();
  auto r = c->Query(sql);
  if (!r.ok()) return "query failed: " + r.status().message() + " (" + sql + ")";
  if (r->rows.size() != 1 || r->rows[0].size() != 1) return "<" + std::to_string(r->rows.size()) + " rows>";
  return r->rows[0][0].is_null ? "NULL" : r->rows[0][0].text;
}

}  // namespace dlt::testing
