// Python objects -> typed JSON (see py_rows.h). Exact types are dispatched first (the common
// case: dict, str, int, float); subclasses and the rarer types after.
#include "py_rows.h"

#include <datetime.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/hash.h"
#include "common/text.h"

namespace dlt::python {

namespace {

// The markers as UTF-8 (U+F026.. is EF 80 A6..).
constexpr const char* kDecimal = "\xEF\x80\xA6";
constexpr const char* kDateTime = "\xEF\x80\xA7";
constexpr const char* kDate = "\xEF\x80\xA8";
constexpr const char* kBytes = "\xEF\x80\xAB";
constexpr const char* kTime = "\xEF\x80\xAD";

// orjson's limit; deeper nesting (or a cycle) is an error instead of a stack overflow.
constexpr int kMaxDepth = 255;

struct Types {
  PyObject* decimal = nullptr;     // decimal.Decimal
  PyObject* uuid = nullptr;        // uuid.UUID
  PyObject* enum_base = nullptr;   // enum.Enum
  PyObject* is_dataclass = nullptr;  // dataclasses.is_dataclass
  PyObject* asdict = nullptr;        // dataclasses.asdict
  PyObject* utc = nullptr;           // datetime.timezone.utc
};
Types types;

PyObject* ImportAttr(const char* module, const char* attr) {
  PyObject* m = PyImport_ImportModule(module);
  if (!m) return nullptr;
  PyObject* a = PyObject_GetAttrString(m, attr);
  Py_DECREF(m);
  return a;
}

// What the error message calls the value: its repr, cut to a readable length.
std::string ReprOf(PyObject* obj) {
  std::string out = "<unprintable>";
  if (PyObject* r = PyObject_Repr(obj)) {
    Py_ssize_t n = 0;
    if (const char* s = PyUnicode_AsUTF8AndSize(r, &n)) out.assign(s, static_cast<size_t>(n));
    Py_DECREF(r);
  }
  PyErr_Clear();
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return out;
}

// The text of the pending Python exception ("TypeError: ..."), cleared.
std::string TakeError() {
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  std::string out = "error";
  if (type) {
    out = reinterpret_cast<PyTypeObject*>(type)->tp_name;
    if (value) {
      if (PyObject* s = PyObject_Str(value)) {
        if (const char* c = PyUnicode_AsUTF8(s)) out += std::string(": ") + c;
        Py_DECREF(s);
      }
    }
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  PyErr_Clear();
  return out;
}

void Pad(std::string& out, int v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, v);
  out += buf;
}

class Writer {
 public:
  Writer(std::string& out, std::string& error) : out_(out), error_(error) {}

  bool Value(PyObject* obj, int depth) {
    PyTypeObject* t = Py_TYPE(obj);
    if (t == &PyDict_Type) return Dict(obj, depth);
    if (t == &PyUnicode_Type) return String(obj);
    if (t == &PyLong_Type) return Int(obj);
    if (t == &PyFloat_Type) return Float(PyFloat_AS_DOUBLE(obj));
    if (obj == Py_None) return out_ += "null", true;
    if (t == &PyBool_Type) return out_ += (obj == Py_True ? "true" : "false"), true;
    if (t == &PyList_Type || t == &PyTuple_Type) return Sequence(obj, depth);
    return Other(obj, depth);
  }

 private:
  bool Fail(const std::string& why) {
    if (path_.empty()) {
      error_ = why;
      return false;
    }
    // The keys' texts only now: the path holds the keys themselves (alive in their dicts).
    std::vector<std::string> names;
    for (PyObject* key : path_) {
      if (key == Py_None || PyBool_Check(key)) {
        names.emplace_back(key == Py_None ? "null" : key == Py_True ? "true" : "false");
        continue;
      }
      PyObject* text = PyUnicode_Check(key) ? (Py_INCREF(key), key) : PyObject_Str(key);
      const char* c = text ? PyUnicode_AsUTF8(text) : nullptr;
      if (!c) PyErr_Clear();
      names.emplace_back(c ? c : "?");
      Py_XDECREF(text);
    }
    error_ = "field `" + text::Join(names, ".") + "`: " + why;
    return false;
  }

