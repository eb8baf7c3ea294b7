// The relational normalizer's state (NormalizerCore, what Normalizer::Impl is) and its types. Its
// parts, relational_walk.h, _values.h and _tables.h, are included by relational.cc only: one
// translation unit with internal linkage (anonymous namespace), so inner loops inline as in one file.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "normalize/coerce.h"
#include "normalize/relational.h"
#include "normalize/schema_settings.h"

namespace dlt {

namespace dom = simdjson::dom;

namespace {

struct TableState {
  uint64_t id = 0;  // unique per normalizer (memos in ColumnEntry refer to it)
  // The table's name before shortening: the root table's name, then `__` and the normalized
  // keys down to each nested list. dlt shortens a nested table's name from this whole path, not
  // from its parent's (maybe already shortened) name.
  std::string path;
  size_t schema_index = 0;
  std::string name;
  uint64_t rows = 0;       // rows written
  int writer_slot = -1;    // JobWriterSet slot of this table
  std::vector<int> not_null;       // indices of the non-nullable columns ...
  size_t not_null_for = SIZE_MAX;  // ... computed for this many schema columns
  std::unordered_map<std::string, int> index;  // column name -> position
  std::vector<std::string> names;              // column names in order (file headers)
  std::vector<std::string> cells;
  std::vector<char> present;
  std::vector<uint64_t> set_in_row;  // row generation that last set each column (64 bits: never wraps)
  uint64_t generation = 0;
  // The current row is discarded by a schema contract (discard_row): it is not written and its
  // nested lists are not walked. Cleared by BeginRow.
  bool row_discarded = false;
  int system_index[5] = {-1, -1, -1, -1, -1};  // _dlt_load_id, _dlt_id, _dlt_parent_id, _dlt_list_idx, _dlt_root_id
  bool had_data = false;  // the table held data before this package (schema contracts apply)
};

// A column name as derived from (prefix, source key), cached, with a memo of its position in
// the table that used it last (columns of a table only ever get appended, so it stays valid).
struct ColumnEntry {
  std::string name;
  // The normalized keys from the table down to this field joined by `__`, before shortening:
  // `name` is this path shortened to the destination's limit (dlt shorten_fragments), and the
  // name of a nested object's field or of a nested list's table is built from it.
  std::string path;
  uint64_t table_id = 0;
  int idx = -1;
  size_t columns_at_miss = 0;  // idx == -1: how many columns table_id had when it was looked up
  std::string raw;  // the source key
  // As a prefix: the entries of the fields of the last object seen at this prefix, by position
  // (records mostly repeat their key order, so a field is found by one comparison).
  std::vector<ColumnEntry*> shape;
};

struct FlatValue {
  ColumnEntry* column;  // owned by the normalizer's name cache
  std::string_view key;  // the source key, for error messages
  ScalarValue value;
};

struct PendingList {
  const std::string* path;  // normalized path inside the table ("payload__commits") before shortening, cached
  dom::array items;
  // Set by EmitLists: the nested table ({name, path}, cached) and how many items the list has.
  const std::pair<std::string, std::string>* child = nullptr;
  uint64_t count = 0;
};

// Key of the column name cache: the prefix's cache entry (stable address) and the raw key.
struct ColumnKey {
  const void* prefix;
  std::string raw;
};
struct ColumnKeyView {
  const void* prefix;
  std::string_view raw;
};
struct ColumnKeyHash {
  using is_transparent = void;
  size_t operator()(const ColumnKeyView& k) const {
    return std::hash<std::string_view>{}(k.raw) ^ (reinterpret_cast<uintptr_t>(k.prefix) * 0x9E3779B97F4A7C15ull);
  }
  size_t operator()(const ColumnKey& k) const { return (*this)(ColumnKeyView{k.prefix, k.raw}); }
};
struct ColumnKeyEq {
  using is_transparent = void;
  static ColumnKeyView V(const ColumnKey& k) { return {k.prefix, k.raw}; }
  static ColumnKeyView V(const ColumnKeyView& k) { return k; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    ColumnKeyView x = V(a), y = V(b);
    return x.prefix == y.prefix && x.raw == y.raw;
  }
};

// Normalizer::Impl (relational.cc) is this; its functions are declared below by the header that
// defines them.
struct NormalizerCore {
  Schema* schema;
  const SnakeCaseNaming* naming;
  std::string load_id;
  JobWriterSet* writers;
  dom::parser parser;
  std::unordered_map<std::string, std::unique_ptr<TableState>> tables;
  struct SvHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameCache = std::unordered_map<std::string, std::string, SvHash, std::equal_to<>>;
  NameCache key_cache;     // raw key -> normalized path
  std::unordered_map<ColumnKey, ColumnEntry, ColumnKeyHash, ColumnKeyEq> column_cache;  // (prefix, raw key) -> column
  ColumnEntry root_prefix;   // the empty prefix of top-level fields
  ColumnEntry value_column{"value", "value", 0, -1, 0, {}, {}};  // the `value` column of scalars
  ColumnEntry list_column{"list", "list", 0, -1, 0, {}, {}};     // a list in a list at max_table_nesting
  uint64_t next_table_id = 0;
  // Parent table path \x1f path inside it -> the nested table's {name, path before shortening}.
  std::unordered_map<std::string, std::pair<std::string, std::string>, SvHash, std::equal_to<>> child_cache;
  NameCache variant_cache; // column \x1f type -> variant column name
  std::string scratch;
  std::string padded;  // the record being parsed, followed by simdjson's padding
  const TableHints* declared_for = nullptr;
  const TableHints* pk_for = nullptr;
  std::vector<std::string> pk_names;  // normalized primary key columns of pk_for
  std::vector<std::string> declared_names;  // normalized names of hints->columns
  std::map<std::string, uint64_t> counts;  // rows of table states already dropped
  std::map<std::string, uint64_t> counts_view;  // row_counts(): counts plus the live tables
  std::deque<std::string> json_scratch;  // keeps minified JSON alive for a row (stable addresses)
  std::deque<std::vector<FlatValue>> values_pool;
  std::deque<std::vector<PendingList>> lists_pool;
  // Row keys of nested rows, computed several at a time: those of all the lists of a row at a
  // level (EmitLists), and those of a list that keys its own items (EmitList: a list in a list,
  // or the lists of a row with more than kKeysAhead items in all), each per nesting level.
  NestedRowKeyBatch key_batch;
  std::deque<std::vector<std::string>> row_keys_pool;
  std::deque<std::vector<std::string>> list_keys_pool;
  std::vector<std::pair<ColumnEntry*, dom::object>> flatten_stack;
  std::vector<int> flatten_levels;
  const TableHints* hints = nullptr;
  // The schema's settings (schema_settings.h) as compiled from `settings_from` (their JSON).
  SchemaSettings settings;
  std::string settings_from;
  // Compiles the schema's settings when they changed since the last call.
  Status CompileSettings() {
    std::string now = schema->settings().dump();
    if (now == settings_from) return Status::Ok();
    DLT_ASSIGN_OR_RETURN(settings, SchemaSettings::Compile(schema->settings()));
    settings_from = std::move(now);
    return Status::Ok();
  }
  // Any data table had data before this normalizer: looked up when it is made, before it or the
  // typed normalizer sharing its schema wrote anything.
  int schema_had_data = 0;
  std::string hints_table_name;  // hints->table_name that root_table was computed from
  uint64_t prepare_epoch = 0, hints_epoch = 0;
  std::string root_table;
  bool propagate_root = false;
  // How root rows get their `_dlt_id` (dlt's get_root_row_id_type): random; the hash of the
  // primary key (upsert, insert-only); the hash of the whole record (scd2's row version).
  enum class RootId { kRandom, kKeyHash, kRowHash } root_id_kind = RootId::kRandom;
  bool row_version_in_data = false;  // scd2 with row_version_column_name: a data column carries the hash
  std::vector<std::string> key_hash_names;  // kKeyHash: the normalized primary key columns
  std::string hash_scratch;
  // Where the current record comes from, formatted only for an error message.
  std::string_view where_text;
  const std::function<std::string()>* where_fn = nullptr;
  int64_t where_item = -1;  // item of a top-level array, or -1

