// The binding's C++ (python/src/py_rows.cc, py_source.cc) in an embedded CPython, so that it runs
// under AddressSanitizer and UndefinedBehaviorSanitizer with the rest (make sanitize, with
// PYTHONMALLOC=malloc so that ASan sees Python's objects): the typed JSON written for each kind
// of value, the errors, reference counts left as they were, and the record source over a Python
// iterator (pages, non-dict items, an exception raised by the iterator).
#include <Python.h>
#include <gtest/gtest.h>

#include <string>

#include "py_rows.h"
#include "py_source.h"

namespace dlt::python {
namespace {

// Evaluates a Python expression in a namespace with the usual imports.
PyObject* Eval(const std::string& expr) {
  static PyObject* globals = [] {
    PyObject* g = PyDict_New();
    PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins());
    PyObject* r = PyRun_String(
        "import datetime, decimal, uuid, enum, collections, dataclasses, math\n"
        "class Color(enum.Enum):\n    RED = 'red'\n"
        "Point = collections.namedtuple('Point', 'x y')\n",
        Py_file_input, g, g);
    Py_XDECREF(r);
    return g;
  }();
  PyObject* v = PyRun_String(expr.c_str(), Py_eval_input, globals, globals);
  if (!v) PyErr_Print();
  return v;
}

std::string Json(const std::string& expr, std::string* error = nullptr) {
  PyObject* v = Eval(expr);
  EXPECT_NE(v, nullptr) << expr;
  std::string out, err;
  bool ok = AppendRowJson(v, out, err);
  Py_XDECREF(v);
  EXPECT_FALSE(PyErr_Occurred());
  if (error) *error = err;
  return ok ? out : "<error>";
}

TEST(PyRows, JsonTypesAreWrittenAsOrjsonWouldAndFloatsStayFloats) {
  EXPECT_EQ(Json("{'a': 1, 'b': 'x\"y\\n', 'c': None, 'd': True, 'e': [1, 2.5, 2.0, -0.0], 'f': {}}"),
            R"({"a":1,"b":"x\"y\n","c":null,"d":true,"e":[1,2.5,2.0,-0.0],"f":{}})");
  EXPECT_EQ(Json("{1: 'int key', None: 'n', 2.5: 'f', False: 'b'}"), R"({"1":"int key","null":"n","2.5":"f","false":"b"})");
  EXPECT_EQ(Json("{'nan': math.nan, 'inf': math.inf, 'big': 1e300, 'small': 5e-324}"),
            R"({"nan":null,"inf":null,"big":1e+300,"small":5e-324})");
  EXPECT_EQ(Json("{'t': (1, 'a'), 'u': '\\u00e9\\U0001F600'}"), "{\"t\":[1,\"a\"],\"u\":\"\xC3\xA9\xF0\x9F\x98\x80\"}");
}

TEST(PyRows, ValuesJsonCannotTypeGetDltsTypedMarkers) {
  const std::string dec = "\xEF\x80\xA6", dt = "\xEF\x80\xA7", date = "\xEF\x80\xA8", b64 = "\xEF\x80\xAB",
                    tm = "\xEF\x80\xAD";
  EXPECT_EQ(Json("{'d': decimal.Decimal('12.50')}"), "{\"d\":\"" + dec + "12.50\"}");
  EXPECT_EQ(Json("{'i': 2**70}"), "{\"i\":\"" + dec + "1180591620717411303424\"}");
  EXPECT_EQ(Json("{'i': -2**63}"), "{\"i\":-9223372036854775808}");
  EXPECT_EQ(Json("{'t': datetime.datetime(2024, 1, 2, 3, 4, 5)}"), "{\"t\":\"" + dt + "2024-01-02T03:04:05\"}");
  EXPECT_EQ(Json("{'t': datetime.datetime(2024, 1, 2, 3, 4, 5, 60, tzinfo=datetime.timezone.utc)}"),
            "{\"t\":\"" + dt + "2024-01-02T03:04:05.000060+00:00\"}");
  EXPECT_EQ(Json("{'t': datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)))}"),
            "{\"t\":\"" + dt + "2024-01-02T00:00:00-05:30\"}");
  EXPECT_EQ(Json("{'d': datetime.date(2024, 2, 29), 'tm': datetime.time(1, 2, 3, 4)}"),
            "{\"d\":\"" + date + "2024-02-29\",\"tm\":\"" + tm + "01:02:03.000004\"}");
  EXPECT_EQ(Json("{'b': b'\\x00\\xff', 'ba': bytearray(b'ab'), 'mv': memoryview(b'a')}"),
            "{\"b\":\"" + b64 + "AP8=\",\"ba\":\"" + b64 + "YWI=\",\"mv\":\"" + b64 + "YQ==\"}");
  EXPECT_EQ(Json("{'u': uuid.UUID(int=1), 'c': Color.RED, 'p': Point(1, 2)}"),
            R"({"u":"00000000-0000-0000-0000-000000000001","c":"red","p":{"x":1,"y":2}})");
}

TEST(PyRows, WhatCannotBeWrittenIsAnErrorNamingTheFieldAndLeavesNothing) {
  std::string err;
  EXPECT_EQ(Json("{'a': {'b': [1, {2, 3}]}}", &err), "<error>");
  EXPECT_EQ(err, "field `a.b`: a set is not JSON serializable ({2, 3}); yield a list instead");
  EXPECT_EQ(Json("{'a': object}", &err), "<error>");
  EXPECT_EQ(err, "field `a`: `<class 'object'>` of type `type` is not JSON serializable");
  EXPECT_EQ(Json("{(1, 2): 'tuple key'}", &err), "<error>");
  EXPECT_EQ(err, "the key (1, 2) is not a string (dict keys must be str, int, float, bool or None)");
  EXPECT_EQ(Json("{'s': '\\ud800'}", &err), "<error>");
  EXPECT_TRUE(err.starts_with("field `s`: text that is not valid Unicode")) << err;
  // A list that contains itself: an error, not a stack overflow.
  EXPECT_EQ(Json("(lambda l: (l.append(l), {'l': l})[1])([])", &err), "<error>");
  EXPECT_TRUE(err.find("nesting deeper than 255 levels") != std::string::npos) << err;
}

