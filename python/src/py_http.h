// One HTTP request from Python through the engine's HTTP client (extract/http_client.h): what
// dlt.sources.helpers.requests and RESTClient.get/post send. See py_http.cc.
#pragma once

#include <pybind11/pybind11.h>

namespace dlt::python {

void RegisterHttp(pybind11::module_& m);

}  // namespace dlt::python
