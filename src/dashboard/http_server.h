// A small HTTP/1.1 server for the dashboard: GET and HEAD only, bound to 127.0.0.1, one short
// connection per request (Connection: close). It serves what a handler returns and nothing else:
// there is no file serving, so no path on disk can be reached through it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlt/status.h"

namespace dlt::dashboard {

struct HttpRequest {
  std::string method;
  std::string target;                      // as received: "/api/x?y=1"
  std::vector<std::string> segments;       // the path split on '/', each percent-decoded
  std::map<std::string, std::string> query;  // percent-decoded; '+' is a space
  std::map<std::string, std::string> headers;  // names in lower case
  // Set by the server, for a handler that runs long (a query): the client's connection, to
  // notice that the client went away, and the server's flag that it is stopping (SIGINT/SIGTERM).
  int client_fd = -1;
  const std::atomic<bool>* stopping = nullptr;
};

// True when the client of `fd` has closed its end or the connection is broken (a page closed, a
// fetch aborted, curl stopped): its answer would reach no one. Never blocks; reads nothing.
bool ClientGone(int fd);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Decides cheaply, on the accepting thread, whether a parsed request may be answered: a response
// to refuse it with (no access token, a foreign Host), or nothing to pass it to the handler.
using HttpAdmission = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

// The most a request head (request line, headers and the empty line) may have: 16 KiB.
inline constexpr size_t kMaxHead = 16 * 1024;

// Parses the request line and headers of one request (everything up to the empty line).
// Returns the HTTP status to answer with on malformed input (400, 414, 505), 0 on success.
int ParseHttpRequest(std::string_view head, HttpRequest& out);
// Percent-decoding; false on a malformed escape or a decoded NUL byte.
bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space);

class HttpServer {
 public:
  // Binds 127.0.0.1:port; port 0 picks a free one.
  static StatusOr<std::unique_ptr<HttpServer>> Bind(int port);
  ~HttpServer();

  int port() const { return port_; }
  // Serves requests until Stop(). Heads are read on this thread without blocking; a complete
  // head that `admit` lets through gets a thread of its own for `handler`. Then connections still
  // sending their head are cut and Serve returns when the requests being answered are done
  // (`handler` must live until then).
  void Serve(const HttpHandler& handler, const HttpAdmission& admit = nullptr);
  // Makes Serve() return. Async-signal-safe (writes one byte to a pipe).
  void Stop();
  // The write end of the stop pipe, for a signal handler.
  int stop_fd() const { return stop_pipe_[1]; }

 private:
  HttpServer() = default;
  void Dispatch(int fd, const std::string& head, const HttpHandler& handler, const HttpAdmission& admit);

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> active_{0};  // requests being answered
  std::atomic<bool> stopping_{false};  // set when Serve stops accepting: long handlers give up
};

}  // namespace dlt::dashboard
