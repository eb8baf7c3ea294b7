// The only file that includes duckdb.h. Every DuckDB function used is called through a table of
// pointers filled by dlsym (see duckdb_api.h for why the library is not linked).
#include "destinations/duckdb/duckdb_api.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>
#include <unordered_set>

#include "common/civil_date.h"
#include "duckdb.h"
#include "load/csv_job_reader.h"

namespace dlt::duckdb {
namespace {

// ------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------

// Every DuckDB C function this module calls. Each becomes a member of Api with the exact type of
// its declaration in duckdb.h (decltype does not reference the symbol, so nothing is linked).
#define DLT_DUCKDB_FUNCTIONS(X)            \
  X(duckdb_library_version)                \
  X(duckdb_free)                           \
  X(duckdb_create_config)                  \
  X(duckdb_set_config)                     \
  X(duckdb_destroy_config)                 \
  X(duckdb_create_instance_cache)          \
  X(duckdb_get_or_create_from_cache)       \
  X(duckdb_close)                          \
  X(duckdb_connect)                        \
  X(duckdb_disconnect)                     \
  X(duckdb_interrupt)                      \
  X(duckdb_query)                          \
  X(duckdb_extract_statements)             \
  X(duckdb_extract_statements_error)       \
  X(duckdb_destroy_extracted)              \
  X(duckdb_prepare_extracted_statement)    \
  X(duckdb_prepare_error)                  \
  X(duckdb_destroy_prepare)                \
  X(duckdb_execute_prepared)               \
  X(duckdb_destroy_result)                 \
  X(duckdb_result_error)                   \
  X(duckdb_result_error_type)              \
  X(duckdb_column_count)                   \
  X(duckdb_column_name)                    \
  X(duckdb_column_logical_type)            \
  X(duckdb_fetch_chunk)                    \
  X(duckdb_destroy_data_chunk)             \
  X(duckdb_data_chunk_get_size)            \
  X(duckdb_data_chunk_get_vector)          \
  X(duckdb_vector_get_data)                \
  X(duckdb_vector_get_validity)            \
  X(duckdb_list_vector_get_child)          \
  X(duckdb_array_vector_get_child)         \
  X(duckdb_struct_vector_get_child)        \
  X(duckdb_get_type_id)                    \
  X(duckdb_logical_type_get_alias)         \
  X(duckdb_destroy_logical_type)           \
  X(duckdb_decimal_width)                  \
  X(duckdb_decimal_scale)                  \
  X(duckdb_decimal_internal_type)          \
  X(duckdb_enum_internal_type)             \
  X(duckdb_enum_dictionary_size)           \
  X(duckdb_enum_dictionary_value)          \
  X(duckdb_list_type_child_type)           \
  X(duckdb_array_type_child_type)          \
  X(duckdb_array_type_array_size)          \
  X(duckdb_map_type_key_type)              \
  X(duckdb_map_type_value_type)            \
  X(duckdb_struct_type_child_count)        \
  X(duckdb_struct_type_child_name)         \
  X(duckdb_struct_type_child_type)         \
  X(duckdb_union_type_member_count)        \
  X(duckdb_union_type_member_name)         \
  X(duckdb_union_type_member_type)         \
  X(duckdb_appender_create_ext)            \
  X(duckdb_appender_error_data)            \
  X(duckdb_appender_flush)                 \
  X(duckdb_appender_close)                 \
  X(duckdb_appender_destroy)               \
  X(duckdb_appender_end_row)               \
  X(duckdb_append_varchar_length)          \
  X(duckdb_append_int64)                   \
  X(duckdb_append_double)                  \
  X(duckdb_append_bool)                    \
  X(duckdb_append_null)                    \
  X(duckdb_error_data_error_type)          \
  X(duckdb_error_data_message)             \
  X(duckdb_destroy_error_data)            \
  X(duckdb_create_logical_type)           \
  X(duckdb_destroy_value)                 \
  X(duckdb_get_int64)                     \
  X(duckdb_vector_size)                   \
  X(duckdb_data_chunk_set_size)           \
  X(duckdb_vector_ensure_validity_writable) \
  X(duckdb_vector_assign_string_element_len) \
  X(duckdb_create_table_function)         \
  X(duckdb_destroy_table_function)        \
  X(duckdb_table_function_set_name)       \
  X(duckdb_table_function_add_parameter)  \
  X(duckdb_table_function_set_bind)       \
  X(duckdb_table_function_set_init)       \
  X(duckdb_table_function_set_local_init) \
  X(duckdb_table_function_set_function)   \
  X(duckdb_register_table_function)       \
  X(duckdb_bind_get_parameter)            \
  X(duckdb_bind_add_result_column)        \
  X(duckdb_bind_set_bind_data)            \
  X(duckdb_bind_set_error)                \
  X(duckdb_init_get_bind_data)            \
  X(duckdb_init_set_init_data)            \
  X(duckdb_init_set_max_threads)          \
  X(duckdb_function_get_bind_data)        \
  X(duckdb_function_get_init_data)        \
  X(duckdb_function_get_local_init_data)  \
  X(duckdb_function_set_error)

struct Api {
#define DLT_DUCKDB_MEMBER(name) decltype(&::name) name = nullptr;
  DLT_DUCKDB_FUNCTIONS(DLT_DUCKDB_MEMBER)
#undef DLT_DUCKDB_MEMBER
};

struct LoadState {
  Status status;
  Api api;
  std::string path;
  duckdb_instance_cache cache = nullptr;
};

std::atomic<bool> g_loaded{false};

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Tries to dlopen `file` and resolve every function. On failure says why in `why`.
bool TryLoad(const std::string& file, LoadState& state, std::string& why) {
  if (file.find('/') != std::string::npos && !FileExists(file)) {
    why = "no such file";
    return false;
  }
  ::dlerror();
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* e = ::dlerror();
    why = e ? e : "dlopen failed";
    return false;
  }
  Api api;
  std::vector<std::string> missing;
#define DLT_DUCKDB_RESOLVE(name)                                          \
  api.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name)); \
  if (!api.name) missing.emplace_back(#name);
  DLT_DUCKDB_FUNCTIONS(DLT_DUCKDB_RESOLVE)
#undef DLT_DUCKDB_RESOLVE
  if (!missing.empty()) {
    ::dlclose(handle);
    why = "loaded, but it lacks the function";
    if (missing.size() > 1) why += "s";
    for (size_t i = 0; i < missing.size() && i < 3; ++i) why += (i ? ", " : " ") + missing[i];
    if (missing.size() > 3) why += " and " + std::to_string(missing.size() - 3) + " more";
    why += " (it is not libduckdb, or a DuckDB older than 1.4)";
    return false;
  }
  state.api = api;
  state.path = file;
  state.cache = api.duckdb_create_instance_cache();
  return true;
}

void Load(LoadState& state) {
  std::vector<std::string> candidates;
  const char* env = std::getenv("DLT_DUCKDB_LIBRARY");
  const bool from_env = env && *env;
  if (from_env) {
    candidates.emplace_back(env);
  } else {
    // An installed dlt (make install) carries its DuckDB in <prefix>/lib/dlt/.
    std::error_code ec;
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      std::filesystem::path beside = exe.parent_path().parent_path() / "lib" / "dlt" / "libduckdb.so";
      if (std::filesystem::exists(beside, ec)) candidates.emplace_back(beside.string());
    }
#ifdef DLT_DUCKDB_LIBRARY_PATH
    candidates.emplace_back(DLT_DUCKDB_LIBRARY_PATH);
#endif
    candidates.emplace_back("libduckdb.so");
  }
  std::string tried;
  for (const auto& file : candidates) {
    std::string why;
    if (TryLoad(file, state, why)) {
      state.status = Status::Ok();
      return;
    }
    if (!tried.empty()) tried += "; ";
    tried += (from_env ? "DLT_DUCKDB_LIBRARY=" : "") + file + ": " + why;
  }
  std::string fix = from_env
                        ? "Point DLT_DUCKDB_LIBRARY at a libduckdb.so of DuckDB 1.4 or newer, or unset it "
                          "to use the bundled library (run scripts/bootstrap.sh to download it)."
                        : "Run scripts/bootstrap.sh to download the bundled DuckDB library, or set "
                          "DLT_DUCKDB_LIBRARY to the path of a libduckdb.so (DuckDB 1.4 or newer).";
  state.status = FailedPrecondition("cannot load the DuckDB library (tried " + tried + "). " + fix);
}

