// The schema of a pipeline: tables, columns, hints. Serialized in dlt's stored-schema format
// (engine version 11) so that Python dlt and this tool read each other's schemas.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/status.h"

namespace dlt {

using OrderedJson = nlohmann::ordered_json;

enum class DataType { kText, kBigint, kDouble, kBool, kTimestamp, kDate, kTime, kDecimal, kJson, kBinary, kWei };

std::string_view DataTypeName(DataType t);  // dlt names: "text", "bigint", "timestamp", ...
std::optional<DataType> ParseDataType(std::string_view name);

struct Column {
  std::string name;
  DataType data_type = DataType::kText;
  bool nullable = true;
  bool primary_key = false;
  bool merge_key = false;
  bool unique = false;
  bool row_key = false;
  bool parent_key = false;
  bool root_key = false;
  bool variant = false;
  std::optional<int> precision;
  std::optional<int> scale;
  OrderedJson extra = OrderedJson::object();  // hints this tool does not interpret, kept as-is
};

enum class WriteDisposition { kAppend, kReplace, kMerge, kSkip };
std::string_view WriteDispositionName(WriteDisposition d);
std::optional<WriteDisposition> ParseWriteDisposition(std::string_view s);
// dlt's merge strategies: delete-insert, insert-only, scd2, upsert.
bool IsMergeStrategy(std::string_view s);

struct Table {
  std::string name;
  std::vector<Column> columns;  // physical order
  std::optional<WriteDisposition> write_disposition;  // root tables; nested tables inherit
  std::optional<std::string> parent;
  std::optional<std::string> resource;
  std::optional<std::string> description;
  bool seen_data = false;
  OrderedJson extra = OrderedJson::object();  // other keys (file_format, x-* hints, ...)

  const Column* FindColumn(std::string_view name) const;
  Column* FindColumn(std::string_view name);
  int ColumnIndex(std::string_view name) const;  // -1 when absent
};

// The merge strategy of root table `t` (its `x-merge-strategy`; delete-insert when unset).
std::string MergeStrategyOf(const Table& t);

class Schema {
 public:
  static constexpr int kEngineVersion = 11;

  Schema() = default;
  explicit Schema(std::string name);  // a new schema with dlt's system tables and settings

  // A document that is not JSON, or whose keys the engine uses have the wrong type (tables and
  // columns not objects, an unknown data_type, a version that is not a number, ...) is DataLoss
  // "<origin> is damaged: key '...' ..." followed by `remedy` (what the user should do).
  static StatusOr<Schema> FromJson(std::string_view text, std::string_view origin, std::string_view remedy = "");
  // Reads a schema file; messages name its absolute path.
  static StatusOr<Schema> ReadFile(const std::filesystem::path& file, std::string_view remedy);
  // Compact JSON (as dlt stores it in _dlt_version) or pretty-printed (indent 2).
  std::string ToJson(bool pretty = false) const;

  const std::string& name() const { return name_; }
  int version() const { return version_; }
  const std::string& version_hash() const { return version_hash_; }
  const std::vector<std::string>& previous_hashes() const { return previous_hashes_; }

  const std::vector<Table>& tables() const { return tables_; }
  std::vector<Table>& mutable_tables() { return tables_; }
  const Table* FindTable(std::string_view name) const;
  Table* FindTable(std::string_view name);
  Table& AddTable(Table table);
  // Removes a table (not its nested tables); returns false when it did not exist.
  bool RemoveTable(std::string_view name);

  // The write disposition of a table, inherited from its root table.
  WriteDisposition DispositionOf(std::string_view table) const;
  const Table& RootOf(std::string_view table) const;
  std::vector<const Table*> NestedTablesOf(std::string_view root) const;  // all levels
  bool IsSystemTable(std::string_view name) const { return name.starts_with("_dlt_"); }
  // Data tables (not _dlt_*) that have columns, in schema order.
  std::vector<const Table*> DataTables() const;

  // dlt's schema settings (detections, default_hints, preferred_types, ...; schema_settings.h).
  const OrderedJson& settings() const { return settings_; }
  OrderedJson& mutable_settings() { return settings_; }

  // dlt's naming convention of the schema (`normalizers.names`: "snake_case", "direct"; dlt's
  // module path form is returned as stored).
  std::string naming() const;
  void set_naming(std::string_view name);

  // Merge needs _dlt_root_id in nested tables: records the propagation config.
  void EnableRootKeyPropagation(const std::string& root_table);
  // dlt's `normalizers.json.config.root_key_propagation` (what a source's root_key sets).
  void SetRootKeyPropagation(bool on);
  bool PropagatesRootKey(std::string_view root_table) const;

  // A schema update as dlt writes it into a load package (schema_updates.json,
  // applied_schema_updates.json): table name -> the table with its properties (nested tables
  // with the write_disposition they inherit) and only the listed columns, in the listed order.
  OrderedJson UpdateOf(const std::vector<std::pair<std::string, std::vector<std::string>>>& columns) const;
  // The columns of this schema that `before` does not have, table by table in schema order.
  std::vector<std::pair<std::string, std::vector<std::string>>> ColumnsAddedSince(const Schema& before) const;

  // Recomputes the content hash; when it changed, bumps the version and records the old hash.
  // Returns true when the schema changed.
  bool BumpVersion();
  std::string ComputeVersionHash() const;
  // dlt's generate_version_hash of a stored-schema document: SHA3-256 of its sorted-key JSON
  // without the version fields, then every table name (sorted) followed by its column names in
  // order, so that column order counts.
  static std::string VersionHashOf(const OrderedJson& doc);
  // Sets the version, its hash and the older hashes (newest first), as a history computed
  // elsewhere (see schema_history.h).
  void SetVersionHistory(int version, std::string version_hash, std::vector<std::string> previous_hashes);

 private:
  std::string name_;
  int version_ = 1;
  std::string version_hash_;
  std::vector<std::string> previous_hashes_;
  std::vector<Table> tables_;
  OrderedJson settings_ = OrderedJson::object();
  OrderedJson normalizers_ = OrderedJson::object();
  OrderedJson extra_ = OrderedJson::object();
};

}  // namespace dlt
