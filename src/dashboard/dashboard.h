// The workspace dashboard: a JSON API under /api/ and a single-page app, both served from the
// binary by `dlt workspace show` and `dlt pipeline <name> show`.
//
// Read-only by construction: it reads pipeline folders and opens destinations read-only, one
// short connection per request (a running pipeline is never blocked for long). Inputs are names
// (profile, pipeline, table) checked against what exists, never paths. Values of secrets are
// never sent: configuration values are redacted, and every API response is scrubbed of the
// secret values the workspace knows of as a last line of defence. Only who holds the access token
// printed at start (other users of the machine can reach 127.0.0.1 too) gets data.
#pragma once

#include <optional>
#include <string>

#include "dashboard/http_server.h"
#include "dlt/workspace.h"

namespace dlt::dashboard {

class Dashboard {
 public:
  // `options` opens the workspace as the command did (start dir, --profile flag, environment);
  // requests for another profile reopen it with that profile, without touching the pin.
  // `token` is the access token the page and the API require (in the printed address).
  Dashboard(WorkspaceOptions options, int port, std::string token);

  HttpResponse Handle(const HttpRequest& request) const;
  // The checks every request passes first, cheap and without I/O (the HTTP server runs them
  // before giving a request a thread): a refusal for a foreign Host or a missing access token.
  std::optional<HttpResponse> Admit(const HttpRequest& request) const;
  // The cookie that keeps the token once the page was opened with it (one per port).
  std::string CookieName() const;

 private:
  bool Authorized(const HttpRequest& request) const;
  HttpResponse HandleApi(const HttpRequest& request) const;
  WorkspaceOptions options_;
  int port_;
  std::string token_;
};

// Embedded assets of the page (index.html, app.js, app.css), compiled in from src/dashboard/assets/.
struct Asset {
  std::string_view path;
  std::string_view data;
};
const std::vector<Asset>& EmbeddedAssets();

}  // namespace dlt::dashboard
