// dlt.sources.filesystem's readers, run by the engine: `filesystem(...) | read_csv()` hands the
// engine a PyFileReader and the files Python listed; CSV and Parquet rows are read by DuckDB into
// typed batches (src/destinations/duckdb/duckdb_file_source.h), JSON Lines by the engine's JSON reader. No row
// passes through Python.
#include "py_filesystem.h"

#include <pybind11/stl.h>

#include <utility>

#include "extract/resource_access.h"
#include "extract/row_limit_source.h"

namespace dlt::python {

namespace py = pybind11;

PyFileReader::PyFileReader(std::string format, std::optional<std::string> delimiter, std::optional<bool> header,
                           std::optional<uint64_t> max_rows)
    : format_(std::move(format)), max_rows_(max_rows) {
  if (format_ != "csv" && format_ != "parquet" && format_ != "jsonl") {
    throw py::value_error("file reader format must be csv, parquet or jsonl, not `" + format_ + "`");
  }
  csv_.delimiter = std::move(delimiter);
  csv_.header = header;
}

Resource PyFileReader::Make(ResourceOptions options, const std::vector<std::string>& files) const {
  // No file to read (none matched, or none is new for the incremental): a resource without rows,
  // so that the run still stores the state Python kept.
  if (files.empty()) return ResourceAccess::FromBatches(std::move(options), std::vector<TypedBatch>{});
  Resource all = Resource::FromFiles(options, files, "/", format_, csv_);
  if (!max_rows_) return all;
  const uint64_t max_rows = *max_rows_;
  return ResourceAccess::FromSource(std::move(options), [all, max_rows](const ExtractContext& context)
                                                             -> StatusOr<std::unique_ptr<RecordSource>> {
    DLT_ASSIGN_OR_RETURN(auto source, ResourceAccess::OpenSource(all, context));
    return LimitRows(std::move(source), max_rows);
  });
}

void RegisterFilesystem(py::module_& m) {
  py::class_<PyFileReader>(m, "FileReader")
      .def(py::init<std::string, std::optional<std::string>, std::optional<bool>, std::optional<uint64_t>>(),
           py::arg("format"), py::arg("delimiter") = py::none(), py::arg("header") = py::none(),
           py::arg("max_rows") = py::none())
      .def_property_readonly("format", &PyFileReader::format);
}

}  // namespace dlt::python
