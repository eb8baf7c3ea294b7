// GET /api/profiles/<p>/pipelines/<name>/query?sql=...[&limit=n]: read-only SQL over the
// pipeline's dataset, typed as dlt's sql_client gives it (SqlClient::QueryTyped, include/dlt/sql.h).
// RunQuery runs the statement (read-only, with the row limit, the time limit, and stopped as soon
// as nobody waits for its answer any more); QueryRoute answers it as JSON, query_parquet.cc as a
// Parquet file (`&format=parquet`).
//
// Read-only is enforced by the database, never by looking at the SQL: the destination is opened
// read-only (DuckDB: the file in READ_ONLY mode with external access off and the configuration
// locked, so no file outside it can be read or written and nothing can be ATTACHed, INSTALLed or
// LOADed; PostgreSQL: default_transaction_read_only=on, one statement per request through the
// extended protocol, so `COMMIT; ...` cannot leave the read-only transaction). A refusal is the
// database's own message, answered 4xx; nothing changes.
//
// Limits: the SQL text (64 KiB), the rows (`limit`, default 1000, at most 10000), the bytes of the
// values in a reply (8 MiB; a value over 64 KiB is cut), and the time of the statement (20 s).
//
// Stopping: a watchdog thread interrupts the statement (DuckDB: duckdb_interrupt; PostgreSQL:
// PQcancel) when it runs past 20 s (PostgreSQL's statement_timeout fires at the same time), when
// the client's connection closes (a page closed, a fetch aborted, curl stopped with Ctrl-C: the
// database would otherwise go on for nothing, holding a worker and, on PostgreSQL, a backend),
// and when the dashboard is stopping (SIGINT/SIGTERM: it waits for running requests).
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "dashboard/api_support.h"
#include "load/sql_client.h"

