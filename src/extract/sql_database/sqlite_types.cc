// See sqlite_types.h.
#include "extract/sql_database/sqlite_types.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "extract/sql_database/sql_cells.h"

namespace dlt::sql_source {

namespace {

// "DECIMAL(10, 2)" -> name "DECIMAL", args {10, 2}; non-numeric arguments are dropped.
void SplitDeclared(std::string_view declared, std::string* name, std::vector<int>* args) {
  std::string upper = text::ToUpper(declared);
  size_t paren = upper.find('(');
  *name = std::string(text::Trim(std::string_view(upper).substr(0, paren)));
  if (paren == std::string::npos) return;
  size_t close = upper.find(')', paren);
  std::string inner = upper.substr(paren + 1, close == std::string::npos ? std::string::npos : close - paren - 1);
  for (const std::string& a : text::Split(inner, ',')) {
    std::string_view t = text::Trim(a);
    if (!t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos) args->push_back(std::atoi(std::string(t).c_str()));
  }
}

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TypedColumn MapSqliteType(const std::string& column, std::string_view declared, ReflectionLevel level) {
  TypedColumn c;
  c.name = column;
  std::string name;
  std::vector<int> args;
  SplitDeclared(declared, &name, &args);
  const bool with_precision = level == ReflectionLevel::kFullWithPrecision;
  auto length = [&] {
    if (with_precision && !args.empty()) c.precision = args[0];
  };
  if (name == "BIGINT" || name == "INT" || name == "INTEGER") {
    c.data_type = DataType::kBigint;
  } else if (name == "SMALLINT") {
    c.data_type = DataType::kBigint;
    if (with_precision) c.precision = 32;  // dlt's size for SQLAlchemy's SmallInteger
  } else if (name == "REAL" || name == "FLOAT" || name == "DOUBLE") {
    c.data_type = DataType::kDouble;
  } else if (name == "NUMERIC" || name == "DECIMAL") {
    c.data_type = DataType::kDecimal;
    if (!args.empty()) c.precision = args[0];
    if (args.size() > 1) c.scale = args[1];
  } else if (name == "BOOL" || name == "BOOLEAN") {
    c.data_type = DataType::kBool;
  } else if (name == "DATE" || name == "DATE_CHAR") {
    c.data_type = DataType::kDate;
  } else if (name == "DATETIME" || name == "DATETIME_CHAR" || name == "TIMESTAMP") {
    c.data_type = DataType::kTimestamp;
    c.timezone = false;  // SQLAlchemy's SQLite DATETIME is naive
  } else if (name == "TIME" || name == "TIME_CHAR") {
    c.data_type = DataType::kTime;
  } else if (name == "JSON") {
    c.data_type = DataType::kJson;
  } else if (name == "BLOB") {
    c.data_type = DataType::kBinary;
    length();
  } else if (name == "TEXT" || name == "VARCHAR" || name == "NVARCHAR" || name == "CHAR" || name == "NCHAR") {
    c.data_type = DataType::kText;
    length();
  } else if (Contains(name, "INT")) {
    c.data_type = DataType::kBigint;
  } else if (Contains(name, "CHAR") || Contains(name, "CLOB") || Contains(name, "TEXT")) {
    c.data_type = DataType::kText;
    length();
  } else if (name.empty() || Contains(name, "BLOB")) {
    // No declared type: SQLAlchemy reflects NullType and dlt leaves the type to the values; a
    // typed batch needs one, and text holds every kind of value SQLite keeps.
    c.data_type = Contains(name, "BLOB") ? DataType::kBinary : DataType::kText;
  } else if (Contains(name, "REAL") || Contains(name, "FLOA") || Contains(name, "DOUB")) {
    c.data_type = DataType::kDouble;
  } else {
    c.data_type = DataType::kDecimal;  // SQLite's NUMERIC affinity
    if (!args.empty()) c.precision = args[0];
    if (args.size() > 1) c.scale = args[1];
  }
  return c;
}

std::string AppendSqliteValue(const LibSqlite& lib, sqlite3_stmt* st, int i, TypedBatch* batch, size_t c) {
  const TypedColumn& col = batch->columns()[c];
  const int storage = lib.column_type(st, i);
  if (storage == SQLITE_NULL) {
    batch->AppendNull(c);
    return "";
  }
  auto text = [&] {
    const unsigned char* p = lib.column_text(st, i);
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(lib.column_bytes(st, i)));
  };
  auto refuse = [&](const char* expected) {
    const char* kind = storage == SQLITE_INTEGER ? "INTEGER" : storage == SQLITE_FLOAT ? "REAL" : storage == SQLITE_TEXT ? "TEXT" : "BLOB";
    std::string shown = storage == SQLITE_BLOB ? std::to_string(lib.column_bytes(st, i)) + " bytes" : "'" + text::Printable(text()) + "'";
    return std::string("the stored ") + kind + " value " + shown + " is not " + expected;
  };
  switch (col.data_type) {
    case DataType::kBigint:
      if (storage == SQLITE_INTEGER) {
        batch->AppendInt(c, lib.column_int64(st, i));
        return "";
      }
      if (storage == SQLITE_FLOAT) {
        double d = lib.column_double(st, i);
        if (d == std::floor(d) && std::fabs(d) < 9.2e18) {
          batch->AppendInt(c, static_cast<int64_t>(d));
          return "";
        }
      }
      return refuse("an integer");
    case DataType::kDouble:
      if (storage == SQLITE_INTEGER || storage == SQLITE_FLOAT) {
        batch->AppendDouble(c, lib.column_double(st, i));
        return "";
      }
      return refuse("a number");
    case DataType::kBool:
      if (storage == SQLITE_INTEGER) {
        batch->AppendBool(c, lib.column_int64(st, i) != 0);  // SQLAlchemy: bool(value)
        return "";
      }
      if (storage == SQLITE_TEXT) {
        std::string t = text::ToLower(text());
        if (t == "true" || t == "1" || t == "false" || t == "0") {
          batch->AppendBool(c, t == "true" || t == "1");
          return "";
        }
      }
      return refuse("a boolean (0/1)");
    case DataType::kDecimal:
      if (storage == SQLITE_INTEGER) {
        batch->AppendText(c, DecimalFromInt(lib.column_int64(st, i), col.scale));
        return "";
      }
      if (storage == SQLITE_FLOAT) {
        batch->AppendText(c, DecimalFromDouble(lib.column_double(st, i), col.scale));
        return "";
      }
      if (storage == SQLITE_TEXT) {
        if (auto d = DecimalText(text())) {
          batch->AppendText(c, *d);
          return "";
        }
      }
      return refuse("a decimal number");
    case DataType::kTimestamp:
      if (storage == SQLITE_TEXT) {
        if (auto m = ParseDateTimeMicros(text())) {
          batch->AppendInt(c, *m);
          return "";
        }
      }
      return refuse("a date and time (YYYY-MM-DD HH:MM:SS[.ffffff])");
    case DataType::kDate:
      if (storage == SQLITE_TEXT) {
        if (auto d = ParseDateDays(text())) {
          batch->AppendInt(c, *d);
          return "";
        }
      }
      return refuse("a date (YYYY-MM-DD)");
    case DataType::kTime:
      if (storage == SQLITE_TEXT) {
        if (auto t = ParseTimeMicros(text())) {
          batch->AppendInt(c, *t);
          return "";
        }
      }
      return refuse("a time of day (HH:MM:SS[.ffffff])");
    case DataType::kJson: {
      if (storage == SQLITE_BLOB) return refuse("JSON text");
      auto parsed = nlohmann::ordered_json::parse(text(), nullptr, false);
      if (parsed.is_discarded()) return refuse("JSON");
      batch->AppendText(c, parsed.dump());
      return "";
    }
    case DataType::kBinary: {
      const void* p = lib.column_blob(st, i);
      batch->AppendText(c, BinaryCell(std::string_view(static_cast<const char*>(p), static_cast<size_t>(lib.column_bytes(st, i)))));
      return "";
    }
    default:
      if (storage == SQLITE_FLOAT) {
        // SQLite's own text of a REAL has 15 digits; the shortest exact form is what dlt shows.
        batch->AppendText(c, DecimalFromDouble(lib.column_double(st, i), std::nullopt));
        return "";
      }
      batch->AppendText(c, text());
      return "";
  }
}

}  // namespace dlt::sql_source
