// The only translation unit that includes curl/curl.h. libcurl is not linked: it is loaded with
// dlopen on the first request, like libpq and libduckdb.
#include "extract/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>

#include "common/shared_library.h"
#include "common/text.h"
#include "dlt/config.h"

namespace dlt::http {

namespace {

// Every libcurl function this file calls: the LibCurl member and the symbol it is resolved from.
#define DLT_LIBCURL_FUNCTIONS(X)              \
  X(global_init, curl_global_init)            \
  X(easy_init, curl_easy_init)                \
  X(easy_cleanup, curl_easy_cleanup)          \
  X(easy_reset, curl_easy_reset)              \
  X(easy_setopt, curl_easy_setopt)            \
  X(easy_perform, curl_easy_perform)          \
  X(easy_getinfo, curl_easy_getinfo)          \
  X(easy_strerror, curl_easy_strerror)        \
  X(slist_append, curl_slist_append)          \
  X(slist_free_all, curl_slist_free_all)

struct LibCurl {
#define DLT_LIBCURL_MEMBER(member, symbol) decltype(&symbol) member = nullptr;
  DLT_LIBCURL_FUNCTIONS(DLT_LIBCURL_MEMBER)
#undef DLT_LIBCURL_MEMBER
};

// The outcome of loading libcurl: `error` is empty when `curl` is filled and initialized.
struct LibCurlLoad {
  LibCurl curl;
  std::string error;
};

// Set (once, by LoadLibCurl) when libcurl is loaded; every Client holds a handle only then.
const LibCurl* g_curl = nullptr;

LibCurlLoad* LoadLibCurl() {
  auto* out = new LibCurlLoad();
  const char* env = std::getenv("DLT_LIBCURL_LIBRARY");
  SharedLibrarySpec spec;
  if (env && *env) spec.candidates = {env};
  else spec.candidates = {"libcurl.so.4", "libcurl-gnutls.so.4"};
#define DLT_LIBCURL_NAME(member, symbol) #symbol,
  spec.symbols = {DLT_LIBCURL_FUNCTIONS(DLT_LIBCURL_NAME)};
#undef DLT_LIBCURL_NAME
  // The first libcurl that opens is the one: one without a function is too old, not skipped.
  spec.first_loadable_only = true;
  const SharedLibrary lib = SharedLibrary::Open(spec);
  if (!lib.ok()) {
    if (!lib.attempts().empty() && lib.attempts().back().failure == LibraryAttempt::Failure::kIncomplete) {
      out->error = "libcurl lacks a required function; it is too old";
      return out;
    }
    std::string errors;
    for (const LibraryAttempt& a : lib.attempts()) {
      errors += (errors.empty() ? "" : "; ") + (a.dl_error.empty() ? a.file : a.dl_error);
    }
    out->error = "cannot load libcurl (" + text::Join(spec.candidates, ", ") + "): " + errors +
                 ". Install Debian's libcurl4 (scripts/bootstrap.sh does) or set DLT_LIBCURL_LIBRARY";
    return out;
  }
#define DLT_LIBCURL_BIND(member, symbol) lib.Bind(#symbol, &out->curl.member);
  DLT_LIBCURL_FUNCTIONS(DLT_LIBCURL_BIND)
#undef DLT_LIBCURL_BIND
  if (out->curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    out->error = "libcurl could not be initialized (curl_global_init failed)";
    return out;
  }
  g_curl = &out->curl;
  return out;
}

LoadOnce<LibCurlLoad> g_libcurl(&LoadLibCurl);

struct BodySink {
  std::string* body;
  size_t limit;
  bool too_long = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * n > sink->limit) {
    sink->too_long = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->body->append(data, size * n);
  return size * n;
}

struct HeaderSink {
  Headers* headers;
  std::string* reason;
};

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 100 Continue): forget the headers seen so far.
    sink->headers->clear();
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    *sink->reason = sp2 == std::string_view::npos ? "" : std::string(line.substr(sp2 + 1));
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    sink->headers->emplace_back(std::string(text::Trim(line.substr(0, colon))),
                                std::string(text::Trim(line.substr(colon + 1))));
  }
  return size * n;
}

