// dlt._native: the engine for the Python package (python/dlt/). One extension module; the
// core library (dltcore) stays free of Python.
#include <pybind11/pybind11.h>

#include "dlt/version.h"
#include "py_filesystem.h"
#include "py_http.h"
#include "py_naming.h"
#include "py_pipeline.h"
#include "py_rest_api.h"
#include "py_rows.h"
#include "py_sink.h"

namespace py = pybind11;

PYBIND11_MODULE(_native, m) {
  m.doc() = "The native engine of the dlt-cpp Python package";
  if (!dlt::python::InitRowTypes()) throw py::error_already_set();
  py::register_exception<dlt::python::EngineError>(m, "EngineError");
  m.attr("engine_version") = DLT_VERSION;
  dlt::python::RegisterPipeline(m);
  dlt::python::RegisterRestApi(m);
  dlt::python::RegisterFilesystem(m);
  dlt::python::RegisterHttp(m);
  dlt::python::RegisterSqlDatabase(m);
  dlt::python::RegisterEngineRows(m);
  dlt::python::RegisterSink(m);
  dlt::python::RegisterNaming(m);
  // One value as typed JSON (incremental initial values, state).
  m.def("typed_json", [](py::handle obj) {
    std::string out, error;
    if (!dlt::python::AppendRowJson(obj.ptr(), out, error)) throw py::type_error(error);
    return out;
  });
}
