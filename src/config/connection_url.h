// Pieces of connection URLs (postgresql://user:pw@host:port/db?k=v, md:db?token=...) shared by
// the credential parsers of the destination types. Error messages never echo what they parse
// (it may hold a password) unless it is known not to be secret.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlt/status.h"

namespace dlt::url {

// %XX escapes decoded; `what` names the part in errors ("password of the postgres connection string").
StatusOr<std::string> PercentDecode(std::string_view s, std::string_view what);
// A TCP port, 1..65535 (the text is not echoed).
StatusOr<int> ParsePort(std::string_view s, std::string_view what);
// A whole number of seconds >= 0.
StatusOr<int> ParseSeconds(std::string_view s, std::string_view what);
// "a=1&b=2" split into percent-decoded pairs.
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q);

}  // namespace dlt::url
