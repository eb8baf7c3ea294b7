// The URL and text helpers of http_client.h: masking secrets, origins, query strings, next-page
// links and Retry-After. Pure functions, no libcurl.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/text.h"
#include "config/secret_names.h"
#include "extract/http_client.h"

namespace dlt::http {

StatusCode StatusCodeForHttp(long status) {
  return status == 401 || status == 403 ? StatusCode::kPermissionDenied
         : status == 404                ? StatusCode::kNotFound
         : status >= 500 || status == 429 ? StatusCode::kUnavailable
                                          : StatusCode::kInvalidArgument;
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
    // dlt's rest_api also redacts these ("Automatic secret redaction in logs"), which are no
    // secret on their own (a pipeline file may hold them).
    std::string lower = text::ToLower(name);
    std::replace(lower.begin(), lower.end(), '-', '_');
    if (!LooksSecretHttpName(name) && lower != "username" && lower != "client_id") continue;
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
