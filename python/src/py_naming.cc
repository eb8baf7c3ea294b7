// dlt's naming conventions for Python (dlt.common.normalizers.naming): the engine's SnakeCaseNaming
// (snake_case, direct, sql_cs_v1, sql_ci_v1, duck_case), so that a script's normalize_identifier
// gives the names the engine gives tables and columns.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "normalize/naming.h"
#include "py_naming.h"

namespace py = pybind11;

namespace dlt::python {

void RegisterNaming(py::module_& m) {
  py::class_<SnakeCaseNaming>(m, "Naming")
      .def(py::init([](const std::string& convention, std::optional<size_t> max_length) {
             std::optional<NamingConvention> c = ParseNamingConvention(convention);
             if (!c) {
               throw py::value_error("naming convention `" + convention + "` is not one of dlt-cpp's: " +
                                     NamingConventionNames());
             }
             return SnakeCaseNaming(max_length.value_or(0), *c);
           }),
           py::arg("convention"), py::arg("max_length") = py::none())
      .def_property_readonly("name", [](const SnakeCaseNaming& n) { return std::string(n.name()); })
      .def_property_readonly("max_length", [](const SnakeCaseNaming& n) -> std::optional<size_t> {
        return n.max_length() ? std::optional<size_t>(n.max_length()) : std::nullopt;
      })
      .def_property_readonly("is_case_sensitive", &SnakeCaseNaming::case_sensitive)
      .def_property_readonly("path_separator", [](const SnakeCaseNaming& n) { return std::string(n.path_separator()); })
      .def("normalize_identifier", &SnakeCaseNaming::NormalizeIdentifier)
      .def("normalize_path", &SnakeCaseNaming::NormalizePath)
      .def("make_path", &SnakeCaseNaming::MakePath)
      .def_static("shorten_identifier", &SnakeCaseNaming::ShortenIdentifier, py::arg("normalized"),
                  py::arg("original"), py::arg("max_length"));
}

}  // namespace dlt::python