  std::string Where() const {
    std::string w = where_fn ? (*where_fn)() : std::string(where_text);
    if (where_item >= 0) w += " (item " + std::to_string(where_item) + ")";
    return w;
  }

  Table& SchemaTable(TableState& t) { return schema->mutable_tables()[t.schema_index]; }

  // relational_walk.h: the walk over a record.
  void BeginRow(TableState& t);
  Status ToScalar(dom::element e, ScalarValue* out, std::string_view key);
  Status Flatten(TableState& t, dom::object obj, int level, std::vector<FlatValue>* values,
                 std::vector<PendingList>* lists);
  Status WriteRow(TableState& t);
  Status SetSystem(TableState& t, const char* name, std::string_view value, bool row_key, bool parent_key,
                   bool root_key, DataType type = DataType::kText);
  Status CheckNotNull(TableState& t);
  Status NormalizeObject(TableState& t, dom::object obj, int level, const std::string& row_id,
                         const std::string* parent_id, std::optional<uint64_t> list_idx, const std::string& root_id);
  Status FinishRow(TableState& t, const std::string& row_id, const std::string* parent_id,
                   std::optional<uint64_t> list_idx, const std::string& root_id);
  Status EmitLists(TableState& t, std::vector<PendingList>& lists, int level, const std::string& row_id,
                   const std::string& root_id);
  // `keys`: the items' row keys (from EmitLists), or null to compute them here.
  Status EmitList(const std::string& child, const std::string& child_path, const std::string& parent,
                  dom::array items, int level, const std::string& parent_id, const std::string& root_id,
                  const std::string* keys);
  Status NormalizeText(std::string_view json, const TableHints& h, bool readable_tail = false);
  Status NormalizeRoot(dom::element e);
  void PrepareRootId();
  std::string RootRowId(dom::element e);
  bool AppendKeyValue(dom::object obj, std::string_view name, std::string& out);

  // relational_tables.h: table states, and the names of columns and nested tables.
  const std::string& NormKey(std::string_view raw);
  ColumnEntry& ColumnName(const ColumnEntry& prefix, std::string_view raw);
  const std::pair<std::string, std::string>& ChildTable(const std::string& a, std::string_view b);
  int FindIndex(TableState& t, ColumnEntry& e);
  TableState& GetTable(const std::string& name, const std::optional<std::string>& parent,
                       const std::string* path = nullptr);
  Status CheckNewTable(const TableState& t);
  // True when the rows of table `name` are discarded because it would be a new table and the
  // tables contract is discard_row / discard_value (the table is then not added to the schema).
  bool DiscardsNewTable(const std::string& name);
  int AddColumn(TableState& t, Column c);

  // relational_values.h: a value into its column.
  Status SetCell(TableState& t, int idx, std::string text, std::string_view key);
  Status CheckFinite(const TableState& t, const std::string& column, DataType type, const ScalarValue& v,
                     const std::string& text, std::string_view key) const;
  Status AddValue(TableState& t, ColumnEntry& entry, const ScalarValue& v, std::string_view key);
  Status AddVariant(TableState& t, const std::string& column, DataType type, const ScalarValue& v,
                    std::string_view key);
  const ColumnHint* DeclaredColumn(const TableState& t, const std::string& column);
};

}  // namespace

}  // namespace dlt
