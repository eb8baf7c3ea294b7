// dlt._native.Naming: the engine's naming conventions (py_naming.cc).
#pragma once

#include <pybind11/pybind11.h>

namespace dlt::python {

void RegisterNaming(pybind11::module_& m);

}  // namespace dlt::python
