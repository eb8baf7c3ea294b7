// The RecordSource over a Python iterable (see py_source.h).
#include "py_source.h"

#include <charconv>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "py_rows.h"

namespace dlt::python {

void DecRefWithGil(PyObject* obj) {
  if (!obj || !Py_IsInitialized()) return;
  PyGILState_STATE g = PyGILState_Ensure();
  Py_DECREF(obj);
  PyGILState_Release(g);
}

namespace {

constexpr size_t kChunkBytes = 1 << 20;

class PyIterSource : public RecordSource {
 public:
  PyIterSource(std::string name, PyObject* iterator, std::shared_ptr<PyErrorSlot> errors,
               std::shared_ptr<PyObject> table_fn, PyObject* mark_type, PyObject* converter,
               PyOptionsReader read_options)
      : name_(std::move(name)),
        iterator_(iterator),
        errors_(std::move(errors)),
        table_fn_(std::move(table_fn)),
        mark_type_(mark_type),
        converter_(converter),
        read_options_(std::move(read_options)) {
    chunk_.reserve(kChunkBytes + (64 << 10));
  }
  ~PyIterSource() override {
    DecRefWithGil(iterator_);
    DecRefWithGil(mark_type_);
    DecRefWithGil(converter_);
  }
  bool routes_tables() const override { return table_fn_ != nullptr; }
  const std::string* table() const override {
    if (next_ == 0 || next_ > tables_.size() || tables_[next_ - 1].empty()) return nullptr;
    return &tables_[next_ - 1];
  }
  const ResourceOptions* table_options(const std::string& table) const override {
    auto it = table_options_.find(table);
    return it == table_options_.end() ? nullptr : &it->second;
  }
  const ResourceOptions* resource_options() const override {
    return resource_options_ ? &*resource_options_ : nullptr;
  }

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
  // Python makes the rows on one core (it holds the GIL): the other cores normalize meanwhile.
  bool slow_producer() const override { return true; }
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
    if (mark_type_ && Py_TYPE(item) == reinterpret_cast<PyTypeObject*>(mark_type_)) return MarkedItem(item);
    return Rows(item, default_table_ ? &*default_table_ : nullptr);
  }

  Status Rows(PyObject* item, const std::string* table) {
    if (PyList_Check(item)) {  // a page of rows (a list, or a subclass such as RESTClient's PageData)
      Py_ssize_t n = PyList_GET_SIZE(item);
      for (Py_ssize_t i = 0; i < n; ++i) DLT_RETURN_IF_ERROR(Row(PyList_GET_ITEM(item, i), table));
      return Status::Ok();
    }
    return Row(item, table);
  }

  // A DataItemWithMeta: its data goes to the table its meta names, with the hints it carries.
  // A meta without a table_name (dlt.mark.with_hints) is first turned by the converter into one
  // the engine reads.
  Status MarkedItem(PyObject* item) {
    PyObject* meta = PyObject_GetAttrString(item, "meta");
    if (meta && converter_ && !PyObject_HasAttrString(meta, "table_name")) {
      Py_DECREF(meta);
      PyObject* converted = PyObject_CallOneArg(converter_, item);
      if (!converted) return Failed("its dlt.mark: " + errors_->Capture(name_));
      Status s = Py_TYPE(converted) == Py_TYPE(item) ? MarkedItem(converted) : Rows(converted, nullptr);
      Py_DECREF(converted);
      return s;
    }
    PyObject* data = meta ? PyObject_GetAttrString(item, "data") : nullptr;
    if (!data) {
      Py_XDECREF(meta);
      return Failed("its marked item: " + errors_->Capture(name_));
    }
    std::optional<std::string> table;
    Status s = MetaOf(meta, &table);
    if (!table && default_table_) table = default_table_;
    if (s.ok()) s = Rows(data, table && !table_fn_ ? &*table : nullptr);
    Py_DECREF(meta);
    Py_DECREF(data);
    return s;
  }

