// The workspace dashboard: a JSON API under /api/ and a single-page app, both served from the
// binary by `dlt workspace show` and `dlt pipeline <name> show`.
//
// Read-only by construction: it reads pipeline folders and opens destinations read-only, one
// short connection per request (a running pipeline is never blocked for long). Inputs are names
// (profile, pipeline, table) checked against what exists, never paths. Values of secrets are
// never sent: configuration values are redacted, and every API response is scrubbed of the
// secret values the workspace knows of as a last line of defence.
#pragma once

#include <string>

#include "dashboard/http_server.h"
#include "dlt/workspace.h"

namespace dlt::dashboard {

class Dashboard {
 public:
  // `options` opens the workspace as the command did (start dir, --profile flag, environment);
  // requests for another profile reopen it with that profile, without touching the pin.
  Dashboard(WorkspaceOptions options, int port);

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  HttpResponse HandleApi(const HttpRequest& request) const;
  WorkspaceOptions options_;
  int port_;
};

// Embedded assets of the page (index.html, app.js, app.css), compiled in from src/dashboard/assets/.
struct Asset {
  std::string_view path;
  std::string_view data;
};
const std::vector<Asset>& EmbeddedAssets();

}  // namespace dlt::dashboard
