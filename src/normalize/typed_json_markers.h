// Strings of a JSON row marked with dlt's typed-JSON markers (common/typed_json.h) become
// values of their type, as dlt's normalizer decodes them (custom_pua_decode) before it infers
// column types: decimal, wei, timestamp (a naive datetime is UTC), date, time, binary (base64
// or hex decoded), UUID as text. A marked string whose text does not decode stays the string it
// is (dlt keeps it too).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "normalize/coerce.h"

namespace dlt {

// Reads string `s` into `out`: a typed kind when it is marked and decodes, else kString.
void ReadMarkedString(std::string_view s, ScalarValue* out);

// CoerceToText for the typed kinds (kDecimal .. kBinary), following dlt's coerce_value: the
// value's own type, text (the value's text without its marker), and the numeric and date
// conversions dlt knows; nullopt (a variant column) for the rest.
std::optional<std::string> CoerceTypedToText(const ScalarValue& v, DataType to);

// dlt's text -> binary: "0x" and hex digits, or strict base64; the binary cell, or nullopt.
std::optional<std::string> TextToBinaryCell(std::string_view s);

}  // namespace dlt
