// Normalize for typed batches (normalize/typed_batch.h): no JSON parsing and no type inference.
// The batch's columns are merged into its root table's schema with the batch's own types, the
// rows get _dlt_load_id and a random _dlt_id, and the cells go to the job writers as they are.
// Root tables only: a json column stays one json column, except the nested data of files
// (TypedColumn::nested, Parquet lists and structs): a batch with such columns goes row by row
// through the JSON normalizer, as dlt normalizes the dicts it reads from Parquet, with its other
// columns created here first with their exact types and given to it as dlt's typed JSON.
//
// Schema contracts apply as on the JSON path: a new table (tables = freeze fails, discard_row /
// discard_value skip its batches), a new column of a table that holds data (columns = freeze |
// discard_value | discard_row: as dlt does for Arrow tables, the rows holding a value in it are
// removed, then the column). A batch column whose type differs from the table's existing column
// is an error naming both types (data_type = discard_value drops that column's values instead,
// discard_row the rows that have one): typed batches never make variant columns, since a source
// with a catalog that changed a column's type needs a decision, not a second column.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dlt/status.h"
#include "normalize/typed_batch.h"
#include "normalize/job_writer.h"
#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"

namespace dlt {

class TypedNormalizer {
 public:
  // `json`: the JSON normalizer writing into the same schema and writers; it forgets the tables
  // a batch changes (Normalizer::ForgetTable).
  TypedNormalizer(Schema* schema, const SnakeCaseNaming* naming, std::string load_id, JobWriterSet* writers,
                  Normalizer* json);

  // Normalizes one batch of the table prepared (Normalizer::Prepare) with `hints`; `where`
  // names the batch in errors ("resource `orders` batch 2 of orders.001_00000.0.typed").
  // When the writers take typed jobs (JobWriterSet::typed_jobs) the batch's values are moved
  // into the job: the batch is only good for Reset afterwards.
  Status NormalizeBatch(TypedBatch& batch, const TableHints& hints, const std::string& where);

  // A whole file of `rows` rows with columns `cols`, to be loaded as the file it is
  // (pipeline/file_items.h): merges its columns into the table as NormalizeBatch would and counts
  // its rows. Returns false, with the schema possibly holding the file's new columns, when the
  // file cannot go as it is: a column whose name normalizes to another, whose values a schema
  // contract discards, or nested columns; the caller then normalizes its rows as batches.
  // `generated` gets the dlt columns the load gives every row (`_dlt_load_id`, `_dlt_id`: always
  // for dict rows, as [normalize.parquet_normalizer] says for Arrow items). `not_null` gets the
  // file's columns that must hold a value in every row (NOT NULL columns of the table, true for a
  // primary key), which the caller checks over the file. Errors (a contract, a type clash, a NOT
  // NULL column the file lacks) are NormalizeBatch's.
  StatusOr<bool> NormalizeWholeFile(const std::vector<TypedColumn>& cols, uint64_t rows, const TableHints& hints,
                                    const std::string& where, std::vector<std::string>* generated,
                                    std::vector<std::pair<std::string, bool>>* not_null);

  const std::map<std::string, uint64_t>& row_counts() const { return counts_; }

  // dlt's [normalize.parquet_normalizer] add_dlt_id / add_dlt_load_id: the dlt columns that
  // batches of Arrow items (TableHints::arrow_items) get; other batches always get both.
  void set_arrow_columns(bool add_dlt_id, bool add_dlt_load_id) {
    arrow_dlt_id_ = add_dlt_id;
    arrow_dlt_load_id_ = add_dlt_load_id;
  }

 private:
  // TargetColumn for a column whose values a schema contract drops (discard_value), and for one
  // whose rows it drops (discard_row).
  static constexpr int kDiscardValues = -1;
  static constexpr int kDiscardRows = -2;
  // ... and for one whose type differs from the table's column of its name (another file, a later
  // run): the batch's rows go through the JSON normalizer, which coerces the values or makes a
  // variant column, as dlt's normalizer does with the rows (dicts) its readers yield.
  static constexpr int kViaJson = -3;
  // The root table of `hints` (prepared), after the tables contract (`what`: "batch", "file");
  // records whether it held data before this normalizer. nullptr: the contract discards the rows
  // of this new table.
  StatusOr<Table*> RootTable(const TableHints& hints, const std::string& where, const char* what);
  // The table's schema column for batch column `c`, created when needed, or kDiscardValues /
  // kDiscardRows.
  StatusOr<int> TargetColumn(Table& table, bool had_data, const TypedColumn& c, const TableHints& hints,
                             const std::string& where);
  // A column of the source named as one the normalizer gives every row of this resource
  // (`_dlt_load_id`, `_dlt_id`; for Arrow items as [normalize.parquet_normalizer] says): its values
  // are replaced by the normalizer's.
  bool IsGeneratedColumn(const std::string& name, const TableHints& hints) const;
  int SystemColumn(Table& table, const char* name, bool row_key);
  // Rows whose _dlt_id is dlt's hash of the row (merge strategies upsert, insert-only, scd2):
  // normalized as JSON records, as nested rows are.
  static bool HashedRowKeys(const TableHints& hints);
  // Arrow items cannot get scd2's row hash (refused, naming what to do instead).
  static Status CheckArrowMergeStrategy(const TableHints& hints, const std::string& where);
  // The rows of a batch with nested columns, each as a JSON record through the JSON normalizer.
  Status NormalizeNestedRows(const TypedBatch& batch, const TableHints& hints, const std::string& where);
  // Writes the batch's rows as one typed batch of the table's columns (`source_of`: schema
  // column -> batch column, -1 for none) with the system columns filled in.
  Status WriteTypedJob(TypedBatch& batch, const Table& table, const std::vector<int>& source_of, int load_id_idx,
                       int id_idx);

  Schema* schema_;
  const SnakeCaseNaming* naming_;
  std::string load_id_;
  JobWriterSet* writers_;
  Normalizer* json_;
  bool arrow_dlt_id_ = false;
  bool arrow_dlt_load_id_ = false;
  bool schema_had_data_ = false;          // any data table held data before this normalizer
  std::map<std::string, bool> had_data_;  // root table -> it held data before this normalizer
  std::map<std::string, uint64_t> counts_;
};

}  // namespace dlt