const LoadState& State() {
  // Built once, thread-safely, on first use. Never destroyed: libduckdb stays loaded for the life
  // of the process, and objects with static storage may still call it while the process exits.
  static const LoadState* state = [] {
    auto* s = new LoadState();
    Load(*s);
    if (s->status.ok()) g_loaded.store(true, std::memory_order_release);
    return s;
  }();
  return *state;
}

// Only valid after EnsureLoaded() succeeded (every handle-holding object implies that).
const Api& A() { return State().api; }

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

std::string TrimMessage(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ' || m.back() == '\r')) m.pop_back();
  if (m.empty()) m = "unknown DuckDB error";
  // DuckDB 1.4 appends the "LINE n: ... ^" pointer into the SQL twice; keep one copy.
  size_t p = m.find("\n\nLINE ");
  if (p != std::string::npos) {
    std::string_view tail = std::string_view(m).substr(p);
    size_t half = tail.size() / 2;
    if (tail.size() % 2 == 0 && tail.substr(0, half) == tail.substr(half)) m.resize(p + half);
  }
  return m;
}

bool Contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

StatusCode CodeFor(duckdb_error_type type, std::string_view message) {
  switch (type) {
    case DUCKDB_ERROR_INTERRUPT:
      return StatusCode::kCancelled;
    case DUCKDB_ERROR_CATALOG:
      if (Contains(message, "does not exist")) return StatusCode::kNotFound;
      if (Contains(message, "already exists")) return StatusCode::kAlreadyExists;
      return StatusCode::kInvalidArgument;
    case DUCKDB_ERROR_PERMISSION:
      return StatusCode::kPermissionDenied;
    case DUCKDB_ERROR_TRANSACTION:
      return StatusCode::kUnavailable;
    case DUCKDB_ERROR_IO:
      if (Contains(message, "Could not set lock")) return StatusCode::kUnavailable;
      if (Contains(message, "Permission denied")) return StatusCode::kPermissionDenied;
      return StatusCode::kFailedPrecondition;
    case DUCKDB_ERROR_FATAL:
    case DUCKDB_ERROR_INTERNAL:
      return StatusCode::kInternal;
    case DUCKDB_ERROR_OUT_OF_MEMORY:
    case DUCKDB_ERROR_CONNECTION:
    case DUCKDB_ERROR_NETWORK:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_MISSING_EXTENSION:
    case DUCKDB_ERROR_AUTOLOAD:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInvalidArgument;
  }
}

// Errors that come as text only (parsing, preparing): the kind is the message's "<Kind> Error:".
duckdb_error_type ErrorTypeFromMessage(std::string_view m) {
  auto starts = [&](std::string_view p) { return m.substr(0, p.size()) == p; };
  if (starts("Catalog Error")) return DUCKDB_ERROR_CATALOG;
  if (starts("INTERRUPT Error") || starts("Interrupt")) return DUCKDB_ERROR_INTERRUPT;
  if (starts("Permission Error")) return DUCKDB_ERROR_PERMISSION;
  if (starts("TransactionContext Error")) return DUCKDB_ERROR_TRANSACTION;
  if (starts("IO Error")) return DUCKDB_ERROR_IO;
  if (starts("INTERNAL Error") || starts("FATAL Error")) return DUCKDB_ERROR_INTERNAL;
  if (starts("Out of Memory Error")) return DUCKDB_ERROR_OUT_OF_MEMORY;
  return DUCKDB_ERROR_INVALID;
}

Status TextError(const char* e) {
  std::string message = TrimMessage(e ? e : "");
  return Status(CodeFor(ErrorTypeFromMessage(message), message), message);
}

Status ResultError(duckdb_result* result) {
  const char* e = A().duckdb_result_error(result);
  std::string message = TrimMessage(e ? e : "");
  return Status(CodeFor(A().duckdb_result_error_type(result), message), message);
}

Status Closed(std::string_view what) { return FailedPrecondition(std::string(what) + " is closed"); }

// ------------------------------------------------------------------------------------------------
// Types
// ------------------------------------------------------------------------------------------------

struct TypeNode {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  std::string alias;
  uint8_t width = 0, scale = 0;                  // DECIMAL
  duckdb_type storage = DUCKDB_TYPE_INVALID;     // physical type of DECIMAL and ENUM values
  std::vector<std::string> enum_values;          // ENUM
  std::vector<std::string> names;                // STRUCT fields, UNION members
  std::vector<TypeNode> children;                // LIST/ARRAY: 1, MAP: key and value, STRUCT, UNION
  uint64_t array_size = 0;                       // ARRAY

  bool IsNested() const {
    return id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_STRUCT ||
           id == DUCKDB_TYPE_MAP || id == DUCKDB_TYPE_UNION;
  }
  bool IsJson() const { return id == DUCKDB_TYPE_VARCHAR && alias == "JSON"; }
  bool IsUnnamedStruct() const { return id == DUCKDB_TYPE_STRUCT && !names.empty() && names[0].empty(); }
};

struct LogicalType {
  duckdb_logical_type t;
  explicit LogicalType(duckdb_logical_type type) : t(type) {}
  ~LogicalType() {
    if (t) A().duckdb_destroy_logical_type(&t);
  }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
};

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

// A VARCHAR/BLOB/BIT/BIGNUM value in a vector (inlined when up to 12 bytes).
std::string_view StringAt(void* data, uint64_t row) {
  auto& s = static_cast<duckdb_string_t*>(data)[row];
  uint32_t len = s.value.inlined.length;
  return {len <= 12 ? s.value.inlined.inlined : s.value.pointer.ptr, len};
}

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

// ------------------------------------------------------------------------------------------------
// Values as text, the way DuckDB casts them to VARCHAR
// ------------------------------------------------------------------------------------------------

template <typename I>
void AppendInt(std::string& out, I v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendUint128(std::string& out, unsigned __int128 v) {
  char buf[40];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  out.append(p, buf + sizeof buf);
}

void AppendInt128(std::string& out, __int128 v) {
  if (v < 0) {
    out += '-';
    AppendUint128(out, static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v));
  } else {
    AppendUint128(out, static_cast<unsigned __int128>(v));
  }
}

__int128 ToInt128(duckdb_hugeint h) {
  return static_cast<__int128>((static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64) | h.lower);
}

// --- FLOAT and DOUBLE ---
// DuckDB prints both with its bundled fmt 6 ("{}"). For DOUBLE that is the shortest digits that
// read back as the same double. For FLOAT, fmt first runs Grisu with the float's rounding
// boundaries; when Grisu cannot decide (it works with limited precision) it falls back to the
// shortest digits of the value as a DOUBLE, which for some floats has more digits (413617.875
// instead of 413617.88). FloatDigits reproduces that decision.

// Digits d1..dn and exponent: value = 0.d1..dn * 10^(point), i.e. the decimal point sits after
// `point` digits.
struct DecimalDigits {
  std::string digits;
  int point = 0;
};