  bool Dict(PyObject* obj, int depth) {
    if (depth > kMaxDepth) return Fail("nesting deeper than 255 levels (or a dict that contains itself)");
    out_ += '{';
    Py_ssize_t pos = 0;
    PyObject *key = nullptr, *value = nullptr;
    bool first = true;
    while (PyDict_Next(obj, &pos, &key, &value)) {
      if (!first) out_ += ',';
      first = false;
      if (PyUnicode_CheckExact(key)) {
        // The common case without a copy of the key's text.
        Py_ssize_t n = 0;
        const char* text = PyUnicode_AsUTF8AndSize(key, &n);
        if (!text) return Fail("a key is not valid text (" + TakeError() + ")");
        text::AppendJsonString(out_, std::string_view(text, static_cast<size_t>(n)), true);
      } else {
        std::string name;
        if (!KeyText(key, name)) return false;
        text::AppendJsonString(out_, name, true);
      }
      out_ += ':';
      path_.push_back(key);
      if (!Value(value, depth + 1)) return false;
      path_.pop_back();
    }
    out_ += '}';
    return true;
  }

  // Keys are strings; ints, floats, bools and None become their text (as orjson's
  // OPT_NON_STR_KEYS, which dlt uses).
  bool KeyText(PyObject* key, std::string& name) {
    if (PyUnicode_Check(key)) {
      Py_ssize_t n = 0;
      const char* s = PyUnicode_AsUTF8AndSize(key, &n);
      if (!s) return Fail("a key is not valid text (" + TakeError() + ")");
      name.assign(s, static_cast<size_t>(n));
      return true;
    }
    if (key == Py_None) return name = "null", true;
    if (PyBool_Check(key)) return name = key == Py_True ? "true" : "false", true;
    if (PyLong_Check(key) || PyFloat_Check(key)) {
      PyObject* s = PyObject_Str(key);
      if (!s) return Fail(TakeError());
      name = PyUnicode_AsUTF8(s);
      Py_DECREF(s);
      return true;
    }
    return Fail("the key " + ReprOf(key) + " is not a string (dict keys must be str, int, float, bool or None)");
  }

  bool Sequence(PyObject* obj, int depth) {
    if (depth > kMaxDepth) return Fail("nesting deeper than 255 levels (or a list that contains itself)");
    out_ += '[';
    Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
    PyObject** items = PySequence_Fast_ITEMS(obj);
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      if (!Value(items[i], depth + 1)) return false;
    }
    out_ += ']';
    return true;
  }

  bool String(PyObject* obj) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(obj, &n);
    if (!s) return Fail("text that is not valid Unicode (" + TakeError() + ")");
    text::AppendJsonString(out_, std::string_view(s, static_cast<size_t>(n)), true);
    return true;
  }

