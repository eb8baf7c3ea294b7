// dlt's typed JSON: values JSON cannot type travel as strings that start with a Unicode
// private-use marker (dlt/common/json custom_pua_encode), U+F026 decimal, U+F027 datetime,
// U+F028 date, U+F029 UUID, U+F02A hex bytes, U+F02B base64 bytes, U+F02C wei, U+F02D time
// (UTF-8 EF 80 A6 .. EF 80 AD). Python dlt's `.typed-jsonl` files and state hold such strings,
// and the Python binding writes its rows that way. Shared by normalize (types) and extract
// (cursors, row hashes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dlt::typed_json {

enum class Marker { kNone, kDecimal, kDateTime, kDate, kUuid, kHexBytes, kBase64Bytes, kWei, kTime };

// The marker `s` starts with when text follows it (dlt decodes only such strings), else kNone.
Marker MarkerOf(std::string_view s);
// `s` without its marker (dlt custom_pua_remove); `s` itself when it has none.
std::string_view Strip(std::string_view s);
// Whether `text` may hold a marker at all (dlt may_have_pua: the bytes EF 80): a cheap test
// before looking for them.
inline bool MayHaveMarker(std::string_view text) { return text.find("\xEF\x80") != std::string_view::npos; }
// Compact JSON text (as simdjson::minify writes it) with the marker removed from every string
// value; keys stay as they are (dlt strips values only).
std::string StripInJson(std::string_view json);

// Python's Decimal(text) for finite numbers: [+-]digits[.digits][(e|E)[+-]digits] (or .digits).
bool IsDecimalText(std::string_view s);
// Compares two IsDecimalText numbers exactly: -1, 0 or 1.
int CompareDecimal(std::string_view a, std::string_view b);
// The integer a decimal text equals ("12.00" -> "12", "1E+2" -> "100"), or nullopt when it has
// a fractional part or does not fit 64 bits.
std::optional<std::string> DecimalToInt64Text(std::string_view s);

// HexBytes(text): hex digits with an optional 0x, an odd count padded with a leading 0.
std::optional<std::string> DecodeHex(std::string_view s);

}  // namespace dlt::typed_json
