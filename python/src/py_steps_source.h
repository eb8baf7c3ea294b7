// Rows the engine reads (sql_database tables, REST API resources, file readers) passed through
// the resource's Python steps (dlt's add_map, add_filter, add_yield_map) before they are
// extracted: a RecordSource over the engine's own. Without steps the rows never reach Python.
//
// The engine's records (JSON documents, or the rows of typed batches as dlt's typed JSON) are
// handed to `apply(json_text)` a page at a time, a JSON array of up to 1000 rows: the Python
// side decodes them (datetimes, Decimals... as Python values), runs the steps over the page as
// dlt runs them over a yielded page, and returns the rows that come out, which are written back
// as typed JSON (py_rows.h). The GIL is taken per page only.
#pragma once

#include <Python.h>

#include <memory>
#include <string>
#include <vector>

#include "extract/resource_access.h"
#include "py_source.h"

namespace dlt::python {

// Runs `apply` (JSON array text of rows -> list of rows) over `page`, with the GIL held by the
// caller: each row that comes out is appended to `out` as typed JSON and its end offset to
// `ends`. A Python error is kept in `errors` and returned naming resource `name`.
Status ApplyPythonSteps(PyObject* apply, const std::string& page, const std::string& name, PyErrorSlot& errors,
                        std::string& out, std::vector<size_t>& ends);

// `resource` with its rows through `apply` (a Python callable: JSON array text -> list of rows).
Resource WithPythonSteps(Resource resource, PyObject* apply, std::shared_ptr<PyErrorSlot> errors);

}  // namespace dlt::python