  Status MetaOf(PyObject* meta, std::optional<std::string>* table) {
    auto attr = [&](const char* name) -> PyObject* {
      PyObject* v = PyObject_GetAttrString(meta, name);
      if (!v) PyErr_Clear();
      if (v == Py_None) {
        Py_DECREF(v);
        v = nullptr;
      }
      return v;
    };
    if (PyObject* t = attr("table_name")) {
      Py_ssize_t n = 0;
      const char* text = PyUnicode_Check(t) ? PyUnicode_AsUTF8AndSize(t, &n) : nullptr;
      if (!text || n == 0) {
        PyErr_Clear();
        Py_DECREF(t);
        return Refuse("a dlt.mark table_name must be a non-empty str");
      }
      table->emplace(text, static_cast<size_t>(n));
      Py_DECREF(t);
    }
    for (const char* which : {"table_options", "resource_options"}) {
      PyObject* o = attr(which);
      if (!o) continue;
      StatusOr<ResourceOptions> read = read_options_ ? read_options_(o) : InvalidArgument("hints are not taken here");
      Py_DECREF(o);
      if (!read.ok()) return Refuse("its dlt.mark.with_hints: " + read.status().message());
      if (which[0] == 'r') {
        resource_options_ = std::move(read).value();
        // A table_name among the resource's new hints takes its later unmarked items there.
        if (*table) default_table_ = **table;
      } else if (*table) {
        table_options_[**table] = std::move(read).value();
      }
    }
    return Status::Ok();
  }

  Status Refuse(const std::string& what) {
    std::string why = "resource `" + name_ + "`: item " + std::to_string(item_ + ends_.size() + 1) + ": " + what;
    PyErr_SetString(PyExc_ValueError, why.c_str());
    errors_->Capture(name_);
    done_ = true;
    return InvalidArgument(why);
  }

  Status Row(PyObject* row, const std::string* table) {
    if (table_fn_) {
      DLT_RETURN_IF_ERROR(TableOf(row));
    } else if (table || !tables_.empty()) {
      // Rows of this chunk before the first marked one go to the resource's own table ("").
      tables_.resize(ends_.size());
      tables_.emplace_back(table ? *table : std::string());
    }
    size_t start = chunk_.size();
    std::string error;
    if (!AppendItemRowJson(row, chunk_, error)) {
      chunk_.resize(start);
      if (tables_.size() > ends_.size()) tables_.pop_back();
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
  PyObject* mark_type_;                 // dlt.extract.items.DataItemWithMeta, or null
  PyObject* converter_;                 // dlt.extract.marks.MarkConverter of this read, or null
  std::optional<std::string> default_table_;  // where unmarked items go, once with_hints moved them
  PyOptionsReader read_options_;
  // The table of each row in chunk_ ("": the resource's own), with table_fn_ or once a row of
  // the chunk was marked; empty otherwise.
  std::vector<std::string> tables_;
  std::map<std::string, ResourceOptions> table_options_;  // dlt.mark.with_hints variants
  std::optional<ResourceOptions> resource_options_;        // dlt.mark.with_hints of the resource
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
                            PyObject* table_fn, PyOptionsReader read_options) {
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
      [opener, errors, name, cursor, route, read_options](const ExtractContext& context) -> StatusOr<std::unique_ptr<RecordSource>> {
        std::optional<std::string> last_value;
        if (cursor && context.last_value) {
          if (auto v = context.last_value(name, *cursor)) last_value = v->dump();
        }
        PyGILState_STATE g = PyGILState_Ensure();
        PyObject* arg = last_value ? PyUnicode_FromStringAndSize(last_value->data(), static_cast<Py_ssize_t>(last_value->size()))
                                   : Py_NewRef(Py_None);
        PyObject* iterable = arg ? PyObject_CallOneArg(opener.get(), arg) : nullptr;
        Py_XDECREF(arg);
        // The package's opener returns (items, MarkConverter); other callers just the items.
        PyObject* converter = nullptr;
        if (iterable && PyTuple_CheckExact(iterable) && PyTuple_GET_SIZE(iterable) == 2 &&
            PyCallable_Check(PyTuple_GET_ITEM(iterable, 1))) {
          PyObject* items = Py_NewRef(PyTuple_GET_ITEM(iterable, 0));
          converter = Py_NewRef(PyTuple_GET_ITEM(iterable, 1));
          Py_DECREF(iterable);
          iterable = items;
        }
        PyObject* iterator = iterable ? PyObject_GetIter(iterable) : nullptr;
        Py_XDECREF(iterable);
        std::string error;
        if (!iterator) error = errors->Capture(name);
        // What dlt.mark makes; items of no other type are looked at for marks.
        PyObject* mark_type = nullptr;
        if (iterator) {
          if (PyObject* items = PyImport_ImportModule("dlt.extract.items")) {
            mark_type = PyObject_GetAttrString(items, "DataItemWithMeta");
            Py_DECREF(items);
          }
          if (mark_type && !PyType_Check(mark_type)) Py_CLEAR(mark_type);
          PyErr_Clear();
        }
        if (!iterator) Py_CLEAR(converter);
        PyGILState_Release(g);
        if (!iterator) return InvalidArgument("resource `" + name + "` raised: " + error);
        return std::unique_ptr<RecordSource>(
            new PyIterSource(name, iterator, errors, route, mark_type, converter, read_options));
      });
}

}  // namespace dlt::python
