// See duckdb_value_renderer.h.
#include "destinations/duckdb/duckdb_value_renderer.h"

#include "destinations/duckdb/duckdb_float_text.h"
#include "destinations/duckdb/duckdb_value_text.h"

namespace dlt::duckdb::detail {

void Renderer::Top(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out) {
  if (t.IsNested()) {
    Nested(t, v, row, out);
  } else {
    Scalar(t, v, row, out);
  }
}

void Renderer::Child(const TypeNode& t, duckdb_vector v, uint64_t row, Ctx ctx, std::string& out) {
  if (!Valid(v, row)) {
    out += "NULL";
  } else if (t.IsNested()) {
    Nested(t, v, row, out);
  } else if (ctx == Ctx::kRaw || t.IsJson()) {
    Scalar(t, v, row, out);
  } else {
    scratch_.clear();
    Scalar(t, v, row, scratch_);
    if (NeedsQuotes(scratch_)) {
      AppendQuoted(out, scratch_);
    } else {
      out += scratch_;
    }
  }
}

void Renderer::Nested(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out) {
  switch (t.id) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY: {
      uint64_t offset, length;
      duckdb_vector child;
      if (t.id == DUCKDB_TYPE_LIST) {
        auto entry = static_cast<duckdb_list_entry*>(api_.duckdb_vector_get_data(v))[row];
        offset = entry.offset;
        length = entry.length;
        child = api_.duckdb_list_vector_get_child(v);
      } else {
        offset = row * t.array_size;
        length = t.array_size;
        child = api_.duckdb_array_vector_get_child(v);
      }
      // DuckDB quotes LIST elements that need it, but writes ARRAY elements as they are.
      const Ctx ctx = t.id == DUCKDB_TYPE_LIST ? Ctx::kElement : Ctx::kRaw;
      out += '[';
      for (uint64_t i = 0; i < length; ++i) {
        if (i) out += ", ";
        Child(t.children[0], child, offset + i, ctx, out);
      }
      out += ']';
      return;
    }
    case DUCKDB_TYPE_MAP: {
      auto entry = static_cast<duckdb_list_entry*>(api_.duckdb_vector_get_data(v))[row];
      duckdb_vector entries = api_.duckdb_list_vector_get_child(v);
      duckdb_vector keys = api_.duckdb_struct_vector_get_child(entries, 0);
      duckdb_vector values = api_.duckdb_struct_vector_get_child(entries, 1);
      out += '{';
      for (uint64_t i = 0; i < entry.length; ++i) {
        if (i) out += ", ";
        Child(t.children[0], keys, entry.offset + i, Ctx::kElement, out);
        out += '=';
        Child(t.children[1], values, entry.offset + i, Ctx::kElement, out);
      }
      out += '}';
      return;
    }
    case DUCKDB_TYPE_STRUCT: {
      bool unnamed = t.IsUnnamedStruct();
      out += unnamed ? '(' : '{';
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i) out += ", ";
        if (!unnamed) {
          AppendQuoted(out, t.names[i]);
          out += ": ";
        }
        Child(t.children[i], api_.duckdb_struct_vector_get_child(v, i), row, Ctx::kElement, out);
      }
      out += unnamed ? ')' : '}';
      return;
    }
    case DUCKDB_TYPE_UNION: {
      duckdb_vector tags = api_.duckdb_struct_vector_get_child(v, 0);
      uint8_t tag = static_cast<uint8_t*>(api_.duckdb_vector_get_data(tags))[row];
      if (tag >= t.children.size()) return;
      Child(t.children[tag], api_.duckdb_struct_vector_get_child(v, tag + 1), row, Ctx::kRaw, out);
      return;
    }
    default:
      return;
  }
}

uint64_t Renderer::EnumIndex(const TypeNode& t, void* data, uint64_t row) {
  switch (t.storage) {
    case DUCKDB_TYPE_UTINYINT: return At<uint8_t>(data, row);
    case DUCKDB_TYPE_USMALLINT: return At<uint16_t>(data, row);
    default: return At<uint32_t>(data, row);
  }
}

__int128 Renderer::DecimalValue(const TypeNode& t, void* data, uint64_t row) {
  switch (t.storage) {
    case DUCKDB_TYPE_SMALLINT: return At<int16_t>(data, row);
    case DUCKDB_TYPE_INTEGER: return At<int32_t>(data, row);
    case DUCKDB_TYPE_BIGINT: return At<int64_t>(data, row);
    default: return ToInt128(At<duckdb_hugeint>(data, row));
  }
}

