// See duckdb_types.h. Also the SQL quoting of duckdb_api.h, which type names use for STRUCT
// fields and ENUM values.
#include "destinations/duckdb/duckdb_types.h"

#include <cctype>
#include <mutex>
#include <unordered_set>

#include "destinations/duckdb/duckdb_api.h"

namespace dlt::duckdb {
namespace detail {

std::string TakeString(char* s) {
  if (!s) return {};
  std::string out(s);
  A().duckdb_free(s);
  return out;
}

Status BuildType(duckdb_logical_type lt, TypeNode& node) {
  const Api& api = A();
  node.id = api.duckdb_get_type_id(lt);
  node.alias = TakeString(api.duckdb_logical_type_get_alias(lt));
  switch (node.id) {
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
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIME_NS:
    case DUCKDB_TYPE_TIME_TZ:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_INTERVAL:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_UUID:
    case DUCKDB_TYPE_BIT:
    case DUCKDB_TYPE_BIGNUM:
    case DUCKDB_TYPE_SQLNULL:
      return Status::Ok();
    case DUCKDB_TYPE_DECIMAL:
      node.width = api.duckdb_decimal_width(lt);
      node.scale = api.duckdb_decimal_scale(lt);
      node.storage = api.duckdb_decimal_internal_type(lt);
      return Status::Ok();
    case DUCKDB_TYPE_ENUM: {
      node.storage = api.duckdb_enum_internal_type(lt);
      uint32_t n = api.duckdb_enum_dictionary_size(lt);
      node.enum_values.reserve(n);
      for (uint32_t i = 0; i < n; ++i) node.enum_values.push_back(TakeString(api.duckdb_enum_dictionary_value(lt, i)));
      return Status::Ok();
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY: {
      bool list = node.id == DUCKDB_TYPE_LIST;
      LogicalType child(list ? api.duckdb_list_type_child_type(lt) : api.duckdb_array_type_child_type(lt));
      if (!list) node.array_size = api.duckdb_array_type_array_size(lt);
      node.children.emplace_back();
      return BuildType(child.t, node.children.back());
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(api.duckdb_map_type_key_type(lt));
      LogicalType value(api.duckdb_map_type_value_type(lt));
      node.children.resize(2);
      DLT_RETURN_IF_ERROR(BuildType(key.t, node.children[0]));
      return BuildType(value.t, node.children[1]);
    }
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      bool is_struct = node.id == DUCKDB_TYPE_STRUCT;
      idx_t n = is_struct ? api.duckdb_struct_type_child_count(lt) : api.duckdb_union_type_member_count(lt);
      node.children.resize(n);
      for (idx_t i = 0; i < n; ++i) {
        node.names.push_back(TakeString(is_struct ? api.duckdb_struct_type_child_name(lt, i)
                                                  : api.duckdb_union_type_member_name(lt, i)));
        LogicalType child(is_struct ? api.duckdb_struct_type_child_type(lt, i)
                                    : api.duckdb_union_type_member_type(lt, i));
        DLT_RETURN_IF_ERROR(BuildType(child.t, node.children[i]));
      }
      return Status::Ok();
    }
    default:
      // DUCKDB_TYPE_INVALID is what the C API reports for types it does not describe (TIME_NS in
      // DuckDB 1.4, for example).
      return InvalidArgument("its DuckDB type (C API type id " + std::to_string(static_cast<int>(node.id)) +
                             ") cannot be read through the C API; CAST the column to VARCHAR in the query");
  }
}

namespace {

const char* ScalarTypeName(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIME_NS: return "TIME_NS";
    case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_BIT: return "BIT";
    case DUCKDB_TYPE_BIGNUM: return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL: return "\"NULL\"";
    default: return "UNKNOWN";
  }
}

// Whether `lower` is one of DuckDB's keywords (any category): a STRUCT field called like one is
// quoted in type names. The list is read once per process from duckdb_keywords().
bool IsKeyword(duckdb_connection conn, const std::string& lower) {
  static std::mutex mu;
  static std::unordered_set<std::string> keywords;
  static bool loaded = false;
  std::lock_guard<std::mutex> lock(mu);
  if (!loaded) {
    duckdb_result r;
    if (A().duckdb_query(conn, "SELECT keyword_name FROM duckdb_keywords()", &r) == DuckDBSuccess) {
      while (duckdb_data_chunk chunk = A().duckdb_fetch_chunk(r)) {
        idx_t n = A().duckdb_data_chunk_get_size(chunk);
        void* data = A().duckdb_vector_get_data(A().duckdb_data_chunk_get_vector(chunk, 0));
        for (idx_t i = 0; i < n; ++i) keywords.emplace(StringAt(data, i));
        A().duckdb_destroy_data_chunk(&chunk);
      }
      loaded = !keywords.empty();
    }
    A().duckdb_destroy_result(&r);
  }
  return keywords.count(lower) > 0;
}

std::string OptionallyQuoted(const std::string& name, duckdb_connection conn) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) plain = false;
  }
  if (plain) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    plain = !IsKeyword(conn, lower);
  }
  return plain ? name : QuoteIdentifier(name);
}

}  // namespace

std::string TypeName(const TypeNode& t, duckdb_connection conn) {
  if (!t.alias.empty()) return t.alias;
  switch (t.id) {
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(t.width) + "," + std::to_string(t.scale) + ")";
    case DUCKDB_TYPE_ENUM: {
      std::string s = "ENUM(";
      for (size_t i = 0; i < t.enum_values.size(); ++i) s += (i ? ", " : "") + QuoteLiteral(t.enum_values[i]);
      return s + ")";
    }
    case DUCKDB_TYPE_LIST:
      return TypeName(t.children[0], conn) + "[]";
    case DUCKDB_TYPE_ARRAY:
      return TypeName(t.children[0], conn) + "[" + std::to_string(t.array_size) + "]";
    case DUCKDB_TYPE_MAP:
      return "MAP(" + TypeName(t.children[0], conn) + ", " + TypeName(t.children[1], conn) + ")";
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      std::string s = t.id == DUCKDB_TYPE_STRUCT ? "STRUCT(" : "UNION(";
      bool unnamed = t.IsUnnamedStruct();
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i) s += ", ";
        if (!unnamed) s += OptionallyQuoted(t.names[i], conn) + " ";
        s += TypeName(t.children[i], conn);
      }
      return s + ")";
    }
    default:
      return ScalarTypeName(t.id);
  }
}

}  // namespace detail

// --- Quoting ---

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace dlt::duckdb