template <typename F>
DecimalDigits ShortestDigits(F v) {  // v > 0, finite
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  size_t e = s.find('e');
  DecimalDigits out;
  out.digits.assign(1, s[0]);
  if (e > 1) out.digits.append(s.substr(2, e - 2));
  std::string_view es = s.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  int exp10 = 0;
  std::from_chars(es.data(), es.data() + es.size(), exp10);
  out.point = exp10 + 1;
  return out;
}

// Normalized 64-bit significands and binary exponents of 10^k for k = -348, -340, ..., 340
// (f * 2^e rounded to nearest, 2^63 <= f < 2^64), the cache Grisu scales values with.
struct CachedPower {
  uint64_t f;
  int e;
};
constexpr CachedPower kPowersOf10[] = {
    {0xfa8fd5a0081c0288ULL, -1220},
    {0xbaaee17fa23ebf76ULL, -1193},
    {0x8b16fb203055ac76ULL, -1166},
    {0xcf42894a5dce35eaULL, -1140},
    {0x9a6bb0aa55653b2dULL, -1113},
    {0xe61acf033d1a45dfULL, -1087},
    {0xab70fe17c79ac6caULL, -1060},
    {0xff77b1fcbebcdc4fULL, -1034},
    {0xbe5691ef416bd60cULL, -1007},
    {0x8dd01fad907ffc3cULL, -980},
    {0xd3515c2831559a83ULL, -954},
    {0x9d71ac8fada6c9b5ULL, -927},
    {0xea9c227723ee8bcbULL, -901},
    {0xaecc49914078536dULL, -874},
    {0x823c12795db6ce57ULL, -847},
    {0xc21094364dfb5637ULL, -821},
    {0x9096ea6f3848984fULL, -794},
    {0xd77485cb25823ac7ULL, -768},
    {0xa086cfcd97bf97f4ULL, -741},
    {0xef340a98172aace5ULL, -715},
    {0xb23867fb2a35b28eULL, -688},
    {0x84c8d4dfd2c63f3bULL, -661},
    {0xc5dd44271ad3cdbaULL, -635},
    {0x936b9fcebb25c996ULL, -608},
    {0xdbac6c247d62a584ULL, -582},
    {0xa3ab66580d5fdaf6ULL, -555},
    {0xf3e2f893dec3f126ULL, -529},
    {0xb5b5ada8aaff80b8ULL, -502},
    {0x87625f056c7c4a8bULL, -475},
    {0xc9bcff6034c13053ULL, -449},
    {0x964e858c91ba2655ULL, -422},
    {0xdff9772470297ebdULL, -396},
    {0xa6dfbd9fb8e5b88fULL, -369},
    {0xf8a95fcf88747d94ULL, -343},
    {0xb94470938fa89bcfULL, -316},
    {0x8a08f0f8bf0f156bULL, -289},
    {0xcdb02555653131b6ULL, -263},
    {0x993fe2c6d07b7facULL, -236},
    {0xe45c10c42a2b3b06ULL, -210},
    {0xaa242499697392d3ULL, -183},
    {0xfd87b5f28300ca0eULL, -157},
    {0xbce5086492111aebULL, -130},
    {0x8cbccc096f5088ccULL, -103},
    {0xd1b71758e219652cULL, -77},
    {0x9c40000000000000ULL, -50},
    {0xe8d4a51000000000ULL, -24},
    {0xad78ebc5ac620000ULL, 3},
    {0x813f3978f8940984ULL, 30},
    {0xc097ce7bc90715b3ULL, 56},
    {0x8f7e32ce7bea5c70ULL, 83},
    {0xd5d238a4abe98068ULL, 109},
    {0x9f4f2726179a2245ULL, 136},
    {0xed63a231d4c4fb27ULL, 162},
    {0xb0de65388cc8ada8ULL, 189},
    {0x83c7088e1aab65dbULL, 216},
    {0xc45d1df942711d9aULL, 242},
    {0x924d692ca61be758ULL, 269},
    {0xda01ee641a708deaULL, 295},
    {0xa26da3999aef774aULL, 322},
    {0xf209787bb47d6b85ULL, 348},
    {0xb454e4a179dd1877ULL, 375},
    {0x865b86925b9bc5c2ULL, 402},
    {0xc83553c5c8965d3dULL, 428},
    {0x952ab45cfa97a0b3ULL, 455},
    {0xde469fbd99a05fe3ULL, 481},
    {0xa59bc234db398c25ULL, 508},
    {0xf6c69a72a3989f5cULL, 534},
    {0xb7dcbf5354e9beceULL, 561},
    {0x88fcf317f22241e2ULL, 588},
    {0xcc20ce9bd35c78a5ULL, 614},
    {0x98165af37b2153dfULL, 641},
    {0xe2a0b5dc971f303aULL, 667},
    {0xa8d9d1535ce3b396ULL, 694},
    {0xfb9b7cd9a4a7443cULL, 720},
    {0xbb764c4ca7a44410ULL, 747},
    {0x8bab8eefb6409c1aULL, 774},
    {0xd01fef10a657842cULL, 800},
    {0x9b10a4e5e9913129ULL, 827},
    {0xe7109bfba19c0c9dULL, 853},
    {0xac2820d9623bf429ULL, 880},
    {0x80444b5e7aa7cf85ULL, 907},
    {0xbf21e44003acdd2dULL, 933},
    {0x8e679c2f5e44ff8fULL, 960},
    {0xd433179d9c8cb841ULL, 986},
    {0x9e19db92b4e31ba9ULL, 1013},
    {0xeb96bf6ebadf77d9ULL, 1039},
    {0xaf87023b9bf0ee6bULL, 1066},
};

constexpr uint64_t kPow10U64[] = {1ULL,
                                  10ULL,
                                  100ULL,
                                  1000ULL,
                                  10000ULL,
                                  100000ULL,
                                  1000000ULL,
                                  10000000ULL,
                                  100000000ULL,
                                  1000000000ULL,
                                  10000000000ULL,
                                  100000000000ULL,
                                  1000000000000ULL,
                                  10000000000000ULL,
                                  100000000000000ULL,
                                  1000000000000000ULL,
                                  10000000000000000ULL,
                                  100000000000000000ULL,
                                  1000000000000000000ULL,
                                  10000000000000000000ULL};

struct Fp {
  uint64_t f;
  int e;
};

// a * b / 2^64, rounded half up.
uint64_t MulHigh(uint64_t a, uint64_t b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  uint64_t hi = static_cast<uint64_t>(p >> 64);
  return (static_cast<uint64_t>(p) >> 63) ? hi + 1 : hi;
}

// Shifts a double's significand (its leading one at bit 52 + shift) left until bit 63 is set.
Fp Normalize(Fp v, int shift) {
  const uint64_t lead = (uint64_t{1} << 52) << shift;
  while ((v.f & lead) == 0) {
    v.f <<= 1;
    --v.e;
  }
  const int offset = 64 - 52 - shift - 1;
  v.f <<= offset;
  v.e -= offset;
  return v;
}

