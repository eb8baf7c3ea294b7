// The RecordSource over a Python iterable (see py_source.h).
#include "py_source.h"

#include <charconv>
#include <utility>
#include <vector>

#include "py_rows.h"

namespace dlt::python {

namespace {

constexpr size_t kChunkBytes = 1 << 20;

// Holds a reference that may be dropped on a thread without the GIL.
void DecRefWithGil(PyObject* obj) {
  if (!obj || !Py_IsInitialized()) return;
  PyGILState_STATE g = PyGILState_Ensure();
  Py_DECREF(obj);
  PyGILState_Release(g);
}

class PyIterSource : public RecordSource {
 public:
  PyIterSource(std::string name, PyObject* iterator, std::shared_ptr<PyErrorSlot> errors,
               std::shared_ptr<PyObject> table_fn)
      : name_(std::move(name)), iterator_(iterator), errors_(std::move(errors)), table_fn_(std::move(table_fn)) {
    chunk_.reserve(kChunkBytes + (64 << 10));
  }
  ~PyIterSource() override { DecRefWithGil(iterator_); }
  bool routes_tables() const override { return table_fn_ != nullptr; }
  const std::string* table() const override { return next_ > 0 && next_ <= tables_.size() ? &tables_[next_ - 1] : nullptr; }

  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    if (next_ >= ends_.size()) {
      if (done_) return false;
      DLT_RETURN_IF_ERROR(Refill());
      if (ends_.empty()) return false;
    }
    size_t begin = next_ == 0 ? 0 : ends_[next_ - 1];
    *json = std::string_view(chunk_).substr(begin, ends_[next_] - begin);
    ++next_;
    ++item_;
    where->assign(name_);
    *where += ':';
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, item_);
    where->append(buf, r.ptr);
    return true;
  }
  uint64_t bytes_read() const override { return bytes_; }
  // The rows are written by py_rows.cc, which only writes valid JSON: no second parse.
  bool json_is_valid() const override { return true; }
  const std::string* last_name() const override { return &name_; }
  uint64_t last_line() const override { return item_; }

 private:
  // Pulls rows until about 1 MB of JSON is buffered or the iterator ends.
  Status Refill() {
    chunk_.clear();
    ends_.clear();
    tables_.clear();
    next_ = 0;
    PyGILState_STATE g = PyGILState_Ensure();
    Status status = Pull();
    PyGILState_Release(g);
    bytes_ += chunk_.size();
    return status;
  }

  Status Pull() {
    // Ctrl-C reaches the engine here, between chunks.
    if (PyErr_CheckSignals() != 0) return Failed("interrupted");
    while (chunk_.size() < kChunkBytes) {
      PyObject* item = PyIter_Next(iterator_);
      if (!item) {
        done_ = true;
        if (PyErr_Occurred()) return Failed(errors_->Capture(name_));
        return Status::Ok();
      }
      Status s = Item(item);
      Py_DECREF(item);
      DLT_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  Status Item(PyObject* item) {
    if (PyList_CheckExact(item)) {  // a page of rows
      Py_ssize_t n = PyList_GET_SIZE(item);
      for (Py_ssize_t i = 0; i < n; ++i) DLT_RETURN_IF_ERROR(Row(PyList_GET_ITEM(item, i)));
      return Status::Ok();
    }
    return Row(item);
  }

  Status Row(PyObject* row) {
    if (table_fn_) DLT_RETURN_IF_ERROR(TableOf(row));
    size_t start = chunk_.size();
    std::string error;
    bool ok;
    if (PyDict_Check(row)) {
      ok = AppendRowJson(row, chunk_, error);
    } else {
      chunk_ += "{\"value\":";
      ok = AppendRowJson(row, chunk_, error);
      chunk_ += '}';
    }
    if (!ok) {
      chunk_.resize(start);
      if (table_fn_) tables_.pop_back();
      done_ = true;
      // As dlt's serializer raises it, so user code can catch the type.
      PyErr_SetString(PyExc_TypeError, error.c_str());
      errors_->Capture(name_);
      return InvalidArgument("resource `" + name_ + "`: item " + std::to_string(item_ + ends_.size() + 1) + ": " + error);
    }
    ends_.push_back(chunk_.size());
    return Status::Ok();
  }

  // The table dlt's table_name function names for `row` (called with the row, as dlt calls it
  // with each item).
  Status TableOf(PyObject* row) {
    PyObject* name = PyObject_CallOneArg(table_fn_.get(), row);
    if (!name) return Failed("its table_name function: " + errors_->Capture(name_));
    Py_ssize_t n = 0;
    const char* text = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &n) : nullptr;
    if (!text || n == 0) {
      PyObject* repr = PyObject_Repr(name);
      std::string shown = repr && PyUnicode_Check(repr) ? PyUnicode_AsUTF8(repr) : "?";
      Py_XDECREF(repr);
      Py_DECREF(name);
      PyErr_Clear();
      std::string why = "resource `" + name_ + "`: its table_name function returned " + shown +
                        " for item " + std::to_string(item_ + ends_.size() + 1) + "; it must return a table name (str)";
      PyErr_SetString(PyExc_ValueError, why.c_str());
      errors_->Capture(name_);
      done_ = true;
      return InvalidArgument(why);
    }
    tables_.emplace_back(text, static_cast<size_t>(n));
    Py_DECREF(name);
    return Status::Ok();
  }

  Status Failed(const std::string& what) {
    done_ = true;
    if (PyErr_Occurred()) errors_->Capture(name_);
    return InvalidArgument("resource `" + name_ + "` raised: " + what);
  }

  std::string name_;
  PyObject* iterator_;
  std::shared_ptr<PyErrorSlot> errors_;
  std::string chunk_;         // rows, back to back
  std::vector<size_t> ends_;  // end offset of each row in chunk_
  std::shared_ptr<PyObject> table_fn_;  // dlt's table_name function, or null
  std::vector<std::string> tables_;     // with table_fn_: the table of each row in chunk_
  size_t next_ = 0;
  uint64_t item_ = 0;  // rows handed out
  uint64_t bytes_ = 0;
  bool done_ = false;
};

}  // namespace

