// The only translation unit that includes curl/curl.h. libcurl is not linked: it is loaded with
// dlopen on the first request, like libpq and libduckdb.
#include "extract/http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include "common/text.h"
#include "dlt/config.h"

namespace dlt::http {

namespace {

struct LibCurl {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_reset) easy_reset;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

const LibCurl* g_curl = nullptr;
std::string g_load_error;

template <typename T>
bool Sym(void* h, const char* name, T* out) {
  *out = reinterpret_cast<T>(::dlsym(h, name));
  return *out != nullptr;
}

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

bool IsSecretParamName(std::string_view name) {
  std::string lower = text::ToLower(name);
  for (char& c : lower) {
    if (c == '-') c = '_';
  }
  if (IsSecretKeyName(lower)) return true;
  static const char* const kMore[] = {"key", "apikey", "access_key", "auth", "sig", "signature", "client_secret",
                                      "private_token"};
  for (const char* k : kMore) {
    if (lower == k) return true;
  }
  return lower.find("token") != std::string::npos || lower.find("secret") != std::string::npos ||
         lower.find("password") != std::string::npos || lower.find("api_key") != std::string::npos;
}

}  // namespace

Status EnsureCurl() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<std::string> tried;
    const char* env = std::getenv("DLT_LIBCURL_LIBRARY");
    std::vector<std::string> candidates;
    if (env && *env) candidates = {env};
    else candidates = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    void* h = nullptr;
    std::string errors;
    for (const auto& c : candidates) {
      h = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (h) break;
      const char* e = ::dlerror();
      errors += (errors.empty() ? "" : "; ") + std::string(e ? e : c);
    }
    if (!h) {
      g_load_error = "cannot load libcurl (" + text::Join(candidates, ", ") + "): " + errors +
                     ". Install Debian's libcurl4 (scripts/bootstrap.sh does) or set DLT_LIBCURL_LIBRARY";
      return;
    }
    auto* lib = new LibCurl;
    bool ok = Sym(h, "curl_global_init", &lib->global_init) && Sym(h, "curl_easy_init", &lib->easy_init) &&
              Sym(h, "curl_easy_cleanup", &lib->easy_cleanup) && Sym(h, "curl_easy_reset", &lib->easy_reset) &&
              Sym(h, "curl_easy_setopt", &lib->easy_setopt) && Sym(h, "curl_easy_perform", &lib->easy_perform) &&
              Sym(h, "curl_easy_getinfo", &lib->easy_getinfo) && Sym(h, "curl_easy_strerror", &lib->easy_strerror) &&
              Sym(h, "curl_slist_append", &lib->slist_append) && Sym(h, "curl_slist_free_all", &lib->slist_free_all);
    if (!ok) {
      g_load_error = "libcurl lacks a required function; it is too old";
      delete lib;
      return;
    }
    if (lib->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      g_load_error = "libcurl could not be initialized (curl_global_init failed)";
      delete lib;
      return;
    }
    g_curl = lib;
  });
  if (!g_curl) return FailedPrecondition(g_load_error);
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
                     const Headers& request_headers, const RetryPolicy& policy, Response* response, BodySink* body_sink) {
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
                       &response, &body_sink);
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

std::string DescribeFailure(const Request& request, const Response& response, int attempts) {
  std::string msg = text::ToUpper(request.method) + " " + request.url + " failed with HTTP " +
                    std::to_string(response.status);
  if (!response.reason.empty()) msg += " " + response.reason;
  if (attempts > 1) msg += " after " + std::to_string(attempts) + " attempts";
  std::string body(text::Trim(response.body.substr(0, 300)));
  for (char& c : body) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (!body.empty()) msg += ": " + body + (response.body.size() > 300 ? "..." : "");
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

std::string Mask(std::string text, const std::vector<std::string>& secrets) {
  auto replace_all = [&](const std::string& needle) {
    if (needle.empty()) return;
    size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
      text.replace(pos, needle.size(), "***");
      pos += 3;
    }
  };
  for (const auto& s : secrets) {
    replace_all(s);
    std::string enc = UrlEncode(s);
    if (enc != s) replace_all(enc);
  }
  // name=value pairs of query strings whose names say they are secret
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '?' && text[i] != '&') continue;
    size_t eq = i + 1;
    while (eq < text.size() && text[eq] != '=' && text[eq] != '&' && text[eq] != ' ' && text[eq] != '#') ++eq;
    if (eq >= text.size() || text[eq] != '=') continue;
    std::string name = text.substr(i + 1, eq - i - 1);
    if (!IsSecretParamName(name)) continue;
    size_t end = eq + 1;
    while (end < text.size() && text[end] != '&' && text[end] != ' ' && text[end] != '#' && text[end] != '"' &&
           text[end] != '\'' && text[end] != '>' && text[end] != '\n') {
      ++end;
    }
    if (text.compare(eq + 1, end - eq - 1, "***") != 0) text.replace(eq + 1, end - eq - 1, "***");
  }
  return text;
}

