// The extract of a resource whose records name their own tables (dlt's table_name functions:
// `@dlt.resource(table_name=lambda item: item["type"])`, and records marked with
// `dlt.mark.with_table_name`). Each table gets its own job files, so normalize gives every table
// the resource's hints under that table's name (nested tables follow each); the resource keeps
// one incremental cursor over all its records, as dlt keeps it per resource, applied before a
// record is routed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "extract/extractor.h"

namespace dlt {

// Writes one-line records to `out_dir`/<stem>_<part>.0.jsonl files per table, where
// `stem_for(table)` names a table's files when its first record arrives; parts of about
// `part_bytes` each (0 = one file per table). Finish makes every part durable.
class RoutedTableWriter {
 public:
  RoutedTableWriter(std::filesystem::path out_dir, std::function<std::string(const std::string& table)> stem_for,
                    uint64_t part_bytes, ExtractStats* stats);
  ~RoutedTableWriter();
  RoutedTableWriter(const RoutedTableWriter&) = delete;
  RoutedTableWriter& operator=(const RoutedTableWriter&) = delete;

  Status Write(const std::string& table, std::string_view line);
  Status Finish();

 private:
  struct TableOut {
    std::string stem;
    std::filesystem::path path;
    FILE* file = nullptr;
    int part = 0;
    uint64_t written = 0;
  };
  Status Open(TableOut& t);
  Status Close(TableOut& t);

  std::filesystem::path out_dir_;
  std::function<std::string(const std::string&)> stem_for_;
  uint64_t part_bytes_;
  ExtractStats* stats_;
  std::map<std::string, TableOut> outs_;
};

// Reads `source` (routes_tables() is true) into `out_dir`/<stem>_<part>.0.jsonl files, where
// `stem_for(table)` names a table's files when its first record arrives (the caller registers
// the table's hints under that stem). A record must be a JSON object; one whose table is empty
// fails the extract naming it. Parts of about `part_bytes` each per table (0 = one file).
Status ExtractRoutedResource(RecordSource& source, const std::filesystem::path& out_dir,
                             const std::function<std::string(const std::string& table)>& stem_for,
                             const std::optional<IncrementalSpec>& incremental,
                             nlohmann::ordered_json* incremental_state, ExtractStats* stats,
                             const std::function<void(const ExtractStats&, uint64_t)>& progress,
                             uint64_t part_bytes);

}  // namespace dlt
