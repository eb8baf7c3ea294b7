// http_send(workspace, method, url, headers, params, body, secrets, timeout) -> dict: one request
// through the engine's HTTP client, with the retries of the active profile's [runtime] settings
// (request_timeout, request_max_attempts, request_backoff_factor, request_max_retry_delay), as
// dlt's requests helper retries: 429, 5xx and connection errors, honouring Retry-After. The
// response is returned whatever its status; an error (EngineError) only when none could be had.
// The GIL is released while the request runs. Secrets given are masked in every message, and
// the headers and parameters that carry them go only to the origin of the URL.
#include "py_http.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/settings.h"
#include "extract/http_client.h"
#include "py_pipeline.h"

namespace py = pybind11;

namespace dlt::python {

namespace {

StatusOr<http::RetryPolicy> PolicyOf(const Workspace& ws, std::optional<double> timeout) {
  http::RetryPolicy p;
  DLT_ASSIGN_OR_RETURN(p.timeout_s, settings::Number(ws.config(), {"runtime"}, "request_timeout"));
  DLT_ASSIGN_OR_RETURN(double attempts, settings::Number(ws.config(), {"runtime"}, "request_max_attempts"));
  p.max_attempts = std::max(1, static_cast<int>(attempts));
  DLT_ASSIGN_OR_RETURN(p.backoff_factor, settings::Number(ws.config(), {"runtime"}, "request_backoff_factor"));
  DLT_ASSIGN_OR_RETURN(p.max_retry_delay_s, settings::Number(ws.config(), {"runtime"}, "request_max_retry_delay"));
  if (timeout) p.timeout_s = *timeout;
  return p;
}

py::dict Send(const PyWorkspace& ws, const std::string& method, const std::string& url,
              const std::vector<std::pair<std::string, std::string>>& headers,
              const std::vector<std::pair<std::string, std::string>>& params, const std::optional<py::bytes>& body,
              const std::vector<std::string>& secrets, std::optional<double> timeout) {
  http::Request req;
  req.method = method;
  // Headers and query parameters that carry a secret (an Authorization header, an API key) are
  // credentials: sent only to the origin of `url`, and a redirect to another origin is followed
  // without them (http_client.h), as requests drops Authorization on a redirect to another host.
  auto carries_secret = [&](const std::string& value) {
    return std::any_of(secrets.begin(), secrets.end(),
                       [&](const std::string& s) { return !s.empty() && value.find(s) != std::string::npos; });
  };
  std::vector<std::pair<std::string, std::string>> plain_params;
  for (const auto& p : params) (carries_secret(p.second) ? req.auth_query : plain_params).push_back(p);
  for (const auto& h : headers) (carries_secret(h.second) ? req.auth_headers : req.headers).push_back(h);
  req.url = plain_params.empty() ? url : http::AppendQuery(url, plain_params);
  req.auth_origin = http::Origin(url);
  if (body) req.body = std::string(*body);
  req.secrets = secrets;
  StatusOr<http::Response> resp = [&]() -> StatusOr<http::Response> {
    py::gil_scoped_release release;
    DLT_ASSIGN_OR_RETURN(http::RetryPolicy policy, PolicyOf(ws.get(), timeout));
    DLT_ASSIGN_OR_RETURN(http::Client client, http::Client::Create());
    return client.Send(req, policy);
  }();
  if (!resp.ok()) throw EngineError(resp.status());
  py::dict out;
  out["status"] = resp->status;
  out["reason"] = resp->reason;
  out["headers"] = resp->headers;
  out["body"] = py::bytes(resp->body);
  out["url"] = resp->url;
  out["attempts"] = resp->attempts;
  // For raise_for_status: the engine's own message (masked, with its hint for 401/403/404/429).
  out["failure"] = resp->status >= 400 ? http::DescribeFailure(req, *resp, resp->attempts) : std::string();
  return out;
}

}  // namespace

void RegisterHttp(py::module_& m) {
  m.def("http_send", &Send, py::arg("workspace"), py::arg("method"), py::arg("url"), py::arg("headers"),
        py::arg("params"), py::arg("body"), py::arg("secrets"), py::arg("timeout") = py::none());
}

}  // namespace dlt::python
