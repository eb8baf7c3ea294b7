#include "dashboard/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace dlt::dashboard {

namespace {

constexpr size_t kMaxHead = 16 * 1024;
constexpr size_t kMaxTarget = 8 * 1024;
constexpr int kMaxConnections = 32;
constexpr auto kHeadTimeout = std::chrono::seconds(10);

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

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

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void WriteResponse(int fd, const HttpResponse& r, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += "Connection: close\r\n";
  // Nothing of the page may come from elsewhere, and nothing may frame it.
  out += "Content-Security-Policy: default-src 'self'; img-src 'self' data:; frame-ancestors 'none'\r\n";
  out += "X-Content-Type-Options: nosniff\r\n";
  out += "Referrer-Policy: no-referrer\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (!head_only) out += r.body;
  SendAll(fd, out);
}

// Errors of the HTTP layer, in the same JSON shape as the API's errors.
HttpResponse ErrorJson(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = "{\"error\":\"" + message + "\",\"status\":" + std::to_string(status) + "}";
  return r;
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
    out.headers[Lower(Trim(h.substr(0, colon)))] = std::string(Trim(h.substr(colon + 1)));
  }
  return 0;
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Bind(int port) {
  if (port < 0 || port > 65535) return InvalidArgument("--port must be between 0 and 65535, got " + std::to_string(port));
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0) return Internal(std::string("cannot create a socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    return Unavailable("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(err) +
                       (err == EADDRINUSE ? " (pick another with --port, or --port 0 for a free one)" : ""));
  }
  if (::listen(s->listen_fd_, 64) != 0) return Internal(std::string("listen failed: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  if (::pipe2(s->stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Internal(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  return s;
}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void HttpServer::Stop() {
  char b = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_pipe_[1], &b, 1);
}

void HttpServer::Serve(const HttpHandler& handler) {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      // Out of file descriptors: wait a little instead of spinning on the pending connection.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      continue;
    }
    if (active_.load() >= kMaxConnections) {
      WriteResponse(fd, ErrorJson(503, "too many connections"), false);
      ::close(fd);
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.insert(fd);
    }
    ++active_;
    try {
      std::thread([this, fd, &handler] {
        HandleConnection(fd, handler);
        {
          std::lock_guard<std::mutex> lock(mu_);
          open_fds_.erase(fd);
        }
        ::close(fd);
        --active_;
      }).detach();
    } catch (const std::exception&) {  // no thread to be had: drop this connection
      {
        std::lock_guard<std::mutex> lock(mu_);
        open_fds_.erase(fd);
      }
      ::close(fd);
      --active_;
    }
  }
  // Connections still waiting for a request are cut; requests being answered finish (they are
  // bounded by the head deadline and the handler's own timeouts). The handler outlives them.
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void HttpServer::HandleConnection(int fd, const HttpHandler& handler) {
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  // The whole request head must arrive within kHeadTimeout, however slowly it trickles in.
  auto deadline = std::chrono::steady_clock::now() + kHeadTimeout;
  std::string head;
  char buf[4096];
  size_t end = std::string::npos;
  while (end == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (!head.empty()) WriteResponse(fd, ErrorJson(408, "request timeout"), false);
      return;
    }
    ssize_t n = ready < 0 ? -1 : ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
    end = head.find("\r\n\r\n");
    if (end == std::string::npos && head.size() > kMaxHead) {
      WriteResponse(fd, ErrorJson(431, "request head too large"), false);
      return;
    }
  }
  head.resize(end + 2);
  HttpRequest req;
  if (int status = ParseHttpRequest(head, req); status != 0) {
    const char* what = status == 414   ? "request target too long"
                       : status == 505 ? "only HTTP/1.0 and HTTP/1.1 are served"
                                       : "malformed request: bad request line, path segment or percent-escape";
    WriteResponse(fd, ErrorJson(status, what), false);
    return;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = ErrorJson(405, "the dashboard is read-only: only GET and HEAD are served");
    r.headers.emplace_back("Allow", "GET, HEAD");
    WriteResponse(fd, r, false);
    return;
  }
  HttpResponse r;
  try {
    r = handler(req);
  } catch (const std::exception& e) {
    r = ErrorJson(500, "internal error");
  }
  WriteResponse(fd, r, req.method == "HEAD");
}

}  // namespace dlt::dashboard
