// Internals of the REST API source (rest_api_source.cc), shared by its files: the resolved
// source its resources share, how a resource's first request is built (rest_api_request.cc),
// and the pages of one request under the resource's paginator (rest_api_pages.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "extract/http_client.h"
#include "extract/rest_api_config.h"
#include "extract/rest_api_oauth2.h"
#include "extract/rest_api_source.h"

namespace dlt::rest_api::internal {

// Paths into JSON ("$.data[*].id", "data.items") and the values found there.
std::vector<std::string> SplitPath(std::string_view path);
void Select(const Json& node, const std::vector<std::string>& parts, size_t i, std::vector<const Json*>* out);
const Json* First(const Json& root, std::string_view path);
std::string ValueText(const Json& v);
bool IsSingleEntityPath(const std::string& path);
std::optional<int64_t> AsInt(const Json* v);
void SetParam(std::vector<std::pair<std::string, std::string>>& params, const std::string& k, const std::string& v);
std::string FieldKey(const std::string& parent, const std::string& field);

// The resolved source, shared by its resources.
struct Shared {
  RestApiSpec spec;
  RunOptions run;
  // The cursors' last values in the state of the pipeline running the source (ExtractContext),
  // set each time a resource opens (under `mu`): the same resources may run in another pipeline.
  std::function<std::optional<Json>(std::string_view resource, std::string_view cursor_path)> last_value;
  std::string base_url;
  // Where base_url came from, for the messages of failed requests: "<file>:<line>:<col>" of the
  // pipeline file, or the profile's config key and file.
  std::string base_url_from;
  http::Headers headers;                                      // client headers
  // Credentials, sent only to the origin of base_url (PageCursor::AuthOrigin).
  struct Credentials {
    http::Headers headers;
    std::vector<std::pair<std::string, std::string>> query;  // api_key in the query
    std::vector<std::string> query_names;
    std::shared_ptr<OAuth2Token> oauth2;  // a bearer token obtained before the requests
  };
  Credentials client_auth;
  // Endpoints with an auth of their own (dlt's endpoint-level auth), by resource name.
  std::map<std::string, Credentials> endpoint_auth;
  // Client headers that carry credentials (given in code): sent with every resource's requests,
  // to that origin only.
  http::Headers secret_headers;
  std::vector<std::string> secrets;

  const Credentials& AuthFor(const ResourceSpec& r) const {
    auto it = endpoint_auth.find(r.options.name);
    return it == endpoint_auth.end() ? client_auth : it->second;
  }
  http::RetryPolicy policy;

  mutable std::mutex mu;
  // Rows of parent resources, reduced to the fields their children read, once complete.
  std::map<std::string, std::shared_ptr<const std::vector<Json>>> parent_rows;

  std::vector<std::string> ChildFields(const std::string& parent) const {
    std::vector<std::string> out;
    for (const auto& r : spec.resources) {
      if (r.parent != parent) continue;
      for (const auto& f : r.parent_fields) {
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
      }
    }
    return out;
  }

  std::string MaskText(const std::string& s) const { return http::Mask(s, secrets); }
};

// `row` reduced to `fields` (the fields of a parent row its children read).
Json Project(const Json& row, const std::vector<std::string>& fields);

// One request of a resource, before pagination changes it.
struct Req {
  std::string method = "GET";
  std::string url;  // without the params below
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<Json> json;
  http::Headers headers;
  http::Headers auth_headers;  // endpoint headers that carry credentials: to the auth origin only
};

// Values of the incremental placeholders and parameters of a resource in this run.
struct IncrementalValues {
  std::optional<std::string> start;  // last value of the cursor, else initial_value
  std::optional<std::string> end;
  std::optional<std::string> initial;  // initial_value as configured
};

StatusOr<IncrementalValues> IncrementalFor(const Shared& sh, const ResourceSpec& r);
// "resource `name`", for messages.
std::string Where(const ResourceSpec& r);
// Builds the first request of `r`, for one row of its parent (projected) when it has one.
StatusOr<Req> BuildRequest(const Shared& sh, const ResourceSpec& r, const Json* parent_row, const IncrementalValues& inc);

// Pages of one request.
class PageCursor {
 public:
  PageCursor(const Shared* sh, const ResourceSpec* r, Req req);

  // The origin credentials go to: base_url's, or that of the endpoint's own URL when its path is
  // a full URL written in the pipeline file (no placeholder before the path, so no row of a
  // parent can choose the host). Never that of a next-page link or a redirect.
  static std::string AuthOrigin(const Shared& sh, const ResourceSpec& r);

  // The rows of the next page; false when there are no more pages.
  StatusOr<bool> Next(http::Client& client, std::vector<Json>* rows, std::string* where);

  // RESTClient.paginate's pages: each page's request and response are kept (PageData), and its
  // values are as the API sent them (scalars and nulls too; a resource wraps a scalar as
  // {"value": x} and drops nulls, as dlt's normalizer does with the rows it loads).
  void ForPaginate() { paginate_ = true; }
  const PageExchange* LastExchange() const { return last_ ? &*last_ : nullptr; }

 private:
  void ExtractRows(const Json& body, std::vector<Json>* rows) const;

  Status NextUrl(const std::optional<std::string>& next, const std::string& current);

  Status Advance(const http::Response& resp, const Json& body, size_t n_rows, const std::string& current,
                 const std::string& shown);

  // Where base_url came from, for the message of a failed request to a URL built on it.
  std::string BaseUrlFrom() const;
  // A paginator value into its query parameter, or into the JSON body at `body_path` when set.
  void Place(const std::string& param, const std::string& body_path, const Json& value);

  const Shared* sh_;
  const ResourceSpec* r_;
  Req req_;
  PaginatorSpec pag_;
  bool single_entity_ = false;
  std::string auth_origin_;
  std::unordered_set<std::string> seen_;  // digests of the requests made (method, URL, body)
  bool done_ = false;
  bool paginate_ = false;
  std::optional<PageExchange> last_;
  int page_ = 0;
  int64_t offset_ = 0;
  int64_t page_no_ = 0;
};

}  // namespace dlt::rest_api::internal
