#include "destinations/duckdb/duckdb_batch_reader.h"

#include "destinations/duckdb/duckdb_errors.h"
#include "destinations/duckdb/duckdb_library.h"
#include "destinations/duckdb/duckdb_nested_json.h"
#include "destinations/duckdb/duckdb_types.h"
#include "destinations/duckdb/duckdb_value_renderer.h"
#include "destinations/duckdb/duckdb_value_text.h"

namespace dlt::duckdb {

using namespace detail;  // NOLINT: this folder's internals

namespace {

// How a column's values are converted (one decision per column, not per value).
enum class Conv { kBool, kInt8, kInt16, kInt32, kInt64, kUint8, kUint16, kUint32, kUint64, kHugeint,
                  kFloat, kDouble, kDecimal, kDate, kTime, kTimestamp, kBlob, kVarchar, kNested, kRendered };

struct ColumnPlan {
  TypeNode type;
  Conv conv = Conv::kRendered;
};

template <typename T>
T At(void* data, uint64_t row) {
  return static_cast<T*>(data)[row];
}

// dlt's column for a DuckDB type (the table in duckdb_batch_reader.h) and how to convert it.
TypedColumn Plan(const std::string& name, const TypeNode& t, Conv* conv) {
  TypedColumn c;
  c.name = name;
  auto set = [&](DataType d, Conv k) {
    c.data_type = d;
    *conv = k;
  };
  switch (t.id) {
    case DUCKDB_TYPE_BOOLEAN: set(DataType::kBool, Conv::kBool); break;
    case DUCKDB_TYPE_TINYINT: set(DataType::kBigint, Conv::kInt8); break;
    case DUCKDB_TYPE_SMALLINT: set(DataType::kBigint, Conv::kInt16); break;
    case DUCKDB_TYPE_INTEGER: set(DataType::kBigint, Conv::kInt32); break;
    case DUCKDB_TYPE_BIGINT: set(DataType::kBigint, Conv::kInt64); break;
    case DUCKDB_TYPE_UTINYINT: set(DataType::kBigint, Conv::kUint8); break;
    case DUCKDB_TYPE_USMALLINT: set(DataType::kBigint, Conv::kUint16); break;
    case DUCKDB_TYPE_UINTEGER: set(DataType::kBigint, Conv::kUint32); break;
    case DUCKDB_TYPE_UBIGINT:
      set(DataType::kDecimal, Conv::kUint64);
      c.precision = 20;
      c.scale = 0;
      break;
    case DUCKDB_TYPE_HUGEINT:
      set(DataType::kDecimal, Conv::kHugeint);
      c.precision = 38;
      c.scale = 0;
      break;
    case DUCKDB_TYPE_FLOAT: set(DataType::kDouble, Conv::kFloat); break;
    case DUCKDB_TYPE_DOUBLE: set(DataType::kDouble, Conv::kDouble); break;
    case DUCKDB_TYPE_DECIMAL:
      set(DataType::kDecimal, Conv::kDecimal);
      c.precision = t.width;
      c.scale = t.scale;
      break;
    case DUCKDB_TYPE_DATE: set(DataType::kDate, Conv::kDate); break;
    case DUCKDB_TYPE_TIME: set(DataType::kTime, Conv::kTime); break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      // A naive timestamp: dlt records `timezone: false` for it.
      set(DataType::kTimestamp, Conv::kTimestamp);
      c.timezone = false;
      break;
    case DUCKDB_TYPE_TIMESTAMP_TZ: set(DataType::kTimestamp, Conv::kTimestamp); break;
    case DUCKDB_TYPE_BLOB: set(DataType::kBinary, Conv::kBlob); break;
    case DUCKDB_TYPE_VARCHAR: set(t.IsJson() ? DataType::kJson : DataType::kText, Conv::kVarchar); break;
    default:
      if (t.IsNested()) {
        set(DataType::kJson, Conv::kNested);
        c.nested = true;  // normalized as dlt normalizes the rows of a file's nested data
      } else {
        set(DataType::kText, Conv::kRendered);
      }
  }
  return c;
}

}  // namespace

struct BatchReader::Impl {
  duckdb_prepared_statement stmt = nullptr;
  duckdb_pending_result pending = nullptr;
  duckdb_result result{};
  bool have_result = false;
  bool done = false;
  std::vector<TypedColumn> columns;
  std::vector<ColumnPlan> plans;

