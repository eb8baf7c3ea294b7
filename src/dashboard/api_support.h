// Shared pieces of the dashboard's JSON API (dashboard.cc routes requests; the routes of one
// concept live in their own file): replies before serialization, the secrets every reply is
// scrubbed of, and a pipeline folder and its destination opened for one request.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/private_temp_dir.h"
#include "dashboard/http_server.h"
#include "destinations/filesystem/filesystem_snapshot.h"
#include "destinations/destination_types.h"
#include "dlt/sql.h"
#include "dlt/workspace.h"
#include "load/destination.h"
#include "load/pipeline_state.h"
#include "normalize/schema.h"

namespace dlt::dashboard {

using Json = nlohmann::ordered_json;

// --- replies (api_support.cc) ------------------------------------------------------------------

// An API answer before it is serialized (so that secrets can be scrubbed from the tree).
struct ApiReply {
  int status = 200;
  Json doc;
};

inline ApiReply Reply(Json doc, int status = 200) { return ApiReply{status, std::move(doc)}; }
ApiReply ErrorReply(int status, const std::string& message);
// The HTTP status of a failed Status (400 bad input, 404, 409 precondition, 503 unreachable).
int HttpStatusFor(const Status& s);
ApiReply ErrorReply(const Status& s);
HttpResponse ToHttp(const ApiReply& reply);

// --- secrets (secret_scrub.cc) -----------------------------------------------------------------

// Every secret value this workspace's profile can see (nullptr: the environment's only).
std::set<std::string> KnownSecrets(const Workspace* ws);
// Replaces every one of `secrets` inside the strings (values and keys) of `doc` with ***.
void Scrub(Json& doc, const std::set<std::string>& secrets);
// Values under secret-looking keys of a document that is not configuration (the pipeline
// state may hold a token a source keeps there): shown as ***.
void MaskSecretKeys(Json& doc);

// --- pipelines and destinations (api_support.cc) -----------------------------------------------

// The trace of the last run; a damaged one is left out and its error (naming the file and what
// to do) goes to `damaged`: the dashboard shows the rest of the pipeline.
std::optional<Json> ReadTrace(const std::filesystem::path& p, std::vector<std::string>* damaged);
// A string field of a document written by a run; "" when missing or of another type.
std::string StringField(const Json& doc, const char* key);
StatusOr<int> ParseIntParam(const HttpRequest& r, const std::string& name, int def, int min, int max);

// What the API knows about a pipeline folder.
struct PipelineView {
  std::string name;
  std::filesystem::path dir;
  std::optional<PipelineState> state;
  std::optional<Json> trace;
  std::optional<Schema> schema;
  std::string destination_name;  // from the local state
  std::string dataset_name;
  std::vector<std::string> damaged;  // errors of local files that could not be read
};
StatusOr<PipelineView> OpenPipeline(const Workspace& ws, const std::string& name);

// A destination connection for one request, read-only, opened without external access (every
// open of the dashboard uses the same options: DuckDB shares one instance per file and process,
// and refuses a second open with other options).
struct DestinationView {
  DestinationConfig config;
  std::unique_ptr<Destination> dest;
};
StatusOr<DestinationView> OpenDestination(const Workspace& ws, const PipelineView& p);


// The dataset of a filesystem destination as a read-only DuckDB (filesystem_snapshot.cc):
// `dest` is a DuckDB destination over a snapshot file of its tables; `keep` holds the snapshot's
// directory while the request uses it.
using SnapshotView = FilesystemSnapshot;
StatusOr<SnapshotView> OpenFilesystemSnapshot(const PipelineView& p, Destination& files);

// --- routes ------------------------------------------------------------------------------------

// A statement of the query route run (query_route.cc): the typed rows (at most `limit` + 1, the
// one more telling that rows were left out), or the reply to answer instead.
struct QueryRun {
  std::optional<ApiReply> error;
  QueryResult result;
  int limit = 0;
  long long elapsed_ms = 0;
  std::string destination_type;
};
QueryRun RunQuery(const Workspace& ws, const PipelineView& p, const HttpRequest& req);
// GET .../pipelines/<name>/query?sql=...[&limit=n] (query_route.cc).
ApiReply QueryRoute(const Workspace& ws, const PipelineView& p, const HttpRequest& req);
// GET .../pipelines/<name>/query?sql=...&format=parquet: the same rows as a Parquet file
// (query_parquet.cc). `secrets` are replaced in every value and name before the file is written.
// A failure is answered as JSON through `error`.
std::optional<HttpResponse> QueryParquetRoute(const Workspace& ws, const PipelineView& p, const HttpRequest& req,
                                              const std::set<std::string>& secrets, ApiReply* error);
// GET .../pipelines/<name>/runs[?limit=n]: the kept traces, newest first (history_route.cc).
ApiReply RunsRoute(const PipelineView& p, const HttpRequest& req);
// The incremental cursors of the pipeline's resources, from its local state (history_route.cc).
Json CursorsJson(const PipelineView& p);
// GET .../pipelines/<name>/schema/versions: the destination's _dlt_version rows, newest first,
// each with what changed since the version before it (history_route.cc).
ApiReply SchemaVersionsRoute(const Workspace& ws, const PipelineView& p);

}  // namespace dlt::dashboard
