// Internals of the extract step (extractor.h), shared by its files: extractor.cc (part files),
// record_validator.cc (JSON checked on a second thread), incremental_filter.cc (the cursor),
// row_hash.cc (rows hashed as dlt hashes them) and record_sources.cc (where records came from).
#pragma once

#include <simdjson.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/typed_json.h"
#include "dlt/status.h"
#include "extract/extractor.h"

namespace dlt {

namespace dom = simdjson::dom;

namespace extract_internal {

// The error for a record simdjson refused (record_validator.cc).
Status InvalidJson(simdjson::error_code err, std::string_view json, const std::string& where);

// row_hash.cc: compact JSON with object keys sorted (as orjson with OPT_SORT_KEYS writes it), and
// the hash of a row (IncrementalRowHash, of a parsed row).
void SortedJson(dom::element e, std::string& out);
std::string HashOf(dom::element e);

// record_sources.cc: the file of <package>/record_sources/ that names where the records of
// `part_file` came from.
std::filesystem::path RecordSourcesFile(const std::filesystem::path& part_file);

// Lines of the part being written, buffered up to about 1 MB before a write, with where each
// record came from (only read for an error message).
struct OutputChunk {
  std::string text;  // one record per line
  std::string where;
  std::vector<uint32_t> where_ends;
  void Clear() {
    text.clear();
    where.clear();
    where_ends.clear();
  }
};

// Checks records on a second thread: most records (one-line objects, no incremental cursor) are
// copied as they are and need parsing only to be validated. Each chunk of lines goes there once
// written, and comes back to be filled again. A record found invalid fails the extract, whose
// package is then never published, so writing ahead of the check is harmless.
class ParallelValidator {
 public:
  ParallelValidator() : thread_([this] { Work(); }) {}
  ~ParallelValidator() { (void)Finish(); }

  // Queues a chunk (every line of it is checked) and returns an empty one to fill; the first
  // error found so far, if any (records before it are all valid).
  StatusOr<OutputChunk> Swap(OutputChunk chunk);

  // Waits for every queued record to be checked; the first error, if any.
  Status Finish();

 private:
  static constexpr size_t kMaxPending = 4;

  void Work();

  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<OutputChunk> pending_;
  std::vector<OutputChunk> free_;
  bool done_ = false;
  Status error_ = Status::Ok();
  std::thread thread_;
};

// Comparable form of a cursor value: numbers numerically (exactly when both are integers or
// typed-JSON decimals), ISO timestamps as UTC instants, other strings as text.
struct CursorKey {
  bool numeric = false;
  double num = 0;
  std::string decimal;  // exact decimal text of an integer or a marked decimal, else empty
  std::string text;
  int Compare(const CursorKey& o) const {
    if (numeric && o.numeric) {
      if (!decimal.empty() && !o.decimal.empty()) return typed_json::CompareDecimal(decimal, o.decimal);
      return num < o.num ? -1 : (num > o.num ? 1 : 0);
    }
    int c = text.compare(o.text);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
};

// A step of the cursor path, a JSONPath as dlt compiles it: a field, a list index, or `[*]` / `*`
// (any key or item: the first value found counts, as dlt's find_values(...)[0]).
struct CursorStep {
  enum class Kind { kKey, kIndex, kAny } kind = Kind::kKey;
  std::string key;
  int64_t index = 0;
};

// The incremental cursor's filter of one extract (incremental_filter.cc).
class IncrementalFilter {
 public:
  IncrementalFilter(const IncrementalSpec& spec, nlohmann::ordered_json* state);

  // Decides whether a record passes; errors name the record.
  StatusOr<bool> Keep(dom::element record, const std::string& where);

  // What identifies a row at the boundary, as dlt's compute_unique_value: the hash of the JSON of
  // the primary key's value(s) when the resource has one, of the whole row otherwise; nullopt
  // when de-duplication is off (an empty key).
  StatusOr<std::optional<std::string>> UniqueValue(dom::element record, const std::string& where);

  void Finish();

 private:
  IncrementalSpec spec_;
  nlohmann::ordered_json* state_;
  nlohmann::ordered_json scratch_;  // the state of a backfill range (end_value), discarded
  int dir_ = 1;                     // -1: last_value_func = min
  std::optional<CursorKey> end_key_;
  std::vector<CursorStep> path_;
  nlohmann::ordered_json start_;
  std::optional<CursorKey> start_key_;
  std::set<std::string> old_hashes_;
  std::optional<CursorKey> max_key_;
  nlohmann::ordered_json max_;
  std::vector<std::string> max_hashes_;  // in the order first seen
  std::set<std::string> max_hash_set_;
};

}  // namespace extract_internal

}  // namespace dlt