void Renderer::Scalar(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out) {
  void* data = api_.duckdb_vector_get_data(v);
  switch (t.id) {
    case DUCKDB_TYPE_BOOLEAN: out += At<bool>(data, row) ? "true" : "false"; return;
    case DUCKDB_TYPE_TINYINT: AppendInt(out, At<int8_t>(data, row)); return;
    case DUCKDB_TYPE_SMALLINT: AppendInt(out, At<int16_t>(data, row)); return;
    case DUCKDB_TYPE_INTEGER: AppendInt(out, At<int32_t>(data, row)); return;
    case DUCKDB_TYPE_BIGINT: AppendInt(out, At<int64_t>(data, row)); return;
    case DUCKDB_TYPE_UTINYINT: AppendInt(out, At<uint8_t>(data, row)); return;
    case DUCKDB_TYPE_USMALLINT: AppendInt(out, At<uint16_t>(data, row)); return;
    case DUCKDB_TYPE_UINTEGER: AppendInt(out, At<uint32_t>(data, row)); return;
    case DUCKDB_TYPE_UBIGINT: AppendInt(out, At<uint64_t>(data, row)); return;
    case DUCKDB_TYPE_HUGEINT: AppendInt128(out, ToInt128(At<duckdb_hugeint>(data, row))); return;
    case DUCKDB_TYPE_UHUGEINT: {
      auto u = At<duckdb_uhugeint>(data, row);
      AppendUint128(out, (static_cast<unsigned __int128>(u.upper) << 64) | u.lower);
      return;
    }
    case DUCKDB_TYPE_FLOAT: AppendFloat(out, At<float>(data, row)); return;
    case DUCKDB_TYPE_DOUBLE: AppendFloat(out, At<double>(data, row)); return;
    case DUCKDB_TYPE_DECIMAL: AppendDecimal(out, DecimalValue(t, data, row), t.width, t.scale); return;
    case DUCKDB_TYPE_DATE: {
      int32_t days = At<int32_t>(data, row);
      if (days == INT32_MAX) {
        out += "infinity";
      } else if (days == -INT32_MAX) {
        out += "-infinity";
      } else {
        AppendDate(out, days);
      }
      return;
    }
    case DUCKDB_TYPE_TIME: AppendTimeOfDay(out, At<int64_t>(data, row), 1000000, 6); return;
    case DUCKDB_TYPE_TIME_NS: AppendTimeOfDay(out, At<int64_t>(data, row), 1000000000, 9); return;
    case DUCKDB_TYPE_TIME_TZ: AppendTimeTz(out, At<uint64_t>(data, row)); return;
    case DUCKDB_TYPE_TIMESTAMP: AppendTimestamp(out, At<int64_t>(data, row), 1000000, 6, false); return;
    case DUCKDB_TYPE_TIMESTAMP_TZ: AppendTimestamp(out, At<int64_t>(data, row), 1000000, 6, true); return;
    case DUCKDB_TYPE_TIMESTAMP_S: AppendTimestamp(out, At<int64_t>(data, row), 1, 0, false); return;
    case DUCKDB_TYPE_TIMESTAMP_MS: AppendTimestamp(out, At<int64_t>(data, row), 1000, 3, false); return;
    case DUCKDB_TYPE_TIMESTAMP_NS: AppendTimestamp(out, At<int64_t>(data, row), 1000000000, 9, false); return;
    case DUCKDB_TYPE_INTERVAL: AppendInterval(out, At<duckdb_interval>(data, row)); return;
    case DUCKDB_TYPE_VARCHAR: out += StringAt(data, row); return;
    case DUCKDB_TYPE_BLOB: AppendBlob(out, StringAt(data, row)); return;
    case DUCKDB_TYPE_BIT: AppendBits(out, StringAt(data, row)); return;
    case DUCKDB_TYPE_BIGNUM: AppendBignum(out, StringAt(data, row)); return;
    case DUCKDB_TYPE_UUID: AppendUuid(out, At<duckdb_hugeint>(data, row)); return;
    case DUCKDB_TYPE_ENUM: {
      uint64_t i = EnumIndex(t, data, row);
      if (i < t.enum_values.size()) out += t.enum_values[i];
      return;
    }
    default:
      out += "NULL";  // SQLNULL (all rows are NULL)
      return;
  }
}

}  // namespace dlt::duckdb::detail
