// Resources: named streams of rows with dlt's hints (table name, write disposition, keys,
// columns, incremental cursor, schema contract), the unit the extract step reads.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlt/status.h"

namespace dlt {

class RecordSource;     // internal (src/extract/extractor.h)
struct ExtractContext;  // internal (src/extract/resource_access.h)


struct ColumnOptions {
  std::string name;
  std::optional<std::string> data_type;  // text, bigint, double, bool, timestamp, date, time, decimal, json, binary
  std::optional<bool> nullable;
  bool primary_key = false;
  bool merge_key = false;
  // `primary_key: False` / `merge_key: False` given: as in dlt, the flag is taken off a column
  // that has it from an earlier run.
  bool unset_primary_key = false;
  bool unset_merge_key = false;
  bool unique = false;
  std::optional<int> precision;
  std::optional<int> scale;
  // dlt's merge hints: rows whose `hard_delete` column is true (a bool) or set (any other type)
  // delete their key and are not inserted; `dedup_sort` ("asc" or "desc") picks the row kept of
  // those sharing a primary key in one load.
  bool hard_delete = false;
  std::optional<std::string> dedup_sort;
  std::optional<bool> timezone;  // a timestamp without time zone when false
  // dlt's column hints this engine keeps in the schema without acting on them (`partition`,
  // `cluster`, `sort`, `description`, `x-...` extensions), as {name, JSON value text}.
  std::vector<std::pair<std::string, std::string>> other_hints;
};

// What may change in the schema when data arrives, as dlt's schema contracts: per kind of
// change, "evolve" (the default: the schema grows), "freeze" (the run fails naming the record,
// and nothing of it is loaded) or "discard_value" (the value that would change the schema is
// dropped; not for tables). `tables`: new tables (a new nested table, or a root table in a
// schema that already holds data); `columns`: new columns of a table that already holds data;
// `data_type`: a value whose type does not fit its column (a variant column otherwise).
struct SchemaContract {
  std::string tables = "evolve";
  std::string columns = "evolve";
  std::string data_type = "evolve";
};

struct IncrementalOptions {
  std::string cursor_path;
  std::optional<std::string> initial_value_json;  // a JSON value: "\"2024-01-01T00:00:00Z\"" or "10"
  std::string on_cursor_value_missing = "raise";  // raise | include | exclude
  // The key whose values identify rows at the cursor boundary (dlt's incremental primary_key):
  // unset uses the resource's primary_key; an empty list turns boundary de-duplication off.
  std::optional<std::vector<std::string>> primary_key;
  bool primary_key_is_list = false;  // written as a list: dlt hashes [v] rather than v
  // dlt's backfill range: rows from initial_value up to end_value (excluded unless range_end is
  // "closed"); the stored cursor is neither read nor moved. Needs initial_value.
  std::optional<std::string> end_value_json;
  std::string last_value_func = "max";  // max | min (a cursor that decreases)
  std::string range_start = "closed";   // closed: rows equal to the last value pass (de-duplicated); open: not
  std::string range_end = "open";       // open | closed (with end_value)
};

// dlt's merge strategies (`write_disposition = {disposition = "merge", strategy = ...}`) and the
// options of scd2. Only read when the disposition is merge.
struct MergeOptions {
  // delete-insert (rows replace those with the same primary or merge key), upsert (MERGE on the
  // primary key: update or insert; nested rows by their keys), insert-only (rows whose primary
  // key is new), scd2 (versioned rows with validity columns).
  std::string strategy = "delete-insert";
  std::optional<std::string> valid_from_column;  // scd2: default _dlt_valid_from
  std::optional<std::string> valid_to_column;    // scd2: default _dlt_valid_to
  // scd2: the "valid to" of active rows (an ISO 8601 date or timestamp); none: NULL.
  std::optional<std::string> active_record_timestamp;
  // scd2: when new versions start and retired ones end; none: the load package's creation time.
  std::optional<std::string> boundary_timestamp;
  // boundary_timestamp given as None: a boundary stored by an earlier run no longer applies.
  bool unset_boundary_timestamp = false;
  std::optional<std::string> row_version_column;  // scd2: the row hash column; default _dlt_id
  bool deduplicated = false;                      // delete-insert: staged rows are already unique
};

// dlt's `references` hint: columns of a table that refer to columns of another table. Kept in the
// table's schema (for lineage tools, dbt models, relationship diagrams); nothing is enforced.
struct TableReference {
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  std::optional<std::string> label;        // the relationship's name, e.g. "liked"
  std::optional<std::string> cardinality;  // one_to_one, one_to_many, many_to_one, many_to_many, ...
};

struct ResourceOptions {
  std::string name;
  std::string table_name;                    // default: name
  std::string write_disposition = "append";  // append | replace | merge | skip
  std::vector<std::string> primary_key;
  bool primary_key_is_list = false;  // written as a list (["id"]) rather than a name ("id")
  std::vector<std::string> merge_key;
  MergeOptions merge;  // write_disposition "merge": the strategy and its options
  std::vector<ColumnOptions> columns;
  std::optional<IncrementalOptions> incremental;
  int max_table_nesting = 1000;
  // dlt's root_key_propagation (a source's `root_key`): true gives every nested table the root
  // row's key (_dlt_root_id); false keeps the merge strategies from adding it; unset: as the
  // write disposition needs (merge but scd2).
  std::optional<bool> root_key;
  SchemaContract schema_contract;
  // Rows come as dlt's Arrow items (a Parquet/CSV reader with use_pyarrow=True, sql_database's
  // pyarrow backend): loaded as they are, without _dlt_id and _dlt_load_id (unless
  // [normalize.parquet_normalizer] add_dlt_id / add_dlt_load_id), nested values kept as json.
  bool arrow_items = false;
  // dlt's file_format hint (`@dlt.resource(file_format=...)`, `run(loader_file_format=...)`): kept
  // in the table's schema; the filesystem destination writes the table's files in it.
  std::string file_format;
  // dlt's nested_hints: column hints of the nested table at `path` (list fields from the root,
  // e.g. {"purchases", "coupons"} for <table>__purchases__coupons), applied when the normalizer
  // makes or meets that table.
  struct NestedHint {
    std::vector<std::string> path;
    std::vector<ColumnOptions> columns;
  };
  std::vector<NestedHint> nested;
  // dlt's references of the root table; one per referenced table (a later one to the same table
  // replaces the earlier, in the hints and in the stored schema).
  std::vector<TableReference> references;
  // dlt's schema settings given with the resource's source (`source.schema.add_type_detection`,
  // `merge_hints`, `update_preferred_types`): a JSON object merged into the stored schema's
  // settings when the package is normalized (normalize/schema_settings.h); empty for none.
  std::string schema_settings;
};

// How CSV files are read (format "csv"): unset fields are detected by DuckDB's sniffer.
// CheckCsvOptions validates them (Resource::FromFiles does too, naming the resource).
struct CsvOptions {
  std::optional<std::string> delimiter;  // ",", ";", "\t", "|", ...
  std::optional<bool> header;            // whether the first line names the columns
  std::optional<std::string> quote;      // the quote character ("\"" when unset)
  std::optional<std::string> encoding;   // utf-8 (the default), latin-1 or utf-16
  uint64_t skip_rows = 0;                // lines skipped before the header (or the first row)
  std::vector<std::string> names;        // the columns' names, replacing the header's (or naming a file without one)
  std::vector<std::string> columns;      // only these columns are read (by name); empty: all
  bool columns_in_file_order = false;    // `columns` come in the file's order, not the list's (pandas' usecols)
  std::vector<std::string> null_values;  // values read as NULL, besides an empty field
  // Column name -> dlt data type (text, bigint, double, bool, decimal or decimal(p,s), date,
  // timestamp: a value without an offset is UTC) instead of the detected one; all_text: every
  // column is text (leading zeros, codes kept as written).
  std::vector<std::pair<std::string, std::string>> types;
  bool all_text = false;
};
// Normalizes the encoding's name (utf8 -> utf-8, latin1 / iso-8859-1 -> latin-1, ...) and checks
// every field; the error says what is allowed.
Status CheckCsvOptions(CsvOptions& csv);

class Resource {
 public:
  // Rows produced by user code: `next` stores one JSON document and returns true, or returns
  // false at the end.
  static Resource FromCallback(ResourceOptions options, std::function<bool(std::string& json)> next);
  static Resource FromRows(ResourceOptions options, std::vector<std::string> json_rows);
  // Files matching glob patterns relative to `base_dir`, read one after another. `format`:
  // "jsonl" / "json" (JSON Lines or a JSON array, gzip recognized; "-" reads standard input),
  // "csv" (header, delimiter, quoting, gzip and column types detected, `csv` overrides),
  // "parquet" (types from the file), or "auto": by each file's extension (.csv, .csv.gz, .tsv,
  // .parquet; anything else is JSON). CSV and Parquet rows come as typed columns, not JSON.
  // Files are streamed, never read whole.
  static Resource FromFiles(ResourceOptions options, std::vector<std::string> patterns,
                            std::filesystem::path base_dir, std::string format = "auto", CsvOptions csv = {});

  const ResourceOptions& options() const { return options_; }

 private:
  // The engine's own sources (REST API, ...) make resources and the extract step opens them
  // through ResourceAccess (src/extract/resource_access.h); the record source is not part of
  // this API.
  friend struct ResourceAccess;
  ResourceOptions options_;
  std::function<StatusOr<std::unique_ptr<RecordSource>>(const ExtractContext&)> open_;
};

}  // namespace dlt
