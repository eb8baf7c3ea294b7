// dlt._native.EngineRows: an engine resource (sql_table, a rest_api resource, a file reader)
// read in Python, as `list(resource)` or a transformer over it reads it in dlt. The engine
// reads the rows as in a run, outside any pipeline (no incremental state: the cursor starts at
// its initial value, as dlt's outside a pipeline), and hands them over a page at a time as
// dlt's typed JSON (a JSON array of up to 1000 rows) that the Python side decodes.
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "extract/extractor.h"
#include "extract/resource_access.h"
#include "py_engine_pages.h"
#include "py_pipeline.h"
#include "py_source.h"

namespace dlt::python {

namespace py = pybind11;

namespace {

class PyEngineRows {
 public:
  // `item`: one engine item as python/dlt/pipeline/_data.py makes it for a run.
  PyEngineRows(const py::object& workspace, const py::tuple& item) : errors_(std::make_shared<PyErrorSlot>()) {
    const Workspace& ws = GetWorkspace(workspace);
    std::vector<Resource> made;
    StatusOr<bool> engine = EngineResources(ws, "", item, errors_, &made);
    if (!engine.ok()) throw EngineError(engine.status());
    if (!*engine || made.size() != 1) throw py::value_error("EngineRows takes one engine resource");
    resource_ = std::make_unique<Resource>(std::move(made.front()));
  }

  // The next page's rows as a JSON array; StopIteration at the end.
  py::str Next() {
    if (!source_) Open();
    std::string page = "[";
    size_t rows = 0;
    Status s = Status::Ok();
    {
      py::gil_scoped_release release;
      s = pages_.Fill(*source_, page, rows, nullptr);
    }
    if (!s.ok()) {
      if (PyObject* e = errors_->Release()) {
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(e)), e);
        Py_DECREF(e);
        throw py::error_already_set();
      }
      throw EngineError(s);
    }
    if (rows == 0) throw py::stop_iteration();
    page += ']';
    return py::str(page);
  }

 private:
  static const Workspace& GetWorkspace(const py::object& w) {
    // dlt._native.Workspace (PyWorkspace), as dlt._engine.workspace() returns it.
    return w.cast<const PyWorkspace&>().get();
  }

  void Open() {
    ExtractContext context;
    context.last_value = [](std::string_view, std::string_view) { return std::optional<nlohmann::ordered_json>(); };
    StatusOr<std::unique_ptr<RecordSource>> opened = Status::Ok();
    {
      py::gil_scoped_release release;
      opened = ResourceAccess::OpenSource(*resource_, context);
    }
    if (!opened.ok()) throw EngineError(opened.status());
    source_ = std::move(opened).value();
  }

  std::shared_ptr<PyErrorSlot> errors_;
  std::unique_ptr<Resource> resource_;
  std::unique_ptr<RecordSource> source_;
  EnginePages pages_;
};

}  // namespace

void RegisterEngineRows(py::module_& m) {
  py::class_<PyEngineRows>(m, "EngineRows")
      .def(py::init<const py::object&, const py::tuple&>(), py::arg("workspace"), py::arg("item"))
      .def("__iter__", [](PyEngineRows& self) -> PyEngineRows& { return self; })
      .def("__next__", &PyEngineRows::Next);
}

}  // namespace dlt::python
