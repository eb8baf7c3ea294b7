// The engine's Workspace and Pipeline for the Python layer (python/dlt/): the objects of
// dlt.pipeline() and dlt.current.workspace(). Python calls run with the GIL released.
#include "py_pipeline.h"

#include <pybind11/stl.h>

#include <utility>

#include "load/package.h"
#include "load/pipeline_state.h"
#include "pipeline/sync.h"
#include "workspace/pipeline_paths.h"
#include "pipeline/pipeline_lock.h"
#include "py_filesystem.h"
#include "py_rest_api.h"
#include "py_source.h"
#include "py_steps_source.h"
#include "py_sql_database.h"

namespace dlt::python {

namespace py = pybind11;

namespace {

std::vector<std::string> StringList(const py::handle& v) {
  std::vector<std::string> out;
  if (v.is_none()) return out;
  if (py::isinstance<py::str>(v)) return {v.cast<std::string>()};
  for (auto item : v) out.push_back(py::str(item).cast<std::string>());
  return out;
}

template <typename T>
std::optional<T> Opt(const py::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return std::nullopt;
  return d[key].cast<T>();
}

}  // namespace

// The hints of a resource, as the Python layer passes them (dlt's names; see
// python/dlt/extract/resource.py `_native_options`).
ResourceOptions ToResourceOptions(const py::dict& d) {
  ResourceOptions o;
  o.name = d["name"].cast<std::string>();
  o.table_name = Opt<std::string>(d, "table_name").value_or(o.name);
  o.write_disposition = Opt<std::string>(d, "write_disposition").value_or("append");
  if (d.contains("primary_key")) {
    o.primary_key = StringList(d["primary_key"]);
    o.primary_key_is_list = !d["primary_key"].is_none() && !py::isinstance<py::str>(d["primary_key"]);
  }
  if (d.contains("merge_key")) o.merge_key = StringList(d["merge_key"]);
  if (d.contains("merge") && !d["merge"].is_none()) {
    // dlt's merge write disposition dict: {"strategy", "validity_column_names", ...}
    py::dict m = d["merge"].cast<py::dict>();
    o.merge.strategy = Opt<std::string>(m, "strategy").value_or("delete-insert");
    if (m.contains("validity_column_names") && !m["validity_column_names"].is_none()) {
      auto names = StringList(m["validity_column_names"]);
      if (names.size() == 2) o.merge.valid_from_column = names[0], o.merge.valid_to_column = names[1];
    }
    o.merge.active_record_timestamp = Opt<std::string>(m, "active_record_timestamp");
    o.merge.boundary_timestamp = Opt<std::string>(m, "boundary_timestamp");
    o.merge.unset_boundary_timestamp = m.contains("boundary_timestamp") && m["boundary_timestamp"].is_none();
    o.merge.row_version_column = Opt<std::string>(m, "row_version_column_name");
    o.merge.deduplicated = Opt<bool>(m, "deduplicated").value_or(false);
  }
  if (auto n = Opt<int>(d, "max_table_nesting")) o.max_table_nesting = *n;
  o.root_key = Opt<bool>(d, "root_key");
  o.arrow_items = Opt<bool>(d, "arrow_items").value_or(false);
  o.file_format = Opt<std::string>(d, "file_format").value_or("");
  auto columns_of = [](const py::list& items) {
    std::vector<ColumnOptions> out;
    for (auto item : items) {
      py::dict c = item.cast<py::dict>();
      ColumnOptions col;
      col.name = c["name"].cast<std::string>();
      col.data_type = Opt<std::string>(c, "data_type");
      col.nullable = Opt<bool>(c, "nullable");
      col.primary_key = Opt<bool>(c, "primary_key").value_or(false);
      col.merge_key = Opt<bool>(c, "merge_key").value_or(false);
      col.unset_primary_key = Opt<bool>(c, "primary_key") == false;
      col.unset_merge_key = Opt<bool>(c, "merge_key") == false;
      col.unique = Opt<bool>(c, "unique").value_or(false);
      col.precision = Opt<int>(c, "precision");
      col.scale = Opt<int>(c, "scale");
      col.hard_delete = Opt<bool>(c, "hard_delete").value_or(false);
      col.dedup_sort = Opt<std::string>(c, "dedup_sort");
      col.timezone = Opt<bool>(c, "timezone");
      if (c.contains("other_hints") && !c["other_hints"].is_none()) {
        for (auto [k, v] : c["other_hints"].cast<py::dict>()) col.other_hints.emplace_back(k.cast<std::string>(), v.cast<std::string>());
      }
      out.push_back(std::move(col));
    }
    return out;
  };
  if (d.contains("columns") && !d["columns"].is_none()) o.columns = columns_of(d["columns"].cast<py::list>());
  if (d.contains("nested") && !d["nested"].is_none()) {
    for (auto item : d["nested"].cast<py::list>()) {
      py::dict n = item.cast<py::dict>();
      ResourceOptions::NestedHint hint;
      hint.path = n["path"].cast<std::vector<std::string>>();
      if (n.contains("columns") && !n["columns"].is_none()) hint.columns = columns_of(n["columns"].cast<py::list>());
      o.nested.push_back(std::move(hint));
    }
  }
  if (d.contains("schema_settings") && !d["schema_settings"].is_none()) {
    o.schema_settings = d["schema_settings"].cast<std::string>();  // JSON text (dlt.common.schema)
  }
  if (d.contains("references") && !d["references"].is_none()) {
    // checked by dlt.extract.hints.references_list: dicts with columns, referenced_table,
    // referenced_columns and optionally label, cardinality
    for (auto item : d["references"].cast<py::list>()) {
      py::dict r = item.cast<py::dict>();
      TableReference ref;
      ref.columns = StringList(r["columns"]);
      ref.referenced_table = r["referenced_table"].cast<std::string>();
      ref.referenced_columns = StringList(r["referenced_columns"]);
      ref.label = Opt<std::string>(r, "label");
      ref.cardinality = Opt<std::string>(r, "cardinality");
      o.references.push_back(std::move(ref));
    }
  }
  if (d.contains("schema_contract") && !d["schema_contract"].is_none()) {
    py::dict c = d["schema_contract"].cast<py::dict>();
    o.schema_contract.tables = Opt<std::string>(c, "tables").value_or("evolve");
    o.schema_contract.columns = Opt<std::string>(c, "columns").value_or("evolve");
    o.schema_contract.data_type = Opt<std::string>(c, "data_type").value_or("evolve");
  }
  if (d.contains("incremental") && !d["incremental"].is_none()) {
    py::dict i = d["incremental"].cast<py::dict>();
    IncrementalOptions inc;
    inc.cursor_path = i["cursor_path"].cast<std::string>();
    inc.initial_value_json = Opt<std::string>(i, "initial_value_json");
    inc.on_cursor_value_missing = Opt<std::string>(i, "on_cursor_value_missing").value_or("raise");
    inc.end_value_json = Opt<std::string>(i, "end_value_json");
    inc.last_value_func = Opt<std::string>(i, "last_value_func").value_or("max");
    inc.range_start = Opt<std::string>(i, "range_start").value_or("closed");
    inc.range_end = Opt<std::string>(i, "range_end").value_or("open");
    if (i.contains("primary_key") && !i["primary_key"].is_none()) {
      inc.primary_key = StringList(i["primary_key"]);
      inc.primary_key_is_list = !py::isinstance<py::str>(i["primary_key"]);
    }
    o.incremental = std::move(inc);
  }
  return o;
}

namespace {

py::dict ToDict(const PackageInfo& p) {
  py::dict d;
  d["load_id"] = p.load_id;
  d["schema_name"] = p.schema_name;
  d["state"] = p.state;
  d["completed_at"] = p.completed_at;
  py::list jobs;
  for (const auto& j : p.jobs) {
    py::dict jd;
    jd["job_id"] = j.job_id;
    jd["table_name"] = j.table_name;
    jd["state"] = j.state;
    jd["file_format"] = j.file_format;
    jd["file_size"] = j.file_size;
    jd["failed_message"] = j.failed_message;
    jobs.append(jd);
  }
  d["jobs"] = jobs;
  return d;
}

const char* KindName(RunFailure::Kind k) {
  switch (k) {
    case RunFailure::Kind::kSource: return "source";
    case RunFailure::Kind::kData: return "data";
    case RunFailure::Kind::kSchemaContract: return "schema_contract";
    case RunFailure::Kind::kDestination: return "destination";
    case RunFailure::Kind::kConfig: return "config";
    case RunFailure::Kind::kOther: return "other";
  }
  return "other";
}

py::dict ToDict(const LoadInfo& info) {
  py::dict d;
  d["pipeline_name"] = info.pipeline_name;
  d["profile"] = info.profile;
  d["destination"] = info.destination;
  d["dataset_name"] = info.dataset_name;
  d["load_ids"] = info.load_ids;
  d["rows_per_table"] = info.rows_per_table;
  d["rows_normalized"] = info.rows_normalized;
  d["records_skipped"] = info.records_skipped;
  py::list steps;
  for (const auto& s : info.steps) {
    py::dict sd;
    sd["step"] = s.step;
    sd["seconds"] = s.seconds;
    sd["rows"] = s.rows;
    sd["bytes"] = s.bytes;
    sd["started_at"] = s.started_at;
    sd["finished_at"] = s.finished_at;
    steps.append(sd);
  }
  d["steps"] = steps;
  d["summary"] = info.Summary();
  d["destination_type"] = info.destination_type;
  d["destination_location"] = info.destination_location;
  d["first_run"] = info.first_run;
  py::list packages;
  for (const auto& p : info.packages) packages.append(ToDict(p));
  d["packages"] = packages;
  return d;
}

}  // namespace

PyWorkspace::PyWorkspace(std::optional<std::string> start_dir, std::optional<std::string> profile) {
  WorkspaceOptions o;
  if (start_dir) o.start_dir = *start_dir;
  o.profile = std::move(profile);
  StatusOr<Workspace> ws = Workspace::Open(o);
  if (!ws.ok()) throw EngineError(ws.status());
  ws_ = std::make_shared<Workspace>(std::move(*ws));
  Status loaded = ws_->LoadConfig();
  if (!loaded.ok()) throw EngineError(loaded);
}

std::optional<std::string> PyWorkspace::Banner() const {
  if (!ws_->workspace_mode() || ws_->profile() == "dev") return std::nullopt;
  return "Profile `" + ws_->profile() + "` is active.";
}

PyPipeline::PyPipeline(const PyWorkspace& ws, PipelineOptions options) : ws_(ws.shared()) {
  options.source_state = [cb = state_cb_](const std::string& schema) -> StatusOr<std::optional<std::string>> {
    py::gil_scoped_acquire gil;
    if (cb->is_none()) return std::optional<std::string>();
    try {
      py::object r = (*cb)(schema);
      if (r.is_none()) return std::optional<std::string>();
      return std::optional<std::string>(r.cast<std::string>());
    } catch (py::error_already_set& e) {
      // The exception's type and message (what() would add the Python traceback).
      std::string why = py::str(e.type().attr("__name__")).cast<std::string>() + ": " +
                        py::str(e.value()).cast<std::string>();
      return InvalidArgument("the source state of `" + schema + "` (dlt.current.source_state()) could not be stored: " +
                             why);
    }
  };
  StatusOr<Pipeline> p = Pipeline::Create(*ws_, std::move(options));
  if (!p.ok()) throw EngineError(p.status());
  pipeline_ = std::make_unique<Pipeline>(std::move(*p));
}

StatusOr<bool> EngineResources(const Workspace& ws, const std::string& pipeline_name, const py::tuple& t,
                               const std::shared_ptr<PyErrorSlot>& errors, std::vector<Resource>* out) {
  // Engine resources with Python steps (add_map, add_filter, add_yield_map): {name: apply}.
  auto with_steps = [&](Resource r, const py::object& steps) {
    if (!steps.is_none() && py::isinstance<py::dict>(steps)) {
      py::dict d = steps.cast<py::dict>();
      py::str name(r.options().name);
      if (d.contains(name)) return WithPythonSteps(std::move(r), d[name].ptr(), errors);
    }
    return r;
  };
  auto at = [&](size_t i) { return t.size() > i ? py::object(t[i]) : py::object(py::none()); };
  if (py::isinstance<PyRestApiSpec>(t[0])) {
    // (spec, [selected resource names], {name: steps}, {name: file_format}): the engine's REST
    // API resources, whose steps the engine runs as it fetches (children read their parent's
    // rows after them).
    DLT_ASSIGN_OR_RETURN(std::vector<Resource> made,
                         t[0].cast<const PyRestApiSpec&>().Make(ws, pipeline_name,
                                                                t[1].cast<std::vector<std::string>>(), at(2), errors,
                                                                at(3)));
    for (auto& r : made) out->push_back(std::move(r));
    return true;
  }
  if (py::isinstance<PyFileReader>(t[0])) {
    // (reader, list_files, options, {name: steps}): Python lists the files (with the state
    // session open, so its incremental on modification_date is kept); the engine reads them.
    auto files = t[1]().cast<std::vector<std::string>>();
    out->push_back(with_steps(t[0].cast<const PyFileReader&>().Make(ToResourceOptions(t[2].cast<py::dict>()), files),
                              at(3)));
    return true;
  }
  if (py::isinstance<PySqlDatabase>(t[0])) {
    // (database, [hints of each table], {name: steps}): the engine's sql_database resources.
    DLT_ASSIGN_OR_RETURN(std::vector<Resource> made, t[0].cast<const PySqlDatabase&>().Make(ws, t[1].cast<py::list>()));
    for (auto& r : made) out->push_back(with_steps(std::move(r), at(2)));
    return true;
  }
  return false;
}

py::dict PyPipeline::Call(const std::string& step, const py::list& resources, const py::object& state) {
  auto errors = std::make_shared<PyErrorSlot>();
  *state_cb_ = state;
  struct ClearState {
    std::shared_ptr<py::object> cb;
    ~ClearState() { *cb = py::none(); }
  } clear_state{state_cb_};
  std::vector<Resource> rs;
  for (auto item : resources) {
    py::tuple t = item.cast<py::tuple>();
    StatusOr<bool> engine = EngineResources(*ws_, pipeline_->name(), t, errors, &rs);
    if (!engine.ok()) return Failed(engine.status(), errors, "extract");
    if (*engine) continue;
    // (options, open[, table_name function]).
    rs.push_back(MakePythonResource(ToResourceOptions(t[0].cast<py::dict>()), t[1].ptr(), errors,
                                    t.size() > 2 ? t[2].ptr() : nullptr, [](PyObject* o) -> StatusOr<ResourceOptions> {
                                      try {
                                        return ToResourceOptions(py::reinterpret_borrow<py::dict>(o));
                                      } catch (const std::exception& e) {
                                        return InvalidArgument(e.what());
                                      }
                                    }));
  }
  StatusOr<LoadInfo> info = [&] {
    py::gil_scoped_release release;
    if (step == "extract") return pipeline_->Extract(rs);
    if (step == "normalize") return pipeline_->Normalize();
    if (step == "load") return pipeline_->Load();
    return pipeline_->Run(rs);
  }();
  rs.clear();  // drops the iterators (with the GIL held again)
  if (!info.ok()) return Failed(info.status(), errors, "");
  py::dict out;
  out["ok"] = true;
  out["info"] = ToDict(*info);
  return out;
}

py::dict PyPipeline::Failed(const Status& status, const std::shared_ptr<PyErrorSlot>& errors, const std::string& step) {
  py::dict out;
  out["ok"] = false;
  out["message"] = status.message();
  out["code"] = static_cast<int>(status.code());
  PyObject* exc = errors->Release();
  out["python_error"] = exc ? py::reinterpret_steal<py::object>(exc) : py::none();
  out["resource"] = errors->resource;
  const std::optional<RunFailure>& f = pipeline_->last_failure();
  out["step"] = !step.empty() ? step : f ? f->step : "extract";
  out["load_id"] = f && !f->load_id.empty() ? py::object(py::str(f->load_id)) : py::none();
  out["kind"] = f ? KindName(f->kind) : "other";
  out["has_pending_data"] = f ? f->has_pending_data : false;
  return out;
}

namespace {

template <typename T>
T OrRaise(StatusOr<T> v) {
  if (!v.ok()) throw EngineError(v.status());
  return std::move(*v);
}

}  // namespace

void RegisterPipeline(py::module_& m) {
  py::class_<PyWorkspace> workspace(m, "Workspace");
  RegisterConfig(workspace);
  RegisterSchemaSettings(m);
  workspace
      .def(py::init<std::optional<std::string>, std::optional<std::string>>(), py::arg("start_dir") = py::none(),
           py::arg("profile") = py::none())
      .def_property_readonly("profile", [](const PyWorkspace& w) { return w.get().profile(); })
      .def_property_readonly("profile_source",
                             [](const PyWorkspace& w) { return std::string(ProfileSourceName(w.get().profile_source())); })
      .def_property_readonly("workspace_mode", [](const PyWorkspace& w) { return w.get().workspace_mode(); })
      .def_property_readonly("name", [](const PyWorkspace& w) { return w.get().name(); })
      .def_property_readonly("run_dir", [](const PyWorkspace& w) { return w.get().run_dir().string(); })
      .def_property_readonly("settings_dir", [](const PyWorkspace& w) { return w.get().settings_dir().string(); })
      .def_property_readonly("data_dir", [](const PyWorkspace& w) { return w.get().working_dir().string(); })
      .def_property_readonly("local_dir", [](const PyWorkspace& w) { return w.get().local_dir().string(); })
      .def_property_readonly("pinned_profile", [](const PyWorkspace& w) { return w.get().pinned_profile(); })
      .def("banner", &PyWorkspace::Banner);

  py::class_<PyPipeline> pipeline(m, "Pipeline");
  RegisterSql(m, pipeline);
  pipeline
      .def(py::init([](const PyWorkspace& ws, std::string name, std::string destination, std::string dataset,
                       bool progress) {
             PipelineOptions o;
             o.pipeline_name = std::move(name);
             o.destination = std::move(destination);
             o.dataset_name = std::move(dataset);
             o.progress = progress;
             o.without_destination = o.destination.empty();  // dlt.pipeline() without one: extract, normalize
             return std::make_unique<PyPipeline>(ws, std::move(o));
           }),
           py::arg("workspace"), py::arg("pipeline_name"), py::arg("destination"), py::arg("dataset_name"),
           py::arg("progress") = false)
      .def_property_readonly("pipeline_name", [](const PyPipeline& p) { return p.get().name(); })
      .def_property_readonly("working_dir", [](const PyPipeline& p) { return p.get().working_dir().string(); })
      .def("run", [](PyPipeline& p, const py::list& r, const py::object& s) { return p.Call("run", r, s); },
           py::arg("resources"), py::arg("state") = py::none())
      .def("extract", [](PyPipeline& p, const py::list& r, const py::object& s) { return p.Call("extract", r, s); },
           py::arg("resources"), py::arg("state") = py::none())
      .def("normalize", [](PyPipeline& p) { return p.Call("normalize", py::list()); })
      .def("load", [](PyPipeline& p) { return p.Call("load", py::list()); })
      .def("state_json", [](PyPipeline& p) {
        py::gil_scoped_release release;
        return OrRaise(p.mut().StateJson());
      })
      // A stored schema ("" or none: the default one); None when it was never stored.
      .def("schema_json", [](PyPipeline& p, const std::string& name) -> std::optional<std::string> {
        StatusOr<std::string> s = [&] {
          py::gil_scoped_release release;
          return p.mut().SchemaJson(name);
        }();
        if (!s.ok() && s.status().code() == StatusCode::kNotFound) return std::nullopt;
        return OrRaise(std::move(s));
      }, py::arg("schema_name") = "")
      // The schema the next run/extract extracts into: a source's name ("": the default one).
      .def("use_schema", [](PyPipeline& p, const std::string& name) {
        Status s = p.mut().UseSchema(name);
        if (!s.ok()) throw EngineError(s);
      }, py::arg("schema_name"))
      // dlt's refresh of the next run/extract ("": none): the extract resets the state, the load
      // of its package drops or empties the tables (Pipeline::UseRefresh).
      .def("use_refresh", [](PyPipeline& p, const std::string& mode) {
        Status s = p.mut().UseRefresh(mode);
        if (!s.ok()) throw EngineError(s);
      }, py::arg("mode"))
      .def("has_pending_data", [](PyPipeline& p) { return OrRaise(p.mut().HasPendingData()); })
      .def("list_packages", [](PyPipeline& p, const std::string& state) { return p.mut().ListPackages(state); })
      .def("get_package", [](PyPipeline& p, const std::string& id) { return ToDict(OrRaise(p.mut().GetPackage(id))); })
      // dlt's drop_pending_packages: deletes the extracted and normalized packages (their data
      // is not loaded), as `dlt pipeline <name> drop-pending-packages --yes`, under the lock.
      .def("drop_pending_packages", [](PyPipeline& p) {
        size_t n = 0;
        Status s;
        {
          py::gil_scoped_release release;
          PipelineLock lock;
          s = lock.Acquire(p.get().working_dir(), p.get().name());
          PackageStorage storage(p.get().working_dir());
          for (PackageStage st : {PackageStage::kExtracted, PackageStage::kNormalized}) {
            for (const auto& id : s.ok() ? storage.List(st) : std::vector<std::string>{}) {
              if (s.ok()) s = storage.Delete(st, id);
              if (s.ok()) ++n;
            }
          }
        }
        if (!s.ok()) throw EngineError(s);
        return n;
      })
      // dlt's sync_destination: the destination's state (and schema) replaces the local one when
      // it is at least as new and differs (a run elsewhere loaded later); True when it did.
      .def("sync_destination", [](PyPipeline& p, const std::string& destination, const std::string& dataset) {
        bool restored = false;
        Status s;
        {
          py::gil_scoped_release release;
          std::optional<PipelineState> local;
          const auto state_path = PipelinePaths(p.get().working_dir()).State();
          std::error_code ec;
          if (std::filesystem::exists(state_path, ec)) {
            auto st = PipelineState::Load(state_path);
            if (st.ok()) local = std::move(st).value();
          }
          SyncOptions o;
          o.pipeline_name = p.get().name();
          o.destination = destination;
          o.dataset_name = dataset;
          o.confirm = [](const std::string&) { return true; };
          o.should_restore = [&](int version, const std::string& hash) {
            return !local || (version >= local->version() && hash != local->version_hash());
          };
          StatusOr<SyncResult> r = SyncPipeline(*p.workspace(), o);
          if (r.ok()) restored = !r->cancelled;
          else if (r.status().code() != StatusCode::kNotFound) s = r.status();
        }
        if (!s.ok()) throw EngineError(s);
        return restored;
      }, py::arg("destination"), py::arg("dataset_name"))
      .def("drop_local", [](PyPipeline& p) {
        Status s;
        {
          py::gil_scoped_release release;
          s = p.mut().DropLocal();
        }
        if (!s.ok()) throw EngineError(s);
      });
}

}  // namespace dlt::python
