// dlt.sources.filesystem's readers, run by the engine: `filesystem(...) | read_csv()` hands the
// engine a PyFileReader and the files Python listed; CSV and Parquet rows are read by DuckDB into
// typed batches (src/destinations/duckdb/duckdb_file_source.h), JSON Lines by the engine's JSON reader. No row
// passes through Python.
#include "py_filesystem.h"

#include <pybind11/stl.h>

#include <utility>

#include "destinations/filesystem/s3_client.h"
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

void PyFileReader::SetCsv(std::optional<std::string> quote, std::optional<std::string> encoding, uint64_t skip_rows,
                          std::vector<std::string> names, std::vector<std::string> columns,
                          std::vector<std::string> null_values, std::vector<std::pair<std::string, std::string>> types,
                          bool all_text, bool columns_in_file_order) {
  CsvOptions csv = csv_;
  csv.columns_in_file_order = columns_in_file_order;
  csv.quote = std::move(quote);
  csv.encoding = std::move(encoding);
  csv.skip_rows = skip_rows;
  csv.names = std::move(names);
  csv.columns = std::move(columns);
  csv.null_values = std::move(null_values);
  csv.types = std::move(types);
  csv.all_text = all_text;
  if (Status s = CheckCsvOptions(csv); !s.ok()) throw py::value_error(s.message());
  csv_ = std::move(csv);
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

namespace {

// An S3 bucket the filesystem source lists and reads (s3://bucket/prefix): the destination's
// signed client. Failures raise OSError naming the bucket and key; the secret key is in no
// message and no repr.
class PyS3Bucket {
 public:
  PyS3Bucket(std::string bucket, std::string key_id, std::string secret, std::string region, std::string endpoint) {
    S3Settings s;
    s.bucket = std::move(bucket);
    s.key_id = std::move(key_id);
    s.secret = std::move(secret);
    if (!region.empty()) s.region = std::move(region);
    s.endpoint = std::move(endpoint);
    client_.emplace(std::move(s));
  }

  // [(key, size, last_modified)] of every object whose key starts with `prefix`.
  py::list List(const std::string& prefix) {
    StatusOr<std::vector<S3Object>> objects = Status::Ok();
    {
      py::gil_scoped_release release;
      objects = client_->ListObjects(prefix);
    }
    if (!objects.ok()) throw OsError(objects.status());
    py::list out;
    for (const auto& o : *objects) out.append(py::make_tuple(o.key, o.size, o.last_modified));
    return out;
  }

  // Writes the object to `path` (a new local file), a range at a time (S3Client::Download).
  // `size`: the object's size from the listing (else the client asks for it).
  void Download(const std::string& key, const std::string& path, std::optional<uint64_t> size) {
    Status s = Status::Ok();
    {
      py::gil_scoped_release release;
      s = client_->Download(key, path, size);
    }
    if (!s.ok()) throw OsError(s);
  }

  py::bytes Read(const std::string& key) { return py::bytes(Get(key)); }

  std::string Repr() const { return "<S3Bucket s3://" + client_->settings().bucket + ">"; }

 private:
  std::string Get(const std::string& key) {
    StatusOr<std::optional<std::string>> got = Status::Ok();
    {
      py::gil_scoped_release release;
      got = client_->Get(key);
    }
    if (!got.ok()) throw OsError(got.status());
    if (!*got) throw OsError(NotFound(client_->Display(key) + ": no such object"));
    return std::move(**got);
  }
  static py::error_already_set OsError(const Status& s) {
    // A missing object is FileNotFoundError, as fsspec raises it (an OSError too).
    PyErr_SetString(s.code() == StatusCode::kNotFound ? PyExc_FileNotFoundError : PyExc_OSError, s.message().c_str());
    return py::error_already_set();
  }
  std::optional<S3Client> client_;
};

}  // namespace

void RegisterFilesystem(py::module_& m) {
  py::class_<PyS3Bucket>(m, "S3Bucket")
      .def(py::init<std::string, std::string, std::string, std::string, std::string>(), py::arg("bucket"),
           py::arg("key_id"), py::arg("secret"), py::arg("region"), py::arg("endpoint"))
      .def("list", &PyS3Bucket::List, py::arg("prefix"))
      .def("download", &PyS3Bucket::Download, py::arg("key"), py::arg("path"), py::arg("size") = py::none())
      .def("read", &PyS3Bucket::Read, py::arg("key"))
      .def("__repr__", &PyS3Bucket::Repr);
  py::class_<PyFileReader>(m, "FileReader")
      .def(py::init<std::string, std::optional<std::string>, std::optional<bool>, std::optional<uint64_t>>(),
           py::arg("format"), py::arg("delimiter") = py::none(), py::arg("header") = py::none(),
           py::arg("max_rows") = py::none())
      .def("set_csv", &PyFileReader::SetCsv, py::arg("quote") = py::none(), py::arg("encoding") = py::none(),
           py::arg("skip_rows") = 0, py::arg("names") = std::vector<std::string>{},
           py::arg("columns") = std::vector<std::string>{}, py::arg("null_values") = std::vector<std::string>{},
           py::arg("types") = std::vector<std::pair<std::string, std::string>>{}, py::arg("all_text") = false,
           py::arg("columns_in_file_order") = false)
      .def_property_readonly("format", &PyFileReader::format);
}

}  // namespace dlt::python
