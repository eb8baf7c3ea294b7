// The engine's Workspace and Pipeline as Python classes of dlt._native (see py_pipeline.cc).
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dlt/pipeline.h"
#include "dlt/workspace.h"

namespace dlt::python {

struct PyErrorSlot;  // py_source.h

// An engine error outside a run (opening the workspace, creating the pipeline): raised in
// Python as dlt._native.EngineError, which the Python layer turns into dlt's exception types.
struct EngineError : std::runtime_error {
  explicit EngineError(const Status& s) : std::runtime_error(s.message()), code(static_cast<int>(s.code())) {}
  int code;
};

class PyWorkspace {
 public:
  PyWorkspace(std::optional<std::string> start_dir, std::optional<std::string> profile);
  const Workspace& get() const { return *ws_; }
  std::shared_ptr<const Workspace> shared() const { return ws_; }
  // "Profile `prod` is active." for any profile but dev in a workspace, as the CLI prints it.
  std::optional<std::string> Banner() const;

 private:
  std::shared_ptr<Workspace> ws_;
};

class PyPipeline {
 public:
  PyPipeline(const PyWorkspace& ws, PipelineOptions options);
  const Pipeline& get() const { return *pipeline_; }
  Pipeline& mut() { return *pipeline_; }
  const std::shared_ptr<const Workspace>& workspace() const { return ws_; }
  // step: run | extract | normalize | load. resources: [(options dict, open callable)],
  // [(RestApiSpec, [names])] or [(SqlDatabase, [table option dicts])]. Returns {"ok": True,
  // "info": {...}} or {"ok": False, "message", "code", "python_error", "resource", "step",
  // "load_id", "kind", "has_pending_data"}.
  // state: a callable the engine calls once per extract with the schema name, returning the
  // source state user code kept as typed JSON text (or None when it kept none); may be None.
  pybind11::dict Call(const std::string& step, const pybind11::list& resources,
                      const pybind11::object& state = pybind11::none());

 private:
  pybind11::dict Failed(const Status& status, const std::shared_ptr<PyErrorSlot>& errors, const std::string& step);
  std::shared_ptr<const Workspace> ws_;  // the pipeline refers to it
  std::unique_ptr<Pipeline> pipeline_;
  // The `state` callable of the call in progress (None between calls): PipelineOptions::source_state.
  std::shared_ptr<pybind11::object> state_cb_ = std::make_shared<pybind11::object>(pybind11::none());
};

void RegisterPipeline(pybind11::module_& m);
// SqlSession and Pipeline.open_sql (py_sql.cc).
void RegisterSql(pybind11::module_& m, pybind11::class_<PyPipeline>& pipeline);
// Workspace.lookup / provider_locations / profiles (py_config.cc).
void RegisterConfig(pybind11::class_<PyWorkspace>& cls);
// dlt._native.schema_settings_error(json): the engine's objection to schema settings, or None.
void RegisterSchemaSettings(pybind11::module_& m);
// dlt._native.SqlDatabase for dlt.sources.sql_database (py_sql_database.cc).
void RegisterSqlDatabase(pybind11::module_& m);

// The hints of a resource as the Python layer passes them (DltResource._native_options).
ResourceOptions ToResourceOptions(const pybind11::dict& d);

// The engine's resources of one item of a run's resource list, as python/dlt/pipeline/_data.py
// makes them (a REST API spec, a file reader or an SQL database, with what to read and the
// resources' Python steps): appended to `out`, returning true; false for any other item.
StatusOr<bool> EngineResources(const Workspace& ws, const std::string& pipeline_name, const pybind11::tuple& t,
                               const std::shared_ptr<PyErrorSlot>& errors, std::vector<Resource>* out);
// dlt._native.EngineRows: the rows of an engine resource read in Python (py_engine_rows.cc).
void RegisterEngineRows(pybind11::module_& m);

}  // namespace dlt::python
