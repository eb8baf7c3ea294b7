// A REST API source configured from Python (see py_rest_api.cc).
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/workspace.h"
#include "extract/rest_api_source.h"
#include "py_source.h"

namespace dlt::python {

class PyRestApiSpec {
 public:
  // `source`: {"name", "client", "resource_defaults"}; `resources`: dlt's list of resources.
  PyRestApiSpec(const pybind11::dict& source, const pybind11::list& resources, const std::string& pipeline_name);
  const rest_api::RestApiSpec& spec() const { return *spec_; }
  std::vector<std::string> ResourceNames() const;
  // The engine's resources for a run of `pipeline_name` (configuration and secrets of the
  // workspace's active profile), only those named in `selected` (parents are fetched for their
  // children as the engine does). `steps` ({resource name: apply}, items.page_steps; may be
  // None) are the resources' Python steps, run by the engine over each chunk of rows it fetches
  // (rest_api::RunOptions::row_steps), so that dependent resources read their parent's rows
  // after its steps, as in dlt; their errors are kept in `errors`. `file_formats` ({resource
  // name: format}; may be None): the file_format hint run(loader_file_format=...) gives them.
  StatusOr<std::vector<Resource>> Make(const Workspace& ws, const std::string& pipeline_name,
                                       const std::vector<std::string>& selected, const pybind11::object& steps,
                                       const std::shared_ptr<PyErrorSlot>& errors,
                                       const pybind11::object& file_formats = pybind11::none()) const;

 private:
  std::shared_ptr<const rest_api::RestApiSpec> spec_;
};

void RegisterRestApi(pybind11::module_& m);

}  // namespace dlt::python
