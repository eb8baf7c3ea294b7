// rest_api_source / rest_api_resources from Python (python/dlt/sources/rest_api/): dlt's dict
// configuration is parsed by the engine's REST API source (src/extract/rest_api_config.h), the
// same that runs `[source] type = "rest_api"` pipeline files; auth secrets may be given inline
// (they come from dlt.secrets) and stay dlt::Secret.
#include "py_rest_api.h"

#include <pybind11/stl.h>

#include <cstdio>
#include <mutex>
#include <regex>

#include "pipeline/pipeline_file.h"
#include "py_pipeline.h"
#include "py_steps_source.h"

namespace dlt::python {

namespace py = pybind11;

namespace {

// A Python value of the configuration as a ConfigNode (None values are left out, as unset).
ConfigNode FromPython(py::handle v, const std::string& where) {
  ConfigNode n;
  if (py::isinstance<py::bool_>(v)) {
    n.kind = ConfigNode::Kind::kBoolean;
    n.text = v.cast<bool>() ? "true" : "false";
  } else if (py::isinstance<py::int_>(v)) {
    n.kind = ConfigNode::Kind::kInteger;
    n.text = py::str(v).cast<std::string>();
  } else if (py::isinstance<py::float_>(v)) {
    n.kind = ConfigNode::Kind::kFloat;
    n.text = py::repr(v).cast<std::string>();
  } else if (py::isinstance<py::str>(v)) {
    n.kind = ConfigNode::Kind::kString;
    n.text = v.cast<std::string>();
  } else if (py::isinstance<py::dict>(v)) {
    n.kind = ConfigNode::Kind::kTable;
    for (auto [k, item] : v.cast<py::dict>()) {
      if (item.is_none()) continue;
      std::string key = py::str(k).cast<std::string>();
      n.members.emplace_back(key, FromPython(item, where + "." + key));
    }
  } else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    n.kind = ConfigNode::Kind::kArray;
    size_t i = 0;
    for (auto item : v) n.items.push_back(FromPython(item, where + "[" + std::to_string(i++) + "]"));
  } else {
    throw py::type_error("rest_api config: `" + where + "` is a " + std::string(Py_TYPE(v.ptr())->tp_name) +
                         "; give it as a dict, list, str, int, float or bool (objects such as paginator or auth "
                         "classes are not supported by dlt-cpp yet)");
  }
  return n;
}

}  // namespace

PyRestApiSpec::PyRestApiSpec(const py::dict& source, const py::list& resources, const std::string& pipeline_name) {
  ConfigNode s = FromPython(source, "config");
  ConfigNode r = FromPython(resources, "resources");
  auto spec = ParseRestApiConfig("rest_api config", s, &r, pipeline_name);
  if (!spec.ok()) {
    // Dicts have no lines: "rest_api config:0:0: x" reads "rest_api config: x".
    std::string msg = std::regex_replace(spec.status().message(), std::regex(":0:0:"), ":");
    throw py::value_error(msg);
  }
  spec_ = *spec;
}

std::vector<std::string> PyRestApiSpec::ResourceNames() const {
  std::vector<std::string> out;
  for (const auto& r : spec_->resources) out.push_back(r.options.name);
  return out;
}

namespace {

// A resource's Python steps as the engine's row steps: the rows of a chunk go to `apply` as one
// JSON array (typed JSON, as engine pages are), and what comes out replaces them.
std::function<Status(std::vector<rest_api::Json>*)> RowSteps(const std::string& name, PyObject* apply,
                                                             std::shared_ptr<PyErrorSlot> errors) {
  Py_INCREF(apply);
  std::shared_ptr<PyObject> fn(apply, DecRefWithGil);
  return [name, fn, errors](std::vector<rest_api::Json>* rows) -> Status {
    std::string page = rest_api::Json(std::move(*rows)).dump();
    rows->clear();
    std::string out;
    std::vector<size_t> ends;
    PyGILState_STATE g = PyGILState_Ensure();
    Status s = ApplyPythonSteps(fn.get(), page, name, *errors, out, ends);
    PyGILState_Release(g);
    if (!s.ok()) return s;
    size_t begin = 0;
    for (size_t end : ends) {
      // Written by our own serializer: valid JSON, never a parse error.
      rows->push_back(rest_api::Json::parse(std::string_view(out).substr(begin, end - begin)));
      begin = end;
    }
    return Status::Ok();
  };
}

}  // namespace

