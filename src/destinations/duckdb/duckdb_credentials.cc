#include "destinations/duckdb/duckdb_credentials.h"

#include "config/connection_url.h"

namespace dlt {

std::string MotherDuckCredentials::ConnectionString() const {
  return "md:" + database + "?motherduck_token=" + token.reveal();
}

std::string MotherDuckCredentials::Redacted() const {
  return "md:" + database + (token.empty() ? "" : "?motherduck_token=***");
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
    DLT_ASSIGN_OR_RETURN(c.database, url::PercentDecode(rest, "motherduck database name"));
  }
  DLT_ASSIGN_OR_RETURN(auto params, url::ParseQuery(query));
  for (auto& [k, v] : params) {
    if (k == "motherduck_token" || k == "token") c.token = Secret(v);
  }
  return c;
}

}  // namespace dlt