PyErrorSlot::~PyErrorSlot() { DecRefWithGil(exception); }

std::string PyErrorSlot::Capture(const std::string& resource_name) {
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  std::string text = "error";
  if (value) {
    if (tb) PyException_SetTraceback(value, tb);
    text = reinterpret_cast<PyTypeObject*>(Py_TYPE(value))->tp_name;
    if (PyObject* s = PyObject_Str(value)) {
      if (const char* c = PyUnicode_AsUTF8(s); c && *c) text += std::string(": ") + c;
      Py_DECREF(s);
    }
    PyErr_Clear();
  }
  if (!exception && value) {
    exception = value;
    Py_INCREF(exception);
    resource = resource_name;
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  return text;
}

PyObject* PyErrorSlot::Release() {
  PyObject* e = exception;
  exception = nullptr;
  return e;
}

Resource MakePythonResource(ResourceOptions options, PyObject* open, std::shared_ptr<PyErrorSlot> errors,
                            PyObject* table_fn) {
  Py_INCREF(open);
  std::shared_ptr<PyObject> opener(open, DecRefWithGil);
  std::shared_ptr<PyObject> route;
  if (table_fn && table_fn != Py_None) {
    Py_INCREF(table_fn);
    route = std::shared_ptr<PyObject>(table_fn, DecRefWithGil);
  }
  std::string name = options.name;
  std::optional<std::string> cursor;
  if (options.incremental) cursor = options.incremental->cursor_path;
  return ResourceAccess::FromSource(
      std::move(options),
      [opener, errors, name, cursor, route](const ExtractContext& context) -> StatusOr<std::unique_ptr<RecordSource>> {
        std::optional<std::string> last_value;
        if (cursor && context.last_value) {
          if (auto v = context.last_value(name, *cursor)) last_value = v->dump();
        }
        PyGILState_STATE g = PyGILState_Ensure();
        PyObject* arg = last_value ? PyUnicode_FromStringAndSize(last_value->data(), static_cast<Py_ssize_t>(last_value->size()))
                                   : Py_NewRef(Py_None);
        PyObject* iterable = arg ? PyObject_CallOneArg(opener.get(), arg) : nullptr;
        Py_XDECREF(arg);
        PyObject* iterator = iterable ? PyObject_GetIter(iterable) : nullptr;
        Py_XDECREF(iterable);
        std::string error;
        if (!iterator) error = errors->Capture(name);
        PyGILState_Release(g);
        if (!iterator) return InvalidArgument("resource `" + name + "` raised: " + error);
        return std::unique_ptr<RecordSource>(new PyIterSource(name, iterator, errors, route));
      });
}

}  // namespace dlt::python
