// Parsing of a request head for the dashboard's HTTP server (http_server.cc): request line,
// path segments, query string and headers, each checked; what does not parse is an HTTP status.
#include <cctype>

#include "dashboard/http_server.h"

namespace dlt::dashboard {

namespace {

constexpr size_t kMaxTarget = 8 * 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return false;
      out += d;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

int ParseHttpRequest(std::string_view head, HttpRequest& out) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return 400;
  out.method = std::string(line.substr(0, sp1));
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return 505;
  if (target.size() > kMaxTarget) return 414;
  if (target.empty() || target.front() != '/') return 400;
  out.target = std::string(target);
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  out.segments.clear();
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) {
      std::string decoded;
      if (!PercentDecode(seg, decoded, false)) return 400;
      if (decoded == "." || decoded == ".." || decoded.find('/') != std::string::npos) return 400;
      out.segments.push_back(std::move(decoded));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  out.query.clear();
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    if (size_t hash = qs.find('#'); hash != std::string_view::npos) qs = qs.substr(0, hash);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view pair = qs.substr(0, amp);
      qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      std::string k, v;
      if (!PercentDecode(pair.substr(0, eq), k, true)) return 400;
      if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), v, true)) return 400;
      out.query[k] = v;
    }
  }
  out.headers.clear();
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    std::string_view h = head.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos);
    pos = e == std::string_view::npos ? head.size() : e + 2;
    if (h.empty()) break;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return 400;
    std::string name = Lower(Trim(h.substr(0, colon)));
    // Two Host headers could address the check and the handler differently: refused (RFC 9112).
    if (name == "host" && out.headers.count(name)) return 400;
    out.headers[std::move(name)] = std::string(Trim(h.substr(colon + 1)));
  }
  return 0;
}

}  // namespace dlt::dashboard
