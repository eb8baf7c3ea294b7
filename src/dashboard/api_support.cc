// The dashboard API's replies, and a pipeline folder and its destination opened for a request.
#include "dashboard/api_support.h"

#include <stdlib.h>

#include <algorithm>

#include "common/fs.h"
#include "normalize/naming.h"
#include "pipeline/run_trace.h"
#include "workspace/pipeline_paths.h"

namespace dlt::dashboard {

namespace fs = std::filesystem;

ApiReply ErrorReply(int status, const std::string& message) {
  return Reply(Json{{"error", message}, {"status", status}}, status);
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kFailedPrecondition: return 409;
    default: return 500;
  }
}

ApiReply ErrorReply(const Status& s) { return ErrorReply(HttpStatusFor(s), s.message()); }

HttpResponse ToHttp(const ApiReply& reply) {
  HttpResponse r;
  r.status = reply.status;
  r.content_type = "application/json; charset=utf-8";
  // Invalid UTF-8 in data (a destination may hold anything) is replaced, never an exception.
  r.body = reply.doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::optional<Json> ReadTrace(const fs::path& p, std::vector<std::string>* damaged) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  auto trace = ReadRunTrace(p);
  if (!trace.ok()) {
    damaged->push_back(trace.status().message());
    return std::nullopt;
  }
  return std::move(trace->doc);
}

std::string StringField(const Json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

StatusOr<int> ParseIntParam(const HttpRequest& r, const std::string& name, int def, int min, int max) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return def;
  const std::string& v = it->second;
  if (v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument("query parameter `" + name + "` must be a whole number, got `" + v.substr(0, 20) + "`");
  }
  int n = std::stoi(v);
  if (n < min || n > max) {
    return InvalidArgument("query parameter `" + name + "` must be between " + std::to_string(min) + " and " +
                           std::to_string(max));
  }
  return n;
}

StatusOr<PipelineView> OpenPipeline(const Workspace& ws, const std::string& name) {
  PipelineView v;
  v.name = name;
  bool found = false;
  for (const auto& p : ws.ListPipelines()) {
    if (p.name == name) {
      found = true;
      v.dir = p.path;
    }
  }
  if (!found) {
    return NotFound("pipeline `" + name + "` not found in profile `" + ws.profile() + "`");
  }
  std::error_code ec;
  if (fs::exists(PipelinePaths(v.dir).State(), ec)) {
    auto st = PipelineState::Load(PipelinePaths(v.dir).State());
    if (st.ok()) v.state = std::move(st).value();
    else v.damaged.push_back(st.status().message());
  }
  v.trace = ReadTrace(PipelinePaths(v.dir).Trace(), &v.damaged);
  std::string schema_name = name;
  if (v.state && v.state->doc().contains("default_schema_name") && v.state->doc()["default_schema_name"].is_string()) {
    schema_name = v.state->doc()["default_schema_name"].get<std::string>();
  }
  fs::path schema_path = PipelinePaths(v.dir).Schema(schema_name);
  if (schema_name.find('/') == std::string::npos && fs::exists(schema_path, ec)) {
    auto s = Schema::ReadFile(schema_path, "Restore it from the destination with `dlt pipeline " + name + " sync`");
    if (s.ok()) v.schema = std::move(s).value();
    else v.damaged.push_back(s.status().message());
  }
  if (v.state) {
    const Json& d = v.state->doc();
    v.destination_name = v.state->DestinationName();
    if (d.contains("dataset_name") && d["dataset_name"].is_string()) v.dataset_name = d["dataset_name"].get<std::string>();
  }
  if (v.dataset_name.empty() && v.trace) v.dataset_name = StringField(*v.trace, "dataset_name");
  if (!v.dataset_name.empty()) v.dataset_name = SnakeCaseNaming().NormalizeIdentifier(v.dataset_name);
  return v;
}

StatusOr<DestinationView> OpenDestination(const Workspace& ws, const PipelineView& p) {
  if (p.destination_name.empty() || p.dataset_name.empty()) {
    return FailedPrecondition("pipeline `" + p.name + "` has no local state naming its destination and dataset yet: run it first");
  }
  DestinationView v;
  DLT_ASSIGN_OR_RETURN(v.config, ResolveDestination(ws, p.destination_name, p.name));
  if (auto missing = MissingLocalFile(v.config)) {
    return NotFound("the database file " + ws.Display(*missing) + " of destination `" + p.destination_name +
                    "` does not exist: nothing has been loaded in profile `" + ws.profile() + "` yet");
  }
  DestinationOpenOptions open{p.dataset_name, "", /*read_only=*/true};
  open.no_external_access = true;
  auto client = dlt::OpenDestination(v.config, open);
  if (!client.ok()) {
    const std::string& m = client.status().message();
    if (m.find("lock") != std::string::npos || m.find("Conflicting") != std::string::npos) {
      return Unavailable("destination `" + p.destination_name + "` (" + v.config.Describe() +
                         ") is in use by a running pipeline; try again when the run has finished");
    }
    return Unavailable("destination `" + p.destination_name + "` (" + v.config.Describe() +
                       ") is unreachable: " + m);
  }
  v.dest = std::move(client).value();
  // A page waits for a query at most this long; the session is read-only anyway.
  DLT_RETURN_IF_ERROR(v.dest->LimitReadTime(20));
  DLT_ASSIGN_OR_RETURN(bool exists, v.dest->DatasetExists());
  if (!exists) {
    return NotFound("dataset `" + p.dataset_name + "` does not exist in destination `" + p.destination_name + "` (" +
                    v.config.Describe() + ")");
  }
  return v;
}

}  // namespace dlt::dashboard
