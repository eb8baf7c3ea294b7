// The SQLite reader: a database file opened read-only through libsqlite3 (loaded on first use),
// tables reflected with PRAGMA table_info, rows read with the cursor's range in the WHERE clause
// as bound parameters. Each Scan opens its own connection, so scans can run on other threads.
#include <algorithm>
#include <filesystem>
#include <string_view>

#include "common/text.h"
#include "extract/sql_database/sql_cells.h"
#include "extract/sql_database/sql_reader.h"
#include "extract/sql_database/sqlite_library.h"
#include "extract/sql_database/sqlite_types.h"

namespace dlt::sql_source {

namespace {

namespace fs = std::filesystem;

std::string Quote(std::string_view id) {
  std::string out = "\"";
  for (char ch : id) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// One open database file; closed with the object.
class SqliteDb {
 public:
  SqliteDb(const LibSqlite* lib, std::string path) : lib_(lib), path_(std::move(path)) {}
  ~SqliteDb() {
    if (db_) lib_->close_v2(db_);
  }
  SqliteDb(const SqliteDb&) = delete;

  Status Open() {
    std::error_code ec;
    if (!fs::is_regular_file(path_, ec)) {
      std::string shown = fs::path(path_).is_absolute() ? path_ : path_ + " (" + fs::absolute(path_, ec).string() + ")";
      return NotFound("sql_database: the SQLite database file " + shown +
                      " does not exist (sqlite:///relative/path.db is relative to the current folder, "
                      "sqlite:////abs/path.db is absolute)");
    }
    int rc = lib_->open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return Unavailable("sql_database: cannot open the SQLite database " + path_ + ": " + Error());
    lib_->busy_timeout(db_, 10000);  // a writer holding the file: wait instead of failing at once
    return Status::Ok();
  }
  std::string Error() const { return db_ ? lib_->errmsg(db_) : "out of memory"; }
  const LibSqlite& lib() const { return *lib_; }
  const std::string& path() const { return path_; }

  // A prepared statement; finalized by the Stmt.
  struct Stmt {
    const LibSqlite* lib = nullptr;
    sqlite3_stmt* st = nullptr;
    ~Stmt() {
      if (st) lib->finalize(st);
    }
  };
  Status Prepare(const std::string& sql, Stmt* out) {
    out->lib = lib_;
    if (lib_->prepare_v2(db_, sql.c_str(), -1, &out->st, nullptr) != SQLITE_OK) {
      return InvalidArgument("sql_database: SQLite " + path_ + " refused `" + sql + "`: " + Error());
    }
    return Status::Ok();
  }

 private:
  const LibSqlite* lib_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

std::string ColumnText(const LibSqlite& lib, sqlite3_stmt* st, int i) {
  const unsigned char* p = lib.column_text(st, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(lib.column_bytes(st, i))) : "";
}

// Binds a range bound on a column of `type`: numbers as numbers (so that they compare as numbers
// with INTEGER/REAL values), dates and times in the text form SQLAlchemy and SQLite store.
Status BindBound(const LibSqlite& lib, sqlite3_stmt* st, int index, const Bound& b, DataType type, BoundForm form,
                 const std::string& column) {
  if (type == DataType::kBigint && b.value.is_number_integer()) {
    lib.bind_int64(st, index, b.value.get<int64_t>());
    return Status::Ok();
  }
  if ((type == DataType::kBigint || type == DataType::kDouble) && b.value.is_number()) {
    lib.bind_double(st, index, b.value.get<double>());
    return Status::Ok();
  }
  StatusOr<std::string> text_or = BoundText(b.value, type, form, column);
  if (!text_or.ok()) return text_or.status();
  const std::string& text = *text_or;
  if (type == DataType::kBool) {
    lib.bind_int64(st, index, text == "1");
    return Status::Ok();
  }
  lib.bind_text(st, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return Status::Ok();
}

const TypedColumn* FindColumn(const SourceTable& t, const std::string& name) {
  for (const SourceColumn& c : t.columns) {
    if (c.column.name == name) return &c.column;
  }
  return nullptr;
}

class SqliteScan : public BatchSource {
 public:
  SqliteScan(std::unique_ptr<SqliteDb> db, ScanRequest req) : db_(std::move(db)), req_(std::move(req)) {}

  Status Start() {
    std::string sql = "SELECT ";
    std::vector<TypedColumn> cols;
    for (size_t i = 0; i < req_.table.columns.size(); ++i) {
      if (i) sql += ", ";
      sql += Quote(req_.table.columns[i].column.name);
      cols.push_back(req_.table.columns[i].column);
    }
    batch_columns_ = std::move(cols);
    sql += " FROM " + Quote(req_.table.schema.empty() ? "main" : req_.table.schema) + "." + Quote(req_.table.name);
    // (column, bound, operator, form) of every condition, in parameter order.
    struct Cond {
      std::string column;
      const Bound* bound;
      const char* op;
      BoundForm form;
    };
    std::vector<Cond> conds;
    auto range = [&](const std::optional<std::string>& column, const std::optional<Bound>& lo,
                     const std::optional<Bound>& hi) {
      if (!column) return;
      if (lo) conds.push_back({*column, &*lo, lo->inclusive ? ">=" : ">", lo->inclusive ? BoundForm::kShortest : BoundForm::kLongest});
      if (hi) conds.push_back({*column, &*hi, hi->inclusive ? "<=" : "<", hi->inclusive ? BoundForm::kLongest : BoundForm::kShortest});
    };
    range(req_.cursor_column, req_.cursor_lower, req_.cursor_upper);
    std::string where;
    for (const Cond& c : conds) where += std::string(where.empty() ? "" : " AND ") + Quote(c.column) + " " + c.op + " ?";
    if (req_.cursor_column) {
      std::string q = Quote(*req_.cursor_column);
      if (req_.cursor_nulls) {
        if (!where.empty()) where = "(" + where + ") OR " + q + " IS NULL";
      } else {
        where += std::string(where.empty() ? "" : " AND ") + q + " IS NOT NULL";
      }
    }
    size_t cursor_conds = conds.size();
    range(req_.chunk_key, req_.chunk_lower, req_.chunk_upper);
    std::string chunk;
    for (size_t i = cursor_conds; i < conds.size(); ++i) {
      chunk += std::string(chunk.empty() ? "" : " AND ") + Quote(conds[i].column) + " " + conds[i].op + " ?";
    }
    if (!where.empty() && !chunk.empty()) where = "(" + where + ") AND " + chunk;
    else if (where.empty()) where = chunk;
    if (!where.empty()) sql += " WHERE " + where;
    if (req_.cursor_column) sql += " ORDER BY " + Quote(*req_.cursor_column) + (req_.descending ? " DESC" : " ASC");
    else if (req_.chunk_key) sql += " ORDER BY " + Quote(*req_.chunk_key);
    if (req_.limit) sql += " LIMIT " + std::to_string(*req_.limit);
    DLT_RETURN_IF_ERROR(db_->Prepare(sql, &stmt_));
    for (size_t i = 0; i < conds.size(); ++i) {
      const TypedColumn* col = FindColumn(req_.table, conds[i].column);
      if (!col) {
        return InvalidArgument("sql_database: table " + req_.table.DisplayName() + " has no column `" + conds[i].column + "`");
      }
      DLT_RETURN_IF_ERROR(BindBound(db_->lib(), stmt_.st, static_cast<int>(i + 1), *conds[i].bound, col->data_type,
                                    conds[i].form, conds[i].column));
    }
    return Status::Ok();
  }

  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    if (done_) return false;
    const LibSqlite& lib = db_->lib();
    batch->Reset(batch_columns_);
    const size_t limit = req_.chunk_size ? req_.chunk_size : 50000;
    while (batch->rows() < limit) {
      int rc = lib.step(stmt_.st);
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW) {
        return Unavailable("sql_database: reading SQLite table " + req_.table.DisplayName() + " of " + db_->path() +
                           " failed: " + db_->Error());
      }
      ++row_;
      for (size_t c = 0; c < batch_columns_.size(); ++c) {
        std::string why = AppendSqliteValue(lib, stmt_.st, static_cast<int>(c), batch, c);
        if (!why.empty()) {
          return InvalidArgument("sql_database: SQLite table " + req_.table.DisplayName() + ", column `" +
                                 batch_columns_[c].name + "` (" + req_.table.columns[c].native_type + "), row " +
                                 std::to_string(row_) + ": " + why +
                                 "; fix the value or declare the column with a type that holds it");
        }
      }
    }
    if (batch->rows() == 0) return false;
    *where = req_.table.DisplayName() + " batch " + std::to_string(++batches_);
    return true;
  }

 private:
  std::unique_ptr<SqliteDb> db_;
  ScanRequest req_;
  SqliteDb::Stmt stmt_;
  std::vector<TypedColumn> batch_columns_;
  bool done_ = false;
  uint64_t row_ = 0;
  uint64_t batches_ = 0;
};

class SqliteReader : public SqlReader {
 public:
  SqliteReader(const LibSqlite* lib, std::string path) : lib_(lib), db_(lib, path), path_(std::move(path)) {}
  Status Open() { return db_.Open(); }

  std::string dialect() const override { return "sqlite"; }
  std::string default_schema() const override { return "main"; }

  StatusOr<std::vector<std::string>> ListTables(const std::string& schema, bool include_views) override {
    SqliteDb::Stmt st;
    std::string types = include_views ? "('table', 'view')" : "('table')";
    DLT_RETURN_IF_ERROR(db_.Prepare("SELECT name FROM " + Quote(SchemaOf(schema)) + ".sqlite_master WHERE type IN " +
                                        types + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                                    &st));
    std::vector<std::string> names;
    while (lib_->step(st.st) == SQLITE_ROW) names.push_back(ColumnText(*lib_, st.st, 0));
    return names;
  }

  StatusOr<SourceTable> Reflect(const std::string& schema, const std::string& table, ReflectionLevel level) override {
    SourceTable t;
    t.name = table;
    if (!schema.empty() && schema != "main") t.schema = schema;
    {
      SqliteDb::Stmt st;
      DLT_RETURN_IF_ERROR(db_.Prepare("SELECT type FROM " + Quote(SchemaOf(schema)) + ".sqlite_master WHERE name = ?", &st));
      lib_->bind_text(st.st, 1, table.c_str(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
      if (lib_->step(st.st) != SQLITE_ROW) {
        return NotFound("sql_database: table " + t.DisplayName() + " not found in the SQLite database " + path_ +
                        " (check table_names; `sqlite3 " + path_ + " .tables` lists them)");
      }
      t.is_view = ColumnText(*lib_, st.st, 0) == "view";
    }
    SqliteDb::Stmt st;
    DLT_RETURN_IF_ERROR(db_.Prepare("PRAGMA " + Quote(SchemaOf(schema)) + ".table_info(" + Quote(table) + ")", &st));
    std::vector<std::pair<int, std::string>> key;
    while (lib_->step(st.st) == SQLITE_ROW) {
      // cid, name, type, notnull, dflt_value, pk (1-based position in the key, 0: not in it)
      SourceColumn c;
      c.native_type = ColumnText(*lib_, st.st, 2);
      c.column = MapSqliteType(ColumnText(*lib_, st.st, 1), c.native_type, level);
      c.column.nullable = lib_->column_int64(st.st, 3) == 0;
      if (int pk = static_cast<int>(lib_->column_int64(st.st, 5)); pk > 0) key.emplace_back(pk, c.column.name);
      if (c.native_type.empty()) c.native_type = "(no declared type)";
      t.columns.push_back(std::move(c));
    }
    std::sort(key.begin(), key.end());
    for (auto& k : key) t.primary_key.push_back(k.second);
    return t;
  }

  StatusOr<std::optional<std::pair<nlohmann::json, nlohmann::json>>> KeyRange(const SourceTable& table,
                                                                             const std::string& column) override {
    const TypedColumn* col = FindColumn(table, column);
    if (!col) return InvalidArgument("sql_database: table " + table.DisplayName() + " has no column `" + column + "`");
    SqliteDb::Stmt st;
    DLT_RETURN_IF_ERROR(db_.Prepare("SELECT MIN(" + Quote(column) + "), MAX(" + Quote(column) + ") FROM " +
                                        Quote(table.schema.empty() ? "main" : table.schema) + "." + Quote(table.name),
                                    &st));
    if (lib_->step(st.st) != SQLITE_ROW) return Unavailable("sql_database: SQLite " + path_ + ": " + db_.Error());
    TypedBatch b({*col});
    for (int i = 0; i < 2; ++i) {
      std::string why = AppendSqliteValue(*lib_, st.st, i, &b, 0);
      if (!why.empty()) return InvalidArgument("sql_database: SQLite table " + table.DisplayName() + ", column `" + column + "`: " + why);
    }
    if (b.IsNull(0, 0)) return std::optional<std::pair<nlohmann::json, nlohmann::json>>();
    std::string lo, hi;
    b.CellText(0, 0, &lo);
    b.CellText(0, 1, &hi);
    return std::optional(std::make_pair(CellJson(col->data_type, lo), CellJson(col->data_type, hi)));
  }

  StatusOr<std::unique_ptr<BatchSource>> Scan(const ScanRequest& request) override {
    auto db = std::make_unique<SqliteDb>(lib_, path_);
    DLT_RETURN_IF_ERROR(db->Open());
    auto scan = std::make_unique<SqliteScan>(std::move(db), request);
    DLT_RETURN_IF_ERROR(scan->Start());
    return std::unique_ptr<BatchSource>(std::move(scan));
  }

 private:
  static std::string SchemaOf(const std::string& schema) { return schema.empty() ? "main" : schema; }
  const LibSqlite* lib_;
  SqliteDb db_;
  std::string path_;
};

}  // namespace

StatusOr<std::unique_ptr<SqlReader>> OpenSqliteReader(const Secret& credentials) {
  std::string_view url = credentials.reveal();
  // SQLAlchemy's forms: sqlite:///relative.db (relative to the current folder), sqlite:////abs.db.
  size_t colon = url.find(':');
  std::string_view rest = url.substr(colon + 1);
  if (rest.substr(0, 3) != "///" || rest.size() == 3) {
    return InvalidArgument("sql_database: a SQLite URL names a file: sqlite:///relative/path.db or "
                           "sqlite:////absolute/path.db (in-memory databases hold no tables to read)");
  }
  std::string path(rest.substr(3));
  if (size_t q = path.find('?'); q != std::string::npos) path.resize(q);  // driver options: not ours
  if (path == ":memory:") return InvalidArgument("sql_database: an in-memory SQLite database holds no tables to read");
  DLT_ASSIGN_OR_RETURN(const LibSqlite* lib, EnsureLibSqlite());
  auto reader = std::make_unique<SqliteReader>(lib, path);
  DLT_RETURN_IF_ERROR(reader->Open());
  return std::unique_ptr<SqlReader>(std::move(reader));
}

}  // namespace dlt::sql_source
