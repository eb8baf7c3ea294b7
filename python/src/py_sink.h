// dlt's custom destination (@dlt.destination) from Python: the engine's sink destination
// (destinations/sink/sink_destination.h) hands each job to a Python function. See py_sink.cc.
#pragma once

#include <pybind11/pybind11.h>

namespace dlt::python {

void RegisterSink(pybind11::module_& m);

}  // namespace dlt::python
