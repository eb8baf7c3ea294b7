// HTTP for sources: libcurl, loaded with dlopen on the first request (so commands that never
// make a request do not pay for loading it), with timeouts, retries with exponential backoff on
// 429, 5xx and connection errors (honouring Retry-After), gzip/deflate/br decoding, redirects.
//
// Credentials: a Request keeps them apart from its other headers, with the one origin (scheme,
// host, port) they belong to. They are sent only to a URL of that origin: redirects are followed
// here, hop by hop (not by libcurl, which would pass custom headers such as X-API-Key on to any
// host), and a hop to another origin goes without them. A next-page link the caller follows is a
// new Request and gets the same treatment.
//
// Secrets: a Request lists the secret values it carries (a token in a header, an api key in the
// query). Every message this module produces, and every URL it shows, has them replaced by `***`;
// query parameters whose names say they hold a secret (api_key, token, ...) are masked too.
//
// Which libcurl is loaded: $DLT_LIBCURL_LIBRARY when set, else libcurl.so.4 (Debian's
// libcurl4), else libcurl-gnutls.so.4.
//
// Thread safety: a Client is used by one thread at a time; make one per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlt/status.h"

namespace dlt::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;  // with its query string, without the credential parameters below
  Headers headers;  // sent to every URL
  std::optional<std::string> body;  // sent with Content-Type from headers (default application/json)
  std::vector<std::string> secrets;  // values masked in every message

  // Sent only to URLs whose Origin() is `auth_origin` (empty: the origin of `url`). Parameters of
  // these names already in a URL (a link or a Location that echoes them) are replaced, and
  // removed from a URL of another origin.
  Headers auth_headers;
  std::vector<std::pair<std::string, std::string>> auth_query;
  std::string auth_origin;

  // AWS Signature V4 by libcurl (CURLOPT_AWS_SIGV4, e.g. "aws:amz:us-east-1:s3") with
  // `aws_key_id` and `aws_secret` (CURLOPT_USERPWD). Signed only for the origin of `url`; put
  // the secret into `secrets` too, so that no message shows it.
  std::string aws_sigv4;
  std::string aws_key_id;
  std::string aws_secret;
};

struct Response {
  long status = 0;
  std::string reason;  // "Not Found"
  Headers headers;
  std::string body;  // decoded (gzip is undone by libcurl)
  std::string url;   // the final URL after redirects, without the credential parameters
  int attempts = 1;  // how many times the request was sent
  // The request had credentials and the final URL (after redirects) is of another origin, so
  // they were not sent to it.
  bool credentials_withheld = false;

  // First header with this name (case-insensitive).
  std::optional<std::string> Header(std::string_view name) const;
};

// dlt's runtime settings ([runtime] request_timeout, request_max_attempts,
// request_backoff_factor, request_max_retry_delay).
struct RetryPolicy {
  double timeout_s = 60;        // whole request, per attempt
  double connect_timeout_s = 0;  // 0: min(timeout, 10)
  int max_attempts = 5;          // including the first one
  double backoff_factor = 1;     // waits factor * 2^(attempt-1) seconds between attempts
  double max_retry_delay_s = 300;  // cap on any wait, Retry-After included
  // A longer response body is an error (not retried): an endless or huge response must not
  // exhaust memory.
  size_t max_response_bytes = size_t{100} << 20;
  // dlt's [runtime] http_show_error_body: failures quote the response body (DescribeFailure).
  bool show_error_body = false;
};

// Loads libcurl (once per process). FailedPrecondition naming the file(s) tried when missing.
Status EnsureCurl();

class Client {
 public:
  static StatusOr<Client> Create();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Sends the request, retrying as `policy` says. Returns the final response whatever its
  // status (4xx and 5xx included, after the retries); an error only when no response could be
  // had at all (connection refused, timed out, ...): Unavailable, the masked URL in the message.
  // `sleep` is called for waits between attempts (tests replace it).
  StatusOr<Response> Send(const Request& request, const RetryPolicy& policy);

  // Called before each retry with the attempt number that failed and the wait (for logging).
  std::function<void(int attempt, double wait_s, const std::string& why)> on_retry;

 private:
  Client() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The message for a response that is not a success: "<METHOD> <masked url> failed with HTTP
// 404 Not Found: <start of the body>" and a hint for 401/403/404/429.
std::string DescribeFailure(const Request& request, const Response& response, int attempts, bool show_body = false);

// The StatusCode for a failed response: 401/403 PermissionDenied, 404 NotFound, 429 and 5xx
// Unavailable, others InvalidArgument.
StatusCode StatusCodeForHttp(long status);

// Replaces every secret value (and its URL-encoded form) in `text` by *** and masks the values
// of query parameters with secret names (api_key=..., token=..., ...) in URLs, and of those dlt's
// rest_api redacts too (username=..., client_id=...).
std::string Mask(std::string text, const std::vector<std::string>& secrets);

// "scheme://host:port" of an http(s) URL: scheme and host lower-case, the default port (80,
// 443) filled in, user info dropped. Empty for anything else.
std::string Origin(std::string_view url);
// The URL without the query parameters named in `names` (compared after percent-decoding).
std::string RemoveQueryParams(const std::string& url, const std::vector<std::string>& names);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(std::string_view s);
// Appends `name=value` pairs to a URL (with ? or &), encoded.
std::string AppendQuery(std::string url, const std::vector<std::pair<std::string, std::string>>& params);
// Resolves a possibly relative reference (a next-page link) against the URL it came from.
std::string ResolveUrl(const std::string& base, const std::string& ref);
// The URL of `rel` (default "next") in a Link header: <https://...?page=2>; rel="next", ...
std::optional<std::string> ParseLinkHeader(std::string_view header, std::string_view rel = "next");
// Retry-After as seconds: "120" or an HTTP date. nullopt when unparsable.
std::optional<double> ParseRetryAfter(std::string_view value);

}  // namespace dlt::http
