// ScanJobFiles of duckdb_api.h: the table function dlt_job_files(<id>) that reads dlt's load job
// files straight into DuckDB's vectors, one file per DuckDB thread at a time: CSV jobs with the
// types parsed here (CsvJobReader) instead of by DuckDB's CSV sniffer and casts, typed jobs
// (normalize/typed_job_file.h) with their integers, doubles and booleans copied as they are.
// Registered scans are kept by id in a process-wide map; the SQL carries only the id.
#include "destinations/duckdb/duckdb_api.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "destinations/duckdb/duckdb_errors.h"
#include "destinations/duckdb/duckdb_library.h"
#include "destinations/duckdb/duckdb_row_key.h"
#include "load/csv_job_reader.h"
#include "load/job_header.h"
#include "normalize/typed_job_file.h"

namespace dlt::duckdb {

using namespace detail;  // NOLINT: this folder's internals, all behind duckdb_api.h

namespace {

struct ScanSpec {
  std::vector<std::string> files;
  std::vector<ScanColumn> columns;
};

// Scans registered by ScanJobFiles, by id: the SQL names a scan by its id, and the table
// function (known to DuckDB once per connection) finds it here when the statement is bound.
std::mutex g_scans_mu;
std::map<uint64_t, std::shared_ptr<const ScanSpec>> g_scans;
uint64_t g_next_scan_id = 1;

constexpr const char* kScanFunction = "dlt_job_files";

struct ScanBindData {
  std::shared_ptr<const ScanSpec> spec;
};
struct ScanGlobalData {
  std::atomic<size_t> next_file{0};
};
struct ScanLocalData {
  std::unique_ptr<CsvJobReader> reader;
  std::vector<CsvField> fields;
  // A typed job file being read: its current batch and the next row of it.
  std::unique_ptr<TypedJobReader> typed;
  TypedBatch batch;
  size_t batch_row = 0;
  uint64_t batch_number = 0;
  std::string cell;  // a typed value's text, where the column's scan type needs one
};

duckdb_type ScanDuckType(ScanType t) {
  switch (t) {
    case ScanType::kBigint: return DUCKDB_TYPE_BIGINT;
    case ScanType::kDouble: return DUCKDB_TYPE_DOUBLE;
    case ScanType::kBoolean: return DUCKDB_TYPE_BOOLEAN;
    case ScanType::kTimestampTz: return DUCKDB_TYPE_TIMESTAMP_TZ;
    case ScanType::kTimestamp: return DUCKDB_TYPE_TIMESTAMP;
    case ScanType::kDate: return DUCKDB_TYPE_DATE;
    case ScanType::kTime: return DUCKDB_TYPE_TIME;
    case ScanType::kDecimal: return DUCKDB_TYPE_DECIMAL;
    case ScanType::kVarchar: break;
  }
  return DUCKDB_TYPE_VARCHAR;
}

std::string ScanTypeName(const ScanColumn& c) {
  if (c.type == ScanType::kDecimal) return "DECIMAL(" + std::to_string(c.width) + "," + std::to_string(c.scale) + ")";
  switch (c.type) {
    case ScanType::kBigint: return "BIGINT";
    case ScanType::kDouble: return "DOUBLE";
    case ScanType::kBoolean: return "BOOLEAN";
    case ScanType::kTimestampTz: return "TIMESTAMP WITH TIME ZONE";
    case ScanType::kTimestamp: return "TIMESTAMP";
    case ScanType::kDate: return "DATE";
    case ScanType::kTime: return "TIME";
    case ScanType::kDecimal:
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
    api.duckdb_bind_set_error(info, "dlt_job_files: no scan with this id is registered");
    return;
  }
  for (const auto& c : spec->columns) {
    duckdb_logical_type lt = c.type == ScanType::kDecimal
                                 ? api.duckdb_create_decimal_type(static_cast<uint8_t>(c.width), static_cast<uint8_t>(c.scale))
                                 : api.duckdb_create_logical_type(ScanDuckType(c.type));
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

// Per output column: its vector, its data, and its validity mask once a NULL needs one.
struct Out {
  duckdb_vector vector;
  void* data;
  uint64_t* validity;
};

void PutNull(Out& o, size_t row) {
  if (!o.validity) {
    A().duckdb_vector_ensure_validity_writable(o.vector);
    o.validity = A().duckdb_vector_get_validity(o.vector);
  }
  o.validity[row / 64] &= ~(uint64_t{1} << (row % 64));
}

// A text value into a VARCHAR vector: a short one (DuckDB keeps up to 12 bytes inside the
// vector's own 16-byte slot, zero-padded) is written there directly, a longer one is copied into
// the vector's string heap by DuckDB.
void PutVarchar(Out& o, size_t row, std::string_view text) {
  constexpr size_t kInlined = sizeof(duckdb_string_t::value.inlined.inlined);
  if (text.size() <= kInlined) {
    duckdb_string_t& slot = static_cast<duckdb_string_t*>(o.data)[row];
    std::memset(&slot, 0, sizeof slot);
    slot.value.inlined.length = static_cast<uint32_t>(text.size());
    if (!text.empty()) std::memcpy(slot.value.inlined.inlined, text.data(), text.size());
    return;
  }
  A().duckdb_vector_assign_string_element_len(o.vector, row, text.data(), text.size());
}

// A value given as its job file text, converted to the column's scan type; false when the text
// is not one.
bool PutText(const ScanColumn& col, Out& o, size_t row, std::string_view text) {
  switch (col.type) {
    case ScanType::kVarchar:
      PutVarchar(o, row, text);
      return true;
    case ScanType::kBigint: return ParseJobBigint(text, static_cast<int64_t*>(o.data) + row);
    case ScanType::kDouble: return ParseJobDouble(text, static_cast<double*>(o.data) + row);
    case ScanType::kBoolean: return ParseJobBool(text, static_cast<bool*>(o.data) + row);
    case ScanType::kTimestampTz:
    case ScanType::kTimestamp: return ParseJobTimestampMicros(text, static_cast<int64_t*>(o.data) + row);
    case ScanType::kDecimal: {
      // DuckDB stores DECIMAL(w, s) in 16 bits up to w = 4, 32 up to 9, 64 up to 18.
      int64_t v;
      if (!ParseJobDecimal(text, col.width, col.scale, &v)) return false;
      if (col.width <= 4) static_cast<int16_t*>(o.data)[row] = static_cast<int16_t>(v);
      else if (col.width <= 9) static_cast<int32_t*>(o.data)[row] = static_cast<int32_t>(v);
      else static_cast<int64_t*>(o.data)[row] = v;
      return true;
    }
    case ScanType::kDate:
    case ScanType::kTime: break;  // only typed jobs, whose dates and times are integers
  }
  return false;
}

constexpr int64_t kDateInfinity = 2147483647;  // DuckDB's date_t infinity (-it: -infinity)

// Rows [from, from + n) of typed column `c` of `local->batch` into output rows [row, row + n).
// Values already of the scan type are copied (integers, doubles, booleans, timestamps); any other
// goes through its job file text, exactly as the CSV job holds it (dates and times as DateCell
// and TimeCell write them, cast by DuckDB). Empty string on success, else the error.
std::string PutTypedColumn(const ScanColumn& col, size_t c, ScanLocalData* local, Out& o, size_t row, size_t from,
                           size_t n) {
  const TypedBatch& b = local->batch;
  const TypedVector& v = b.vector(c);
  const CellStorage storage = StorageOf(b.columns()[c].data_type);
  // Timestamps are held as UTC microseconds, which is what DuckDB's TIMESTAMP and TIMESTAMP WITH
  // TIME ZONE store: copied as they are.
  const DataType type = b.columns()[c].data_type;
  const bool micros = (type == DataType::kTimestamp &&
                       (col.type == ScanType::kTimestamp || col.type == ScanType::kTimestampTz)) ||
                      (type == DataType::kTime && col.type == ScanType::kTime);
  // Dates are days since the epoch: DuckDB's DATE holds them in 32 bits, its largest values
  // standing for infinity.
  const bool days = type == DataType::kDate && col.type == ScanType::kDate;
  // One decision per column, then a loop over the rows.
  enum class Put { kInt64, kDays, kDouble, kBool, kVarchar, kText, kCellText };
  Put put = Put::kCellText;
  if (storage == CellStorage::kInt64 && (col.type == ScanType::kBigint || micros)) {
    put = Put::kInt64;
  } else if (days) {
    put = Put::kDays;
  } else if (storage == CellStorage::kDouble && col.type == ScanType::kDouble) {
    put = Put::kDouble;
  } else if (storage == CellStorage::kBool && col.type == ScanType::kBoolean) {
    put = Put::kBool;
  } else if (storage == CellStorage::kText) {
    put = col.type == ScanType::kVarchar ? Put::kVarchar : Put::kText;
  }
  for (size_t k = 0; k < n; ++k) {
    const size_t r = from + k, out = row + k;
    if (v.nulls[r]) {
      PutNull(o, out);
      continue;
    }
    switch (put) {
      case Put::kInt64: static_cast<int64_t*>(o.data)[out] = v.ints[r]; break;
      case Put::kDays: {
        const int64_t d = v.ints[r];
        if (d <= -kDateInfinity || d >= kDateInfinity) return DateCell(d) + " is out of the range of DuckDB's DATE";
        static_cast<int32_t*>(o.data)[out] = static_cast<int32_t>(d);
        break;
      }
      case Put::kDouble: static_cast<double*>(o.data)[out] = v.doubles[r]; break;
      case Put::kBool: static_cast<bool*>(o.data)[out] = v.bools[r] != 0; break;
      case Put::kVarchar: PutVarchar(o, out, v.texts[r]); break;
      case Put::kText:
        if (!PutText(col, o, out, v.texts[r])) {
          return "'" + Excerpt(v.texts[r]) + "' is not a " + ScanTypeName(col) + " value";
        }
        break;
      case Put::kCellText:
        b.CellText(c, r, &local->cell);
        if (!PutText(col, o, out, local->cell)) {
          return "'" + Excerpt(local->cell) + "' is not a " + ScanTypeName(col) + " value";
        }
        break;
    }
  }
  return {};
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  const Api& api = A();
  const ScanSpec& spec = *static_cast<ScanBindData*>(api.duckdb_function_get_bind_data(info))->spec;
  auto* global = static_cast<ScanGlobalData*>(api.duckdb_function_get_init_data(info));
  auto* local = static_cast<ScanLocalData*>(api.duckdb_function_get_local_init_data(info));
  const size_t ncols = spec.columns.size();
  const size_t capacity = api.duckdb_vector_size();
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
    if (!local->reader && !local->typed) {
      const size_t i = global->next_file.fetch_add(1);
      if (i >= spec.files.size()) break;
      if (IsTypedJobFile(spec.files[i])) {
        auto typed = TypedJobReader::Open(spec.files[i], TypedJobReader::kNormalizedAdvice);
        if (!typed.ok()) return fail(typed.status().message());
        local->typed = std::move(typed).value();
        local->batch_row = local->batch.rows();
        local->batch_number = 0;
        continue;
      }
      auto reader = CsvJobReader::Open(spec.files[i], ncols);
      if (!reader.ok()) return fail(reader.status().message());
      local->reader = std::move(reader).value();
    }
    if (local->typed) {
      if (local->batch_row >= local->batch.rows()) {
        auto more = local->typed->Next(&local->batch);
        if (!more.ok()) return fail(more.status().message());
        local->batch_row = 0;
        ++local->batch_number;
        if (!*more) {
          local->typed.reset();
          local->batch.ClearRows();
          continue;
        }
        // Normalize writes a file's batches with the columns of its first one, which the
        // statement was built from.
        bool same = local->batch.columns().size() == ncols;
        for (size_t c = 0; same && c < ncols; ++c) same = local->batch.columns()[c].name == spec.columns[c].name;
        if (!same) {
          return fail("load job " + local->typed->path().string() + ", batch " +
                      std::to_string(local->batch_number) + ": its columns differ from the file's first batch. " +
                      TypedJobReader::kNormalizedAdvice);
        }
        continue;
      }
      const size_t n = std::min(capacity - row, local->batch.rows() - local->batch_row);
      for (size_t c = 0; c < ncols; ++c) {
        std::string err = PutTypedColumn(spec.columns[c], c, local, out[c], row, local->batch_row, n);
        if (!err.empty()) {
          return fail("load job " + local->typed->path().string() + ", batch " + std::to_string(local->batch_number) +
                      ", column `" + spec.columns[c].name + "`: " + err);
        }
      }
      local->batch_row += n;
      row += n;
      continue;
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
        PutNull(o, row);
        continue;
      }
      if (!PutText(spec.columns[c], o, row, f.text)) {
        return fail("load job " + local->reader->Where() + ", column `" + spec.columns[c].name + "`: '" +
                    Excerpt(f.text) + "' is not a " + ScanTypeName(spec.columns[c]) + " value");
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
  // Another connection of this process may have registered it (duckdb_row_key.h).
  if (FunctionKnown(conn, kScanFunction, "table")) return Status::Ok();
  return FailedPrecondition(std::string("cannot register the table function ") + kScanFunction + " with DuckDB");
}

}  // namespace

JobFileScan::~JobFileScan() {
  if (id_ == 0) return;
  std::lock_guard<std::mutex> lock(g_scans_mu);
  g_scans.erase(id_);
}

JobFileScan::JobFileScan(JobFileScan&& other) noexcept
    : id_(std::exchange(other.id_, 0)), sql_(std::move(other.sql_)) {}

JobFileScan& JobFileScan::operator=(JobFileScan&& other) noexcept {
  if (this != &other) {
    JobFileScan gone(std::move(*this));
    id_ = std::exchange(other.id_, 0);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Status Connection::EnableJobScans() {
  if (!handle_) return Closed("the DuckDB connection");
  if (scan_registered_) return Status::Ok();
  DLT_RETURN_IF_ERROR(RegisterScanFunction(static_cast<duckdb_connection>(handle_)));
  DLT_RETURN_IF_ERROR(RegisterRowKeyFunction(static_cast<duckdb_connection>(handle_)));
  scan_registered_ = true;
  return Status::Ok();
}

StatusOr<JobFileScan> Connection::ScanJobFiles(std::vector<std::string> files, std::vector<ScanColumn> columns) {
  if (!handle_) return Closed("the DuckDB connection");
  if (columns.empty()) return InvalidArgument("a scan of CSV job files needs at least one column");
  if (!scan_registered_) return FailedPrecondition("ScanJobFiles needs EnableJobScans() on the connection first");
  auto spec = std::make_shared<ScanSpec>();
  spec->files = std::move(files);
  spec->columns = std::move(columns);
  JobFileScan scan;
  {
    std::lock_guard<std::mutex> lock(g_scans_mu);
    scan.id_ = g_next_scan_id++;
    g_scans.emplace(scan.id_, std::move(spec));
  }
  scan.sql_ = std::string(kScanFunction) + "(" + std::to_string(scan.id_) + ")";
  return scan;
}

}  // namespace dlt::duckdb
