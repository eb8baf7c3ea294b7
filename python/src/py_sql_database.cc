// sql_database / sql_table from Python (python/dlt/sources/sql_database/): the options of the
// call become the engine's SqlDatabaseOptions (include/dlt/sql_database.h); the tables are
// reflected by the engine when the source is made, and read by it when the pipeline runs, with
// the hints Python set on each resource (apply_hints, incremental, write_disposition). Rows
// never pass through Python. The credentials URL is held as a dlt::Secret from here on.
#include "py_sql_database.h"

#include <pybind11/stl.h>

#include <map>

#include "extract/resource_access.h"
#include "extract/row_limit_source.h"
#include "extract/sql_database/sql_credentials.h"
#include "extract/sql_database/sql_reader.h"
#include "normalize/schema.h"
#include "py_pipeline.h"

namespace dlt::python {

namespace py = pybind11;

namespace {

std::optional<std::string> OptString(const py::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return std::nullopt;
  return d[key].cast<std::string>();
}

sql_source::ReflectionLevel Level(const std::string& s) {
  if (s == "minimal") return sql_source::ReflectionLevel::kMinimal;
  if (s == "full_with_precision") return sql_source::ReflectionLevel::kFullWithPrecision;
  return sql_source::ReflectionLevel::kFull;
}

py::dict Failure(const Status& s) {
  py::dict out;
  out["ok"] = false;
  out["message"] = s.message();
  out["code"] = static_cast<int>(s.code());
  return out;
}

}  // namespace

PySqlDatabase::PySqlDatabase(const py::dict& d) {
  if (auto url = OptString(d, "credentials")) options_.credentials = Secret(*url);
  if (auto section = OptString(d, "section")) options_.section = *section;
  options_.schema = OptString(d, "schema");
  if (d.contains("table_names")) options_.table_names = d["table_names"].cast<std::vector<std::string>>();
  if (d.contains("chunk_size")) options_.chunk_size = d["chunk_size"].cast<size_t>();
  if (auto level = OptString(d, "reflection_level")) options_.reflection_level = *level;
  if (d.contains("include_views")) options_.include_views = d["include_views"].cast<bool>();
}

py::dict PySqlDatabase::Reflect(const PyWorkspace& ws) const {
  StatusOr<std::vector<Resource>> made = [&] {
    py::gil_scoped_release release;
    return SqlDatabase(ws.get(), options_);
  }();
  if (!made.ok()) return Failure(made.status());
  py::dict out;
  out["ok"] = true;
  py::list tables;
  for (const Resource& r : *made) {
    const ResourceOptions& o = r.options();
    py::dict t;
    t["name"] = o.name;
    t["table"] = o.name;  // the engine names each resource after its table
    t["primary_key"] = o.primary_key;
    t["write_disposition"] = o.write_disposition;
    t["columns"] = py::none();  // read on demand (columns()): the typed batches carry the types
    tables.append(t);
  }
  out["tables"] = tables;
  return out;
}

py::dict PySqlDatabase::Columns(const PyWorkspace& ws, const std::string& table,
                               const std::optional<std::string>& schema) const {
  StatusOr<sql_source::SourceTable> t = [&]() -> StatusOr<sql_source::SourceTable> {
    py::gil_scoped_release release;
    DLT_ASSIGN_OR_RETURN(Secret url, sql_source::ResolveSqlCredentials(ws.get(), options_));
    DLT_ASSIGN_OR_RETURN(auto reader, sql_source::OpenSqlReader(url));
    std::string s = schema.value_or(options_.schema.value_or(reader->default_schema()));
    return reader->Reflect(s, table, Level(options_.reflection_level));
  }();
  if (!t.ok()) return Failure(t.status());
  py::list cols;
  for (const auto& sc : t->columns) {
    const TypedColumn& c = sc.column;
    py::dict d;
    d["name"] = c.name;
    // minimal: types come from the data, as dlt's minimal reflection leaves them out.
    if (options_.reflection_level != "minimal") {
      d["data_type"] = std::string(DataTypeName(c.data_type));
      // dlt's `timezone: false` of a naive timestamp (TIMESTAMP WITHOUT TIME ZONE, SQLite's
      // DATETIME): rows through Python steps keep the column naive at the destination.
      if (c.data_type == DataType::kTimestamp && !c.timezone) d["timezone"] = false;
    }
    d["nullable"] = c.nullable;
    if (c.precision) d["precision"] = *c.precision;
    if (c.scale) d["scale"] = *c.scale;
    cols.append(d);
  }
  py::dict out;
  out["ok"] = true;
  out["columns"] = cols;
  return out;
}

StatusOr<std::vector<Resource>> PySqlDatabase::Make(const Workspace& ws, const py::list& tables) const {
  SqlDatabaseOptions o = options_;
  o.table_names.clear();
  o.tables.clear();
  for (auto item : tables) {
    py::dict d = item.cast<py::dict>();
    ResourceOptions ro = ToResourceOptions(d);
    SqlTableOptions t;
    t.table = d["table"].cast<std::string>();
    t.schema = OptString(d, "schema");
    t.resource_name = ro.name;
    t.table_name = ro.table_name;
    // Unset hints keep what the catalog says (the table's own primary key, append).
    if (d.contains("write_disposition")) t.write_disposition = ro.write_disposition;
    if (d.contains("primary_key")) t.primary_key = ro.primary_key;
    t.merge_key = ro.merge_key;
    t.merge = ro.merge;
    // The cursor's values stay dlt's typed JSON (a datetime is a marked string): the SQL scan
    // strips the markers where it binds them as literals.
    t.incremental = ro.incremental;
    t.columns = ro.columns;
    if (d.contains("schema_contract") && !d["schema_contract"].is_none()) t.schema_contract = ro.schema_contract;
    t.arrow_items = ro.arrow_items;
    t.file_format = ro.file_format;
    if (d.contains("excluded_columns")) t.excluded_columns = d["excluded_columns"].cast<std::vector<std::string>>();
    if (d.contains("max_rows") && !d["max_rows"].is_none()) t.max_rows = d["max_rows"].cast<uint64_t>();
    o.table_names.push_back(t.table);
    o.tables.push_back(std::move(t));
  }
  // add_limit: the tables read only so many rows (the engine stops reading there).
  std::map<std::string, uint64_t> max_rows;
  for (auto item : tables) {
    py::dict d = item.cast<py::dict>();
    if (d.contains("max_rows") && !d["max_rows"].is_none()) {
      max_rows[d["name"].cast<std::string>()] = d["max_rows"].cast<uint64_t>();
    }
  }
  py::gil_scoped_release release;
  DLT_ASSIGN_OR_RETURN(std::vector<Resource> made, SqlDatabase(ws, o));
  for (Resource& r : made) {
    auto limit = max_rows.find(r.options().name);
    if (limit == max_rows.end()) continue;
    Resource all = r;
    const uint64_t n = limit->second;
    r = ResourceAccess::FromSource(all.options(), [all, n](const ExtractContext& context)
                                                      -> StatusOr<std::unique_ptr<RecordSource>> {
      DLT_ASSIGN_OR_RETURN(auto source, ResourceAccess::OpenSource(all, context));
      return LimitRows(std::move(source), n);
    });
  }
  return made;
}

void RegisterSqlDatabase(py::module_& m) {
  py::class_<PySqlDatabase, std::shared_ptr<PySqlDatabase>>(m, "SqlDatabase")
      .def(py::init<const py::dict&>(), py::arg("options"))
      .def("reflect", &PySqlDatabase::Reflect, py::arg("workspace"))
      .def("columns", &PySqlDatabase::Columns, py::arg("workspace"), py::arg("table"), py::arg("schema") = py::none())
      .def("__repr__", [](const PySqlDatabase&) { return std::string("<dlt._native.SqlDatabase>"); });
}

}  // namespace dlt::python
