// PostgresClient::QueryTyped: a statement (PQexecParams when it has parameters, which the server
// types from their use: `WHERE id = $1` reads "5" as a bigint) whose columns get dlt's data types
// from their type OIDs, and whose values get the texts include/dlt/sql.h promises. The session's
// TimeZone is UTC (Connect sets it), so timestamptz texts are in UTC already.
#include <cstdint>
#include <string>
#include <vector>

#include "destinations/postgres/postgres_client.h"
#include "common/pg_libpq.h"
#include "load/sql_query_text.h"

namespace dlt {

namespace {

using pg::g_pq;

enum class Kind { kAsIs, kBool, kFloat, kDecimal, kTimestamp, kTime, kBytea };

struct ColumnType {
  const char* dlt_type;
  Kind kind;
};

// Built-in type OIDs (pg_type.dat; stable across server versions).
ColumnType TypeOf(Oid oid) {
  switch (oid) {
    case 16: return {"bool", Kind::kBool};
    case 17: return {"binary", Kind::kBytea};
    case 20: case 21: case 23: case 26: return {"bigint", Kind::kAsIs};  // int8 int2 int4 oid
    case 700: case 701: return {"double", Kind::kFloat};                // float4 float8
    case 1700: return {"decimal", Kind::kDecimal};                      // numeric
    case 1114: case 1184: return {"timestamp", Kind::kTimestamp};       // timestamp, timestamptz
    case 1082: return {"date", Kind::kAsIs};
    case 1083: case 1266: return {"time", Kind::kTime};                 // time, timetz
    case 114: case 3802: return {"json", Kind::kAsIs};                  // json, jsonb
    default: return {"text", Kind::kAsIs};
  }
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// bytea as lowercase hex: the server's hex output ("\x00ff") as it is, the escape output
// (bytea_output = escape: printable bytes as they are, `\\`, `\ooo`) decoded first.
std::string ByteaHex(const char* v, int length) {
  std::string_view text(v, static_cast<size_t>(length));
  if (text.starts_with("\\x")) {
    std::string out(text.substr(2));
    for (char& c : out) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  std::string bytes;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\\') {
      bytes += '\\';
      ++i;
    } else if (text[i] == '\\' && i + 3 < text.size() && IsOctal(text[i + 1]) && IsOctal(text[i + 2]) &&
               IsOctal(text[i + 3])) {
      bytes += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
      i += 3;
    } else {
      bytes += text[i];
    }
  }
  return sqltext::Hex(bytes);
}

std::string Convert(Kind kind, const char* v, int length) {
  switch (kind) {
    case Kind::kAsIs: return std::string(v, static_cast<size_t>(length));
    case Kind::kBool: return v[0] == 't' ? "true" : "false";
    case Kind::kFloat: {
      std::string s(v, static_cast<size_t>(length));
      if (s == "Infinity") return "inf";
      if (s == "-Infinity") return "-inf";
      if (s == "NaN") return "nan";
      return s;
    }
    case Kind::kDecimal: return sqltext::FullDecimal(std::string_view(v, static_cast<size_t>(length)));
    case Kind::kTimestamp: return sqltext::IsoTimestamp(std::string_view(v, static_cast<size_t>(length)));
    case Kind::kTime: return sqltext::IsoTime(std::string_view(v, static_cast<size_t>(length)));
    case Kind::kBytea: return ByteaHex(v, length);
  }
  return std::string(v, static_cast<size_t>(length));
}

}  // namespace

StatusOr<QueryResult> PostgresClient::QueryTyped(std::string_view sql, const SqlParams& params) {
  auto* conn = static_cast<PGconn*>(conn_);
  PGresult* r = nullptr;
  if (params.empty()) {
    // PQexec takes several `;`-separated statements and gives the last one's result.
    r = g_pq->exec(conn, std::string(sql).c_str());
  } else {
    DLT_ASSIGN_OR_RETURN(std::string bound,
                         sqltext::BindPlaceholders(sql, params.size(), sqltext::PlaceholderStyle::kDollarNumber));
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    // No parameter types: the server infers each from where it is used; values are text.
    r = g_pq->exec_params(conn, bound.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                          nullptr, 0);
  }
  return TypedResult(r, sql);
}

StatusOr<QueryResult> PostgresClient::QueryTypedOneStatement(std::string_view sql) {
  auto* conn = static_cast<PGconn*>(conn_);
  // PQexecParams uses the extended protocol, which takes exactly one statement: `SELECT 1;
  // COMMIT; ...` is refused by the server ("cannot insert multiple commands into a prepared
  // statement"). Without parameters `%` and `$` in the text are left alone.
  PGresult* r = g_pq->exec_params(conn, std::string(sql).c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
  return TypedResult(r, sql);
}

StatusOr<QueryResult> PostgresClient::TypedResult(void* result, std::string_view sql) const {
  auto* r = static_cast<PGresult*>(result);
  const ExecStatusType st = r ? g_pq->result_status(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Status e = ResultError(r, sql);
    if (r) g_pq->clear(r);
    return e;
  }
  QueryResult out;
  const int rows = g_pq->ntuples(r), cols = g_pq->nfields(r);
  std::vector<Kind> kinds;
  for (int c = 0; c < cols; ++c) {
    ColumnType t = TypeOf(g_pq->ftype(r, c));
    const char* name = g_pq->fname(r, c);
    out.columns.push_back({name ? name : "", t.dlt_type});
    kinds.push_back(t.kind);
  }
  out.rows.reserve(static_cast<size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    auto& row = out.rows.emplace_back();
    row.reserve(static_cast<size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      if (g_pq->getisnull(r, i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(Convert(kinds[static_cast<size_t>(c)], g_pq->getvalue(r, i, c), g_pq->getlength(r, i, c)));
      }
    }
  }
  g_pq->clear(r);
  return out;
}

}  // namespace dlt
