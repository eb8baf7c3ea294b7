// A resource's rows from Python: the engine's RecordSource over a Python iterable.
//
// The engine runs with the GIL released; the extract step calls Next() on its thread, and the
// source takes the GIL only to pull about 1 MB of rows at a time from the iterator, writing
// them as typed JSON (py_rows.h). What dlt does with yielded items is kept: a list is a page of
// rows, a dict is a row, any other value `v` is the row {"value": v}.
// A Python exception raised by the iterator (or by serialization) stops the extract; the
// exception itself is kept in the run's PyErrorSlot so the caller re-raises it, chained.
#pragma once

#include <Python.h>

#include <functional>
#include <memory>
#include <string>

#include "extract/resource_access.h"

namespace dlt::python {

// The first Python error of a run: the exception object (a new reference) and the resource
// whose rows raised it. Touched only with the GIL held.
struct PyErrorSlot {
  PyObject* exception = nullptr;
  std::string resource;
  ~PyErrorSlot();
  // Takes the pending Python exception (when the slot is empty), returns its text.
  std::string Capture(const std::string& resource_name);
  // Takes ownership of the kept exception (null when none); the slot is empty afterwards.
  PyObject* Release();
};

// Drops a reference on any thread (taking the GIL for it): for Python objects held by engine
// sources, which may be destroyed on the extract's thread.
void DecRefWithGil(PyObject* obj);

// Turns a dict of resource options (as DltResource._native_options makes them) into the
// engine's; called with the GIL.
using PyOptionsReader = std::function<StatusOr<ResourceOptions>(PyObject* options)>;

// A resource whose rows come from `open()` (a Python callable returning an iterable), called
// with the GIL when the extract step opens the resource. With `table_fn` (dlt's table_name
// function; may be null) each row goes to the table `table_fn(row)` names.
// Items marked by dlt.mark (dlt.extract.items.DataItemWithMeta) go to the table their meta's
// `table_name` names (the table_name function wins, as in dlt); a meta may also carry
// `table_options` (the hints of that table) and `resource_options` (the resource's hints from
// now on), read with `read_options`.
Resource MakePythonResource(ResourceOptions options, PyObject* open, std::shared_ptr<PyErrorSlot> errors,
                            PyObject* table_fn = nullptr, PyOptionsReader read_options = {});

}  // namespace dlt::python
