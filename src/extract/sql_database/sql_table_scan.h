// How a sql_database resource reads its table when the extract step opens it: the incremental
// cursor's range from the pipeline's state (so the server sends only new rows), and, for big
// tables with an integer key, key-range chunks read on several connections at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlt/resource.h"
#include "extract/extractor.h"
#include "extract/resource_access.h"
#include "extract/sql_database/sql_reader.h"

namespace dlt::sql_source {

struct TableScanPlan {
  SourceTable table;
  std::string resource;  // the resource's name: the key of its incremental state
  size_t chunk_size = 50000;
  int parallel_chunks = 0;  // 0: one per core; 1: one connection
  std::optional<IncrementalOptions> incremental;
  // dlt's add_limit in rows: one query with `LIMIT`, never key-range chunks (whose rows come in
  // no order, so a limit would keep rows from the middle of the table).
  std::optional<uint64_t> max_rows;
};

// The cursor part of the scan of `plan` at the state `ctx` gives (lower/upper bounds, order,
// NULL cursors); sets nothing without an incremental.
StatusOr<ScanRequest> CursorRequest(const TableScanPlan& plan, const ExtractContext& ctx);

// [min, max] cut into at most `parts` consecutive ranges [first, last] of at least one key each,
// covering every key once (parallel_chunk_scan.cc).
std::vector<std::pair<int64_t, int64_t>> SplitKeyRange(int64_t min, int64_t max, int parts);

// Reads `base` in the key ranges of `ranges` (of column `key`), one connection and thread per
// range, yielding their batches as they come (row order is not kept). `name` names the table.
StatusOr<std::unique_ptr<BatchSource>> OpenChunkedScan(SqlReader& reader, const ScanRequest& base,
                                                       const std::string& key,
                                                       const std::vector<std::pair<int64_t, int64_t>>& ranges,
                                                       std::string name);

// Reads the scans of `parts` at once, one thread each, yielding their batches as they come.
std::unique_ptr<BatchSource> CombineChunks(std::vector<std::unique_ptr<BatchSource>> parts, std::string name);

// The scan of a resource: one query, or chunks read at once when parallel_chunks allows and the
// table holds at least a batch of rows per chunk: the reader's storage chunks (PostgreSQL 14+
// tables: heap page ranges in one snapshot), else key ranges of a single integer primary key.
StatusOr<std::unique_ptr<BatchSource>> OpenTableScan(const std::shared_ptr<SqlReader>& reader,
                                                     const TableScanPlan& plan, const ExtractContext& ctx);

}  // namespace dlt::sql_source
