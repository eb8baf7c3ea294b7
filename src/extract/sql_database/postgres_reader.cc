// The PostgreSQL reader: tables and columns from pg_catalog (types are the catalog's, domains
// read as their base type), scans as binary COPY of a SELECT that asks the server only for the
// cursor's and the chunk's range (postgres_copy_source.cc decodes it).
#include <algorithm>
#include <utility>

#include "extract/sql_database/postgres_source.h"
#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

namespace {

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// Literals are only written with standard_conforming_strings on (set by PgConnection), where a
// quote doubled is the only escape.
std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

StatusOr<std::string> BoundLiteral(const nlohmann::json& v, const std::string& column) {
  if (v.is_number() || v.is_boolean()) return v.dump();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find('\0') != std::string::npos) return InvalidArgument("a bound of `" + column + "` holds a NUL character");
    return QuoteLiteral(s);
  }
  return InvalidArgument("a bound of column `" + column + "` must be a number, a boolean or a string, got " + v.dump());
}

// One column of the catalog query below.
struct CatalogColumn {
  std::string name, native, base, category, type_kind;
  bool not_null = false;
  int typmod = -1;
};

// The dlt type of a column and how the scan reads it (dlt's sql_database mapping: integers of
// every size are bigint, numeric is decimal, uuid is text, arrays and json are json).
PgScanColumn MapColumn(const CatalogColumn& c, ReflectionLevel level) {
  PgScanColumn s;
  TypedColumn& t = s.column;
  t.name = c.name;
  t.nullable = !c.not_null;
  const bool precise = level == ReflectionLevel::kFullWithPrecision;
  const std::string id = QuoteIdent(c.name);
  s.select = id;
  const std::string& b = c.base;
  if (c.category == "A") {
    t.data_type = DataType::kJson;
    s.select = "to_json(" + id + ")";
  } else if (b == "int2" || b == "int4" || b == "int8") {
    t.data_type = DataType::kBigint;
    s.wire = PgWire::kInteger;
    if (precise && b == "int2") t.precision = 32;  // as dlt's reflection of SMALLINT
  } else if (b == "float4" || b == "float8") {
    t.data_type = DataType::kDouble;
    s.wire = PgWire::kFloat;
  } else if (b == "numeric") {
    t.data_type = DataType::kDecimal;
    s.wire = PgWire::kNumeric;
    // dlt keeps numeric's precision and scale at every level but minimal.
    if (c.typmod >= 4) {
      t.precision = ((c.typmod - 4) >> 16) & 0xffff;
      t.scale = (c.typmod - 4) & 0xffff;
    }
  } else if (b == "bool") {
    t.data_type = DataType::kBool;
    s.wire = PgWire::kBool;
  } else if (b == "date") {
    t.data_type = DataType::kDate;
    s.wire = PgWire::kDate;
  } else if (b == "time" || b == "timetz") {
    t.data_type = DataType::kTime;
    s.wire = PgWire::kTime;
    if (b == "timetz") s.select = "(" + id + " AT TIME ZONE 'UTC')::time";
  } else if (b == "timestamp" || b == "timestamptz") {
    t.data_type = DataType::kTimestamp;
    t.timezone = b == "timestamptz";
    s.wire = PgWire::kTimestamp;
  } else if (b == "uuid") {
    s.wire = PgWire::kUuid;
  } else if (b == "json" || b == "jsonb") {
    t.data_type = DataType::kJson;
    s.select = id + "::json";  // jsonb's binary form has a version byte; json's is the text
  } else if (b == "bytea") {
    t.data_type = DataType::kBinary;
  } else if (b == "text" || b == "varchar" || b == "bpchar" || b == "name") {
    if (precise && (b == "varchar" || b == "bpchar") && c.typmod >= 4) t.precision = c.typmod - 4;
    if (c.type_kind == "d") s.select = id + "::text";
  } else {
    // Enums, intervals, network addresses, geometry...: their text form, the type kept in native_type.
    s.select = id + "::text";
  }
  if (level == ReflectionLevel::kMinimal) {
    t.precision.reset();
    t.scale.reset();
  }
  return s;
}

class PostgresReader : public SqlReader {
 public:
  PostgresReader(Secret url, std::unique_ptr<PgConnection> conn) : url_(std::move(url)), conn_(std::move(conn)) {}

