// Parsing and validation of destination credentials. Error messages name keys and origins,
// never the values: a connection string holds a password.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/text.h"
#include "dlt/destination.h"

namespace dlt {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

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

std::string QuoteLibpq(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string MotherDuckCredentials::ConnectionString() const {
  return "md:" + database + "?motherduck_token=" + token.reveal();
}

std::string MotherDuckCredentials::Redacted() const {
  return "md:" + database + (token.empty() ? "" : "?motherduck_token=***");
}

std::string PostgresCredentials::ConnectionString() const {
  std::string s = "host=" + QuoteLibpq(host) + " port=" + std::to_string(port) +
                  " dbname=" + QuoteLibpq(database) + " user=" + QuoteLibpq(username) +
                  " connect_timeout=" + std::to_string(connect_timeout);
  if (!password.empty()) s += " password=" + QuoteLibpq(password.reveal());
  if (!sslmode.empty()) s += " sslmode=" + QuoteLibpq(sslmode);
  return s;
}

std::string PostgresCredentials::Redacted() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string s = "postgresql://" + username + (password.empty() ? "" : ":***") + "@" + h + ":" +
                  std::to_string(port) + "/" + database;
  if (!sslmode.empty()) s += "?sslmode=" + sslmode;
  return s;
}

StatusOr<PostgresCredentials> ParsePostgresCredentials(std::string_view uri) {
  const std::string_view what = "postgres connection string";
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgument(std::string(what) +
                           " must look like postgresql://user:password@host:port/database");
  }
  std::string_view scheme = uri.substr(0, scheme_end);
  if (scheme != "postgresql" && scheme != "postgres") {
    // Name the scheme only when it looks like one: in "user:pw@host/?x=a://" it holds the password.
    bool plausible = !scheme.empty() && scheme.size() <= 16 && std::all_of(scheme.begin(), scheme.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' || ch == '.';
    });
    return InvalidArgument(std::string(what) + " must start with postgresql://" +
                           (plausible ? ", not " + std::string(scheme) + "://" : std::string()));
  }
  std::string_view rest = uri.substr(scheme_end + 3);
  PostgresCredentials c;
  // The user info ends at the LAST `@`, so a password with an unescaped `/`, `?` or `@` still
  // parses (and never ends up in a host or port error message).
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    DLT_ASSIGN_OR_RETURN(c.username, PercentDecode(userinfo.substr(0, colon), "user name of the " + std::string(what)));
    if (colon != std::string_view::npos) {
      DLT_ASSIGN_OR_RETURN(std::string pw, PercentDecode(userinfo.substr(colon + 1), "password of the " + std::string(what)));
      c.password = Secret(std::move(pw));
    }
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view hostport = rest, path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  std::string_view host = hostport, port;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return InvalidArgument(std::string(what) + ": unclosed `[` in the host");
    host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') port = hostport.substr(close + 2);
  } else if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (!host.empty()) c.host = std::string(host);
  if (!port.empty()) {
    DLT_ASSIGN_OR_RETURN(c.port, ParsePort(port, "the port of the " + std::string(what)));
  }
  DLT_ASSIGN_OR_RETURN(c.database, PercentDecode(path, "database of the " + std::string(what)));
  DLT_ASSIGN_OR_RETURN(auto params, ParseQuery(query));
  for (auto& [k, v] : params) {
    if (k == "connect_timeout") {
      DLT_ASSIGN_OR_RETURN(c.connect_timeout, ParseSeconds(v, "connect_timeout"));
    } else if (k == "sslmode") {
      c.sslmode = v;
    }
  }
  if (c.username.empty()) return InvalidArgument(std::string(what) + " has no user name (postgresql://USER:password@host:port/database)");
  if (c.database.empty()) return InvalidArgument(std::string(what) + " has no database (postgresql://user:password@host:port/DATABASE)");
  return c;
}

StatusOr<MotherDuckCredentials> ParseMotherDuckCredentials(std::string_view uri) {
  std::string_view rest;
  if (uri.starts_with("md:")) {
    rest = uri.substr(3);
  } else if (uri.starts_with("motherduck:")) {
    rest = uri.substr(11);
  } else {
    return InvalidArgument("motherduck credentials must look like md:///<database>?motherduck_token=<token> or md:<database>?motherduck_token=<token>");
  }
  if (rest.starts_with("//")) rest.remove_prefix(2);
  if (rest.starts_with("/")) rest.remove_prefix(1);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  MotherDuckCredentials c;
  if (!rest.empty()) {
    DLT_ASSIGN_OR_RETURN(c.database, PercentDecode(rest, "motherduck database name"));
  }
  DLT_ASSIGN_OR_RETURN(auto params, ParseQuery(query));
  for (auto& [k, v] : params) {
    if (k == "motherduck_token" || k == "token") c.token = Secret(v);
  }
  return c;
}

}  // namespace dlt