StatusOr<std::vector<Resource>> PyRestApiSpec::Make(const Workspace& ws, const std::string& pipeline_name,
                                                    const std::vector<std::string>& selected,
                                                    const py::object& steps,
                                                    const std::shared_ptr<PyErrorSlot>& errors,
                                                    const py::object& file_formats) const {
  auto spec = std::make_shared<rest_api::RestApiSpec>(*spec_);
  for (auto& r : spec->resources) {
    r.selected = std::find(selected.begin(), selected.end(), r.options.name) != selected.end();
    // run(loader_file_format=...): the resources' file_format hint for this run
    if (!file_formats.is_none() && py::isinstance<py::dict>(file_formats)) {
      py::dict d = file_formats.cast<py::dict>();
      if (py::str name(r.options.name); d.contains(name)) r.options.file_format = py::str(d[name]).cast<std::string>();
    }
  }
  rest_api::RunOptions ro;
  ro.pipeline_name = pipeline_name;
  // Retries and warnings on stderr, as the CLI prints them (already masked).
  ro.on_retry = [mu = std::make_shared<std::mutex>()](const std::string& message) {
    std::lock_guard<std::mutex> lock(*mu);
    std::fprintf(stderr, "WARNING: %s\n", message.c_str());
  };
  ro.on_warning = ro.on_retry;
  if (!steps.is_none() && py::isinstance<py::dict>(steps)) {
    for (auto [name, apply] : steps.cast<py::dict>()) {
      std::string n = py::str(name).cast<std::string>();
      ro.row_steps[n] = RowSteps(n, apply.ptr(), errors);
    }
  }
  return rest_api::MakeResources(ws, *spec, ro);
}

namespace {

// RESTClient.paginate's pages: an iterator of JSON texts (one array of rows per page), fetched
// with the GIL released.
class PyRestPages {
 public:
  PyRestPages(const PyRestApiSpec& spec, const PyWorkspace& ws, const std::string& pipeline_name)
      : ws_(ws.shared()), spec_(std::make_shared<rest_api::RestApiSpec>(spec.spec())) {
    rest_api::RunOptions ro;
    ro.pipeline_name = pipeline_name;
    ro.base_url_from_code = true;
    ro.on_retry = [mu = std::make_shared<std::mutex>()](const std::string& message) {
      std::lock_guard<std::mutex> lock(*mu);
      std::fprintf(stderr, "WARNING: %s\n", message.c_str());
    };
    ro.on_warning = ro.on_retry;
    auto pages = rest_api::OpenPages(*ws_, *spec_, ro);
    if (!pages.ok()) throw EngineError(pages.status());
    pages_ = std::move(pages).value();
  }

  // (rows as JSON text, the page's request and response as a dict, or None).
  py::tuple Next() {
    if (!pages_) throw py::stop_iteration();
    std::vector<rest_api::Json> rows;
    std::string where;
    StatusOr<bool> more = [&] {
      py::gil_scoped_release release;
      return pages_->Next(&rows, &where);
    }();
    if (!more.ok()) throw EngineError(more.status());
    if (!*more) {
      pages_.reset();
      throw py::stop_iteration();
    }
    std::string text = rest_api::Json(std::move(rows)).dump();
    const rest_api::PageExchange* x = pages_->LastExchange();
    if (!x) return py::make_tuple(text, py::none());
    auto pairs = [](const http::Headers& h) {
      py::list out;
      for (const auto& [k, v] : h) out.append(py::make_tuple(k, v));
      return out;
    };
    py::dict d;
    d["method"] = x->method;
    d["url"] = x->url;
    d["request_headers"] = pairs(x->request_headers);
    d["request_body"] = x->request_body ? py::object(py::bytes(*x->request_body)) : py::object(py::none());
    d["status"] = x->status;
    d["reason"] = x->reason;
    d["headers"] = pairs(x->response_headers);
    d["body"] = py::bytes(x->response_body);
    d["response_url"] = x->response_url;
    return py::make_tuple(text, d);
  }

 private:
  std::shared_ptr<const Workspace> ws_;
  std::shared_ptr<rest_api::RestApiSpec> spec_;
  std::unique_ptr<rest_api::PageReader> pages_;
};

}  // namespace

void RegisterRestApi(py::module_& m) {
  py::class_<PyRestPages>(m, "RestPages")
      .def(py::init<const PyRestApiSpec&, const PyWorkspace&, const std::string&>(), py::arg("spec"),
           py::arg("workspace"), py::arg("pipeline_name") = "")
      .def("__iter__", [](PyRestPages& p) -> PyRestPages& { return p; }, py::return_value_policy::reference_internal)
      .def("__next__", &PyRestPages::Next);
  py::class_<PyRestApiSpec, std::shared_ptr<PyRestApiSpec>>(m, "RestApiSpec")
      .def(py::init<const py::dict&, const py::list&, const std::string&>(), py::arg("source"), py::arg("resources"),
           py::arg("pipeline_name") = "")
      .def_property_readonly("source_name", [](const PyRestApiSpec& s) { return s.spec().source_name; })
      .def("resource_names", &PyRestApiSpec::ResourceNames)
      .def("resource_hints", [](const PyRestApiSpec& s, const std::string& name) {
        py::dict d;
        for (const auto& r : s.spec().resources) {
          if (r.options.name != name) continue;
          d["table_name"] = r.options.table_name.empty() ? r.options.name : r.options.table_name;
          d["write_disposition"] = r.options.write_disposition;
          d["primary_key"] = r.options.primary_key;
          d["parent"] = r.parent;
          d["selected"] = r.selected;
        }
        return d;
      });
}

}  // namespace dlt::python
