// The MySQL/MariaDB reader: libmariadb (loaded on first use), tables reflected from
// information_schema, rows streamed in the server's text form (mysql_use_result) with the
// cursor's range in the WHERE clause. Each Scan opens its own connection.
#include "extract/sql_database/mysql_connection.h"
#include "extract/sql_database/mysql_types.h"
#include "extract/sql_database/sql_cells.h"
#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

namespace {

const TypedColumn* FindColumn(const SourceTable& t, const std::string& name, std::string* native = nullptr) {
  for (const SourceColumn& c : t.columns) {
    if (c.column.name == name) {
      if (native) *native = c.native_type;
      return &c.column;
    }
  }
  return nullptr;
}

std::optional<int> IntOf(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::atoi(s->c_str());
}

class MysqlScan : public BatchSource {
 public:
  MysqlScan(std::unique_ptr<MysqlConnection> conn, ScanRequest req, std::string schema)
      : conn_(std::move(conn)), req_(std::move(req)), schema_(std::move(schema)) {}

  Status Start() {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < req_.table.columns.size(); ++i) {
      if (i) sql += ", ";
      sql += MysqlQuote(req_.table.columns[i].column.name);
      columns_.push_back(req_.table.columns[i].column);
    }
    sql += " FROM " + MysqlQuote(schema_) + "." + MysqlQuote(req_.table.name);
    DLT_ASSIGN_OR_RETURN(std::string cursor, Range(req_.cursor_column, req_.cursor_lower, req_.cursor_upper));
    if (req_.cursor_column) {
      std::string q = MysqlQuote(*req_.cursor_column);
      if (req_.cursor_nulls) {
        if (!cursor.empty()) cursor = "(" + cursor + ") OR " + q + " IS NULL";
      } else {
        cursor += std::string(cursor.empty() ? "" : " AND ") + q + " IS NOT NULL";
      }
    }
    DLT_ASSIGN_OR_RETURN(std::string chunk, Range(req_.chunk_key, req_.chunk_lower, req_.chunk_upper));
    std::string where = cursor.empty() ? chunk : chunk.empty() ? cursor : "(" + cursor + ") AND " + chunk;
    if (!where.empty()) sql += " WHERE " + where;
    if (req_.cursor_column) sql += " ORDER BY " + MysqlQuote(*req_.cursor_column) + (req_.descending ? " DESC" : " ASC");
    else if (req_.chunk_key) sql += " ORDER BY " + MysqlQuote(*req_.chunk_key);
    if (req_.limit) sql += " LIMIT " + std::to_string(*req_.limit);
    return conn_->StartStream(sql);
  }

  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    if (done_) return false;
    batch->Reset(columns_);
    const size_t limit = req_.chunk_size ? req_.chunk_size : 50000;
    while (batch->rows() < limit) {
      unsigned long* lengths = nullptr;
      DLT_ASSIGN_OR_RETURN(MYSQL_ROW row, conn_->Fetch(&lengths));
      if (!row) {
        done_ = true;
        break;
      }
      ++row_;
      for (size_t c = 0; c < columns_.size(); ++c) {
        const std::string& native = req_.table.columns[c].native_type;
        std::string why = AppendMysqlValue(row[c], lengths[c], native, batch, c);
        if (!why.empty()) {
          return InvalidArgument("sql_database: MySQL table " + req_.table.DisplayName() + ", column `" +
                                 columns_[c].name + "` (" + native + "), row " + std::to_string(row_) + ": " + why);
        }
      }
    }
    if (batch->rows() == 0) return false;
    *where = req_.table.DisplayName() + " batch " + std::to_string(++batches_);
    return true;
  }

 private:
  // "col >= lit AND col < lit" of a range (empty when none); literals in the column's form.
  StatusOr<std::string> Range(const std::optional<std::string>& column, const std::optional<Bound>& lo,
                              const std::optional<Bound>& hi) {
    if (!column || (!lo && !hi)) return std::string();
    const TypedColumn* col = FindColumn(req_.table, *column);
    if (!col) return InvalidArgument("sql_database: table " + req_.table.DisplayName() + " has no column `" + *column + "`");
    std::string out;
    for (int end = 0; end < 2; ++end) {
      const std::optional<Bound>& b = end == 0 ? lo : hi;
      if (!b) continue;
      DLT_ASSIGN_OR_RETURN(std::string text, BoundText(b->value, col->data_type, BoundForm::kLongest, *column));
      const bool numeric = col->data_type == DataType::kBigint || col->data_type == DataType::kDouble ||
                           col->data_type == DataType::kDecimal || col->data_type == DataType::kBool;
      const char* op = end == 0 ? (b->inclusive ? ">=" : ">") : (b->inclusive ? "<=" : "<");
      // Numbers were checked to be plain decimal text by BoundText; everything else is escaped.
      out += std::string(out.empty() ? "" : " AND ") + MysqlQuote(*column) + " " + op + " " +
             (numeric ? text : conn_->Literal(text));
    }
    return out;
  }

  std::unique_ptr<MysqlConnection> conn_;
  ScanRequest req_;
  std::string schema_;
  std::vector<TypedColumn> columns_;
  bool done_ = false;
  uint64_t row_ = 0;
  uint64_t batches_ = 0;
};

class MysqlReader : public SqlReader {
 public:
  MysqlReader(const LibMariadb* lib, MysqlTarget target) : lib_(lib), target_(std::move(target)), conn_(lib) {}
  Status Open() { return conn_.Connect(target_); }

  std::string dialect() const override { return "mysql"; }
  std::string default_schema() const override { return target_.database; }