std::string Origin(std::string_view url) {
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return "";
  std::string scheme = text::ToLower(url.substr(0, colon));
  if (scheme != "http" && scheme != "https") return "";
  std::string_view rest = url.substr(colon + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string host, port;
  if (authority.starts_with("[")) {  // IPv6 literal
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return "";
    host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = std::string(authority.substr(close + 2));
  } else {
    size_t c = authority.rfind(':');
    host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) port = std::string(authority.substr(c + 1));
  }
  host = text::ToLower(host);
  while (host.size() > 1 && host.back() == '.') host.pop_back();  // "example.com." is example.com
  if (host.empty()) return "";
  if (port.empty()) port = scheme == "https" ? "443" : "80";
  return scheme + "://" + host + ":" + port;
}

namespace {

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

}  // namespace

std::string RemoveQueryParams(const std::string& url, const std::vector<std::string>& names) {
  size_t q = url.find('?');
  if (names.empty() || q == std::string::npos) return url;
  size_t hash = url.find('#', q);
  std::string_view query(url.data() + q + 1, (hash == std::string::npos ? url.size() : hash) - q - 1);
  std::string kept;
  for (const auto& pair : text::Split(query, '&')) {
    std::string_view p = pair;
    std::string name = UrlDecode(p.substr(0, p.find('=')));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (!kept.empty()) kept += '&';
    kept += p;
  }
  std::string out = url.substr(0, q);
  if (!kept.empty()) out += "?" + kept;
  if (hash != std::string::npos) out += url.substr(hash);
  return out;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string AppendQuery(std::string url, const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) return url;
  std::string fragment;
  if (size_t hash = url.find('#'); hash != std::string::npos) {
    fragment = url.substr(hash);
    url.resize(hash);
  }
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (!url.empty() && (url.back() == '?' || url.back() == '&')) sep = 0;
  for (const auto& [k, v] : params) {
    if (sep) url += sep;
    url += UrlEncode(k) + "=" + UrlEncode(v);
    sep = '&';
  }
  return url + fragment;
}

std::string ResolveUrl(const std::string& base, const std::string& ref) {
  if (ref.starts_with("http://") || ref.starts_with("https://")) return ref;
  size_t scheme = base.find("://");
  size_t host_end = scheme == std::string::npos ? 0 : base.find('/', scheme + 3);
  std::string origin = host_end == std::string::npos ? base : base.substr(0, host_end);
  if (ref.starts_with("//")) return base.substr(0, scheme == std::string::npos ? 0 : scheme + 1) + ref;
  if (ref.starts_with("/")) return origin + ref;
  std::string no_query = base.substr(0, base.find_first_of("?#"));
  if (ref.starts_with("?")) return no_query + ref;
  size_t slash = no_query.rfind('/');
  if (host_end == std::string::npos || slash == std::string::npos || slash < host_end) return origin + "/" + ref;
  return no_query.substr(0, slash + 1) + ref;
}

std::optional<std::string> ParseLinkHeader(std::string_view header, std::string_view rel) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t lt = header.find('<', pos);
    if (lt == std::string_view::npos) break;
    size_t gt = header.find('>', lt);
    if (gt == std::string_view::npos) break;
    std::string url(header.substr(lt + 1, gt - lt - 1));
    size_t next = header.find('<', gt);
    std::string_view params = header.substr(gt + 1, next == std::string_view::npos ? std::string_view::npos : next - gt - 1);
    for (const auto& p : text::Split(params, ';')) {
      std::string_view t = text::Trim(p);
      if (!text::ToLower(t).starts_with("rel=")) continue;
      std::string v(text::Trim(t.substr(4)));
      while (!v.empty() && (v.back() == ',' || v.back() == ' ')) v.pop_back();
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      for (const auto& one : text::Split(v, ' ')) {
        if (one == rel) return url;
      }
    }
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return std::nullopt;
}

std::optional<double> ParseRetryAfter(std::string_view value) {
  std::string v(text::Trim(value));
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  double secs = std::strtod(v.c_str(), &end);
  if (end && *end == '\0') return secs < 0 ? 0 : secs;
  std::tm tm{};
  if (strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) {
    double diff = std::difftime(timegm(&tm), std::time(nullptr));
    return diff < 0 ? 0 : diff;
  }
  return std::nullopt;
}

}  // namespace dlt::http
