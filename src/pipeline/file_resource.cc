// Resource::FromFiles (include/dlt/resource.h): files by glob, read by the JSON reader
// (extract/) or, for CSV and Parquet, by DuckDB into typed batches
// (destinations/duckdb/duckdb_file_source.h). It is defined here, above both layers, because the
// extract layer does not depend on a destination's library.
#include <optional>

#include "destinations/duckdb/duckdb_file_source.h"
#include "dlt/resource.h"
#include "extract/json_reader.h"
#include "extract/resource_access.h"

namespace dlt {

namespace fs = std::filesystem;

Resource Resource::FromFiles(ResourceOptions options, std::vector<std::string> patterns, fs::path base_dir,
                             std::string format, CsvOptions csv) {
  std::string name = options.name;
  auto open = [patterns, base_dir, format, csv, name](const ExtractContext&) -> StatusOr<std::unique_ptr<RecordSource>> {
    JsonFormat f = JsonFormat::kAuto;
    const std::optional<TabularFormat> tabular = ParseTabularFormat(format);
    const bool json = format == "jsonl" || format == "ndjson" || format == "json";
    if (format == "jsonl" || format == "ndjson") f = JsonFormat::kJsonLines;
    else if (format == "json") f = JsonFormat::kJsonArray;
    else if (format != "auto" && !format.empty() && !tabular) {
      return InvalidArgument("resource `" + name + "`: unknown format `" + format +
                             "` (use jsonl, json, csv, parquet or auto)");
    }
    std::vector<fs::path> files;
    for (const auto& p : patterns) {
      if (p == "-") {
        if (tabular) return InvalidArgument("resource `" + name + "`: " + format + " cannot be read from standard input");
        files.emplace_back("-");
        continue;
      }
      auto found = ExpandGlob(p, base_dir);
      if (!found.ok()) return found.status().WithContext("resource `" + name + "`");
      files.insert(files.end(), found->begin(), found->end());
    }
    if (files.empty()) return InvalidArgument("resource `" + name + "` has no input files (set `path`)");
    // "auto" decides by the files' names. A resource reads either kind, not both: its rows are
    // either JSON documents or typed batches.
    std::vector<TabularFormat> formats;
    for (const auto& file : files) {
      std::optional<TabularFormat> t = tabular;
      if (!t && !json && file != "-") t = TabularFormatOf(file);
      if (t) formats.push_back(*t);
    }
    if (!formats.empty() && formats.size() != files.size()) {
      return InvalidArgument("resource `" + name + "` mixes CSV/Parquet files with JSON files (" +
                             files.front().string() + ", ...): give each kind its own resource");
    }
    if (!formats.empty()) {
      CsvOptions checked = csv;
      if (Status s = CheckCsvOptions(checked); !s.ok()) return s.WithContext("resource `" + name + "`");
      return std::unique_ptr<RecordSource>(MakeFileBatchSource(std::move(files), std::move(formats), std::move(checked)));
    }
    return MakeJsonFileSource(std::move(files), f);
  };
  return ResourceAccess::FromSource(std::move(options), std::move(open));
}

}  // namespace dlt