namespace dlt::dashboard {

namespace {

constexpr size_t kMaxSqlBytes = 64 * 1024;
constexpr int kDefaultRows = 1000;
constexpr int kMaxRows = 10000;
constexpr int kStatementSeconds = 20;
constexpr size_t kMaxReplyBytes = 8 * 1024 * 1024;
constexpr size_t kMaxValueBytes = 64 * 1024;
// How often the watchdog looks at the client's connection and the server's stop flag.
constexpr auto kWatchEvery = std::chrono::milliseconds(50);

enum class StopReason { kNone, kTimeLimit, kClientGone, kShutdown };

const char* Describe(StopReason r) {
  switch (r) {
    case StopReason::kTimeLimit: return "it ran past the time limit";
    case StopReason::kClientGone: return "the client closed the connection";
    case StopReason::kShutdown: return "the dashboard is stopping";
    default: return "";
  }
}

class Watchdog {
 public:
  Watchdog(SqlClient* client, int seconds, const HttpRequest& req)
      : thread_([this, client, seconds, fd = req.client_fd, stopping = req.stopping] {
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
          std::unique_lock<std::mutex> lock(mu_);
          for (;;) {
            if (cv_.wait_for(lock, kWatchEvery, [this] { return done_; })) return;
            StopReason why = StopReason::kNone;
            if (std::chrono::steady_clock::now() >= deadline) why = StopReason::kTimeLimit;
            else if (stopping && stopping->load()) why = StopReason::kShutdown;
            else if (ClientGone(fd)) why = StopReason::kClientGone;
            if (why == StopReason::kNone) continue;
            reason_ = why;
            client->Interrupt();
            return;
          }
        }) {}
  ~Watchdog() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  StopReason reason() {
    std::lock_guard<std::mutex> lock(mu_);
    return reason_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  StopReason reason_ = StopReason::kNone;
  std::thread thread_;  // last: started once the members it uses exist
};

bool Interrupted(const Status& s) {
  const std::string& m = s.message();
  return s.code() == StatusCode::kCancelled || m.find("statement timeout") != std::string::npos ||
         m.find("canceling statement") != std::string::npos || m.find("INTERRUPT") != std::string::npos ||
         m.find("nterrupted") != std::string::npos;
}

// The SQL as written, without the `;` and blanks a user types at its end (they would break the
// subquery the row limit wraps it in).
std::string TrimmedSql(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) sql.pop_back();
  return sql;
}

// Makes the dataset the default schema, as SqlSession does (src/pipeline/sql_session.cc):
// `FROM orders` then means the dataset's table, as with dlt's pipeline.dataset(). A filesystem
// dataset's snapshot is a DuckDB file with the dataset as a schema.
Status UseDataset(SqlClient& c, const std::string& type, const std::string& dataset) {
  const std::string schema = c.QuoteIdentifier(dataset);
  if (type == "postgres") return c.Execute("SET search_path TO " + schema + ", public");
  return c.Execute("SET search_path = " + c.QuoteLiteral(c.catalog_prefix() + schema));
}

Json Cell(const std::optional<std::string>& v, size_t* bytes, bool* cut) {
  if (!v) return nullptr;
  if (v->size() <= kMaxValueBytes) {
    *bytes += v->size();
    return *v;
  }
  size_t end = kMaxValueBytes;
  while (end > 0 && (static_cast<unsigned char>((*v)[end]) & 0xC0) == 0x80) --end;  // UTF-8 boundary
  *bytes += end;
  *cut = true;
  return v->substr(0, end) + "…";
}

QueryRun Failed(ApiReply reply) {
  QueryRun run;
  run.error = std::move(reply);
  return run;
}

}  // namespace

QueryRun RunQuery(const Workspace& ws, const PipelineView& p, const HttpRequest& req) {
  auto it = req.query.find("sql");
  if (it == req.query.end() || TrimmedSql(it->second).empty()) {
    return Failed(ErrorReply(400, "query parameter `sql` is missing or empty: give the statement to run, e.g. "
                                  "?sql=SELECT * FROM <table> LIMIT 10"));
  }
  if (it->second.size() > kMaxSqlBytes) {
    return Failed(ErrorReply(400, "query parameter `sql` is longer than " + std::to_string(kMaxSqlBytes / 1024) +
                                      " KiB: shorten the statement"));
  }
  const std::string sql = TrimmedSql(it->second);
  auto limit = ParseIntParam(req, "limit", kDefaultRows, 1, kMaxRows);
  if (!limit.ok()) return Failed(ErrorReply(limit.status()));

  auto d = OpenDestination(ws, p);
  if (!d.ok()) return Failed(ErrorReply(d.status()));
  const std::string& type = d->config.type;
  SqlClient* c = d->dest->sql_client();
  // A filesystem dataset is queried in a read-only DuckDB copy of it (filesystem_snapshot.cc).
  std::optional<SnapshotView> snapshot;
  if (type == "filesystem") {
    auto opened = OpenFilesystemSnapshot(p, *d->dest);
    if (!opened.ok()) return Failed(ErrorReply(opened.status()));
    snapshot = std::move(opened).value();
    c = snapshot->dest->sql_client();
  }
  if (c == nullptr || (type != "duckdb" && type != "postgres" && type != "filesystem")) {
    return Failed(ErrorReply(409, "SQL from the dashboard is offered for DuckDB, PostgreSQL and filesystem destinations; "
                                  "destination `" + p.destination_name + "` is " + type +
                                      " (MotherDuck: its extension needs external access, which the dashboard keeps off)"));
  }
  if (Status st = UseDataset(*c, type, p.dataset_name); !st.ok()) return Failed(ErrorReply(st));

  const auto start = std::chrono::steady_clock::now();
  Watchdog watchdog(c, kStatementSeconds, req);
  // One row over the limit tells that there were more. The wrapper keeps a huge result from
  // being read whole; a statement it does not fit (SHOW, PRAGMA, a refused DROP) runs as written
  // so that the answer is the database's own.
  const std::string capped = "SELECT * FROM (\n" + sql + "\n) AS dlt_dashboard_query LIMIT " + std::to_string(*limit + 1);
  StatusOr<QueryResult> r = c->QueryTypedOneStatement(capped);
  if (!r.ok() && watchdog.reason() == StopReason::kNone && !Interrupted(r.status())) r = c->QueryTypedOneStatement(sql);
  watchdog.Stop();
  QueryRun run;
  run.limit = *limit;
  run.destination_type = type;
  run.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (r.ok()) {
    run.result = std::move(r).value();
    return run;
  }
  const Status& s = r.status();
  const StopReason why = watchdog.reason();
  if (why == StopReason::kClientGone || why == StopReason::kShutdown) {
    // Nobody may read the answer: the log says what happened to the statement.
    std::fprintf(stderr, "dashboard: cancelled the query of pipeline `%s` after %lld ms: %s\n", p.name.c_str(),
                 run.elapsed_ms, Describe(why));
    std::fflush(stderr);
    return Failed(ErrorReply(why == StopReason::kShutdown ? 503 : 499,
                             std::string("the statement was cancelled: ") + Describe(why)));
  }
  if (why == StopReason::kTimeLimit || Interrupted(s)) {
    return Failed(ErrorReply(408, "the statement was stopped after " + std::to_string(kStatementSeconds) +
                                      " s (the dashboard's time limit): " + s.message()));
  }
  return Failed(ErrorReply(s.code() == StatusCode::kPermissionDenied ? 403 : s.code() == StatusCode::kUnavailable ? 503 : 400,
                           s.message()));
}

ApiReply QueryRoute(const Workspace& ws, const PipelineView& p, const HttpRequest& req) {
  QueryRun run = RunQuery(ws, p, req);
  if (run.error) return *run.error;

  Json columns = Json::array();
  for (const QueryColumn& col : run.result.columns) columns.push_back(Json{{"name", col.name}, {"type", col.data_type}});
  Json rows = Json::array();
  bool truncated = false, cut = false;
  size_t bytes = 0;
  for (const auto& row : run.result.rows) {
    if (rows.size() >= static_cast<size_t>(run.limit) || bytes > kMaxReplyBytes) {
      truncated = true;
      break;
    }
    Json out = Json::array();
    for (const auto& v : row) out.push_back(Cell(v, &bytes, &cut));
    rows.push_back(std::move(out));
  }
  return Reply(Json{{"columns", columns},
                    {"rows", rows},
                    {"truncated", truncated},
                    {"values_cut", cut},
                    {"limit", run.limit},
                    {"elapsed_ms", run.elapsed_ms},
                    {"destination_type", run.destination_type},
                    {"dataset_name", p.dataset_name}});
}

}  // namespace dlt::dashboard