int CountDigits(uint32_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// Grisu "shortest" for a float (held in a double) with the float's boundaries. Returns false
// where the algorithm gives up.
bool GrisuFloat(double value, DecimalDigits& out) {
  uint64_t u;
  std::memcpy(&u, &value, sizeof u);
  constexpr uint64_t kImplicit = uint64_t{1} << 52;
  Fp v{u & (kImplicit - 1), 0};
  uint64_t biased = (u >> 52) & 0x7FF;
  if (biased != 0) {
    v.f += kImplicit;
  } else {
    biased = 1;
  }
  v.e = static_cast<int>(biased) - 1075;

  // Boundaries half a FLOAT ulp away (the lower one closer for a power of two).
  constexpr int kMinNormalE = -125 - 53;
  uint64_t half_ulp = uint64_t{1} << (53 - 24 - 1);
  if (kMinNormalE > v.e) half_ulp <<= kMinNormalE - v.e;
  Fp upper = Normalize(Fp{v.f + half_ulp, v.e}, 0);
  Fp lower{v.f - (half_ulp >> ((v.f == kImplicit && v.e > kMinNormalE) ? 1 : 0)), v.e};
  lower.f <<= lower.e - upper.e;

  v = Normalize(v, 0);
  // A cached power of ten that brings the binary exponent into [-60, -32].
  const int min_exponent = -60 - (v.e + 64);
  int64_t t = static_cast<int64_t>(min_exponent + 63) * 0x4d104d42LL + 0xFFFFFFFFLL;
  int index = static_cast<int>(t >> 32);
  index = (index + 348 - 1) / 8 + 1;
  if (index < 0 || index >= static_cast<int>(std::size(kPowersOf10))) return false;
  const int cached_exp10 = -348 + index * 8;
  const CachedPower c = kPowersOf10[index];
  v = Fp{MulHigh(v.f, c.f), v.e + c.e + 64};
  uint64_t lo = MulHigh(lower.f, c.f) - 1;
  uint64_t hi = MulHigh(upper.f, c.f) + 1;

  // Digit generation from the upper boundary, with Grisu3's round-weed check.
  const uint64_t diff = hi - v.f;
  uint64_t error = hi - lo;
  const int shift = -v.e;
  const uint64_t one = uint64_t{1} << shift;
  uint32_t integral = static_cast<uint32_t>(hi >> shift);
  uint64_t fractional = hi & (one - 1);
  int exp = CountDigits(integral);
  std::string& buf = out.digits;
  buf.clear();

  // 0 = more digits, 1 = done, 2 = give up.
  auto on_digit = [&](char digit, uint64_t divisor, uint64_t remainder, bool is_integral) -> int {
    buf += digit;
    if (remainder >= error) return 0;
    if (!is_integral && -exp > 19) return 2;
    uint64_t unit = is_integral ? 1 : kPow10U64[-exp];
    uint64_t up = (diff - 1) * unit;
    while (remainder < up && error - remainder >= divisor &&
           (remainder + divisor < up || up - remainder >= remainder + divisor - up)) {
      --buf.back();
      remainder += divisor;
    }
    uint64_t down = (diff + 1) * unit;
    if (remainder < down && error - remainder >= divisor &&
        (remainder + divisor < down || down - remainder > remainder + divisor - down)) {
      return 2;
    }
    return 2 * unit <= remainder && remainder <= error - 4 * unit ? 1 : 2;
  };

  int result = 0;
  do {
    uint32_t digit;
    if (exp == 1) {
      digit = integral;
      integral = 0;
    } else {
      uint32_t divisor = static_cast<uint32_t>(kPow10U64[exp - 1]);
      digit = integral / divisor;
      integral %= divisor;
    }
    --exp;
    uint64_t remainder = (static_cast<uint64_t>(integral) << shift) + fractional;
    result = on_digit(static_cast<char>('0' + digit), kPow10U64[exp] << shift, remainder, true);
  } while (result == 0 && exp > 0);
  while (result == 0) {
    fractional *= 10;
    error *= 10;
    char digit = static_cast<char>('0' + static_cast<char>(fractional >> shift));
    fractional &= one - 1;
    --exp;
    result = on_digit(digit, one, fractional, false);
  }
  if (result != 1) return false;
  // value = digits * 10^(exp - cached_exp10)
  out.point = exp - cached_exp10 + static_cast<int>(buf.size());
  return true;
}

// fmt's "{}" layout: fixed notation with at least one decimal ("100000.0", "0.0001") when the
// decimal exponent is in -4..15, else "1e+16", "1.5e-07".
void AppendDigits(std::string& out, const DecimalDigits& d) {
  const int n = static_cast<int>(d.digits.size());
  const int exp10 = d.point - 1;  // scientific exponent
  if (exp10 < -4 || exp10 >= 16) {
    out += d.digits[0];
    if (n > 1) {
      out += '.';
      out.append(d.digits, 1, std::string::npos);
    }
    out += 'e';
    out += exp10 < 0 ? '-' : '+';
    int a = exp10 < 0 ? -exp10 : exp10;
    if (a < 10) out += '0';
    AppendInt(out, a);
  } else if (d.point >= n) {
    out += d.digits;
    out.append(static_cast<size_t>(d.point - n), '0');
    out += ".0";
  } else if (d.point > 0) {
    out.append(d.digits, 0, static_cast<size_t>(d.point));
    out += '.';
    out.append(d.digits, static_cast<size_t>(d.point), std::string::npos);
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-d.point), '0');
    out += d.digits;
  }
}

template <typename F>
void AppendFloat(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "nan";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-inf" : "inf";
    return;
  }
  if (std::signbit(v)) {
    out += '-';
    v = -v;
  }
  if (v == 0) {
    out += "0.0";
    return;
  }
  DecimalDigits d;
  if constexpr (std::is_same_v<F, float>) {
    if (!GrisuFloat(static_cast<double>(v), d)) d = ShortestDigits(static_cast<double>(v));
  } else {
    d = ShortestDigits(v);
  }
  AppendDigits(out, d);
}

// Like DuckDB: "1.50", "-0.05", and without the leading zero when width == scale (".001").
void AppendDecimal(std::string& out, __int128 v, int width, int scale) {
  if (scale == 0) {
    AppendInt128(out, v);
    return;
  }
  unsigned __int128 mag = v < 0 ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v)
                                : static_cast<unsigned __int128>(v);
  std::string digits;
  AppendUint128(digits, mag);
  const size_t min_digits = static_cast<size_t>(scale) + (width > scale ? 1 : 0);
  if (digits.size() < min_digits) digits.insert(0, min_digits - digits.size(), '0');
  if (v < 0) out += '-';
  out.append(digits, 0, digits.size() - static_cast<size_t>(scale));
  out += '.';
  out.append(digits, digits.size() - static_cast<size_t>(scale), std::string::npos);
}

void AppendPadded(std::string& out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int pad = width - static_cast<int>(r.ptr - buf); pad > 0; --pad) out += '0';
  out.append(buf, r.ptr);
}

// ".5", ".000001", ".123456789": `frac` of 10^digits, trailing zeros dropped; nothing if 0.
void AppendFraction(std::string& out, int64_t frac, int digits) {
  if (frac == 0) return;
  out += '.';
  std::string f;
  AppendPadded(f, frac, digits);
  while (!f.empty() && f.back() == '0') f.pop_back();
  out += f;
}

