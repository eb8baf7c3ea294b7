#include "config/connection_url.h"

#include <charconv>

#include "common/text.h"

namespace dlt::url {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StatusOr<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return InvalidArgument("invalid percent-escape in the " + std::string(what));
      }
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgument("invalid percent-escape in the " + std::string(what));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

StatusOr<int> ParsePort(std::string_view s, std::string_view what) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0 || v > 65535) {
    // The text is not echoed: in a malformed URI it may be part of a password.
    return InvalidArgument(std::string(what) + " must be a number between 1 and 65535");
  }
  return v;
}

StatusOr<int> ParseSeconds(std::string_view s, std::string_view what) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) {
    return InvalidArgument(std::string(what) + " must be a whole number of seconds, got `" +
                           std::string(s) + "`");
  }
  return v;
}

// Splits "a=1&b=2" into pairs (percent-decoded).
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  if (q.empty()) return out;
  for (const std::string& part : text::Split(q, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view k = std::string_view(part).substr(0, eq);
    std::string_view v = eq == std::string::npos ? std::string_view() : std::string_view(part).substr(eq + 1);
    DLT_ASSIGN_OR_RETURN(std::string key, PercentDecode(k, "query parameter name"));
    DLT_ASSIGN_OR_RETURN(std::string value, PercentDecode(v, "query parameter `" + key + "`"));
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace dlt::url
