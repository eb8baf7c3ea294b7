// Runs a parsed REST API source (rest_api_config.h): resolves its settings and secrets from the
// workspace's configuration, and turns every selected resource into a dlt::Resource whose rows
// are fetched page by page over HTTP.
//
// Configuration read from the active profile (env > secrets.toml > config.toml, SPEC §4), each
// key tried as sources.<source_name>.<key>, then sources.<key> (with the pipeline name in front
// first):
//   base_url                   overrides [source.client] base_url (e.g. in .dlt/tests.config.toml)
//   token                      bearer auth (secret)
//   api_key                    api_key auth (secret)
//   username, password         http_basic auth (password secret)
//   access_token_url, client_id, client_secret
//                              oauth2_client_credentials auth (client id and secret are secrets)
// and dlt's runtime settings [runtime] request_timeout (60 s), request_max_attempts (5),
// request_backoff_factor (1), request_max_retry_delay (300 s).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlt/resource.h"
#include "dlt/workspace.h"
#include "extract/http_client.h"
#include "extract/rest_api_config.h"

namespace dlt::rest_api {

struct RunOptions {
  std::string pipeline_name;
  // Told about each retry (already masked), e.g. to print a warning. May be called from
  // several threads at once.
  std::function<void(const std::string& message)> on_retry;
  // Told about other things worth a warning (a pagination that comes back to a page it fetched
  // before). May be called from several threads at once.
  std::function<void(const std::string& message)> on_warning;
  // The spec was written in code (dlt's RESTClient): its base_url is not looked up in the
  // profile's configuration.
  bool base_url_from_code = false;
  // Steps of a resource (dlt's add_map, add_filter, add_yield_map, processing_steps), by
  // resource name: run over each chunk of its rows as fetched, before the rows are extracted and
  // before its dependent resources read them (dlt's children read their parent's rows after its
  // steps). A resource that is not selected but is fetched for its children runs them too. May
  // change, drop or add rows; an error stops the resource.
  std::map<std::string, std::function<Status(std::vector<Json>* rows)>> row_steps;
};

// Resolves the source's configuration (errors for missing secrets say where to put them) and
// makes one Resource per selected resource, parents before children. `origins`, when given,
// receives the configuration keys read from the profile and where each value came from (never
// the values), for the run record.
//
// Credentials (the auth header, an api_key query parameter) are sent only to the origin (scheme,
// host, port) of base_url: a next-page link or a redirect to another origin is followed without
// them. A pagination that requests a page it requested before stops with a warning.
StatusOr<std::vector<Resource>> MakeResources(const Workspace& workspace, const RestApiSpec& spec, const RunOptions& options,
                                              std::vector<std::pair<std::string, std::string>>* origins = nullptr);

// dlt's RESTClient.paginate: the pages of `spec`'s first resource (a top-level endpoint), read as
// that resource would be (client, auth, paginator, data selector, retries), one page per Next.
// The request and response of a page (dlt's PageData.request / .response), credentials left out:
// the auth headers and query parameters are not among the request's, and the URL has none.
struct PageExchange {
  std::string method;
  std::string url;  // as requested, without the credential parameters
  http::Headers request_headers;
  std::optional<std::string> request_body;
  long status = 0;
  std::string reason;
  http::Headers response_headers;
  std::string response_body;
  std::string response_url;  // after redirects
};

class PageReader {
 public:
  virtual ~PageReader() = default;
  // The rows of the next page; false after the last one. `where` names the request.
  virtual StatusOr<bool> Next(std::vector<Json>* rows, std::string* where) = 0;
  // The last page's request and response (after Next returned true), else null.
  virtual const PageExchange* LastExchange() const = 0;
};
StatusOr<std::unique_ptr<PageReader>> OpenPages(const Workspace& workspace, const RestApiSpec& spec,
                                                const RunOptions& options);

// --- pieces, exposed for tests -------------------------------------------------------------

// Values at a JSONPath-like path: "a.b", "$.a.b", "a[0].b", "items[*].id", "$" (the whole).
std::vector<const Json*> SelectPath(const Json& root, std::string_view path);
// The rows of a response when no data_selector is given: a list as is; in an object the list
// under a well-known key (data, items, results, ...) or the least nested list; else the object.
std::vector<Json> FindRecords(const Json& body);
// The path of a next-page link in a body ("next", "pagination.next", "links.next.href"), if any.
std::optional<std::string> FindNextUrlPath(const Json& body);
// Joins base_url and an endpoint path (a full URL path is used as is).
std::string JoinUrl(const std::string& base_url, const std::string& path);

}  // namespace dlt::rest_api
