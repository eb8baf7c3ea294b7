// GET .../pipelines/<name>/query?sql=...&format=parquet: the rows the query tab shows, as a
// Parquet file with typed columns (a BIGINT stays a BIGINT, a timestamp a TIMESTAMP WITH TIME
// ZONE), for DuckDB and PostgreSQL datasets alike.
//
// The user's statement runs exactly as for the JSON answer (query_route.cc: read-only, external
// access off, same limits), so that database cannot write a file. The file is written by a
// second, private in-memory DuckDB that never sees the user's SQL: it runs only the statements
// below, with quoted names, and gets the values through the appender (never as SQL text). The
// file goes to a fresh directory made by mkdtemp (mode 0700, so no other user can swap or read
// it), is read back, and the directory is removed before the answer leaves.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dashboard/api_support.h"
#include "destinations/duckdb/duckdb_api.h"

namespace dlt::dashboard {

namespace fs = std::filesystem;

namespace {

bool IsNumber(const std::string& v, bool allow_point, size_t* int_digits, size_t* frac_digits) {
  size_t i = (!v.empty() && v[0] == '-') ? 1 : 0, ints = 0, fracs = 0;
  bool point = false;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i) {
    if (v[i] == '.' && allow_point && !point) point = true;
    else if (std::isdigit(static_cast<unsigned char>(v[i]))) ++(point ? fracs : ints);
    else return false;
  }
  *int_digits = std::max(*int_digits, ints);
  *frac_digits = std::max(*frac_digits, fracs);
  return true;
}

// The DuckDB expression that turns column `i` (the value's dlt text, include/dlt/sql.h) back into
// its type. A column whose texts do not all fit the type (a PostgreSQL numeric NaN, an integer
// wider than 128 bits, a type dlt reads as text) stays VARCHAR, as the JSON answer shows it.
std::string TypedExpr(const QueryResult& r, size_t i, const std::string& name) {
  const std::string& t = r.columns[i].data_type;
  auto all = [&](auto ok) {
    for (const auto& row : r.rows) {
      if (row[i] && !ok(*row[i])) return false;
    }
    return true;
  };
  auto cast = [&](const std::string& type) { return "CAST(" + name + " AS " + type + ")"; };
  size_t ints = 0, fracs = 0;
  if (t == "bigint" && all([&](const std::string& v) { return IsNumber(v, false, &ints, &fracs); })) {
    return cast(ints <= 18 ? "BIGINT" : ints <= 38 ? "HUGEINT" : "VARCHAR");
  }
  if (t == "decimal" && all([&](const std::string& v) { return IsNumber(v, true, &ints, &fracs); })) {
    if (ints + fracs > 38) return cast("VARCHAR");
    if (ints + fracs == 0) return cast("DECIMAL(38,9)");  // no value to size it by
    return cast("DECIMAL(" + std::to_string(std::max<size_t>(ints + fracs, 1)) + "," + std::to_string(fracs) + ")");
  }
  if (t == "double") return cast("DOUBLE");
  if (t == "bool") return cast("BOOLEAN");
  if (t == "date") return cast("DATE");
  if (t == "json") return cast("JSON");
  if (t == "binary") return "unhex(" + name + ")";
  auto zoned = [](const std::string& v) { return v.ends_with("+00:00") || v == "infinity" || v == "-infinity"; };
  auto naive = [](const std::string& v) { return !v.ends_with("+00:00"); };
  if (t == "timestamp") {
    if (all(zoned)) return cast("TIMESTAMP WITH TIME ZONE");
    if (all(naive)) return cast("TIMESTAMP");
  }
  if (t == "time") {
    if (all(naive)) return cast("TIME");
    if (all([](const std::string& v) { return v.ends_with("+00:00"); })) return cast("TIME WITH TIME ZONE");
  }
  return cast("VARCHAR");
}

// Writes `rows` (names and values already scrubbed) to `file`. Only our own statements run here.
Status WriteParquet(const QueryResult& r, size_t rows, const fs::path& file) {
  DLT_RETURN_IF_ERROR(duckdb::EnsureLoaded());
  DLT_ASSIGN_OR_RETURN(auto db, duckdb::Database::Open(":memory:", false, {{"threads", "1"}}));
  DLT_ASSIGN_OR_RETURN(auto conn, db.Connect());
  // A staging table of texts (column c<i>), cast to the result's types by the COPY below.
  std::string create = "CREATE TABLE staging (", select;
  for (size_t i = 0; i < r.columns.size(); ++i) {
    const std::string c = "c" + std::to_string(i);
    create += (i ? ", " : "") + c + " VARCHAR";
    select += (i ? ", " : "") + TypedExpr(r, i, c) + " AS " + duckdb::QuoteIdentifier(r.columns[i].name);
  }
  DLT_RETURN_IF_ERROR(conn.Execute(create + ")"));
  {
    DLT_ASSIGN_OR_RETURN(auto app, duckdb::Appender::Create(conn, "", "staging"));
    for (size_t n = 0; n < rows; ++n) {
      for (const auto& v : r.rows[n]) DLT_RETURN_IF_ERROR(v ? app.AppendVarchar(*v) : app.AppendNull());
      DLT_RETURN_IF_ERROR(app.EndRow());
    }
    DLT_RETURN_IF_ERROR(app.Close());
  }
  return conn.Execute("COPY (SELECT " + select + " FROM staging) TO " + duckdb::QuoteLiteral(file.string()) +
                      " (FORMAT parquet)");
}

std::string FileName(const std::string& pipeline) {
  std::string out;
  for (char ch : pipeline) out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-') ? ch : '_';
  return out + "-query.parquet";
}

}  // namespace