  bool Int(PyObject* obj) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) {
      if (v == -1 && PyErr_Occurred()) return Fail(TakeError());
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      out_.append(buf, r.ptr);
      return true;
    }
    // Beyond 64 bits: a decimal (Python dlt 1.26 fails here; a wide int is a number).
    PyObject* s = PyObject_Str(obj);
    if (!s) return Fail(TakeError());
    out_ += '"';
    out_ += kDecimal;
    out_ += PyUnicode_AsUTF8(s);
    out_ += '"';
    Py_DECREF(s);
    return true;
  }

  bool Float(double d) {
    if (!std::isfinite(d)) return out_ += "null", true;  // as orjson
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
    out_ += text;
    // "2.0", never "2": a whole float must stay a double, not become a bigint.
    if (text.find_first_of(".eEn") == std::string_view::npos) out_ += ".0";
    return true;
  }

  bool MarkedText(const char* marker, PyObject* text_obj) {
    if (!text_obj) return Fail(TakeError());
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(text_obj, &n);
    std::string body = s ? std::string(s, static_cast<size_t>(n)) : std::string();
    Py_DECREF(text_obj);
    if (!s) return Fail(TakeError());
    out_ += '"';
    out_ += marker;
    std::string escaped;
    text::AppendJsonString(escaped, body, true);
    out_.append(escaped, 1, escaped.size() - 1);  // without the opening quote
    return true;
  }

  bool DateTime(PyObject* obj) {
    PyObject* tz = PyDateTime_DATE_GET_TZINFO(obj);
    if (tz != Py_None && tz != types.utc) return MarkedText(kDateTime, PyObject_CallMethod(obj, "isoformat", nullptr));
    out_ += '"';
    out_ += kDateTime;
    Day(obj);
    out_ += 'T';
    TimeOfDay(PyDateTime_DATE_GET_HOUR(obj), PyDateTime_DATE_GET_MINUTE(obj), PyDateTime_DATE_GET_SECOND(obj),
              PyDateTime_DATE_GET_MICROSECOND(obj));
    if (tz == types.utc) out_ += "+00:00";
    out_ += '"';
    return true;
  }

  // YYYY-MM-DD of a date or datetime.
  void Day(PyObject* obj) {
    Pad(out_, PyDateTime_GET_YEAR(obj), 4);
    out_ += '-';
    Pad(out_, PyDateTime_GET_MONTH(obj), 2);
    out_ += '-';
    Pad(out_, PyDateTime_GET_DAY(obj), 2);
  }

  void TimeOfDay(int h, int m, int s, int us) {
    Pad(out_, h, 2);
    out_ += ':';
    Pad(out_, m, 2);
    out_ += ':';
    Pad(out_, s, 2);
    if (us) {
      out_ += '.';
      Pad(out_, us, 6);
    }
  }

  bool Bytes(PyObject* obj) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) return Fail(TakeError());
    std::string b64 = hash::Base64Encode(std::string_view(static_cast<const char*>(view.buf), static_cast<size_t>(view.len)));
    PyBuffer_Release(&view);
    out_ += '"';
    out_ += kBytes;
    out_ += b64;
    out_ += '"';
    return true;
  }

  // Writes `converted` (a new reference, or null when the conversion raised).
  bool Converted(PyObject* converted, int depth) {
    if (!converted) return Fail(TakeError());
    bool ok = Value(converted, depth + 1);
    Py_DECREF(converted);
    return ok;
  }

  bool Other(PyObject* obj, int depth) {
    if (depth > kMaxDepth) return Fail("nesting deeper than 255 levels (or an object that contains itself)");
    if (PyDateTime_Check(obj)) return DateTime(obj);
    if (PyDate_Check(obj)) {
      out_ += '"';
      out_ += kDate;
      Day(obj);
      out_ += '"';
      return true;
    }
    if (PyTime_Check(obj)) return MarkedText(kTime, PyObject_CallMethod(obj, "isoformat", nullptr));
    if (PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(types.decimal))) {
      return MarkedText(kDecimal, PyObject_Str(obj));
    }
    if (PyBytes_Check(obj) || PyByteArray_Check(obj) || PyMemoryView_Check(obj)) return Bytes(obj);
    if (PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(types.uuid))) {
      PyObject* s = PyObject_Str(obj);
      if (!s) return Fail(TakeError());
      bool ok = String(s);
      Py_DECREF(s);
      return ok;
    }
    if (PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(types.enum_base))) {
      return Converted(PyObject_GetAttrString(obj, "value"), depth);
    }
    // Subclasses of the JSON types (str enums were handled above).
    if (PyBool_Check(obj)) return out_ += (PyObject_IsTrue(obj) ? "true" : "false"), true;
    if (PyLong_Check(obj)) return Int(obj);
    if (PyFloat_Check(obj)) return Float(PyFloat_AsDouble(obj));
    if (PyUnicode_Check(obj)) return String(obj);
    if (PyDict_Check(obj)) return Dict(obj, depth);
    if (PyList_Check(obj) || PyTuple_Check(obj)) {
      // A namedtuple is a row of its fields, as orjson's passthrough + dlt's encoder do.
      if (PyTuple_Check(obj) && PyObject_HasAttrString(obj, "_asdict")) {
        return Converted(PyObject_CallMethod(obj, "_asdict", nullptr), depth);
      }
      return Sequence(obj, depth);
    }
    // Mappings that are not dicts, dataclasses, pydantic models.
    if (PyObject* is_dc = PyObject_CallOneArg(types.is_dataclass, obj)) {
      bool dc = PyObject_IsTrue(is_dc) == 1 && !PyType_Check(obj);
      Py_DECREF(is_dc);
      if (dc) return Converted(PyObject_CallOneArg(types.asdict, obj), depth);
    } else {
      PyErr_Clear();
    }
    if (PyObject_HasAttrString(obj, "model_dump")) {
      return Converted(PyObject_CallMethod(obj, "model_dump", nullptr), depth);
    }
    // As dlt's encoder: objects that give a dict of themselves (dlt's LoadInfo and trace).
    for (const char* method : {"asdict", "_asdict"}) {
      if (!PyType_Check(obj) && PyObject_HasAttrString(obj, method)) {
        return Converted(PyObject_CallMethod(obj, method, nullptr), depth);
      }
    }
    if (PyMapping_Check(obj) && PyObject_HasAttrString(obj, "items")) {
      return Converted(PyObject_CallOneArg(reinterpret_cast<PyObject*>(&PyDict_Type), obj), depth);
    }
    if (PySet_Check(obj) || PyFrozenSet_Check(obj)) {
      return Fail("a " + std::string(Py_TYPE(obj)->tp_name) + " is not JSON serializable (" + ReprOf(obj) +
                  "); yield a list instead");
    }
    return Fail("`" + ReprOf(obj) + "` of type `" + Py_TYPE(obj)->tp_name + "` is not JSON serializable");
  }

  std::string& out_;
  std::string& error_;
  std::vector<PyObject*> path_;  // the keys down to the value being written (borrowed)
};

}  // namespace

