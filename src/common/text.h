// Small text helpers: edit distance suggestions, trimming, joining.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlt::text {

std::string_view Trim(std::string_view s);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::vector<std::string> Split(std::string_view s, char sep);
std::string ToUpper(std::string_view s);
std::string ToLower(std::string_view s);

size_t EditDistance(std::string_view a, std::string_view b);

// `s` safe to print inside a message: bytes outside printable ASCII as \xNN (control characters,
// escapes, binary, UTF-8), backslash and backquote escaped, and at most `max_bytes` of the input
// shown (then "..." and how many bytes were cut).
std::string Printable(std::string_view s, size_t max_bytes = 64);

// Appends `s` as a JSON string (quotes included; UTF-8 passes through). `"` and `\` are escaped
// with a backslash, other control characters as \u00XX, or with `short_escapes` \n \r \t \b \f
// where JSON has them (both are valid JSON; the bytes differ, so each caller keeps its form).
void AppendJsonString(std::string& out, std::string_view s, bool short_escapes = false);

// The closest candidate within a small edit distance ("did you mean"), if any.
std::optional<std::string> Suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace dlt::text