  std::string dialect() const override { return "postgres"; }
  std::string default_schema() const override { return "public"; }

  StatusOr<std::vector<std::string>> ListTables(const std::string& schema, bool include_views) override {
    std::string kinds = include_views ? "'r','p','v','m','f'" : "'r','p'";
    DLT_ASSIGN_OR_RETURN(auto rows, conn_->Query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                                 "c.relnamespace WHERE n.nspname = $1 AND c.relkind IN (" + kinds +
                                                 ") ORDER BY c.relname COLLATE \"C\"",
                                                 "listing the tables of schema `" + schema + "`", {schema}));
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(*r[0]);
    return out;
  }

  StatusOr<SourceTable> Reflect(const std::string& schema, const std::string& table, ReflectionLevel level) override {
    SourceTable t;
    t.schema = schema.empty() ? default_schema() : schema;
    t.name = table;
    const std::string what = "reflecting table " + t.DisplayName();
    DLT_ASSIGN_OR_RETURN(auto rel, conn_->Query("SELECT c.oid::text, c.relkind::text FROM pg_class c JOIN pg_namespace n "
                                                "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 "
                                                "AND c.relkind IN ('r','p','v','m','f')",
                                                what, {t.schema, table}));
    if (rel.empty()) {
      return NotFound("sql_database: table `" + t.DisplayName() + "` does not exist in " + conn_->target() +
                      ": check table_names and schema");
    }
    const std::string oid = *rel[0][0];
    t.is_view = *rel[0][1] == "v" || *rel[0][1] == "m";
    DLT_ASSIGN_OR_RETURN(
        auto cols,
        conn_->Query("SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text, bt.typname::text, "
                     "bt.typcategory::text, t.typtype::text, (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE "
                     "a.atttypmod END)::text FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_type "
                     "bt ON bt.oid = (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END) WHERE a.attrelid "
                     "= $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                     what, {oid}));
    for (auto& r : cols) {
      CatalogColumn c{*r[0], *r[1], *r[3], *r[4], *r[5], *r[2] == "true", std::stoi(*r[6])};
      PgScanColumn s = MapColumn(c, level);
      t.columns.push_back(SourceColumn{s.column, c.native});
    }
    DLT_ASSIGN_OR_RETURN(auto pk, conn_->Query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                                               "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::oid "
                                               "AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
                                               what, {oid}));
    for (auto& r : pk) t.primary_key.push_back(*r[0]);
    return t;
  }

  StatusOr<std::optional<std::pair<nlohmann::json, nlohmann::json>>> KeyRange(const SourceTable& table,
                                                                             const std::string& column) override {
    DLT_ASSIGN_OR_RETURN(auto rows, conn_->Query("SELECT min(" + QuoteIdent(column) + ")::text, max(" +
                                                     QuoteIdent(column) + ")::text FROM " + Relation(table),
                                                 "reading the key range of " + table.DisplayName()));
    if (rows.empty() || !rows[0][0]) return std::optional<std::pair<nlohmann::json, nlohmann::json>>();
    auto value = [&](const std::string& s) -> nlohmann::json {
      try {
        size_t used = 0;
        long long v = std::stoll(s, &used);
        if (used == s.size()) return v;
      } catch (...) {
      }
      return s;
    };
    return std::optional(std::make_pair(value(*rows[0][0]), value(*rows[0][1])));
  }

  StatusOr<std::unique_ptr<BatchSource>> Scan(const ScanRequest& req) override {
    const SourceTable& t = req.table;
    std::vector<PgScanColumn> cols;
    std::string select;
    for (const auto& sc : t.columns) {
      // The wire form follows from the reflected column; the catalog is asked again only for
      // what the column alone cannot say (domains, unknown types): those read as their text.
      CatalogColumn c{sc.column.name, sc.native_type, BaseName(sc), "", "", !sc.column.nullable, -1};
      if (sc.native_type.size() > 2 && sc.native_type.compare(sc.native_type.size() - 2, 2, "[]") == 0) c.category = "A";
      PgScanColumn s = MapColumn(c, ReflectionLevel::kFull);
      s.column = sc.column;  // the reflected type, precision and nullability as they are
      if (!select.empty()) select += ", ";
      select += s.select;
      cols.push_back(std::move(s));
    }
    if (cols.empty()) return InvalidArgument("sql_database: table " + t.DisplayName() + " has no columns to read");
    std::vector<std::string> where;
    if (req.cursor_column && (req.cursor_lower || req.cursor_upper)) {
      DLT_ASSIGN_OR_RETURN(std::string range, Range(*req.cursor_column, req.cursor_lower, req.cursor_upper));
      if (req.cursor_nulls) range = "(" + range + " OR " + QuoteIdent(*req.cursor_column) + " IS NULL)";
      where.push_back(range);
    }
    if (req.chunk_key && (req.chunk_lower || req.chunk_upper)) {
      DLT_ASSIGN_OR_RETURN(std::string range, Range(*req.chunk_key, req.chunk_lower, req.chunk_upper));
      where.push_back(range);
    }
    if (req.pages) {
      // Page ranges (StorageChunks): offset 0 precedes every row of a page.
      std::string range = "ctid >= '(" + std::to_string(req.pages->first) + ",0)'::tid";
      if (req.pages->second) range += " AND ctid < '(" + std::to_string(*req.pages->second) + ",0)'::tid";
      where.push_back(range);
    }
    std::string sql = "COPY (SELECT " + select + " FROM " + Relation(t);
    for (size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : " WHERE ") + where[i];
    if (req.cursor_column) sql += " ORDER BY " + QuoteIdent(*req.cursor_column) + (req.descending ? " DESC" : "");
    if (req.limit) sql += " LIMIT " + std::to_string(*req.limit);
    sql += ") TO STDOUT (FORMAT binary)";
    // Each scan holds its own connection: scans of chunks run on threads of their own.
    DLT_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(url_));
    if (!req.snapshot.empty()) {
      // Taken now, while the transaction that exported it is open (StorageChunks).
      const std::string what = "reading " + t.DisplayName() + " in the snapshot of its other chunks";
      DLT_RETURN_IF_ERROR(conn->Query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", what).status());
      DLT_RETURN_IF_ERROR(conn->Query("SET TRANSACTION SNAPSHOT " + QuoteLiteral(req.snapshot), what).status());
    }
    return MakePgCopySource(std::move(conn), std::move(sql), std::move(cols), req.chunk_size, t.DisplayName());
  }

 private:
  static std::string Relation(const SourceTable& t) {
    return (t.schema.empty() ? "" : QuoteIdent(t.schema) + ".") + QuoteIdent(t.name);
  }

  // Heap page ranges read in one exported snapshot, as pg_dump's parallel jobs share theirs: a
  // row updated during the read is seen once, in its version of that snapshot. Only where
  // PostgreSQL (14+) scans a range of pages itself (a TID Range Scan), and only for tables with
  // storage of their own (not views, not partitioned parents) of at least `min_rows` rows as the
  // statistics count them (never analyzed: key ranges then).
  StatusOr<std::vector<std::unique_ptr<BatchSource>>> StorageChunks(const ScanRequest& req, int parts,
                                                                    uint64_t min_rows) override {
    std::vector<std::unique_ptr<BatchSource>> out;
    const std::string what = "planning the chunks of " + req.table.DisplayName();
    DLT_ASSIGN_OR_RETURN(
        auto rel, conn_->Query("SELECT c.relkind::text, c.reltuples::bigint::text, (pg_relation_size(c.oid) / "
                               "current_setting('block_size')::bigint)::text, current_setting('server_version_num') "
                               "FROM pg_class c WHERE c.oid = to_regclass($1)",
                               what, {Relation(req.table)}));
    if (parts < 2 || rel.empty() || !rel[0][0] || !rel[0][1] || !rel[0][2] || !rel[0][3]) return out;
    const std::string& kind = *rel[0][0];
    const int64_t tuples = std::stoll(*rel[0][1]);
    const uint64_t pages = std::stoull(*rel[0][2]);
    if (std::stol(*rel[0][3]) < 140000 || (kind != "r" && kind != "m") || tuples < 0 ||
        static_cast<uint64_t>(tuples) < min_rows || pages < static_cast<uint64_t>(parts)) {
      return out;
    }
    DLT_ASSIGN_OR_RETURN(auto exporter, PgConnection::Open(url_));
    DLT_RETURN_IF_ERROR(exporter->Query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", what).status());
    auto snapshot = exporter->Query("SELECT pg_export_snapshot()", what);
    if (!snapshot.ok() || snapshot->empty() || !(*snapshot)[0][0]) return out;  // a standby may refuse
    const uint64_t step = (pages + static_cast<uint64_t>(parts) - 1) / static_cast<uint64_t>(parts);
    for (uint64_t first = 0; first < pages; first += step) {
      ScanRequest part = req;
      part.snapshot = *(*snapshot)[0][0];
      // The last range runs to the table's end, whatever it has grown to meanwhile.
      part.pages = {first, first + step < pages ? std::optional<uint64_t>(first + step) : std::nullopt};
      DLT_ASSIGN_OR_RETURN(auto scan, Scan(part));
      out.push_back(std::move(scan));
    }
    DLT_RETURN_IF_ERROR(exporter->Query("COMMIT", what).status());
    return out;
  }

  // The base type name MapColumn expects, from format_type's spelling of a reflected column.
  static std::string BaseName(const SourceColumn& sc) {
    std::string n = sc.native_type.substr(0, sc.native_type.find('('));
    static const std::pair<const char*, const char*> kNames[] = {
        {"smallint", "int2"}, {"integer", "int4"}, {"bigint", "int8"}, {"real", "float4"},
        {"double precision", "float8"}, {"numeric", "numeric"}, {"boolean", "bool"}, {"date", "date"},
        {"time", "time"}, {"timestamp", "timestamp"}, {"uuid", "uuid"}, {"json", "json"}, {"jsonb", "jsonb"},
        {"bytea", "bytea"}, {"text", "text"}, {"character varying", "varchar"}, {"character", "bpchar"},
        {"name", "name"}};
    const std::string& full = sc.native_type;
    auto has = [&](const char* s) { return full.find(s) != std::string::npos; };
    if (n.rfind("time", 0) == 0 && n.rfind("timestamp", 0) != 0) return has("with time zone") ? "timetz" : "time";
    if (n.rfind("timestamp", 0) == 0) return has("with time zone") ? "timestamptz" : "timestamp";
    for (const auto& [pretty, base] : kNames) {
      if (n == pretty) return base;
    }
    // A domain or a type we do not decode: read by its dlt type's safe form.
    switch (sc.column.data_type) {
      case DataType::kBigint: return "int8";
      case DataType::kDouble: return "float8";
      case DataType::kDecimal: return "numeric";
      case DataType::kBool: return "bool";
      case DataType::kDate: return "date";
      case DataType::kTimestamp: return sc.column.timezone ? "timestamptz" : "timestamp";
      case DataType::kJson: return "jsonb";
      case DataType::kBinary: return "bytea";
      default: return "";  // text: cast to text
    }
  }

  StatusOr<std::string> Range(const std::string& column, const std::optional<Bound>& lo, const std::optional<Bound>& hi) {
    std::string id = QuoteIdent(column), out;
    if (lo && !lo->value.is_null()) {
      DLT_ASSIGN_OR_RETURN(std::string v, BoundLiteral(lo->value, column));
      out = id + (lo->inclusive ? " >= " : " > ") + v;
    }
    if (hi && !hi->value.is_null()) {
      DLT_ASSIGN_OR_RETURN(std::string v, BoundLiteral(hi->value, column));
      out += (out.empty() ? "" : " AND ") + id + (hi->inclusive ? " <= " : " < ") + v;
    }
    return out.empty() ? std::string("TRUE") : "(" + out + ")";
  }

  Secret url_;
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace

StatusOr<std::unique_ptr<SqlReader>> OpenPostgresReader(const Secret& credentials) {
  // postgresql+psycopg2://... -> postgresql://...: the driver part names a Python driver.
  std::string url = credentials.reveal();
  size_t plus = url.find('+'), colon = url.find("://");
  if (plus != std::string::npos && colon != std::string::npos && plus < colon) url.erase(plus, colon - plus);
  // postgres:// is libpq's too; a URL without a user name gets the OS user's, as psql does.
  if (url.rfind("postgres", 0) != 0) return InvalidArgument("sql_database: not a postgresql:// URL");
  Secret u(std::move(url));
  DLT_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(u));
  return std::unique_ptr<SqlReader>(std::make_unique<PostgresReader>(std::move(u), std::move(conn)));
}

}  // namespace dlt::sql_source
