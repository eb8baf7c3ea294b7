// See mysql_types.h.
#include "extract/sql_database/mysql_types.h"

#include <charconv>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "extract/sql_database/sql_cells.h"

namespace dlt::sql_source {

TypedColumn MapMysqlType(const MysqlColumnInfo& info, ReflectionLevel level) {
  TypedColumn c;
  c.name = info.name;
  c.nullable = info.nullable;
  const std::string t = text::ToLower(info.data_type);
  const bool with_precision = level == ReflectionLevel::kFullWithPrecision;
  if (t == "tinyint" || t == "mediumint" || t == "int" || t == "integer" || t == "bigint" || t == "year" ||
      t == "bit") {
    c.data_type = DataType::kBigint;
  } else if (t == "smallint") {
    c.data_type = DataType::kBigint;
    if (with_precision) c.precision = 32;  // dlt's size for SQLAlchemy's SmallInteger
  } else if (t == "decimal" || t == "numeric") {
    c.data_type = DataType::kDecimal;
    c.precision = info.numeric_precision;
    c.scale = info.numeric_scale;
  } else if (t == "float" || t == "double" || t == "real" || t == "double precision") {
    c.data_type = DataType::kDouble;
  } else if (t == "json" || (info.json_checked && (t == "longtext" || t == "text" || t == "mediumtext"))) {
    c.data_type = DataType::kJson;
  } else if (t == "char" || t == "varchar") {
    c.data_type = DataType::kText;
    if (with_precision) c.precision = info.char_length;
  } else if (t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext" || t == "enum" || t == "set") {
    c.data_type = DataType::kText;
  } else if (t == "date") {
    c.data_type = DataType::kDate;
  } else if (t == "time") {
    c.data_type = DataType::kTime;
  } else if (t == "datetime" || t == "timestamp") {
    c.data_type = DataType::kTimestamp;
    c.timezone = t == "timestamp";
    if (with_precision) c.precision = info.datetime_precision;
  } else if (t == "binary" || t == "varbinary") {
    c.data_type = DataType::kBinary;
    if (with_precision) c.precision = info.char_length;
  } else if (t == "tinyblob" || t == "blob" || t == "mediumblob" || t == "longblob" || t == "geometry" ||
             t == "point" || t == "linestring" || t == "polygon" || t == "multipoint" || t == "multilinestring" ||
             t == "multipolygon" || t == "geometrycollection") {
    c.data_type = DataType::kBinary;  // spatial values come as their binary (WKB) form
  } else {
    c.data_type = DataType::kText;  // uuid, inet4/inet6 and others print as text
  }
  return c;
}

std::string AppendMysqlValue(const char* data, unsigned long length, std::string_view native, TypedBatch* batch,
                             size_t c) {
  if (!data) {
    batch->AppendNull(c);
    return "";
  }
  const std::string_view v(data, length);
  auto refuse = [&](const char* expected) { return "the value '" + text::Printable(v) + "' is not " + expected; };
  switch (batch->columns()[c].data_type) {
    case DataType::kBigint: {
      if (native.substr(0, 3) == "bit") {
        // BIT(n) travels as its bytes, most significant first (SQLAlchemy turns them into an int).
        uint64_t x = 0;
        for (unsigned char b : v) x = x << 8 | b;
        if (x > static_cast<uint64_t>(INT64_MAX)) return "the bit value does not fit a signed 64-bit integer";
        batch->AppendInt(c, static_cast<int64_t>(x));
        return "";
      }
      int64_t x = 0;
      auto r = std::from_chars(v.data(), v.data() + v.size(), x);
      if (r.ec == std::errc::result_out_of_range) return refuse("within a signed 64-bit integer (bigint)");
      if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return refuse("an integer");
      batch->AppendInt(c, x);
      return "";
    }
    case DataType::kDouble: {
      std::string s(v);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end) return refuse("a number");
      batch->AppendDouble(c, d);
      return "";
    }
    case DataType::kDecimal: {
      auto d = DecimalText(v);
      if (!d) return refuse("a decimal number");
      batch->AppendText(c, *d);
      return "";
    }
    case DataType::kBool:
      batch->AppendBool(c, v != "0");
      return "";
    case DataType::kTimestamp: {
      auto m = ParseDateTimeMicros(v);
      if (!m) return refuse("a date and time (zero dates such as 0000-00-00 have no dlt value)");
      batch->AppendInt(c, *m);
      return "";
    }
    case DataType::kDate: {
      auto d = ParseDateDays(v);
      if (!d) return refuse("a date (zero dates such as 0000-00-00 have no dlt value)");
      batch->AppendInt(c, *d);
      return "";
    }
    case DataType::kTime: {
      auto t = ParseTimeMicros(v);
      if (!t) return refuse("a time of day (00:00:00 to 23:59:59.999999; MySQL TIME holds durations too)");
      batch->AppendInt(c, *t);
      return "";
    }
    case DataType::kJson: {
      auto parsed = nlohmann::ordered_json::parse(v, nullptr, false);
      if (parsed.is_discarded()) return refuse("JSON");
      batch->AppendText(c, parsed.dump());
      return "";
    }
    case DataType::kBinary:
      batch->AppendText(c, BinaryCell(v));
      return "";
    default:
      batch->AppendText(c, v);
      return "";
  }
}

}  // namespace dlt::sql_source
