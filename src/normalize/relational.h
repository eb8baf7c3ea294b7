// The relational normalizer: turns JSON records into rows of a root table and nested tables,
// inferring and evolving the schema as dlt's relational JSON normalizer does.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/status.h"
#include "normalize/job_writer.h"
#include "normalize/naming.h"
#include "normalize/schema.h"

namespace dlt {

struct ColumnHint {
  std::string name;  // as given by the user; normalized by the normalizer
  std::optional<DataType> data_type;
  std::optional<bool> nullable;
  bool primary_key = false;
  bool merge_key = false;
  bool unset_primary_key = false;  // ColumnOptions::unset_primary_key
  bool unset_merge_key = false;    // ColumnOptions::unset_merge_key
  bool unique = false;
  std::optional<int> precision;
  std::optional<int> scale;
  bool hard_delete = false;               // ColumnOptions::hard_delete
  std::optional<std::string> dedup_sort;  // "asc" or "desc"
  std::optional<bool> timezone;
  OrderedJson other_hints = OrderedJson::object();  // ColumnOptions::other_hints, kept as they are
};

// The hints of `h` kept among a schema column's other properties as dlt names them
// (`hard_delete`, `dedup_sort`, `timezone`, and the other hints: `partition`, `sort`, ...).
void ApplyColumnHintProperties(const ColumnHint& h, Column* c);
// Declares column hint `h` on table `t`: the column is made when the hint has a data type (else
// when data arrives), and the hint's properties set; a type other than the column's is an error.
Status DeclareColumnHint(const SnakeCaseNaming& naming, Table* t, const ColumnHint& h);
// The name of the nested table at list fields `path` under root table `root` (dlt's
// nested_hints keys), as the normalizer names it; empty for an empty path.
std::string NestedTableName(const SnakeCaseNaming& naming, const std::string& root, const std::vector<std::string>& path);

// scd2: the column holding the row's version hash (MergeOptions::row_version_column, default
// `_dlt_id`) and the hints dlt gives it (not null, not unique, x-row-version).
std::string RowVersionColumn(const MergeOptions& m);
void ApplyRowVersionHints(Column* c);

// What a resource says about its table.
struct TableHints {
  std::string table_name;  // as given; normalized when prepared
  std::string resource;
  WriteDisposition disposition = WriteDisposition::kAppend;
  std::vector<std::string> primary_key;
  std::vector<std::string> merge_key;
  MergeOptions merge;  // the merge strategy and its options (disposition merge)
  std::vector<ColumnHint> columns;
  int max_nesting = 1000;  // deeper objects and lists are stored as json
  std::optional<bool> root_key;  // ResourceOptions::root_key (dlt's root_key_propagation)
  std::string incremental_cursor;  // the top-level cursor column of an incremental (hint "incremental")
  // Schema contract modes (dlt::SchemaContract): "evolve", "freeze", "discard_row" or
  // "discard_value" (for tables both discard the rows of a new table, as dlt does).
  std::string contract_tables = "evolve";
  std::string contract_columns = "evolve";
  std::string contract_data_type = "evolve";
  // dlt's Arrow items (ResourceOptions::arrow_items): typed batches keep their columns as they
  // are (nested values as json), with the dlt columns the parquet normalizer settings ask for.
  bool arrow_items = false;
  std::string file_format;  // ResourceOptions::file_format: the root table's `file_format`
  // ResourceOptions::nested: column hints of nested tables, by their list fields from the root.
  struct Nested {
    std::vector<std::string> path;
    std::vector<ColumnHint> columns;
  };
  std::vector<Nested> nested;
  std::vector<TableReference> references;  // ResourceOptions::references: the root table's
  OrderedJson schema_settings;  // ResourceOptions::schema_settings (null: none)
};

class Normalizer {
 public:
  Normalizer(Schema* schema, const SnakeCaseNaming* naming, std::string load_id, JobWriterSet* writers);
  ~Normalizer();

  // Creates or updates the root table of `hints` in the schema (disposition, key hints,
  // declared columns). Errors name the conflicting hint.
  Status Prepare(const TableHints& hints);
 private:
  Status PrepareMergeStrategy(const TableHints& hints, Table* t);

 public:

  // Normalizes one record (a JSON object, or an array of them) of the table prepared with
  // `hints`. `where` names the record in errors ("events.jsonl:12").
  Status NormalizeRecord(std::string_view json, const TableHints& hints, std::string_view where);
  // The same, with `where` computed only when an error needs it. `readable_tail`: at least
  // kParserPadding bytes after `json` are readable, so it is parsed in place, without a copy.
  Status NormalizeRecord(std::string_view json, const TableHints& hints, const std::function<std::string()>& where,
                         bool readable_tail = false);
  // What `readable_tail` asks for (simdjson's padding).
  static const size_t kParserPadding;

  // Rows written per table.
  const std::map<std::string, uint64_t>& row_counts() const;

  // Drops what the normalizer remembers of root table `table` (its columns), so that columns
  // another writer (typed batches) added to the schema are seen by the next record.
  void ForgetTable(const std::string& table);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Random root row key: 10 random bytes, base64 without padding (14 characters).
inline constexpr size_t kRowKeyChars = 14;
std::string NewRowKey();
// The same into `out` (kRowKeyChars characters, no terminator).
void NewRowKeyInto(char* out);
// Nested row key: base64(shake_128("<parent_id>_<table>_<list_idx>"), 10 bytes) without padding.
std::string NestedRowKey(std::string_view parent_id, std::string_view table, uint64_t list_idx);

// Nested row keys of many rows at once (the hashes computed several at a time, hash::Shake128Batch):
// Add the rows, then Compute gives each its NestedRowKey, in the order added.
class NestedRowKeyBatch {
 public:
  void Add(std::string_view parent_id, std::string_view table, uint64_t list_idx);
  // Replaces `keys` with the keys of the rows added (reusing its strings), and forgets the rows.
  void Compute(std::vector<std::string>* keys);
  size_t size() const { return ends_.size(); }

 private:
  std::string text_;          // the hashed texts, one after another
  std::vector<size_t> ends_;  // where each ends in text_
  std::vector<std::string_view> views_;
  std::vector<unsigned char> digests_;
};

}  // namespace dlt
