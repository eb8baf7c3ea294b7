// The engine's rows through Python steps (see py_steps_source.h).
#include "py_steps_source.h"

#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "extract/extractor.h"
#include "py_engine_pages.h"
#include "py_rows.h"

namespace dlt::python {

namespace {

class StepsSource : public RecordSource {
 public:
  StepsSource(std::string name, std::unique_ptr<RecordSource> inner, std::shared_ptr<PyObject> apply,
              std::shared_ptr<PyErrorSlot> errors)
      : name_(std::move(name)), inner_(std::move(inner)), apply_(std::move(apply)), errors_(std::move(errors)) {}

  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    while (next_ >= ends_.size()) {
      if (done_) return false;
      DLT_RETURN_IF_ERROR(Refill());
    }
    size_t begin = next_ == 0 ? 0 : ends_[next_ - 1];
    *json = std::string_view(out_).substr(begin, ends_[next_] - begin);
    ++next_;
    ++item_;
    *where = name_ + ":" + std::to_string(item_) + " (after its Python steps; read from " + page_where_ + ")";
    return true;
  }
  uint64_t bytes_read() const override { return inner_->bytes_read(); }
  bool slow_producer() const override { return true; }
  bool json_is_valid() const override { return true; }

 private:
  // Reads a page of the engine's rows and runs the steps over it.
  Status Refill() {
    out_.clear();
    ends_.clear();
    next_ = 0;
    std::string page = "[";
    size_t rows = 0;
    page_where_.clear();
    DLT_RETURN_IF_ERROR(pages_.Fill(*inner_, page, rows, &page_where_));
    done_ = pages_.done();
    if (rows == 0) return Status::Ok();
    page += ']';
    PyGILState_STATE g = PyGILState_Ensure();
    Status s = Apply(page);
    PyGILState_Release(g);
    return s;
  }

  Status Apply(const std::string& page) {
    Status s = ApplyPythonSteps(apply_.get(), page, name_, *errors_, out_, ends_);
    if (!s.ok()) done_ = true;
    return s;
  }

  std::string name_;
  std::unique_ptr<RecordSource> inner_;
  std::shared_ptr<PyObject> apply_;
  std::shared_ptr<PyErrorSlot> errors_;
  EnginePages pages_;
  std::string out_;           // rows after the steps, back to back
  std::vector<size_t> ends_;  // end offset of each row in out_
  std::string page_where_;    // where the page's first row came from
  size_t next_ = 0;
  uint64_t item_ = 0;
  bool done_ = false;
};

}  // namespace

Status ApplyPythonSteps(PyObject* apply, const std::string& page, const std::string& name, PyErrorSlot& errors,
                        std::string& out, std::vector<size_t>& ends) {
  auto failed = [&](const std::string& what) {
    if (PyErr_Occurred()) errors.Capture(name);
    return InvalidArgument("resource `" + name + "` raised in its Python steps (add_map, add_filter, add_yield_map): " +
                           what);
  };
  if (PyErr_CheckSignals() != 0) return failed("interrupted");
  PyObject* text = PyUnicode_FromStringAndSize(page.data(), static_cast<Py_ssize_t>(page.size()));
  if (!text) return failed(errors.Capture(name));
  PyObject* result = PyObject_CallOneArg(apply, text);
  Py_DECREF(text);
  if (!result) return failed(errors.Capture(name));
  if (!PyList_Check(result)) {
    Py_DECREF(result);
    return failed("its steps returned no list");
  }
  std::string error;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(result); ++i) {
    if (!AppendItemRowJson(PyList_GET_ITEM(result, i), out, error)) {
      Py_DECREF(result);
      // As dlt's serializer raises it, so user code can catch the type.
      PyErr_SetString(PyExc_TypeError, error.c_str());
      errors.Capture(name);
      return InvalidArgument("resource `" + name + "`: a row its Python steps returned: " + error);
    }
    ends.push_back(out.size());
  }
  Py_DECREF(result);
  return Status::Ok();
}

Resource WithPythonSteps(Resource resource, PyObject* apply, std::shared_ptr<PyErrorSlot> errors) {
  Py_INCREF(apply);
  std::shared_ptr<PyObject> fn(apply, DecRefWithGil);
  ResourceOptions options = resource.options();
  // A JSON source now: rows come back from Python (kept files no longer apply).
  options.arrow_items = false;
  std::string name = options.name;
  return ResourceAccess::FromSource(
      std::move(options),
      [resource, fn, errors, name](const ExtractContext& context) -> StatusOr<std::unique_ptr<RecordSource>> {
        DLT_ASSIGN_OR_RETURN(auto inner, ResourceAccess::OpenSource(resource, context));
        return std::unique_ptr<RecordSource>(new StepsSource(name, std::move(inner), fn, errors));
      });
}

}  // namespace dlt::python
