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
#include <memory>
#include <optional>
#include <thread>

namespace dlt::dashboard {

namespace {

// Requests being answered (each on a thread of its own). Only requests with the access token get
// here: connections still sending their head, or without the token, hold no thread.
constexpr int kMaxWorkers = 32;
// Connections still sending their request head, per client address and in all. When a new
// connection would pass either, the oldest waiting one is cut: a client that opens connections
// and sends nothing slows nobody else down, and a fresh request always gets its chance.
constexpr size_t kMaxWaitingPerClient = 64;
constexpr size_t kMaxWaiting = 256;
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
    case 499: return "Client Closed Request";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
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

bool ClientGone(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
  // Readable: either more bytes (a client sends nothing after its head, but they would be
  // harmless) or the end of the stream.
  char c;
  return (p.revents & POLLIN) && ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
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

namespace {

// A connection still sending its request head: read by the accepting thread, holding no worker.
struct Waiting {
  int fd = -1;
  uint32_t client = 0;  // the peer's IPv4 address
  std::string head;
  std::chrono::steady_clock::time_point deadline;
};

void SetBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

// Answers on a connection the accepting thread is done with, then closes it. The response is
// small and the socket buffer takes it whole; what the client still sent is read away first, so
// that closing does not reset the connection before the client reads the answer.
void AnswerAndClose(int fd, const HttpResponse& r) {
  WriteResponse(fd, r, false);
  ::shutdown(fd, SHUT_WR);
  char buf[4096];
  for (int i = 0; i < 64 && ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0; ++i) {
  }
  ::close(fd);
}

// 0 while the head is incomplete, 1 when complete (`head` then ends with the empty line), or an
// HTTP status to refuse it with. The head counts up to and with its empty line.
int HeadState(std::string& head, size_t searched_from) {
  size_t end = head.find("\r\n\r\n", searched_from > 3 ? searched_from - 3 : 0);
  if (end == std::string::npos) return head.size() > kMaxHead ? 431 : 0;
  if (end + 4 > kMaxHead) return 431;
  head.resize(end + 2);
  return 1;
}

}  // namespace

void HttpServer::Serve(const HttpHandler& handler, const HttpAdmission& admit) {
  int lflags = ::fcntl(listen_fd_, F_GETFL);
  if (lflags >= 0) ::fcntl(listen_fd_, F_SETFL, lflags | O_NONBLOCK);
  std::vector<Waiting> waiting;
  auto cut = [&](size_t i) {
    ::close(waiting[i].fd);
    waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(i));
  };
  for (;;) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    auto now = std::chrono::steady_clock::now();
    int timeout = -1;
    for (const Waiting& w : waiting) {
      fds.push_back({w.fd, POLLIN, 0});
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(w.deadline - now).count() + 1;
      if (timeout < 0 || left < timeout) timeout = static_cast<int>(std::max<int64_t>(left, 0));
    }
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    now = std::chrono::steady_clock::now();
    // Heads arriving, complete ones dispatched; then the ones past their deadline cut (in reverse,
    // so that the indexes of `fds` still match `waiting`).
    for (size_t i = waiting.size(); i-- > 0;) {
      Waiting& w = waiting[i];
      if (fds[i + 2].revents) {
        char buf[4096];
        int state = 0;
        bool closed = false;
        while (state == 0) {
          ssize_t got = ::recv(w.fd, buf, sizeof buf, 0);
          if (got < 0 && errno == EINTR) continue;
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          if (got <= 0) {
            closed = true;
            break;
          }
          size_t before = w.head.size();
          w.head.append(buf, static_cast<size_t>(got));
          state = HeadState(w.head, before);
        }
        if (closed) {
          cut(i);
          continue;
        }
        if (state > 1) {
          AnswerAndClose(w.fd, ErrorJson(state, "request head too large (at most 16 KiB)"));
          waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(i));
          continue;
        }
        if (state == 1) {
          Waiting done = std::move(w);
          waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(i));
          Dispatch(done.fd, done.head, handler, admit);
          continue;
        }
      }
      if (now >= w.deadline) {
        if (!w.head.empty()) AnswerAndClose(w.fd, ErrorJson(408, "request timeout"));
        else ::close(w.fd);
        waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    if (!(fds[0].revents & POLLIN)) continue;
    for (;;) {
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) {
        if (errno == EINTR) continue;
        // Out of file descriptors: wait a little instead of spinning on the pending connection.
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        break;
      }
      const uint32_t client = peer.sin_addr.s_addr;
      size_t mine = 0, oldest_mine = waiting.size();
      for (size_t i = 0; i < waiting.size(); ++i) {
        if (waiting[i].client != client) continue;
        if (mine++ == 0) oldest_mine = i;
      }
      if (mine >= kMaxWaitingPerClient) cut(oldest_mine);
      else if (waiting.size() >= kMaxWaiting) cut(0);
      waiting.push_back({fd, client, std::string(), std::chrono::steady_clock::now() + kHeadTimeout});
    }
  }
  // Connections still sending their head are cut; requests being answered finish (bounded by the
  // send timeout and the handler's own timeouts). The handler outlives them.
  for (const Waiting& w : waiting) ::close(w.fd);
  stopping_.store(true);
  while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void HttpServer::Dispatch(int fd, const std::string& head, const HttpHandler& handler, const HttpAdmission& admit) {
  auto req = std::make_shared<HttpRequest>();
  if (int status = ParseHttpRequest(head, *req); status != 0) {
    const char* what = status == 414   ? "request target too long"
                       : status == 505 ? "only HTTP/1.0 and HTTP/1.1 are served"
                                       : "malformed request: bad request line, header, path segment or percent-escape";
    AnswerAndClose(fd, ErrorJson(status, what));
    return;
  }
  if (req->method != "GET" && req->method != "HEAD") {
    HttpResponse r = ErrorJson(405, "the dashboard is read-only: only GET and HEAD are served");
    r.headers.emplace_back("Allow", "GET, HEAD");
    AnswerAndClose(fd, r);
    return;
  }
  // Refusals (no token, a foreign Host) are answered here, without a worker.
  if (admit) {
    if (std::optional<HttpResponse> refused = admit(*req)) {
      AnswerAndClose(fd, *refused);
      return;
    }
  }
  if (active_.load() >= kMaxWorkers) {
    AnswerAndClose(fd, ErrorJson(503, "too many requests at once"));
    return;
  }
  SetBlocking(fd);
  req->client_fd = fd;
  req->stopping = &stopping_;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ++active_;
  try {
    std::thread([this, fd, req, &handler] {
      HttpResponse r;
      try {
        r = handler(*req);
      } catch (const std::exception&) {
        r = ErrorJson(500, "internal error");
      }
      WriteResponse(fd, r, req->method == "HEAD");
      ::close(fd);
      --active_;
    }).detach();
  } catch (const std::exception&) {  // no thread to be had: drop this connection
    ::close(fd);
    --active_;
  }
}

}  // namespace dlt::dashboard