TEST(PyRows, WritingLeavesEveryReferenceCountAsItWas) {
  PyObject* row = Eval("{'a': [decimal.Decimal('1.5'), datetime.date(2024, 1, 1), 2**70, Point(1, 2), Color.RED], 'b': {'c': b'x'}}");
  ASSERT_NE(row, nullptr);
  PyObject* a = PyDict_GetItemString(row, "a");
  std::vector<Py_ssize_t> before;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a); ++i) before.push_back(Py_REFCNT(PyList_GET_ITEM(a, i)));
  Py_ssize_t row_before = Py_REFCNT(row);
  for (int i = 0; i < 1000; ++i) {
    std::string out, err;
    ASSERT_TRUE(AppendRowJson(row, out, err)) << err;
  }
  EXPECT_EQ(Py_REFCNT(row), row_before);
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a); ++i) EXPECT_EQ(Py_REFCNT(PyList_GET_ITEM(a, i)), before[i]) << i;
  Py_DECREF(row);
}

// Reads every row of a resource made from the Python callable `open_expr`.
std::vector<std::string> ReadAll(const std::string& open_expr, Status* status, std::shared_ptr<PyErrorSlot> errors) {
  PyObject* open = Eval(open_expr);
  EXPECT_NE(open, nullptr);
  ResourceOptions o;
  o.name = "things";
  Resource r = MakePythonResource(o, open, errors);
  Py_DECREF(open);
  std::vector<std::string> rows;
  ExtractContext ctx;
  auto source = ResourceAccess::OpenSource(r, ctx);
  if (!source.ok()) {
    *status = source.status();
    return rows;
  }
  std::string_view json;
  std::string where;
  for (;;) {
    StatusOr<bool> next = (*source)->Next(&json, &where);
    if (!next.ok()) {
      *status = next.status();
      break;
    }
    if (!*next) break;
    rows.emplace_back(json);
  }
  return rows;
}

TEST(PySource, PagesAreRowsAndOtherItemsBecomeValueRows) {
  Status st;
  auto errors = std::make_shared<PyErrorSlot>();
  auto rows = ReadAll("lambda last: iter([[{'a': 1}, {'a': 2}], {'a': 3}, 4, 'text', (5, 6)])", &st, errors);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(rows, (std::vector<std::string>{R"({"a":1})", R"({"a":2})", R"({"a":3})", R"({"value":4})",
                                            R"({"value":"text"})", R"({"value":[5,6]})"}));
  EXPECT_EQ(errors->Release(), nullptr);
}

TEST(PySource, ManyRowsCrossChunksInOrder) {
  Status st;
  auto rows = ReadAll("lambda last: ({'i': i, 'pad': 'x' * 200} for i in range(20000))", &st, std::make_shared<PyErrorSlot>());
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(rows.size(), 20000u);
  EXPECT_EQ(rows[12345].substr(0, 13), R"({"i":12345,"p)");
}

TEST(PySource, AnExceptionOfTheIteratorStopsTheSourceAndIsKeptForTheCaller) {
  Status st;
  auto errors = std::make_shared<PyErrorSlot>();
  PyObject* gen_fn = Eval("exec('def boom(last):\\n    yield {\"a\": 1}\\n    raise KeyError(\"missing\")\\n', globals()) or boom");
  ASSERT_NE(gen_fn, nullptr);
  Py_DECREF(gen_fn);
  auto rows = ReadAll("boom", &st, errors);
  EXPECT_EQ(rows.size(), 0u);  // the first chunk never completed
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "resource `things` raised: KeyError: 'missing'");
  PyObject* exc = errors->Release();
  ASSERT_NE(exc, nullptr);
  EXPECT_TRUE(PyErr_GivenExceptionMatches(exc, PyExc_KeyError));
  EXPECT_EQ(errors->resource, "things");
  Py_DECREF(exc);
  EXPECT_FALSE(PyErr_Occurred());

  // A value that is not JSON: a TypeError naming the item and the field.
  rows = ReadAll("lambda last: iter([{'a': 1}, {'b': {'c': {1}}}])", &st, errors);
  EXPECT_EQ(st.message(), "resource `things`: item 2: field `b.c`: a set is not JSON serializable ({1}); yield a list instead");
  exc = errors->Release();
  ASSERT_NE(exc, nullptr);
  EXPECT_TRUE(PyErr_GivenExceptionMatches(exc, PyExc_TypeError));
  Py_DECREF(exc);
}

}  // namespace
}  // namespace dlt::python

// Under LeakSanitizer: CPython keeps interned strings, type objects and module state allocated
// until exit (some past Py_FinalizeEx, by design), so allocations made inside libpython are left
// out of the leak report. That includes Python objects the binding would leak (libpython
// allocates them too): the reference-count checks above catch those. Plain C++ allocations of the
// binding and the engine are still checked.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpython3.11\n"; }

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Py_Initialize();
  if (!dlt::python::InitRowTypes()) {
    PyErr_Print();
    return 2;
  }
  int rc = RUN_ALL_TESTS();
  Py_FinalizeEx();
  return rc;
}