std::optional<HttpResponse> QueryParquetRoute(const Workspace& ws, const PipelineView& p, const HttpRequest& req,
                                              const std::set<std::string>& secrets, ApiReply* error) {
  QueryRun run = RunQuery(ws, p, req);
  if (run.error) {
    *error = *run.error;
    return std::nullopt;
  }
  QueryResult& r = run.result;
  if (r.columns.empty()) {
    *error = ErrorReply(400, "the statement returned no columns: there is nothing to write to a Parquet file");
    return std::nullopt;
  }
  const bool truncated = r.rows.size() > static_cast<size_t>(run.limit);
  const size_t rows = std::min(r.rows.size(), static_cast<size_t>(run.limit));
  // No secret may leave in the file: names and values are scrubbed as every JSON answer is.
  Json doc = Json::array();
  Json names = Json::array();
  for (const QueryColumn& c : r.columns) names.push_back(c.name);
  doc.push_back(std::move(names));
  for (size_t n = 0; n < rows; ++n) {
    Json row = Json::array();
    for (const auto& v : r.rows[n]) row.push_back(v ? Json(*v) : Json(nullptr));
    doc.push_back(std::move(row));
  }
  Scrub(doc, secrets);
  for (size_t i = 0; i < r.columns.size(); ++i) r.columns[i].name = doc[0][i].get<std::string>();
  for (size_t n = 0; n < rows; ++n) {
    for (size_t i = 0; i < r.columns.size(); ++i) {
      if (r.rows[n][i]) r.rows[n][i] = doc[n + 1][i].get<std::string>();
    }
  }

  PrivateTempDir dir("dlt-dashboard-parquet-");
  if (dir.path().empty()) {
    *error = ErrorReply(500, "cannot make a temporary directory for the Parquet file under " +
                                 fs::temp_directory_path().string() + ": check that it exists and is writable");
    return std::nullopt;
  }
  const fs::path file = dir.path() / "result.parquet";
  if (Status st = WriteParquet(r, rows, file); !st.ok()) {
    *error = ErrorReply(500, "cannot write the result as Parquet: " + st.message());
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  HttpResponse out;
  out.content_type = "application/vnd.apache.parquet";
  out.body = bytes.str();
  out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + FileName(p.name) + "\"");
  out.headers.emplace_back("Cache-Control", "no-store");
  out.headers.emplace_back("X-Dlt-Truncated", truncated ? "true" : "false");
  return out;
}

}  // namespace dlt::dashboard