bool InitRowTypes() {
  if (types.decimal) return true;
  PyDateTime_IMPORT;
  if (!PyDateTimeAPI) return false;
  types.decimal = ImportAttr("decimal", "Decimal");
  types.uuid = ImportAttr("uuid", "UUID");
  types.enum_base = ImportAttr("enum", "Enum");
  types.is_dataclass = ImportAttr("dataclasses", "is_dataclass");
  types.asdict = ImportAttr("dataclasses", "asdict");
  types.utc = PyDateTime_TimeZone_UTC;
  return types.decimal && types.uuid && types.enum_base && types.is_dataclass && types.asdict;
}

bool AppendRowJson(PyObject* obj, std::string& out, std::string& error) {
  size_t start = out.size();
  Writer w(out, error);
  if (!w.Value(obj, 0)) {
    out.resize(start);
    PyErr_Clear();
    return false;
  }
  return true;
}

bool AppendItemRowJson(PyObject* obj, std::string& out, std::string& error) {
  if (PyDict_Check(obj)) return AppendRowJson(obj, out, error);
  // An object written as a JSON object (a dataclass, a namedtuple, a pydantic model, one with
  // asdict() such as dlt's LoadInfo) is a row, as dlt's extract writes it; other values are the
  // row {"value": ...}.
  const size_t start = out.size();
  out += "{\"value\":";
  const size_t value_at = out.size();
  bool ok = AppendRowJson(obj, out, error);
  if (ok && out.size() > value_at && out[value_at] == '{') {
    out.erase(start, value_at - start);
    return true;
  }
  out += '}';
  return ok;
}

}  // namespace dlt::python