bool IsRetryableCurlError(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

bool IsRetryableStatus(long status) { return status == 429 || (status >= 500 && status <= 599); }

std::string FormatSeconds(double s) {
  char buf[32];
  if (s == std::floor(s)) std::snprintf(buf, sizeof buf, "%.0f", s);
  else std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

}  // namespace

Status EnsureCurl() {
  const LibCurlLoad& load = g_libcurl.Get();
  if (!load.error.empty()) return FailedPrecondition(load.error);
  return Status::Ok();
}

std::optional<std::string> Response::Header(std::string_view name) const {
  std::string want = text::ToLower(name);
  for (const auto& [k, v] : headers) {
    if (text::ToLower(k) == want) return v;
  }
  return std::nullopt;
}

struct Client::Impl {
  CURL* handle = nullptr;
  ~Impl() {
    if (handle) g_curl->easy_cleanup(handle);
  }
};

StatusOr<Client> Client::Create() {
  DLT_RETURN_IF_ERROR(EnsureCurl());
  Client c;
  c.impl_ = std::make_unique<Impl>();
  c.impl_->handle = g_curl->easy_init();
  if (!c.impl_->handle) return Internal("curl_easy_init failed");
  return c;
}

Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

namespace {

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// One request and its response, no redirect followed. CURLE_OK whatever the status.
CURLcode PerformOnce(CURL* h, const std::string& url, const std::string& method, const std::optional<std::string>& body,
                     const Headers& request_headers, const RetryPolicy& policy, Response* response, BodySink* body_sink,
                     const Request* sign) {
  const LibCurl& L = *g_curl;
  L.easy_reset(h);
  HeaderSink sink{&response->headers, &response->reason};
  curl_slist* headers = nullptr;
  bool has_content_type = false, has_user_agent = false;
  for (const auto& [k, v] : request_headers) {
    std::string line = k + ": " + v;
    headers = L.slist_append(headers, line.c_str());
    has_content_type = has_content_type || text::ToLower(k) == "content-type";
    has_user_agent = has_user_agent || text::ToLower(k) == "user-agent";
  }
  if (body && !has_content_type) headers = L.slist_append(headers, "Content-Type: application/json");
  if (!has_user_agent) headers = L.slist_append(headers, "User-Agent: dlt-cpp");
  L.easy_setopt(h, CURLOPT_URL, url.c_str());
  L.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  // Redirects are followed by Client::Send, which decides per hop whether credentials go along.
  L.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // Only HTTP(S), also for next-page links an API sends (never file:// ...).
  L.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  L.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
  long timeout_ms = static_cast<long>(policy.timeout_s * 1000);
  long connect_ms = static_cast<long>((policy.connect_timeout_s > 0 ? policy.connect_timeout_s
                                                                    : std::min(policy.timeout_s, 10.0)) * 1000);
  if (timeout_ms > 0) L.easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  if (connect_ms > 0) L.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  L.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  L.easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  L.easy_setopt(h, CURLOPT_WRITEDATA, body_sink);
  L.easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
  L.easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  if (sign) {
    L.easy_setopt(h, CURLOPT_AWS_SIGV4, sign->aws_sigv4.c_str());
    L.easy_setopt(h, CURLOPT_USERNAME, sign->aws_key_id.c_str());
    L.easy_setopt(h, CURLOPT_PASSWORD, sign->aws_secret.c_str());
  }
  if (body) {
    L.easy_setopt(h, CURLOPT_POSTFIELDS, body->c_str());
    L.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  if (method == "GET" && !body) {
    L.easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    L.easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method != "POST" || !body) {
    if (method == "POST") L.easy_setopt(h, CURLOPT_POSTFIELDS, "");
    L.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  CURLcode rc = L.easy_perform(h);
  L.slist_free_all(headers);
  if (rc == CURLE_OK) L.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response->status);
  return rc;
}

}  // namespace

StatusOr<Response> Client::Send(const Request& request, const RetryPolicy& policy) {
  const LibCurl& L = *g_curl;
  CURL* h = impl_->handle;
  const int max_attempts = std::max(1, policy.max_attempts);
  constexpr int kMaxRedirects = 10;
  std::mt19937 rng(std::random_device{}());
  const bool has_credentials = !request.auth_headers.empty() || !request.auth_query.empty();
  const std::string trusted_origin = request.auth_origin.empty() ? Origin(request.url) : request.auth_origin;
  std::vector<std::string> auth_names;
  for (const auto& [k, v] : request.auth_query) auth_names.push_back(k);
  for (int attempt = 1;; ++attempt) {
    Response response;
    BodySink body_sink{&response.body, policy.max_response_bytes};
    std::string url = request.url;
    std::string method = text::ToUpper(request.method);
    std::optional<std::string> body = request.body;
    CURLcode rc = CURLE_OK;
    for (int hop = 0;; ++hop) {
      const std::string clean = RemoveQueryParams(url, auth_names);
      const bool trusted = Origin(clean) == trusted_origin;
      Headers headers = request.headers;
      if (trusted) headers.insert(headers.end(), request.auth_headers.begin(), request.auth_headers.end());
      response = Response{};
      body_sink.too_long = false;
      rc = PerformOnce(h, trusted ? AppendQuery(clean, request.auth_query) : clean, method, body, headers, policy,
                       &response, &body_sink, trusted && !request.aws_sigv4.empty() ? &request : nullptr);
      response.url = clean;
      response.attempts = attempt;
      response.credentials_withheld = has_credentials && !trusted;
      url = clean;
      if (rc != CURLE_OK || !IsRedirect(response.status)) break;
      char* location = nullptr;
      L.easy_getinfo(h, CURLINFO_REDIRECT_URL, &location);
      if (!location) break;  // a 3xx without a Location is the answer
      std::string next = location;
      if (!next.starts_with("http://") && !next.starts_with("https://")) {
        return Unavailable(Mask(method + " " + clean + " failed: it redirects to `" + next +
                                    "`, which is not an http(s) URL",
                                request.secrets));
      }
      if (hop >= kMaxRedirects) {
        return Unavailable(Mask(method + " " + request.url + " failed: more than " + std::to_string(kMaxRedirects) +
                                    " redirects (the last to " + next + ")",
                                request.secrets));
      }
      // As browsers and libcurl: 303 always, and 301/302 after a POST, continue with a GET.
      if ((response.status == 303 && method != "HEAD") ||
          ((response.status == 301 || response.status == 302) && method == "POST")) {
        method = "GET";
        body.reset();
      }
      response.body.clear();
      url = next;
    }

    std::string why;
    std::optional<double> retry_after;
    if (rc == CURLE_OK) {
      if (!IsRetryableStatus(response.status) || attempt >= max_attempts) return response;
      why = "HTTP " + std::to_string(response.status) + (response.reason.empty() ? "" : " " + response.reason);
      if (auto ra = response.Header("Retry-After")) retry_after = ParseRetryAfter(*ra);
    } else {
      why = L.easy_strerror(rc);
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        why = "timed out after " + FormatSeconds(policy.timeout_s) + " s (runtime.request_timeout)";
      }
      if (body_sink.too_long) {
        return Unavailable(Mask(method + " " + url + " failed: the response is larger than " +
                                    std::to_string(policy.max_response_bytes >> 20) +
                                    " MB (the limit of one response); request smaller pages (a limit or page size parameter)",
                                request.secrets));
      }
      if (!IsRetryableCurlError(rc) || attempt >= max_attempts) {
        std::string msg = method + " " + url + " failed";
        if (attempt > 1) msg += " after " + std::to_string(attempt) + " attempts";
        msg += ": " + why;
        if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
          msg += ". Check the base_url and that the server is reachable from this machine";
        } else if (rc == CURLE_OPERATION_TIMEDOUT) {
          msg += ". Raise it with [runtime] request_timeout = <seconds> in .dlt/config.toml (or RUNTIME__REQUEST_TIMEOUT)";
        }
        return Unavailable(Mask(msg, request.secrets));
      }
    }
    double wait = policy.backoff_factor * std::pow(2.0, attempt - 1);
    if (retry_after) wait = *retry_after;
    else wait *= std::uniform_real_distribution<double>(0.8, 1.2)(rng);
    wait = std::max(0.0, std::min(wait, policy.max_retry_delay_s));
    if (on_retry) on_retry(attempt, wait, Mask(why, request.secrets));
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
}

std::string DescribeFailure(const Request& request, const Response& response, int attempts, bool show_body) {
  std::string msg = text::ToUpper(request.method) + " " + request.url + " failed with HTTP " +
                    std::to_string(response.status);
  if (!response.reason.empty()) msg += " " + response.reason;
  if (attempts > 1) msg += " after " + std::to_string(attempts) + " attempts";
  std::string body(text::Trim(response.body.substr(0, 300)));
  for (char& c : body) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  // As dlt, the body only when asked for ([runtime] http_show_error_body): an API may echo what
  // it was sent.
  if (show_body && !body.empty()) msg += ": " + body + (response.body.size() > 300 ? "..." : "");
  if (!response.url.empty() && response.url != request.url) msg += " (redirected to " + response.url + ")";
  if ((response.status == 401 || response.status == 403) && response.credentials_withheld) {
    msg += ". The credentials were not sent: they go only to " +
           (request.auth_origin.empty() ? Origin(request.url) : request.auth_origin) + " (the origin of base_url), and " +
           Origin(response.url) + " is another origin (a redirect or a next-page link led there)";
  } else if (response.status == 401 || response.status == 403) {
    msg += ". Check the credentials of the source in .dlt/secrets.toml (or the profile's secrets)";
  } else if (response.status == 404) {
    msg += ". Check base_url and the endpoint path (or ignore it with response_actions = [{ status_code = 404, action = \"ignore\" }])";
  } else if (response.status == 429) {
    msg += ". The API rate limit was hit; retry later or raise [runtime] request_max_attempts";
  }
  return Mask(msg, request.secrets);
}

}  // namespace dlt::http
