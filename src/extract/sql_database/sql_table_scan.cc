// The scan of one sql_database resource (sql_table_scan.h).
#include "extract/sql_database/sql_table_scan.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <utility>

#include "common/typed_json.h"

namespace dlt::sql_source {

namespace {

StatusOr<nlohmann::json> ParseValue(const std::string& json, const std::string& what, const std::string& resource) {
  // Values may be dlt's typed JSON (Python writes a datetime as a marked string; the state holds
  // them so too): the server compares the value's own text.
  auto v = nlohmann::json::parse(typed_json::StripInJson(json), nullptr, false);
  if (v.is_discarded()) {
    return InvalidArgument("sql_database resource `" + resource + "`: the incremental's " + what +
                           " is not a JSON value");
  }
  return v;
}

}  // namespace

StatusOr<ScanRequest> CursorRequest(const TableScanPlan& plan, const ExtractContext& ctx) {
  ScanRequest req;
  req.table = plan.table;
  req.chunk_size = plan.chunk_size;
  if (!plan.incremental) return req;
  const IncrementalOptions& inc = *plan.incremental;
  req.cursor_column = inc.cursor_path;
  // Where reading starts: the stored last value, else the initial value. A backfill range
  // (end_value) neither reads nor moves the state, as in dlt.
  std::optional<nlohmann::json> start, end;
  if (!inc.end_value_json && ctx.last_value) {
    if (auto last = ctx.last_value(plan.resource, inc.cursor_path)) {
      DLT_ASSIGN_OR_RETURN(start, ParseValue(last->dump(), "last value", plan.resource));
    }
  }
  if (!start && inc.initial_value_json) {
    DLT_ASSIGN_OR_RETURN(start, ParseValue(*inc.initial_value_json, "initial_value", plan.resource));
  }
  if (inc.end_value_json) {
    DLT_ASSIGN_OR_RETURN(end, ParseValue(*inc.end_value_json, "end_value", plan.resource));
  }
  const bool start_inclusive = inc.range_start != "open";
  const bool end_inclusive = inc.range_end == "closed";
  if (inc.last_value_func == "min") {
    // A cursor that decreases: new rows are at or below the last value.
    req.descending = true;
    if (start) req.cursor_upper = Bound{*start, start_inclusive};
    if (end) req.cursor_lower = Bound{*end, end_inclusive};
  } else {
    if (start) req.cursor_lower = Bound{*start, start_inclusive};
    if (end) req.cursor_upper = Bound{*end, end_inclusive};
  }
  req.cursor_nulls = inc.on_cursor_value_missing == "include";
  return req;
}

StatusOr<std::unique_ptr<BatchSource>> OpenTableScan(const std::shared_ptr<SqlReader>& reader,
                                                     const TableScanPlan& plan, const ExtractContext& ctx) {
  DLT_ASSIGN_OR_RETURN(ScanRequest req, CursorRequest(plan, ctx));
  // Readers keep one catalog connection: resources opened on different threads take turns.
  static std::mutex reader_mu;
  std::lock_guard<std::mutex> lock(reader_mu);
  int workers = plan.parallel_chunks > 0 ? plan.parallel_chunks
                                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto& pk = plan.table.primary_key;
  req.limit = plan.max_rows;
  if (workers > 1 && !plan.max_rows) {
    DLT_ASSIGN_OR_RETURN(auto parts, reader->StorageChunks(req, workers, static_cast<uint64_t>(workers) * plan.chunk_size));
    if (!parts.empty()) return CombineChunks(std::move(parts), plan.table.DisplayName());
  }
  if (workers > 1 && pk.size() == 1 && !plan.max_rows) {
    auto col = std::find_if(plan.table.columns.begin(), plan.table.columns.end(),
                            [&](const SourceColumn& c) { return c.column.name == pk[0]; });
    if (col != plan.table.columns.end() && col->column.data_type == DataType::kBigint) {
      DLT_ASSIGN_OR_RETURN(auto range, reader->KeyRange(plan.table, pk[0]));
      if (range && range->first.is_number_integer() && range->second.is_number_integer()) {
        int64_t lo = range->first.get<int64_t>(), hi = range->second.get<int64_t>();
        // Worth it only when every connection gets at least a batch's worth of keys.
        uint64_t keys = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
        if (keys >= static_cast<uint64_t>(workers) * plan.chunk_size) {
          return OpenChunkedScan(*reader, req, pk[0], SplitKeyRange(lo, hi, workers), plan.table.DisplayName());
        }
      }
    }
  }
  return reader->Scan(req);
}

}  // namespace dlt::sql_source