void AppendTimeOfDay(std::string& out, int64_t units, int64_t per_second, int digits) {
  int64_t secs = units / per_second;
  AppendPadded(out, secs / 3600, 2);
  out += ':';
  AppendPadded(out, secs / 60 % 60, 2);
  out += ':';
  AppendPadded(out, secs % 60, 2);
  AppendFraction(out, units % per_second, digits);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 to "YYYY-MM-DD", with " (BC)" for years before 1 (proleptic Gregorian).
void AppendDate(std::string& out, int64_t days) {
  const civil::CivilDate cd = civil::CivilFromDays(days);
  const int64_t y = cd.year, m = cd.month, d = cd.day;
  bool bc = y <= 0;
  AppendPadded(out, bc ? 1 - y : y, 4);
  out += '-';
  AppendPadded(out, m, 2);
  out += '-';
  AppendPadded(out, d, 2);
  if (bc) out += " (BC)";
}

constexpr int64_t kTimestampInfinity = INT64_MAX;
constexpr int64_t kTimestampNegInfinity = -INT64_MAX;

// `value` counts `units_per_second` units since 1970-01-01 00:00:00.
void AppendTimestamp(std::string& out, int64_t value, int64_t units_per_second, int digits, bool tz) {
  if (value == kTimestampInfinity) {
    out += "infinity";
    return;
  }
  if (value == kTimestampNegInfinity) {
    out += "-infinity";
    return;
  }
  const int64_t per_day = 86400 * units_per_second;
  int64_t days = FloorDiv(value, per_day);
  AppendDate(out, days);
  out += ' ';
  AppendTimeOfDay(out, value - days * per_day, units_per_second, digits);
  if (tz) out += "+00";
}

void AppendInterval(std::string& out, const duckdb_interval& iv) {
  size_t start = out.size();
  auto part = [&](int64_t v, const char* unit) {
    if (v == 0) return;
    if (out.size() != start) out += ' ';
    AppendInt(out, v);
    out += ' ';
    out += unit;
    if (v != 1 && v != -1) out += 's';
  };
  int32_t years = iv.months / 12;
  part(years, "year");
  part(iv.months - years * 12, "month");
  part(iv.days, "day");
  if (iv.micros != 0) {
    if (out.size() != start) out += ' ';
    uint64_t micros = static_cast<uint64_t>(iv.micros);
    if (iv.micros < 0) {
      out += '-';
      micros = 0 - micros;
    }
    uint64_t hours = micros / 3600000000ULL;
    micros -= hours * 3600000000ULL;
    if (hours < 10) out += '0';
    AppendInt(out, hours);
    out += ':';
    AppendPadded(out, static_cast<int64_t>(micros / 60000000ULL), 2);
    micros %= 60000000ULL;
    out += ':';
    AppendPadded(out, static_cast<int64_t>(micros / 1000000ULL), 2);
    AppendFraction(out, static_cast<int64_t>(micros % 1000000ULL), 6);
  } else if (out.size() == start) {
    out += "00:00:00";
  }
}

void AppendTimeTz(std::string& out, uint64_t bits) {
  constexpr int64_t kMaxOffset = 16 * 60 * 60 - 1;
  int64_t micros = static_cast<int64_t>(bits >> 24);
  int64_t offset = kMaxOffset - static_cast<int64_t>(bits & 0xFFFFFF);
  AppendTimeOfDay(out, micros, 1000000, 6);
  out += offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  AppendPadded(out, offset / 3600, 2);
  if (offset % 3600 != 0) {
    out += ':';
    AppendPadded(out, offset / 60 % 60, 2);
    if (offset % 60 != 0) {
      out += ':';
      AppendPadded(out, offset % 60, 2);
    }
  }
}

const char kHexUpper[] = "0123456789ABCDEF";
const char kHexLower[] = "0123456789abcdef";

void AppendBlob(std::string& out, std::string_view b) {
  for (unsigned char c : b) {
    if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    }
  }
}

void AppendUuid(std::string& out, duckdb_hugeint h) {
  uint64_t parts[2] = {static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63), h.lower};
  int n = 0;
  for (uint64_t part : parts) {
    for (int shift = 60; shift >= 0; shift -= 4, ++n) {
      if (n == 8 || n == 12 || n == 16 || n == 20) out += '-';
      out += kHexLower[(part >> shift) & 15];
    }
  }
}

// BIT: the first byte counts the padding bits at the start of the second byte.
void AppendBits(std::string& out, std::string_view b) {
  if (b.empty()) return;
  size_t padding = static_cast<unsigned char>(b[0]);
  size_t total = (b.size() - 1) * 8;
  for (size_t i = padding; i < total; ++i) {
    unsigned char byte = static_cast<unsigned char>(b[1 + i / 8]);
    out += ((byte >> (7 - i % 8)) & 1) ? '1' : '0';
  }
}

