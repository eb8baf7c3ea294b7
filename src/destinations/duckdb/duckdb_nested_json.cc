#include "destinations/duckdb/duckdb_nested_json.h"

#include <cmath>

#include "destinations/duckdb/duckdb_float_text.h"
#include "destinations/duckdb/duckdb_value_text.h"
#include "normalize/typed_batch.h"

namespace dlt::duckdb::detail {

namespace {

template <typename T>
T At(void* data, uint64_t row) {
  return static_cast<T*>(data)[row];
}

bool Valid(const Api& api, duckdb_vector v, uint64_t row) {
  return MaskValid(api.duckdb_vector_get_validity(v), row);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendExactDecimal(std::string& out, __int128 v, int scale) {
  unsigned __int128 u = v < 0 ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  char digits[48];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  while (n <= scale) digits[n++] = '0';  // at least one digit before the point
  if (v < 0) out.push_back('-');
  for (int i = n - 1; i >= 0; --i) {
    out.push_back(digits[i]);
    if (i == scale && scale > 0) out.push_back('.');
  }
}

__int128 DecimalAt(const TypeNode& t, void* data, uint64_t row) {
  switch (t.storage) {
    case DUCKDB_TYPE_SMALLINT: return At<int16_t>(data, row);
    case DUCKDB_TYPE_INTEGER: return At<int32_t>(data, row);
    case DUCKDB_TYPE_BIGINT: return At<int64_t>(data, row);
    default: return ToInt128(At<duckdb_hugeint>(data, row));
  }
}

int64_t TimestampMicros(duckdb_type id, void* data, uint64_t row) {
  const int64_t v = At<int64_t>(data, row);
  switch (id) {
    case DUCKDB_TYPE_TIMESTAMP_S: return v * 1000000;
    case DUCKDB_TYPE_TIMESTAMP_MS: return v * 1000;
    case DUCKDB_TYPE_TIMESTAMP_NS: return v >= 0 ? v / 1000 : -((-v + 999) / 1000);  // floor
    default: return v;
  }
}

void AppendJsonValue(const Api& api, Renderer& renderer, const TypeNode& t, duckdb_vector v, uint64_t row,
                     std::string& out) {
  if (!Valid(api, v, row)) {
    out += "null";
    return;
  }
  void* data = api.duckdb_vector_get_data(v);
  switch (t.id) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP: {
      const auto& e = At<duckdb_list_entry>(data, row);
      duckdb_vector child = api.duckdb_list_vector_get_child(v);
      if (t.id == DUCKDB_TYPE_MAP) {
        // A list of {key, value} structs: an object whose names are the keys' texts.
        duckdb_vector keys = api.duckdb_struct_vector_get_child(child, 0);
        duckdb_vector values = api.duckdb_struct_vector_get_child(child, 1);
        out.push_back('{');
        std::string key;
        for (uint64_t i = 0; i < e.length; ++i) {
          if (i) out.push_back(',');
          key.clear();
          if (Valid(api, keys, e.offset + i)) renderer.Top(t.children[0], keys, e.offset + i, key);
          AppendJsonString(key, out);
          out.push_back(':');
          AppendJsonValue(api, renderer, t.children[1], values, e.offset + i, out);
        }
        out.push_back('}');
        return;
      }
      out.push_back('[');
      for (uint64_t i = 0; i < e.length; ++i) {
        if (i) out.push_back(',');
        AppendJsonValue(api, renderer, t.children[0], child, e.offset + i, out);
      }
      out.push_back(']');
      return;
    }
    case DUCKDB_TYPE_ARRAY: {
      duckdb_vector child = api.duckdb_array_vector_get_child(v);
      out.push_back('[');
      for (uint64_t i = 0; i < t.array_size; ++i) {
        if (i) out.push_back(',');
        AppendJsonValue(api, renderer, t.children[0], child, row * t.array_size + i, out);
      }
      out.push_back(']');
      return;
    }
    case DUCKDB_TYPE_STRUCT: {
      out.push_back('{');
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i) out.push_back(',');
        AppendJsonString(t.names[i].empty() ? "v" + std::to_string(i + 1) : t.names[i], out);
        out.push_back(':');
        AppendJsonValue(api, renderer, t.children[i], api.duckdb_struct_vector_get_child(v, i), row, out);
      }
      out.push_back('}');
      return;
    }
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: renderer.Top(t, v, row, out); return;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE: {
      const double d = t.id == DUCKDB_TYPE_FLOAT ? At<float>(data, row) : At<double>(data, row);
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN or infinity
      } else {
        renderer.Top(t, v, row, out);
      }
      return;
    }
    case DUCKDB_TYPE_DECIMAL: AppendExactDecimal(out, DecimalAt(t, data, row), t.scale); return;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: AppendJsonString(TimestampCell(TimestampMicros(t.id, data, row)), out); return;
    case DUCKDB_TYPE_DATE: AppendJsonString(DateCell(At<int32_t>(data, row)), out); return;
    default: break;
  }
  if (t.IsJson()) {
    out += StringAt(data, row);
    return;
  }
  std::string text;
  renderer.Top(t, v, row, text);
  AppendJsonString(text, out);
}

}  // namespace dlt::duckdb::detail
