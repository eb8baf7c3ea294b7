// Type inference and coercion of JSON values into dlt data types, as Python dlt does it:
// bool -> bool, integer -> bigint, float -> double, ISO-8601 timestamp strings -> timestamp
// (common/iso8601.h reads them as dlt does),
// other strings -> text. A value that can be coerced into an existing column's type is
// coerced; otherwise it goes to a variant column.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "normalize/schema.h"

namespace dlt {

// A scalar JSON value, as the normalizer sees it. kDecimal .. kBinary come from strings marked
// with dlt's typed-JSON markers (normalize/typed_json_markers.h): `s` is the text after the marker.
struct ScalarValue {
  enum class Kind {
    kNull, kBool, kInt, kDouble, kString, kJson,
    kDecimal, kWei, kTimestamp, kDate, kTime, kBinary
  } kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;  // string contents, compact JSON text for kJson, the marked value's text
  bool hex = false;    // kBinary: `s` is hex (HexBytes), else base64
};

// The dlt type a value gets when it creates a new column (timestamps detected from strings).
DataType InferType(const ScalarValue& v);
// The type of a value without detection (variant columns are named after it).
DataType BaseType(const ScalarValue& v);

// Converts `v` into the text form written to load files for a column of type `to`, or nullopt
// when the value cannot be coerced (then it goes to a variant column).
std::optional<std::string> CoerceToText(const ScalarValue& v, DataType to);

// dlt's ensure_pendulum_time: the time of day an ISO time string (or a Python time's isoformat)
// stands for, as "HH:MM:SS[.ffffff]" in UTC: a time with an offset is shifted to UTC (around
// midnight if need be) and made naive; nullopt for anything but a time of day.
std::optional<std::string> UtcTimeOfDay(std::string_view s);

// Python's repr() of a float: shortest round trip, "2.0" for integral values, "1e+300".
std::string PythonFloatRepr(double d);

}  // namespace dlt