// BIGNUM: 3 header bytes (high bit set for >= 0), then the big-endian magnitude; every byte is
// inverted for negative numbers.
void AppendBignum(std::string& out, std::string_view b) {
  if (b.size() < 4) {
    out += "0";
    return;
  }
  bool negative = (static_cast<unsigned char>(b[0]) & 0x80) == 0;
  std::vector<uint32_t> limbs;  // base 1e9, least significant first
  for (size_t i = 3; i < b.size(); ++i) {
    uint64_t carry = static_cast<unsigned char>(negative ? ~b[i] : b[i]);
    for (auto& limb : limbs) {
      uint64_t cur = uint64_t{limb} * 256 + carry;
      limb = static_cast<uint32_t>(cur % 1000000000);
      carry = cur / 1000000000;
    }
    while (carry) {
      limbs.push_back(static_cast<uint32_t>(carry % 1000000000));
      carry /= 1000000000;
    }
  }
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  if (limbs.empty()) {
    out += '0';
    return;
  }
  if (negative) out += '-';
  AppendInt(out, limbs.back());
  for (size_t i = limbs.size() - 1; i-- > 0;) AppendPadded(out, limbs[i], 9);
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Inside LIST/STRUCT/MAP text DuckDB quotes a value that could be misread: empty, "null" in any
// case, white space at either end, or one of the characters that structure the text.
bool NeedsQuotes(std::string_view s) {
  if (s.empty() || IsAsciiSpace(s.front()) || IsAsciiSpace(s.back())) return true;
  if (s.size() == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l') {
    return true;
  }
  for (char c : s) {
    switch (c) {
      case '"': case '\'': case '(': case ')': case ',': case ':': case '=':
      case '[': case ']': case '{': case '}':
        return true;
      default:
        break;
    }
  }
  return false;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

class Renderer {
 public:
  explicit Renderer(const Api& api) : api_(api) {}

  bool Valid(duckdb_vector v, uint64_t row) const {
    uint64_t* mask = api_.duckdb_vector_get_validity(v);
    return !mask || ((mask[row >> 6] >> (row & 63)) & 1);
  }

  // A top-level value (the caller checked it is not NULL).
  void Top(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out) {
    if (t.IsNested()) {
      Nested(t, v, row, out);
    } else {
      Scalar(t, v, row, out);
    }
  }

 private:
  // kElement: a LIST/STRUCT/MAP part, quoted when it could be misread; kRaw: written as is
  // (ARRAY elements, the value of a UNION).
  enum class Ctx { kElement, kRaw };

  void Child(const TypeNode& t, duckdb_vector v, uint64_t row, Ctx ctx, std::string& out) {
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

  void Nested(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out) {
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

  template <typename T>
  static T At(void* data, uint64_t row) {
    return static_cast<T*>(data)[row];
  }

  uint64_t EnumIndex(const TypeNode& t, void* data, uint64_t row) {
    switch (t.storage) {
      case DUCKDB_TYPE_UTINYINT: return At<uint8_t>(data, row);
      case DUCKDB_TYPE_USMALLINT: return At<uint16_t>(data, row);
      default: return At<uint32_t>(data, row);
    }
  }

  __int128 DecimalValue(const TypeNode& t, void* data, uint64_t row) {
    switch (t.storage) {
      case DUCKDB_TYPE_SMALLINT: return At<int16_t>(data, row);
      case DUCKDB_TYPE_INTEGER: return At<int32_t>(data, row);
      case DUCKDB_TYPE_BIGINT: return At<int64_t>(data, row);
      default: return ToInt128(At<duckdb_hugeint>(data, row));
    }
  }

  void Scalar(const TypeNode& t, duckdb_vector v, uint64_t row, std::string& out) {
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

  const Api& api_;
  std::string scratch_;
};

struct ResultGuard {
  duckdb_result* r;
  ~ResultGuard() { A().duckdb_destroy_result(r); }
};

// Runs the statement(s) in `sql`. When it returns with have_result, *r holds the result of the
// last statement (or the error of the failing one) and the caller destroys it. duckdb_query alone
// would return the result of the FIRST statement, so several statements are run one by one.
Status RunForLastResult(duckdb_connection conn, const std::string& sql, duckdb_result* r, bool& have_result) {
  const Api& api = A();
  have_result = false;
  duckdb_extracted_statements extracted = nullptr;
  const idx_t n = api.duckdb_extract_statements(conn, sql.c_str(), &extracted);
  struct ExtractedGuard {
    duckdb_extracted_statements* e;
    ~ExtractedGuard() { A().duckdb_destroy_extracted(e); }
  } extracted_guard{&extracted};
  if (n <= 1) {
    // One statement (or a parse error, which duckdb_query reports with its kind).
    const bool failed = api.duckdb_query(conn, sql.c_str(), r) == DuckDBError;
    have_result = true;
    return failed ? ResultError(r) : Status::Ok();
  }
  for (idx_t i = 0; i < n; ++i) {
    duckdb_prepared_statement stmt = nullptr;
    if (api.duckdb_prepare_extracted_statement(conn, extracted, i, &stmt) == DuckDBError) {
      Status s = TextError(api.duckdb_prepare_error(stmt));
      api.duckdb_destroy_prepare(&stmt);
      return s;
    }
    const bool failed = api.duckdb_execute_prepared(stmt, r) == DuckDBError;
    api.duckdb_destroy_prepare(&stmt);
    if (failed || i + 1 == n) {
      have_result = true;
      return failed ? ResultError(r) : Status::Ok();
    }
    api.duckdb_destroy_result(r);
  }
  return Status::Ok();  // not reached: n > 1
}

// Error text of an appender (valid or not).
Status AppenderError(duckdb_appender app, std::string_view context) {
  std::string message = "unknown DuckDB appender error";
  duckdb_error_type type = DUCKDB_ERROR_INVALID;
  if (app) {
    duckdb_error_data ed = A().duckdb_appender_error_data(app);
    if (ed) {
      const char* m = A().duckdb_error_data_message(ed);
      if (m && *m) message = m;
      type = A().duckdb_error_data_error_type(ed);
      A().duckdb_destroy_error_data(&ed);
    }
  }
  message = TrimMessage(message);
  return Status(CodeFor(type, message), std::string(context) + ": " + message);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------------

Status EnsureLoaded() { return State().status; }

bool IsLoaded() { return g_loaded.load(std::memory_order_acquire); }

std::string LoadedLibraryPath() { return IsLoaded() ? State().path : std::string(); }

std::string LibraryVersion() {
  if (!EnsureLoaded().ok()) return {};
  const char* v = A().duckdb_library_version();
  return v ? v : "";
}

int QueryResult::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (column_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// --- Database ---

StatusOr<Database> Database::Open(const std::string& path, bool read_only,
                                  const std::vector<std::pair<std::string, std::string>>& config) {
  DLT_RETURN_IF_ERROR(EnsureLoaded());
  const LoadState& state = State();
  const Api& api = state.api;
  const std::string prefix = "cannot open DuckDB database " + path;

  duckdb_config cfg = nullptr;
  if (api.duckdb_create_config(&cfg) == DuckDBError) {
    api.duckdb_destroy_config(&cfg);
    return Internal(prefix + ": DuckDB could not create a configuration");
  }
  struct ConfigGuard {
    duckdb_config* c;
    ~ConfigGuard() { A().duckdb_destroy_config(c); }
  } config_guard{&cfg};
  if (read_only && api.duckdb_set_config(cfg, "access_mode", "READ_ONLY") == DuckDBError) {
    return Internal(prefix + ": DuckDB rejected access_mode=READ_ONLY");
  }
  for (const auto& [key, value] : config) {
    if (api.duckdb_set_config(cfg, key.c_str(), value.c_str()) == DuckDBError) {
      return InvalidArgument(prefix + ": DuckDB rejected the setting " + key + "=" + value);
    }
  }

  duckdb_database db = nullptr;
  char* err = nullptr;
  if (api.duckdb_get_or_create_from_cache(state.cache, path.c_str(), &db, cfg, &err) == DuckDBError) {
    std::string message = TrimMessage(err ? err : "");
    if (err) api.duckdb_free(err);
    StatusCode code = StatusCode::kFailedPrecondition;
    if (Contains(message, "Could not set lock")) {
      code = StatusCode::kUnavailable;
    } else if (Contains(message, "different configuration")) {
      message = "it is already open in this process with different options (read-only or settings); "
                "close the other handle or open it with the same options (DuckDB: " + message + ")";
    } else if (Contains(message, "database does not exist") || Contains(message, "No such file or directory")) {
      code = StatusCode::kNotFound;
    } else if (Contains(message, "Permission denied")) {
      code = StatusCode::kPermissionDenied;
    } else if (Contains(message, "not a valid DuckDB database file") || Contains(message, "not recognized") ||
               Contains(message, "Invalid Input Error")) {
      code = StatusCode::kInvalidArgument;
    }
    return Status(code, prefix + ": " + message);
  }
  Database out;
  out.handle_ = db;
  out.path_ = path;
  out.read_only_ = read_only;
  return out;
}

Database::~Database() { Close(); }

Database::Database(Database&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), path_(std::move(other.path_)), read_only_(other.read_only_) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    handle_ = std::exchange(other.handle_, nullptr);
    path_ = std::move(other.path_);
    read_only_ = other.read_only_;
  }
  return *this;
}

void Database::Close() {
  if (!handle_) return;
  auto db = static_cast<duckdb_database>(handle_);
  A().duckdb_close(&db);
  handle_ = nullptr;
}

StatusOr<Connection> Database::Connect() {
  if (!handle_) return Closed("the DuckDB database " + path_);
  duckdb_connection conn = nullptr;
  if (A().duckdb_connect(static_cast<duckdb_database>(handle_), &conn) == DuckDBError) {
    return FailedPrecondition("cannot connect to DuckDB database " + path_);
  }
  return Connection(conn);
}

// --- Connection ---

Connection::~Connection() { Close(); }

Connection::Connection(Connection&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), scan_registered_(std::exchange(other.scan_registered_, false)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    handle_ = std::exchange(other.handle_, nullptr);
    scan_registered_ = std::exchange(other.scan_registered_, false);
  }
  return *this;
}

void Connection::Close() {
  if (!handle_) return;
  auto conn = static_cast<duckdb_connection>(handle_);
  A().duckdb_disconnect(&conn);
  handle_ = nullptr;
  scan_registered_ = false;
}

void Connection::Interrupt() {
  if (handle_) A().duckdb_interrupt(static_cast<duckdb_connection>(handle_));
}

Status Connection::Execute(std::string_view sql) {
  if (!handle_) return Closed("the DuckDB connection");
  if (sql.find('\0') != std::string_view::npos) return InvalidArgument("SQL text contains a NUL character");
  std::string text(sql);
  duckdb_result r;
  const bool failed = A().duckdb_query(static_cast<duckdb_connection>(handle_), text.c_str(), &r) == DuckDBError;
  ResultGuard guard{&r};
  return failed ? ResultError(&r) : Status::Ok();
}

StatusOr<QueryResult> Connection::Query(std::string_view sql) {
  if (!handle_) return Closed("the DuckDB connection");
  if (sql.find('\0') != std::string_view::npos) return InvalidArgument("SQL text contains a NUL character");
  const Api& api = A();
  auto conn = static_cast<duckdb_connection>(handle_);
  std::string text(sql);
  QueryResult out;
  std::vector<TypeNode> types;
  {
    duckdb_result r;
    bool have_result = false;
    Status run = RunForLastResult(conn, text, &r, have_result);
    if (!have_result) return run;
    ResultGuard guard{&r};
    if (!run.ok()) return run;

    const idx_t ncols = api.duckdb_column_count(&r);
    types.resize(ncols);
    for (idx_t c = 0; c < ncols; ++c) {
      const char* name = api.duckdb_column_name(&r, c);
      out.column_names.emplace_back(name ? name : "");
      LogicalType lt(api.duckdb_column_logical_type(&r, c));
      Status s = BuildType(lt.t, types[c]);
      if (!s.ok()) return s.WithContext("column " + out.column_names.back());
    }

    Renderer renderer(api);
    std::vector<duckdb_vector> vectors(ncols);
    while (duckdb_data_chunk chunk = api.duckdb_fetch_chunk(r)) {
      const idx_t n = api.duckdb_data_chunk_get_size(chunk);
      for (idx_t c = 0; c < ncols; ++c) vectors[c] = api.duckdb_data_chunk_get_vector(chunk, c);
      for (idx_t row = 0; row < n; ++row) {
        auto& values = out.rows.emplace_back(ncols);
        for (idx_t c = 0; c < ncols; ++c) {
          if (!renderer.Valid(vectors[c], row)) {
            values[c].is_null = true;
          } else {
            renderer.Top(types[c], vectors[c], row, values[c].text);
          }
        }
      }
      api.duckdb_destroy_data_chunk(&chunk);
    }
    const char* e = api.duckdb_result_error(&r);
    if (e && *e) return ResultError(&r);
  }
  for (const auto& t : types) out.column_types.push_back(TypeName(t, conn));
  return out;
}

// --- Appender ---

StatusOr<Appender> Appender::Create(Connection& connection, std::string_view schema, std::string_view table) {
  std::string name = schema.empty() ? std::string(table) : std::string(schema) + "." + std::string(table);
  if (!connection.handle_) return Closed("the DuckDB connection");
  std::string schema_s(schema), table_s(table);
  duckdb_appender app = nullptr;
  if (A().duckdb_appender_create_ext(static_cast<duckdb_connection>(connection.handle_), nullptr,
                                     schema.empty() ? nullptr : schema_s.c_str(), table_s.c_str(),
                                     &app) == DuckDBError) {
    Status s = AppenderError(app, "cannot append to table " + name);
    if (app) A().duckdb_appender_destroy(&app);
    if (Contains(s.message(), "could not be found")) return NotFound(s.message());
    return s;
  }
  Appender out;
  out.handle_ = app;
  out.table_ = std::move(name);
  return out;
}

Appender::~Appender() {
  if (handle_) {
    auto app = static_cast<duckdb_appender>(handle_);
    A().duckdb_appender_destroy(&app);
  }
}

Appender::Appender(Appender&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), table_(std::move(other.table_)) {}

Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    if (handle_) {
      auto app = static_cast<duckdb_appender>(handle_);
      A().duckdb_appender_destroy(&app);
    }
    handle_ = std::exchange(other.handle_, nullptr);
    table_ = std::move(other.table_);
  }
  return *this;
}

Status Appender::Check(int state, std::string_view what) {
  if (state == DuckDBSuccess) return Status::Ok();
  return AppenderError(static_cast<duckdb_appender>(handle_),
                       std::string(what) + " (appending to table " + table_ + ")");
}

#define DLT_APPENDER(call, what)                                                     \
  if (!handle_) return Closed("the DuckDB appender for table " + table_);            \
  return Check(call, what)

Status Appender::AppendVarchar(std::string_view value) {
  DLT_APPENDER(A().duckdb_append_varchar_length(static_cast<duckdb_appender>(handle_), value.data(), value.size()),
               "cannot append a value");
}
Status Appender::AppendInt64(int64_t value) {
  DLT_APPENDER(A().duckdb_append_int64(static_cast<duckdb_appender>(handle_), value), "cannot append a value");
}
Status Appender::AppendDouble(double value) {
  DLT_APPENDER(A().duckdb_append_double(static_cast<duckdb_appender>(handle_), value), "cannot append a value");
}
Status Appender::AppendBool(bool value) {
  DLT_APPENDER(A().duckdb_append_bool(static_cast<duckdb_appender>(handle_), value), "cannot append a value");
}
Status Appender::AppendNull() {
  DLT_APPENDER(A().duckdb_append_null(static_cast<duckdb_appender>(handle_)), "cannot append a value");
}
Status Appender::EndRow() {
  DLT_APPENDER(A().duckdb_appender_end_row(static_cast<duckdb_appender>(handle_)), "cannot end the row");
}
Status Appender::Flush() {
  DLT_APPENDER(A().duckdb_appender_flush(static_cast<duckdb_appender>(handle_)), "cannot flush the rows");
}

#undef DLT_APPENDER

Status Appender::Close() {
  if (!handle_) return Status::Ok();
  auto app = static_cast<duckdb_appender>(handle_);
  Status s = Check(A().duckdb_appender_close(app), "cannot write the rows");
  A().duckdb_appender_destroy(&app);
  handle_ = nullptr;
  return s;
}

// --- Scans of CSV job files ---

namespace {

struct ScanSpec {
  std::vector<std::string> files;
  std::vector<ScanColumn> columns;
};

// Scans registered by ScanCsvJobs, by id: the SQL names a scan by its id, and the table
// function (known to DuckDB once per connection) finds it here when the statement is bound.
std::mutex g_scans_mu;
std::map<uint64_t, std::shared_ptr<const ScanSpec>> g_scans;
uint64_t g_next_scan_id = 1;

constexpr const char* kScanFunction = "dlt_csv_jobs";

struct ScanBindData {
  std::shared_ptr<const ScanSpec> spec;
};
struct ScanGlobalData {
  std::atomic<size_t> next_file{0};
};
struct ScanLocalData {
  std::unique_ptr<CsvJobReader> reader;
  std::vector<CsvField> fields;
};

duckdb_type ScanDuckType(ScanType t) {
  switch (t) {
    case ScanType::kBigint: return DUCKDB_TYPE_BIGINT;
    case ScanType::kDouble: return DUCKDB_TYPE_DOUBLE;
    case ScanType::kBoolean: return DUCKDB_TYPE_BOOLEAN;
    case ScanType::kTimestampTz: return DUCKDB_TYPE_TIMESTAMP_TZ;
    case ScanType::kVarchar: break;
  }
  return DUCKDB_TYPE_VARCHAR;
}

const char* ScanTypeName(ScanType t) {
  switch (t) {
    case ScanType::kBigint: return "BIGINT";
    case ScanType::kDouble: return "DOUBLE";
    case ScanType::kBoolean: return "BOOLEAN";
    case ScanType::kTimestampTz: return "TIMESTAMP WITH TIME ZONE";
    case ScanType::kVarchar: break;
  }
  return "VARCHAR";
}

void ScanBind(duckdb_bind_info info) {
  const Api& api = A();
  duckdb_value v = api.duckdb_bind_get_parameter(info, 0);
  const int64_t id = api.duckdb_get_int64(v);
  api.duckdb_destroy_value(&v);
  std::shared_ptr<const ScanSpec> spec;
  {
    std::lock_guard<std::mutex> lock(g_scans_mu);
    auto it = g_scans.find(static_cast<uint64_t>(id));
    if (it != g_scans.end()) spec = it->second;
  }
  if (!spec) {
    api.duckdb_bind_set_error(info, "dlt_csv_jobs: no scan with this id is registered");
    return;
  }
  for (const auto& c : spec->columns) {
    duckdb_logical_type lt = api.duckdb_create_logical_type(ScanDuckType(c.type));
    api.duckdb_bind_add_result_column(info, c.name.c_str(), lt);
    api.duckdb_destroy_logical_type(&lt);
  }
  api.duckdb_bind_set_bind_data(info, new ScanBindData{std::move(spec)},
                                [](void* p) { delete static_cast<ScanBindData*>(p); });
}

void ScanInit(duckdb_init_info info) {
  const Api& api = A();
  auto* bind = static_cast<ScanBindData*>(api.duckdb_init_get_bind_data(info));
  api.duckdb_init_set_init_data(info, new ScanGlobalData, [](void* p) { delete static_cast<ScanGlobalData*>(p); });
  api.duckdb_init_set_max_threads(info, std::max<size_t>(1, bind->spec->files.size()));
}

void ScanLocalInit(duckdb_init_info info) {
  A().duckdb_init_set_init_data(info, new ScanLocalData, [](void* p) { delete static_cast<ScanLocalData*>(p); });
}

// A value for messages: at most about 60 bytes of it, cut between UTF-8 characters.
std::string Excerpt(std::string_view v) {
  if (v.size() <= 60) return std::string(v);
  size_t cut = 60;
  while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;
  return std::string(v.substr(0, cut)) + "...";
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  const Api& api = A();
  const ScanSpec& spec = *static_cast<ScanBindData*>(api.duckdb_function_get_bind_data(info))->spec;
  auto* global = static_cast<ScanGlobalData*>(api.duckdb_function_get_init_data(info));
  auto* local = static_cast<ScanLocalData*>(api.duckdb_function_get_local_init_data(info));
  const size_t ncols = spec.columns.size();
  const size_t capacity = api.duckdb_vector_size();
  // Per column: its vector, its data, and its validity mask once a NULL needs one.
  struct Out {
    duckdb_vector vector;
    void* data;
    uint64_t* validity;
  };
  Out stack_out[32];
  std::vector<Out> heap_out;
  Out* out = stack_out;
  if (ncols > 32) {
    heap_out.resize(ncols);
    out = heap_out.data();
  }
  for (size_t c = 0; c < ncols; ++c) {
    out[c].vector = api.duckdb_data_chunk_get_vector(output, c);
    out[c].data = api.duckdb_vector_get_data(out[c].vector);
    out[c].validity = nullptr;
  }
  auto fail = [&](const std::string& message) {
    api.duckdb_function_set_error(info, message.c_str());
    api.duckdb_data_chunk_set_size(output, 0);
  };
  size_t row = 0;
  while (row < capacity) {
    if (!local->reader) {
      const size_t i = global->next_file.fetch_add(1);
      if (i >= spec.files.size()) break;
      auto reader = CsvJobReader::Open(spec.files[i], ncols);
      if (!reader.ok()) return fail(reader.status().message());
      local->reader = std::move(reader).value();
    }
    auto have = local->reader->Next(local->fields);
    if (!have.ok()) return fail(have.status().message());
    if (!*have) {
      local->reader.reset();
      continue;
    }
    for (size_t c = 0; c < ncols; ++c) {
      const CsvField& f = local->fields[c];
      Out& o = out[c];
      if (f.null) {
        if (!o.validity) {
          api.duckdb_vector_ensure_validity_writable(o.vector);
          o.validity = api.duckdb_vector_get_validity(o.vector);
        }
        o.validity[row / 64] &= ~(uint64_t{1} << (row % 64));
        continue;
      }
      bool ok = true;
      switch (spec.columns[c].type) {
        case ScanType::kVarchar:
          api.duckdb_vector_assign_string_element_len(o.vector, row, f.text.data(), f.text.size());
          break;
        case ScanType::kBigint: ok = ParseJobBigint(f.text, static_cast<int64_t*>(o.data) + row); break;
        case ScanType::kDouble: ok = ParseJobDouble(f.text, static_cast<double*>(o.data) + row); break;
        case ScanType::kBoolean: ok = ParseJobBool(f.text, static_cast<bool*>(o.data) + row); break;
        case ScanType::kTimestampTz:
          ok = ParseJobTimestampMicros(f.text, static_cast<int64_t*>(o.data) + row);
          break;
      }
      if (!ok) {
        return fail("load job " + local->reader->Where() + ", column `" + spec.columns[c].name + "`: '" +
                    Excerpt(f.text) + "' is not a " + ScanTypeName(spec.columns[c].type) + " value");
      }
    }
    ++row;
  }
  api.duckdb_data_chunk_set_size(output, row);
}

Status RegisterScanFunction(duckdb_connection conn) {
  const Api& api = A();
  duckdb_table_function f = api.duckdb_create_table_function();
  api.duckdb_table_function_set_name(f, kScanFunction);
  duckdb_logical_type id_type = api.duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  api.duckdb_table_function_add_parameter(f, id_type);
  api.duckdb_destroy_logical_type(&id_type);
  api.duckdb_table_function_set_bind(f, ScanBind);
  api.duckdb_table_function_set_init(f, ScanInit);
  api.duckdb_table_function_set_local_init(f, ScanLocalInit);
  api.duckdb_table_function_set_function(f, Scan);
  const bool failed = api.duckdb_register_table_function(conn, f) == DuckDBError;
  api.duckdb_destroy_table_function(&f);
  if (!failed) return Status::Ok();
  // Functions belong to the database instance: another connection to it (this process's, as
  // instances are not shared between processes) may have registered it already.
  duckdb_result r;
  const std::string sql = std::string("SELECT 1 FROM duckdb_functions() WHERE function_name = '") + kScanFunction +
                          "' AND function_type = 'table'";
  bool found = false;
  if (api.duckdb_query(conn, sql.c_str(), &r) != DuckDBError) {
    duckdb_data_chunk chunk = api.duckdb_fetch_chunk(r);
    if (chunk) {
      found = api.duckdb_data_chunk_get_size(chunk) > 0;
      api.duckdb_destroy_data_chunk(&chunk);
    }
  }
  api.duckdb_destroy_result(&r);
  if (found) return Status::Ok();
  return FailedPrecondition(std::string("cannot register the table function ") + kScanFunction + " with DuckDB");
}

}  // namespace

CsvJobScan::~CsvJobScan() {
  if (id_ == 0) return;
  std::lock_guard<std::mutex> lock(g_scans_mu);
  g_scans.erase(id_);
}

CsvJobScan::CsvJobScan(CsvJobScan&& other) noexcept
    : id_(std::exchange(other.id_, 0)), sql_(std::move(other.sql_)) {}

CsvJobScan& CsvJobScan::operator=(CsvJobScan&& other) noexcept {
  if (this != &other) {
    CsvJobScan gone(std::move(*this));
    id_ = std::exchange(other.id_, 0);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Status Connection::EnableCsvJobScans() {
  if (!handle_) return Closed("the DuckDB connection");
  if (scan_registered_) return Status::Ok();
  DLT_RETURN_IF_ERROR(RegisterScanFunction(static_cast<duckdb_connection>(handle_)));
  scan_registered_ = true;
  return Status::Ok();
}

StatusOr<CsvJobScan> Connection::ScanCsvJobs(std::vector<std::string> files, std::vector<ScanColumn> columns) {
  if (!handle_) return Closed("the DuckDB connection");
  if (columns.empty()) return InvalidArgument("a scan of CSV job files needs at least one column");
  if (!scan_registered_) return FailedPrecondition("ScanCsvJobs needs EnableCsvJobScans() on the connection first");
  auto spec = std::make_shared<ScanSpec>();
  spec->files = std::move(files);
  spec->columns = std::move(columns);
  CsvJobScan scan;
  {
    std::lock_guard<std::mutex> lock(g_scans_mu);
    scan.id_ = g_next_scan_id++;
    g_scans.emplace(scan.id_, std::move(spec));
  }
  scan.sql_ = std::string(kScanFunction) + "(" + std::to_string(scan.id_) + ")";
  return scan;
}

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
