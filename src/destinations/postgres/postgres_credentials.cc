#include "destinations/postgres/postgres_credentials.h"

#include <algorithm>
#include <cctype>

#include "config/connection_url.h"

namespace dlt {

namespace {

std::string QuoteLibpq(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string PostgresCredentials::ConnectionString(std::string_view more_options) const {
  std::string s = "application_name='dlt' host=" + QuoteLibpq(host) + " port=" + std::to_string(port) +
                  " dbname=" + QuoteLibpq(database) + " user=" + QuoteLibpq(username) +
                  " connect_timeout=" + std::to_string(connect_timeout);
  if (!password.empty()) s += " password=" + QuoteLibpq(password.reveal());
  if (!sslmode.empty()) s += " sslmode=" + QuoteLibpq(sslmode);
  std::string options(more_options);
  for (const auto& [k, v] : params) {
    if (k == "options") options = v + (options.empty() ? "" : " " + options);
    else s += " " + k + "=" + QuoteLibpq(v);
  }
  if (!options.empty()) s += " options=" + QuoteLibpq(options);
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
    DLT_ASSIGN_OR_RETURN(c.username, url::PercentDecode(userinfo.substr(0, colon), "user name of the " + std::string(what)));
    if (colon != std::string_view::npos) {
      DLT_ASSIGN_OR_RETURN(std::string pw, url::PercentDecode(userinfo.substr(colon + 1), "password of the " + std::string(what)));
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
    DLT_ASSIGN_OR_RETURN(c.port, url::ParsePort(port, "the port of the " + std::string(what)));
  }
  DLT_ASSIGN_OR_RETURN(c.database, url::PercentDecode(path, "database of the " + std::string(what)));
  DLT_ASSIGN_OR_RETURN(auto params, url::ParseQuery(query));
  for (auto& [k, v] : params) {
    if (k == "connect_timeout") {
      DLT_ASSIGN_OR_RETURN(c.connect_timeout, url::ParseSeconds(v, "connect_timeout"));
    } else if (k == "sslmode") {
      c.sslmode = v;
    } else {
      // libpq's keywords are lower-case letters and `_`; anything else is not one of them.
      if (k.empty() || k.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
        return InvalidArgument(std::string(what) + " has the query parameter `" + k +
                               "`, which is not a libpq connection keyword (options, application_name, sslrootcert, ...)");
      }
      c.params.emplace_back(k, v);
    }
  }
  if (c.username.empty()) return InvalidArgument(std::string(what) + " has no user name (postgresql://USER:password@host:port/database)");
  if (c.database.empty()) return InvalidArgument(std::string(what) + " has no database (postgresql://user:password@host:port/DATABASE)");
  return c;
}

}  // namespace dlt
