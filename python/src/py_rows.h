// Python objects -> dlt's typed JSON, written by C++ without `json.dumps`.
//
// The rules are those of Python dlt's item serializer (orjson with dlt's typed extension):
// dicts, lists, tuples, str, int, float, bool and None are JSON; values JSON cannot type are
// strings starting with a private-use marker that the engine reads back as typed values:
//   U+F026 Decimal (and ints beyond 64 bits), U+F027 datetime, U+F028 date, U+F02B bytes
//   (base64), U+F02D time. UUIDs become their text, Enums their value, dataclasses and
//   namedtuples dicts, objects with `model_dump()` (pydantic) or `_asdict()` what those return.
// Anything else is an error naming the field: "field `payload.when`: `<object>` is not JSON
// serializable".
#pragma once

#include <Python.h>

#include <cstddef>
#include <string>
#include <vector>

namespace dlt::python {

// Types looked up once per process (decimal.Decimal, uuid.UUID, enum.Enum, ...). Call with the
// GIL held before the first Append; returns false with a Python error set when an import fails.
bool InitRowTypes();

// Appends the JSON of one row (`obj`) to `out`. Returns false when the object cannot be written;
// `error` then says why and names the field. No Python exception is left set.
bool AppendRowJson(PyObject* obj, std::string& out, std::string& error);

// The same for an item as dlt takes it as a row: a dict is the row, any other value `v` the row
// {"value": v}.
bool AppendItemRowJson(PyObject* obj, std::string& out, std::string& error);

}  // namespace dlt::python