  ~Impl() {
    const Api& api = A();
    if (have_result) api.duckdb_destroy_result(&result);
    if (pending) api.duckdb_destroy_pending(&pending);
    if (stmt) api.duckdb_destroy_prepare(&stmt);
  }

  void Convert(duckdb_data_chunk chunk, TypedBatch* batch, Renderer& renderer, std::string& scratch);
};

BatchReader::BatchReader() : impl_(std::make_unique<Impl>()) {}
BatchReader::~BatchReader() = default;

const std::vector<TypedColumn>& BatchReader::columns() const { return impl_->columns; }

StatusOr<std::unique_ptr<BatchReader>> BatchReader::Start(Connection& connection, const std::string& sql) {
  if (!connection.handle_) return Closed("connection");
  const Api& api = A();
  std::unique_ptr<BatchReader> reader(new BatchReader());
  Impl& m = *reader->impl_;
  auto conn = static_cast<duckdb_connection>(connection.handle_);
  if (api.duckdb_prepare(conn, sql.c_str(), &m.stmt) == DuckDBError) return TextError(api.duckdb_prepare_error(m.stmt));
  // Streaming: chunks are produced while they are read, so a large file is never held whole.
  if (api.duckdb_pending_prepared_streaming(m.stmt, &m.pending) == DuckDBError) {
    return TextError(api.duckdb_pending_error(m.pending));
  }
  if (api.duckdb_execute_pending(m.pending, &m.result) == DuckDBError) {
    m.have_result = true;
    return ResultError(&m.result);
  }
  m.have_result = true;
  const idx_t ncols = api.duckdb_column_count(&m.result);
  m.plans.resize(ncols);
  for (idx_t c = 0; c < ncols; ++c) {
    const char* name = api.duckdb_column_name(&m.result, c);
    LogicalType lt(api.duckdb_column_logical_type(&m.result, c));
    Status s = BuildType(lt.t, m.plans[c].type);
    if (!s.ok()) return s.WithContext(std::string("column ") + (name ? name : ""));
    m.columns.push_back(Plan(name ? name : "", m.plans[c].type, &m.plans[c].conv));
  }
  return reader;
}

StatusOr<bool> BatchReader::Next(TypedBatch* batch, size_t min_rows) {
  Impl& m = *impl_;
  batch->Reset(m.columns);
  if (m.done) return false;
  const Api& api = A();
  Renderer renderer(api);
  std::string scratch;
  while (batch->rows() < min_rows) {
    duckdb_data_chunk chunk = api.duckdb_fetch_chunk(m.result);
    if (!chunk) {
      m.done = true;
      const char* e = api.duckdb_result_error(&m.result);
      if (e && *e) return ResultError(&m.result);
      break;
    }
    m.Convert(chunk, batch, renderer, scratch);
    api.duckdb_destroy_data_chunk(&chunk);
  }
  return batch->rows() > 0;
}

namespace {

// Appends `n` values of `column` (its NULLs as the default value), each made by `get(row)`.
template <typename Out, typename Get>
void AppendColumn(std::vector<Out>& column, const uint64_t* mask, idx_t n, Get get) {
  const size_t base = column.size();
  column.resize(base + n);
  Out* out = column.data() + base;
  if (!mask) {
    for (idx_t row = 0; row < n; ++row) out[row] = get(row);
    return;
  }
  for (idx_t row = 0; row < n; ++row) out[row] = MaskValid(mask, row) ? get(row) : Out{};
}

template <typename T>
void AppendInts(std::vector<int64_t>& column, void* data, const uint64_t* mask, idx_t n) {
  const T* values = static_cast<const T*>(data);
  AppendColumn(column, mask, n, [values](idx_t row) { return static_cast<int64_t>(values[row]); });
}

}  // namespace

// Column by column: one decision per column, then a loop over the chunk's rows (a switch per
// cell cost more than the copying it chose).
void BatchReader::Impl::Convert(duckdb_data_chunk chunk, TypedBatch* batch, Renderer& renderer, std::string& scratch) {
  const Api& api = A();
  const idx_t n = api.duckdb_data_chunk_get_size(chunk);
  for (size_t c = 0; c < plans.size(); ++c) {
    const ColumnPlan& p = plans[c];
    duckdb_vector v = api.duckdb_data_chunk_get_vector(chunk, c);
    void* data = api.duckdb_vector_get_data(v);
    const uint64_t* mask = api.duckdb_vector_get_validity(v);
    TypedVector& out = batch->mutable_vector(c);
    const size_t base = out.nulls.size();
    out.nulls.resize(base + n, 0);
    if (mask) {
      uint8_t* nulls = out.nulls.data() + base;
      for (idx_t row = 0; row < n; ++row) nulls[row] = MaskValid(mask, row) ? 0 : 1;
    }
    // Cells held as text: one string per row ("" for NULL).
    auto texts = [&](auto cell) {
      out.texts.reserve(out.texts.size() + n);
      for (idx_t row = 0; row < n; ++row) {
        if (MaskValid(mask, row)) {
          out.texts.push_back(cell(row));
        } else {
          out.texts.push_empty();
        }
      }
    };
    switch (p.conv) {
      case Conv::kBool:
        AppendColumn(out.bools, mask, n, [data](idx_t row) { return static_cast<uint8_t>(At<bool>(data, row)); });
        break;
      case Conv::kInt8: AppendInts<int8_t>(out.ints, data, mask, n); break;
      case Conv::kInt16: AppendInts<int16_t>(out.ints, data, mask, n); break;
      case Conv::kInt32: AppendInts<int32_t>(out.ints, data, mask, n); break;
      case Conv::kInt64: AppendInts<int64_t>(out.ints, data, mask, n); break;
      case Conv::kUint8: AppendInts<uint8_t>(out.ints, data, mask, n); break;
      case Conv::kUint16: AppendInts<uint16_t>(out.ints, data, mask, n); break;
      case Conv::kUint32: AppendInts<uint32_t>(out.ints, data, mask, n); break;
      case Conv::kDate: AppendInts<int32_t>(out.ints, data, mask, n); break;
      case Conv::kTime: AppendInts<int64_t>(out.ints, data, mask, n); break;
      case Conv::kTimestamp: {
        const duckdb_type id = p.type.id;
        AppendColumn(out.ints, mask, n, [id, data](idx_t row) { return TimestampMicros(id, data, row); });
        break;
      }
      case Conv::kFloat:
        AppendColumn(out.doubles, mask, n, [data](idx_t row) { return static_cast<double>(At<float>(data, row)); });
        break;
      case Conv::kDouble: AppendColumn(out.doubles, mask, n, [data](idx_t row) { return At<double>(data, row); }); break;
      case Conv::kVarchar: texts([data](idx_t row) { return StringAt(data, row); }); break;
      case Conv::kBlob: texts([data](idx_t row) { return BinaryCell(StringAt(data, row)); }); break;
      case Conv::kUint64:
        texts([&](idx_t row) {
          scratch.clear();
          AppendInt(scratch, At<uint64_t>(data, row));
          return std::string_view(scratch);
        });
        break;
      case Conv::kHugeint:
        texts([&](idx_t row) {
          scratch.clear();
          AppendInt128(scratch, ToInt128(At<duckdb_hugeint>(data, row)));
          return std::string_view(scratch);
        });
        break;
      case Conv::kDecimal:
        texts([&](idx_t row) {
          scratch.clear();
          AppendExactDecimal(scratch, DecimalAt(p.type, data, row), p.type.scale);
          return std::string_view(scratch);
        });
        break;
      case Conv::kNested:
        texts([&](idx_t row) {
          scratch.clear();
          AppendJsonValue(api, renderer, p.type, v, row, scratch);
          return std::string_view(scratch);
        });
        break;
      case Conv::kRendered:
        texts([&](idx_t row) {
          scratch.clear();
          renderer.Top(p.type, v, row, scratch);
          return std::string_view(scratch);
        });
        break;
    }
  }
}

}  // namespace dlt::duckdb
