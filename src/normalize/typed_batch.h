// Typed column batches: rows a source already knows the types of (a SQL table, a Parquet file),
// carried column by column next to JSON documents. Integers, doubles, booleans and the temporal
// types are stored natively (timestamps as microseconds since the epoch, UTC; dates as days
// since the epoch; times as microseconds of the day), so that no value is formatted on the way
// from a typed source to a destination that reads typed job files; every other type is held as
// the canonical text cell the CSV load job holds for it (see the *Cell helpers below for those
// forms, which CellText also gives for the temporal types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlt/status.h"
#include "normalize/schema.h"
#include "normalize/text_cells.h"

namespace dlt {

struct TypedColumn {
  std::string name;  // as the source names it; normalized like a JSON key
  DataType data_type = DataType::kText;
  std::optional<int> precision;  // decimal digits (decimal), length (text/binary), fraction digits (timestamp)
  std::optional<int> scale;      // decimal
  bool nullable = true;          // false: a new column is created NOT NULL
  bool timezone = true;          // timestamps: false records dlt's `timezone: false` hint
  // json cells of nested data from a file (a Parquet list or struct): normalized as dlt
  // normalizes nested data, structs into columns and lists into nested tables, not kept as json.
  bool nested = false;
};

// How a column's values are held: bigint, timestamp, date, time -> int64 (see above), double ->
// double, bool -> bool, all other types -> text cells.
enum class CellStorage { kInt64, kDouble, kBool, kText };
CellStorage StorageOf(DataType type);

// One column's values; every vector but the one of the column's storage stays empty.
struct TypedVector {
  std::vector<uint8_t> nulls;  // 1: NULL (the value slot holds a default)
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<uint8_t> bools;
  TextCells texts;
};

class TypedBatch {
 public:
  TypedBatch() = default;
  explicit TypedBatch(std::vector<TypedColumn> columns) { Reset(std::move(columns)); }

  // New columns, no rows.
  void Reset(std::vector<TypedColumn> columns);
  // The same columns, no rows.
  void ClearRows();

  const std::vector<TypedColumn>& columns() const { return columns_; }
  const TypedVector& vector(size_t column) const { return vectors_[column]; }
  // Rows: the length of the first column (Validate checks that all agree).
  size_t rows() const { return vectors_.empty() ? 0 : vectors_[0].nulls.size(); }

  // Values are appended column by column; the Append* of the column's storage only.
  void AppendNull(size_t column);
  void AppendInt(size_t column, int64_t v);
  void AppendDouble(size_t column, double v);
  void AppendBool(size_t column, bool v);
  void AppendText(size_t column, std::string_view v);
  // A column's values for a reader that fills them in place, column by column (nulls and the
  // vector of the column's storage grown by the same rows; Validate checks them).
  TypedVector& mutable_vector(size_t column) { return vectors_[column]; }
  // Replaces a column's values at once (readers that fill whole columns); Validate checks them.
  void SetVector(size_t column, TypedVector v) { vectors_[column] = std::move(v); }
  // Moves a column's values out (the batch is not valid afterwards: only Reset or destroy it).
  TypedVector TakeVector(size_t column) { return std::move(vectors_[column]); }
  // Appends row `row` of `other` (same columns) to this batch.
  void AppendRowOf(const TypedBatch& other, size_t row);
  // Keeps the rows whose `keep` flag is set (one per row), in order; the others are removed.
  void KeepRows(const std::vector<uint8_t>& keep);

  bool IsNull(size_t column, size_t row) const { return vectors_[column].nulls[row] != 0; }
  // The value as the CSV load job holds it ("" for NULL): integers and doubles in their shortest
  // decimal form, booleans as true/false, timestamps, dates and times as TimestampCell,
  // DateCell and TimeCell write them, text cells as they are.
  void CellText(size_t column, size_t row, std::string* out) const;
  // Row `row` as a JSON object (column name -> value; json cells embedded as JSON), for the
  // incremental cursor, which compares and hashes rows as it does JSON records.
  std::string RowJson(size_t row) const;

  // Every column has a name, a type and `rows()` values in the storage of its type, and no
  // name repeats. Errors name the column and `where`.
  Status Validate(std::string_view where) const;

 private:
  std::vector<TypedColumn> columns_;
  std::vector<TypedVector> vectors_;
};

// Canonical cells of the types kept as text, as the JSON path writes them into load jobs:
// timestamps "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00" (a UTC instant), dates "YYYY-MM-DD", times
// "HH:MM:SS[.ffffff]"; decimals as exact decimal text ("12345678901234567890.123456789", no float
// on the way); json as compact JSON text; binary as `\x` and two hex digits per byte, the form
// PostgreSQL's bytea reads as it is and the DuckDB loader turns back into the bytes (from_hex).
std::string TimestampCell(int64_t micros_since_epoch);
std::string DateCell(int64_t days_since_epoch);
std::string TimeCell(int64_t micros_of_day);
std::string BinaryCell(std::string_view bytes);

// Row `r` of `batch` as the JSON object dlt's dict of it is in typed JSON: NULLs left out (a
// dict without the key), decimals, timestamps, dates, times and binary values as strings with
// dlt's markers (common/typed_json.h), json columns as they are. `cell` is scratch.
// `as_python`: the dict Python code gets, as dlt's sqlalchemy backend yields it: a timestamp of a
// column without time zone (`timezone: false`) is a naive datetime (its wall clock without an
// offset), and a double is always a float (3.0, never 3).
void AppendBatchRowJson(const TypedBatch& batch, size_t r, std::string& json, std::string& cell, bool as_python = false);

}  // namespace dlt
