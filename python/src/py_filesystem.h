// File readers of dlt.sources.filesystem (read_csv, read_parquet, read_jsonl) as engine
// resources: Python lists the files (and applies the incremental on their modification date);
// the engine reads their rows (see py_filesystem.cc).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dlt/resource.h"

namespace dlt::python {

class PyFileReader {
 public:
  // `format`: csv | parquet | jsonl; `delimiter` / `header`: CSV options (None: detected);
  // `max_rows`: at most this many rows of all files (dlt's add_limit on the reader).
  PyFileReader(std::string format, std::optional<std::string> delimiter, std::optional<bool> header,
               std::optional<uint64_t> max_rows = std::nullopt);
  // The other CSV options (include/dlt/resource.h CsvOptions), checked: ValueError when one is not
  // allowed.
  void SetCsv(std::optional<std::string> quote, std::optional<std::string> encoding, uint64_t skip_rows,
              std::vector<std::string> names, std::vector<std::string> columns, std::vector<std::string> null_values,
              std::vector<std::pair<std::string, std::string>> types, bool all_text,
              bool columns_in_file_order = false);
  const std::string& format() const { return format_; }
  // The resource reading `files` (absolute paths) with `options` as its hints.
  Resource Make(ResourceOptions options, const std::vector<std::string>& files) const;

 private:
  std::string format_;
  CsvOptions csv_;
  std::optional<uint64_t> max_rows_;
};

void RegisterFilesystem(pybind11::module_& m);

}  // namespace dlt::python
