// DuckDbClient::QueryTyped: a statement (prepared when it has parameters) whose columns get dlt's
// data types and whose values get the texts include/dlt/sql.h promises. DuckDB's own VARCHAR
// texts (duckdb_api.h) are the starting point: most are already what dlt wants; timestamps,
// times, decimals and BLOBs are rewritten.
#include <string>

#include "destinations/duckdb/duckdb_client.h"
#include "load/sql_query_text.h"

namespace dlt {

namespace {

enum class Kind { kAsIs, kTimestamp, kTime, kDecimal, kBlob };

struct ColumnType {
  const char* dlt_type;
  Kind kind;
};

// From the type's name as duckdb_api.h gives it (typeof()'s spelling).
ColumnType TypeOf(const std::string& t) {
  static const char* const kIntegers[] = {"TINYINT",  "SMALLINT",  "INTEGER", "BIGINT",   "HUGEINT",
                                          "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
                                          "BIGNUM",   "VARINT"};
  for (const char* i : kIntegers) {
    if (t == i) return {"bigint", Kind::kAsIs};
  }
  if (t == "DOUBLE" || t == "FLOAT") return {"double", Kind::kAsIs};
  if (t == "BOOLEAN") return {"bool", Kind::kAsIs};
  if (t.starts_with("DECIMAL(")) return {"decimal", Kind::kDecimal};
  if (t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMP" || t == "TIMESTAMP_S" || t == "TIMESTAMP_MS" ||
      t == "TIMESTAMP_NS") {
    return {"timestamp", Kind::kTimestamp};
  }
  if (t == "DATE") return {"date", Kind::kAsIs};
  if (t == "TIME" || t == "TIME WITH TIME ZONE") return {"time", Kind::kTime};
  if (t == "BLOB") return {"binary", Kind::kBlob};
  if (t == "JSON") return {"json", Kind::kAsIs};
  return {"text", Kind::kAsIs};
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// DuckDB writes a BLOB's printable bytes as they are and every other byte (\, ' and " included)
// as \xHH, so the text reads back to exactly the stored bytes.
std::string BlobBytes(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' && HexDigit(text[i + 2]) >= 0 &&
        HexDigit(text[i + 3]) >= 0) {
      out += static_cast<char>(HexDigit(text[i + 2]) * 16 + HexDigit(text[i + 3]));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Convert(Kind kind, std::string text) {
  switch (kind) {
    case Kind::kAsIs: return text;
    case Kind::kTimestamp: return sqltext::IsoTimestamp(text);
    case Kind::kTime: return sqltext::IsoTime(text);
    case Kind::kDecimal: return sqltext::FullDecimal(text);
    case Kind::kBlob: return sqltext::Hex(BlobBytes(text));
  }
  return text;
}

}  // namespace

StatusOr<QueryResult> DuckDbClient::QueryTyped(std::string_view sql, const SqlParams& params) {
  StatusOr<duckdb::QueryResult> r = Internal("not run");
  if (params.empty()) {
    r = conn_.Query(sql);
  } else {
    DLT_ASSIGN_OR_RETURN(std::string bound,
                         sqltext::BindPlaceholders(sql, params.size(), sqltext::PlaceholderStyle::kQuestionMark));
    r = conn_.QueryPrepared(bound, params);
  }
  if (!r.ok()) return Wrap(r.status());
  QueryResult out;
  std::vector<Kind> kinds;
  for (size_t c = 0; c < r->column_names.size(); ++c) {
    ColumnType t = TypeOf(c < r->column_types.size() ? r->column_types[c] : "");
    out.columns.push_back({r->column_names[c], t.dlt_type});
    kinds.push_back(t.kind);
  }
  out.rows.reserve(r->rows.size());
  for (auto& row : r->rows) {
    auto& values = out.rows.emplace_back();
    values.reserve(row.size());
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c].is_null) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(Convert(kinds[c], std::move(row[c].text)));
      }
    }
  }
  return out;
}

}  // namespace dlt
