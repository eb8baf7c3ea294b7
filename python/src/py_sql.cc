// SQL sessions on a pipeline's dataset for Python (pipeline.sql_client(), pipeline.dataset()):
// dlt::SqlSession (include/dlt/sql.h) with the GIL released while the database works. Values
// come back as (dlt type, exact text) and python/dlt/destinations/sql_client.py makes Python
// objects of them.
#include <pybind11/stl.h>

#include "dlt/sql.h"
#include "py_pipeline.h"

namespace dlt::python {

namespace py = pybind11;

namespace {

class PySqlSession {
 public:
  explicit PySqlSession(SqlSession s) : s_(std::make_unique<SqlSession>(std::move(s))) {}

  void Execute(const std::string& sql, const SqlParams& params) {
    Status st;
    {
      py::gil_scoped_release release;
      st = s_->Execute(sql, params);
    }
    if (!st.ok()) throw EngineError(st);
  }

  // (columns [(name, dlt type)], rows [[text | None]])
  py::tuple Query(const std::string& sql, const SqlParams& params) {
    StatusOr<QueryResult> r = [&] {
      py::gil_scoped_release release;
      return s_->Query(sql, params);
    }();
    if (!r.ok()) throw EngineError(r.status());
    py::list cols;
    for (const auto& c : r->columns) cols.append(py::make_tuple(c.name, c.data_type));
    py::list rows;
    for (const auto& row : r->rows) {
      py::list out;
      for (const auto& v : row) {
        if (v) out.append(py::str(*v));
        else out.append(py::none());
      }
      rows.append(out);
    }
    return py::make_tuple(cols, rows);
  }

  SqlSession& get() { return *s_; }

 private:
  std::unique_ptr<SqlSession> s_;
};

}  // namespace

void RegisterSql(py::module_& m, py::class_<PyPipeline>& pipeline) {
  py::class_<PySqlSession>(m, "SqlSession")
      .def("execute", &PySqlSession::Execute, py::arg("sql"), py::arg("params") = SqlParams{})
      .def("query", &PySqlSession::Query, py::arg("sql"), py::arg("params") = SqlParams{})
      .def_property_readonly("dataset_name", [](PySqlSession& s) { return s.get().dataset_name(); })
      .def_property_readonly("destination_type", [](PySqlSession& s) { return s.get().destination_type(); })
      .def_property_readonly("read_only", [](PySqlSession& s) { return s.get().read_only(); })
      .def("quote_identifier", [](PySqlSession& s, const std::string& n) { return s.get().QuoteIdentifier(n); })
      .def("dataset_exists", [](PySqlSession& s) {
        py::gil_scoped_release release;
        return s.get().DatasetExists();
      })
      .def("close", [](PySqlSession& s) { s.get().Close(); })
      .def_property_readonly("is_open", [](PySqlSession& s) { return s.get().is_open(); });
  pipeline.def(
      "open_sql",
      [](PyPipeline& p, bool read_only) {
        StatusOr<SqlSession> s = [&] {
          py::gil_scoped_release release;
          return p.mut().OpenSql(read_only);
        }();
        if (!s.ok()) throw EngineError(s.status());
        return std::make_unique<PySqlSession>(std::move(*s));
      },
      py::arg("read_only") = false);
}

}  // namespace dlt::python
