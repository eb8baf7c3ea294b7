// The extract step: reads records from a source, validates them as JSON, applies the
// incremental cursor, and writes them into the extracted package (one JSON document per line).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/resource.h"
#include "dlt/status.h"

namespace dlt {

class TypedBatch;  // normalize/typed_batch.h
class RoutedTableWriter;  // extract/routed_extract.h

// What a source yields: JSON documents (Next) or typed column batches (NextBatch).
enum class SourceKind { kJson, kTyped };

// Where records come from. `where` names the record for error messages ("events.jsonl:12").
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  virtual SourceKind kind() const { return SourceKind::kJson; }
  // Returns false at the end.
  virtual StatusOr<bool> Next(std::string_view* json, std::string* where) = 0;
  // kTyped sources: replaces `batch` with the next batch of rows and returns true, or returns
  // false at the end. `where` names the batch for error messages ("orders batch 3").
  virtual StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) {
    (void)batch;
    (void)where;
    return FailedPrecondition("this source yields JSON documents, not typed batches");
  }
  virtual uint64_t bytes_read() const { return 0; }
  // True when records come slower than they are normalized (user code that holds a core of its
  // own, as a Python generator does): the run then normalizes the part files extracted so far
  // while more come (pipeline/pre_normalize.h).
  virtual bool slow_producer() const { return false; }
  // True when every document Next() yields is valid JSON (a source that writes it itself, as the
  // Python binding does): extract then copies one-line objects without parsing them again.
  virtual bool json_is_valid() const { return false; }
  // Sources whose `where` is "<name>:<line>" may also give the two parts of the last record's
  // location (name nullptr: they do not), which spares parsing `where` for every record.
  virtual const std::string* last_name() const { return nullptr; }
  virtual uint64_t last_line() const { return 0; }
  // Sources that name each record's table themselves (dlt's table_name functions) return true;
  // table() is then the table of the record Next() returned last (see routed_extract.h).
  // Other sources may still name the table of some records (dlt.mark.with_table_name): table()
  // is then non-null for those, and null for the records of the resource's own table.
  virtual bool routes_tables() const { return false; }
  virtual const std::string* table() const { return nullptr; }
  // Hints the source gave while it was read (dlt.mark.with_hints), read when the extract ends:
  // those of a table it routed records to (null: the resource's), and the resource's own as
  // they ended up (null: unchanged).
  virtual const ResourceOptions* table_options(const std::string& table) const {
    (void)table;
    return nullptr;
  }
  virtual const ResourceOptions* resource_options() const { return nullptr; }
  // Sources that read whole CSV or Parquet files as they are: those files, each with its format
  // ("csv" or "parquet"), so that the extract may keep them as they are (pipeline/file_items.h);
  // nullptr for other sources. Only read before the first Next/NextBatch.
  struct WholeFile {
    std::filesystem::path path;
    std::string format;
  };
  virtual const std::vector<WholeFile>* whole_files() const { return nullptr; }
  // Told, after each record Next() returned (each item of an array), whether the resource's
  // incremental filter kept it (ExtractResource; only for resources with an incremental). A
  // source whose rows other resources read (a REST API parent) hands on only those kept, as
  // dlt's transformers read their parent's items after its Incremental step.
  virtual void IncrementalVerdict(bool kept) { (void)kept; }
};

struct IncrementalSpec {
  std::string cursor_path;                    // "updated_at" or "a.b" (also "$.a.b")
  std::optional<nlohmann::ordered_json> initial_value;
  std::string on_cursor_value_missing = "raise";  // raise | include | exclude
  // Rows at the boundary are remembered by a hash of the values of these keys (dlt hashes the
  // JSON of `row[key]` for one key given as a name, of `[row[k1], ...]` for a list); unset: by
  // a hash of the whole row; an empty list: not remembered (no de-duplication).
  std::optional<std::vector<std::string>> dedup_key;
  bool dedup_key_is_list = false;
  std::string resource_name;  // for errors
  // See IncrementalOptions: a fixed range (state untouched), a decreasing cursor, range edges.
  std::optional<nlohmann::ordered_json> end_value;
  bool decreasing = false;
  bool range_start_open = false;
  bool range_end_closed = false;
};

// The incremental of a resource as an extract applies it (its own primary_key wins for the
// boundary rows, then the resource's, as dlt's set_deduplication_key); nullopt without one.
std::optional<IncrementalSpec> IncrementalSpecOf(const ResourceOptions& options);

struct ExtractStats {
  uint64_t records_in = 0;       // records read from the source
  uint64_t records_out = 0;      // records written (after the incremental filter)
  uint64_t records_skipped = 0;  // dropped by the incremental filter
  uint64_t bytes = 0;            // bytes written to the package
  std::vector<std::string> files;  // job files written (names inside the package's new_jobs)
};

// The incremental cursor's filter for one extract, for record kinds that are not JSON text
// (typed batches give each row as a JSON object): what ExtractResource applies to records.
class IncrementalRowFilter {
 public:
  IncrementalRowFilter(const IncrementalSpec& spec, nlohmann::ordered_json* state);
  ~IncrementalRowFilter();
  // Whether the row (a JSON object) passes; errors name `where`.
  StatusOr<bool> Keep(std::string_view row_json, const std::string& where);
  // Writes the new cursor state into `state` (after every row passed Keep).
  void Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Extracts one resource into `out_dir`/<file_stem>_<part>.0.jsonl files of about `part_bytes`
// each (0 = one file). `incremental_state` is the resource's `incremental.<cursor>` state object,
// updated in place when the extract succeeds. With `routed`, records the source names a table
// for (RecordSource::table) go there instead (finished before this returns). `part_closed` is
// called with each part file that is complete while the extract goes on (not with the last).
Status ExtractResource(RecordSource& source, const std::filesystem::path& out_dir, const std::string& file_stem,
                       const std::optional<IncrementalSpec>& incremental,
                       nlohmann::ordered_json* incremental_state, ExtractStats* stats,
                       const std::function<void(const ExtractStats&, uint64_t source_bytes)>& progress = {},
                       uint64_t part_bytes = 16ull << 20, RoutedTableWriter* routed = nullptr,
                       const std::function<void(const std::filesystem::path&)>& part_closed = {});

// Where the records of an extracted part file came from, for error messages of later stages:
// ExtractResource writes <package>/record_sources/<part file>.json, a few segments of
// [first record index, the source location of that record] ("orders.jsonl:12"); following records
// of a segment have consecutive locations. Returns the location of record `index` (0-based) of
// `part_file`, or nullopt when it is not known.
std::optional<std::string> RecordSourceLocation(const std::filesystem::path& part_file, uint64_t index);

// Row hash used by the incremental boundary de-duplication:
// base64(shake_128(sorted-key compact JSON of the record), 15 bytes) without padding.
StatusOr<std::string> IncrementalRowHash(std::string_view json);

}  // namespace dlt
