// set_sink_handler(fn): the Python function the engine calls for each job of a package loaded
// into a custom destination (python/dlt/destinations/_sink.py). It is called with the job as a
// dict, with the GIL held, on the thread that loads; it returns None when the job is done, or
// ("retry" | "terminal", message) when the user's function failed (retry: the package stays
// pending; terminal: dlt's DestinationTerminalException, the job is given up). A Python error of
// the handler itself counts as "retry".
#include "py_sink.h"

#include <memory>

#include "destinations/sink/sink_destination.h"

namespace py = pybind11;

namespace dlt::python {

namespace {

SinkResult CallHandler(const std::shared_ptr<py::object>& handler, const SinkJob& job) {
  py::gil_scoped_acquire gil;
  try {
    py::dict d;
    d["destination_name"] = job.destination_name;
    d["load_id"] = job.load_id;
    d["table_name"] = job.table;
    d["schema"] = py::bytes(job.schema_json);
    d["items_path"] = job.items.string();
    d["file_format"] = job.format;
    d["storage_id"] = job.storage_id;
    d["package_path"] = job.package_dir.string();
    py::object r = (*handler)(d);
    if (r.is_none()) return {Status::Ok(), SinkFailure::kRetry};
    auto t = r.cast<py::tuple>();
    auto kind = t[0].cast<std::string>();
    auto message = t[1].cast<std::string>();
    return {Unavailable(message), kind == "terminal" ? SinkFailure::kTerminal : SinkFailure::kRetry};
  } catch (py::error_already_set& e) {
    std::string message = e.what();
    return {Internal("custom destination handler failed: " + message), SinkFailure::kRetry};
  } catch (const std::exception& e) {
    return {Internal(std::string("custom destination handler failed: ") + e.what()), SinkFailure::kRetry};
  }
}

}  // namespace

void RegisterSink(py::module_& m) {
  m.def("set_sink_handler", [](py::object fn) {
    if (fn.is_none()) {
      SetSinkCallback(nullptr);
      return;
    }
    // The handler outlives any one call; it is released with the GIL held (a deleter that takes it).
    std::shared_ptr<py::object> handler(new py::object(std::move(fn)), [](py::object* o) {
      py::gil_scoped_acquire gil;
      delete o;
    });
    SetSinkCallback([handler](const SinkJob& job) { return CallHandler(handler, job); });
  }, py::arg("handler"));
}

}  // namespace dlt::python