  StatusOr<std::vector<std::string>> ListTables(const std::string& schema, bool include_views) override {
    std::string sql = "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                      conn_.Literal(SchemaOf(schema)) +
                      (include_views ? "" : " AND TABLE_TYPE <> 'VIEW'") + " ORDER BY TABLE_NAME";
    DLT_ASSIGN_OR_RETURN(auto rows, conn_.Query(sql));
    std::vector<std::string> names;
    for (auto& r : rows) names.push_back(r[0].value_or(""));
    return names;
  }

  StatusOr<SourceTable> Reflect(const std::string& schema, const std::string& table, ReflectionLevel level) override {
    SourceTable t;
    t.schema = schema;
    t.name = table;
    const std::string s = conn_.Literal(SchemaOf(schema)), n = conn_.Literal(table);
    DLT_ASSIGN_OR_RETURN(auto kind, conn_.Query("SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                                s + " AND TABLE_NAME = " + n));
    if (kind.empty()) {
      return NotFound("sql_database: table " + SchemaOf(schema) + "." + table + " not found in MySQL/MariaDB at " +
                      target_.Describe() + " (check table_names and schema)");
    }
    t.is_view = kind[0][0].value_or("") == "VIEW";
    // MariaDB's JSON is a longtext with CHECK (json_valid(`col`)); MySQL's has its own DATA_TYPE.
    DLT_ASSIGN_OR_RETURN(auto checks, conn_.Query("SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "
                                                  "CONSTRAINT_SCHEMA = " + s + " AND TABLE_NAME = " + n));
    DLT_ASSIGN_OR_RETURN(auto cols, conn_.Query(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, NUMERIC_PRECISION, NUMERIC_SCALE, "
        "CHARACTER_MAXIMUM_LENGTH, DATETIME_PRECISION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " + s +
        " AND TABLE_NAME = " + n + " ORDER BY ORDINAL_POSITION"));
    for (auto& r : cols) {
      MysqlColumnInfo info;
      info.name = r[0].value_or("");
      info.data_type = r[1].value_or("");
      info.column_type = r[2].value_or("");
      info.nullable = r[3].value_or("YES") == "YES";
      info.numeric_precision = IntOf(r[4]);
      info.numeric_scale = IntOf(r[5]);
      info.char_length = IntOf(r[6]);
      info.datetime_precision = IntOf(r[7]);
      const std::string json_check = "json_valid(`" + info.name + "`)";
      for (auto& c : checks) {
        if (c[0] && c[0]->find(json_check) != std::string::npos) info.json_checked = true;
      }
      SourceColumn sc;
      sc.column = MapMysqlType(info, level);
      sc.native_type = info.column_type;
      t.columns.push_back(std::move(sc));
    }
    DLT_ASSIGN_OR_RETURN(auto key, conn_.Query("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE "
                                               "TABLE_SCHEMA = " + s + " AND TABLE_NAME = " + n +
                                               " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION"));
    for (auto& r : key) t.primary_key.push_back(r[0].value_or(""));
    return t;
  }

  StatusOr<std::optional<std::pair<nlohmann::json, nlohmann::json>>> KeyRange(const SourceTable& table,
                                                                             const std::string& column) override {
    std::string native;
    const TypedColumn* col = FindColumn(table, column, &native);
    if (!col) return InvalidArgument("sql_database: table " + table.DisplayName() + " has no column `" + column + "`");
    DLT_ASSIGN_OR_RETURN(auto rows, conn_.Query("SELECT MIN(" + MysqlQuote(column) + "), MAX(" + MysqlQuote(column) +
                                                ") FROM " + MysqlQuote(SchemaOf(table.schema)) + "." +
                                                MysqlQuote(table.name)));
    if (rows.empty() || !rows[0][0]) return std::optional<std::pair<nlohmann::json, nlohmann::json>>();
    TypedBatch b({*col});
    std::string ends[2];
    for (int i = 0; i < 2; ++i) {
      const std::string& v = *rows[0][i];
      std::string why = AppendMysqlValue(v.data(), v.size(), native, &b, 0);
      if (!why.empty()) return InvalidArgument("sql_database: MySQL table " + table.DisplayName() + ", column `" + column + "`: " + why);
      b.CellText(0, i, &ends[i]);
    }
    return std::optional(std::make_pair(CellJson(col->data_type, ends[0]), CellJson(col->data_type, ends[1])));
  }

  StatusOr<std::unique_ptr<BatchSource>> Scan(const ScanRequest& request) override {
    auto conn = std::make_unique<MysqlConnection>(lib_);
    DLT_RETURN_IF_ERROR(conn->Connect(target_));
    auto scan = std::make_unique<MysqlScan>(std::move(conn), request, SchemaOf(request.table.schema));
    DLT_RETURN_IF_ERROR(scan->Start());
    return std::unique_ptr<BatchSource>(std::move(scan));
  }

 private:
  std::string SchemaOf(const std::string& schema) const { return schema.empty() ? target_.database : schema; }
  const LibMariadb* lib_;
  MysqlTarget target_;
  MysqlConnection conn_;
};

}  // namespace

StatusOr<std::unique_ptr<SqlReader>> OpenMysqlReader(const Secret& credentials) {
  DLT_ASSIGN_OR_RETURN(MysqlTarget target, ParseMysqlUrl(credentials));
  DLT_ASSIGN_OR_RETURN(const LibMariadb* lib, EnsureLibMariadb());
  auto reader = std::make_unique<MysqlReader>(lib, std::move(target));
  DLT_RETURN_IF_ERROR(reader->Open());
  return std::unique_ptr<SqlReader>(std::move(reader));
}

}  // namespace dlt::sql_source
