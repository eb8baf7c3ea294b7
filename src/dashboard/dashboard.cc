#include "dashboard/dashboard.h"

#include <map>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include "common/fs.h"
#include "config/secret_names.h"
#include "dashboard/api_support.h"
#include "dlt/destination.h"
#include "load/package.h"
#include "normalize/schema.h"
#include "pipeline/run_trace.h"
#include "workspace/config_view.h"
#include "workspace/pipeline_paths.h"

namespace dlt::dashboard {

namespace fs = std::filesystem;

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxLoads = 200;
constexpr size_t kMaxCellBytes = 4096;

Json PipelineSummary(const Workspace& ws, const PipelineFolder& p) {
  (void)ws;
  Json j;
  j["name"] = p.name;
  std::vector<std::string> damaged;
  auto trace = ReadTrace(PipelinePaths(p.path).Trace(), &damaged);
  // A folder restored by `dlt pipeline <name> sync` has a state but no trace: it was never run
  // here, yet it has a destination and data. Its time is when it was synced, not a run's.
  std::optional<PipelineState> state;
  std::error_code ec;
  if (fs::exists(PipelinePaths(p.path).State(), ec)) {
    auto st = PipelineState::Load(PipelinePaths(p.path).State());
    if (st.ok()) state = std::move(st).value();
  }
  const bool synced = !trace && damaged.empty() && state.has_value();
  const Json when = p.last_run ? Json(fsutil::FormatUtcIso(*p.last_run)) : Json(nullptr);
  j["last_run"] = trace ? when : Json(nullptr);
  j["synced_at"] = synced ? when : Json(nullptr);
  std::string outcome = trace ? StringField(*trace, "outcome") : "";
  j["status"] = !damaged.empty() ? "unknown" : synced ? "synced" : !trace ? "never run" : outcome.empty() ? "unknown" : outcome;
  if (!damaged.empty()) j["error"] = damaged.front();
  std::string destination = trace ? StringField(*trace, "destination") : "";
  std::string dataset = trace ? StringField(*trace, "dataset_name") : "";
  if (state && destination.empty()) destination = state->DestinationName();
  if (state && dataset.empty()) dataset = StringField(state->doc(), "dataset_name");
  j["destination"] = destination;
  j["dataset_name"] = dataset;
  if (trace && !StringField(*trace, "error").empty()) j["error"] = StringField(*trace, "error");
  PackageStorage storage(p.path);
  j["loaded_packages"] = storage.List(PackageStage::kLoaded).size();
  j["pending_packages"] = storage.List(PackageStage::kExtracted).size() + storage.List(PackageStage::kNormalized).size();
  return j;
}

Json ProfileJson(const ProfileListing& p) {
  return Json{{"name", p.name},       {"description", p.description}, {"builtin", p.builtin},
              {"current", p.current}, {"configured", p.configured},   {"pinned", p.pinned}};
}

Json ColumnJson(const Column& c) {
  Json j{{"name", c.name}, {"data_type", std::string(DataTypeName(c.data_type))}, {"nullable", c.nullable}};
  std::vector<std::string> hints;
  if (c.primary_key) hints.push_back("primary_key");
  if (c.merge_key) hints.push_back("merge_key");
  if (c.unique) hints.push_back("unique");
  if (c.row_key) hints.push_back("row_key");
  if (c.parent_key) hints.push_back("parent_key");
  if (c.root_key) hints.push_back("root_key");
  if (c.variant) hints.push_back("variant");
  j["hints"] = hints;
  if (c.precision) j["precision"] = *c.precision;
  if (c.scale) j["scale"] = *c.scale;
  return j;
}

Json SchemaJson(const Schema& s) {
  Json tables = Json::array();
  for (const Table& t : s.tables()) {
    Json cols = Json::array();
    for (const Column& c : t.columns) cols.push_back(ColumnJson(c));
    Json j{{"name", t.name},
           {"parent", t.parent ? Json(*t.parent) : Json(nullptr)},
           {"resource", t.resource ? Json(*t.resource) : Json(nullptr)},
           {"write_disposition", std::string(WriteDispositionName(s.DispositionOf(t.name)))},
           {"system", s.IsSystemTable(t.name)},
           {"columns", cols}};
    if (t.description) j["description"] = *t.description;
    tables.push_back(std::move(j));
  }
  return Json{{"name", s.name()},
              {"version", s.version()},
              {"version_hash", s.version_hash()},
              {"engine_version", Schema::kEngineVersion},
              {"tables", tables}};
}

Json DestinationJson(const Workspace& ws, const PipelineView& p) {
  Json j{{"name", p.destination_name}, {"dataset_name", p.dataset_name}};
  if (p.destination_name.empty()) {
    j["error"] = "no local state names the destination yet";
    return j;
  }
  auto d = ResolveDestination(ws, p.destination_name, p.name);
  if (!d.ok()) {
    j["error"] = d.status().message();
    return j;
  }
  j["type"] = d->type;
  j["description"] = d->Describe();
  if (d->type_origin) j["type_origin"] = d->type_origin->Describe();
  if (d->credentials_origin) j["credentials_origin"] = d->credentials_origin->Describe();
  return j;
}

Json ConfigJson(const Workspace& ws, const std::optional<Json>& trace) {
  std::set<std::string> used;
  if (trace) {
    auto origins = trace->find("config_origins");
    if (origins != trace->end() && origins->is_array()) {
      for (const auto& o : *origins) {
        if (o.is_object()) used.insert(StringField(o, "key"));
      }
    }
  }
  Json out = Json::array();
  for (const auto& e : ResolvedConfig(ws)) {
    Json j{{"key", e.key}, {"secret", e.secret}};
    if (e.value) {
      j["value"] = DisplayValue(e.value->value, e.secret);
      j["origin"] = e.value->origin.Describe();
    } else {
      j["value"] = nullptr;
      j["origin"] = nullptr;
    }
    if (!e.error.empty()) j["error"] = e.error;
    j["used_by_last_run"] = used.count(e.key) > 0;
    out.push_back(std::move(j));
  }
  return out;
}

const Table* FindBrowsableTable(const PipelineView& p, const std::string& table) {
  if (!p.schema) return nullptr;
  return p.schema->FindTable(table);
}

}  // namespace

Dashboard::Dashboard(WorkspaceOptions options, int port, std::string token)
    : options_(std::move(options)), port_(port), token_(std::move(token)) {}

std::string Dashboard::CookieName() const { return "dlt_dashboard_" + std::to_string(port_); }

namespace {

bool SameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::optional<std::string> CookieValue(const HttpRequest& req, const std::string& name) {
  auto it = req.headers.find("cookie");
  if (it == req.headers.end()) return std::nullopt;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace

bool Dashboard::Authorized(const HttpRequest& req) const {
  if (auto q = req.query.find("token"); q != req.query.end() && SameToken(q->second, token_)) return true;
  if (auto c = CookieValue(req, CookieName()); c && SameToken(*c, token_)) return true;
  if (auto a = req.headers.find("authorization"); a != req.headers.end() && a->second.starts_with("Bearer ") &&
                                                   SameToken(std::string_view(a->second).substr(7), token_)) {
    return true;
  }
  return false;
}

std::optional<HttpResponse> Dashboard::Admit(const HttpRequest& req) const {
  // A page of another site may not talk to the dashboard through this port (DNS rebinding):
  // only requests addressed to the loopback address are answered.
  auto host = req.headers.find("host");
  if (host != req.headers.end()) {
    std::string p = ":" + std::to_string(port_);
    if (host->second != "127.0.0.1" + p && host->second != "localhost" + p) {
      return ToHttp(ErrorReply(403, "requests must be addressed to 127.0.0.1" + p));
    }
  }
  std::string path = req.segments.empty() ? "index.html" : req.segments.size() == 1 ? req.segments[0] : "";
  // Other users of this machine can reach 127.0.0.1 too: the data and the page need the access
  // token of the printed address (then kept in a cookie), or `Authorization: Bearer <token>`.
  bool data = (!req.segments.empty() && req.segments[0] == "api") || path == "index.html";
  if (data && !Authorized(req)) {
    std::string message = "missing or wrong access token: open the address printed by `dlt workspace show` "
                          "(it ends in ?token=...), or send `Authorization: Bearer <token>`";
    if (path != "index.html") return ToHttp(ErrorReply(401, message));
    HttpResponse r;
    r.status = 401;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "dlt dashboard: " + message + "\n";
    return r;
  }
  return std::nullopt;
}

HttpResponse Dashboard::Handle(const HttpRequest& req) const {
  if (std::optional<HttpResponse> refused = Admit(req)) return *refused;
  std::string path = req.segments.empty() ? "index.html" : req.segments.size() == 1 ? req.segments[0] : "";
  if (!req.segments.empty() && req.segments[0] == "api") return HandleApi(req);
  for (const Asset& a : EmbeddedAssets()) {
    if (a.path != path) continue;
    HttpResponse r;
    r.body = std::string(a.data);
    if (path.ends_with(".html")) r.content_type = "text/html; charset=utf-8";
    else if (path.ends_with(".js")) r.content_type = "text/javascript; charset=utf-8";
    else if (path.ends_with(".css")) r.content_type = "text/css; charset=utf-8";
    else if (path.ends_with(".svg")) r.content_type = "image/svg+xml";
    else r.content_type = "application/octet-stream";
    if (path == "index.html") {
      r.headers.emplace_back("Set-Cookie", CookieName() + "=" + token_ + "; Path=/; HttpOnly; SameSite=Strict");
      r.headers.emplace_back("Cache-Control", "no-store");
    }
    return r;
  }
  HttpResponse r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "not found\n";
  return r;
}

HttpResponse Dashboard::HandleApi(const HttpRequest& req) const {
  const auto& s = req.segments;
  std::optional<Workspace> ws;
  auto respond = [&](ApiReply r) {
    // The last line of defence: no value of a secret known to the workspace leaves the process.
    Scrub(r.doc, KnownSecrets(ws ? &*ws : nullptr));
    return ToHttp(r);
  };
  auto fail = [&](const Status& st) { return respond(ErrorReply(st)); };

  if (s.size() == 2 && s[1] == "workspace") {
    auto opened = Workspace::Open(options_);
    if (!opened.ok()) return fail(opened.status());
    ws = std::move(opened).value();
    if (Status st = ws->LoadConfig(); !st.ok()) return fail(st);
    Json profiles = Json::array();
    for (const auto& p : ws->ListProfiles()) profiles.push_back(ProfileJson(p));
    Json j{{"name", ws->name()},
           {"workspace_mode", ws->workspace_mode()},
           {"run_dir", ws->run_dir().string()},
           {"settings_dir", ws->settings_dir().string()},
           {"active_profile", ws->profile()},
           {"selected_by", std::string(ProfileSourceName(ws->profile_source()))},
           {"pinned_profile", ws->pinned_profile() ? Json(*ws->pinned_profile()) : Json(nullptr)},
           {"profiles", profiles}};
    return respond(Reply(j));
  }
  if (s.size() < 3 || s[1] != "profiles") return respond(ErrorReply(404, "unknown API path " + req.target.substr(0, 200)));

  // `-` is the active profile (the only one in classic mode, without a workspace).
  const std::string& profile = s[2];
  WorkspaceOptions o = options_;
  if (profile != "-") {
    if (Status st = ValidateProfileName(profile); !st.ok()) return fail(st);
    o.profile = profile;
  }
  auto opened = Workspace::Open(o);
  if (!opened.ok()) return fail(opened.status());
  ws = std::move(opened).value();
  if (Status st = ws->LoadConfig(); !st.ok()) return fail(st);

  if (s.size() == 3 || (s.size() == 4 && s[3] == "pipelines")) {
    Json pipelines = Json::array();
    for (const auto& p : ws->ListPipelines()) pipelines.push_back(PipelineSummary(*ws, p));
    auto ro = ws->IsReadOnlyProfile();
    auto prot = ws->IsProtectedProfile();
    Json j{{"profile", ws->profile()},
           {"working_dir", ws->working_dir().string()},
           {"local_dir", ws->local_dir().string()},
           {"pipelines_dir", ws->pipelines_dir().string()},
           {"read_only", ro.ok() && *ro},
           {"protected", prot.ok() && *prot},
           {"pipelines", pipelines}};
    return respond(Reply(j));
  }
  if (s[3] != "pipelines" || s.size() < 5) return respond(ErrorReply(404, "unknown API path " + req.target.substr(0, 200)));

  auto pv = OpenPipeline(*ws, s[4]);
  if (!pv.ok()) return fail(pv.status());
  PipelineView& p = *pv;
  std::string what = s.size() > 5 ? s[5] : "";

  if (s.size() == 5) {
    PackageStorage storage(p.dir);
    Json pending = Json::array();
    for (auto stage : {PackageStage::kExtracted, PackageStage::kNormalized}) {
      for (const auto& id : storage.List(stage)) {
        pending.push_back({{"load_id", id}, {"stage", PipelinePaths::StageName(stage)}});
      }
    }
    auto loaded = storage.List(PackageStage::kLoaded);
    Json state = p.state ? Json(p.state->doc()) : Json(nullptr);
    MaskSecretKeys(state);
    Json j{{"name", p.name},
           {"profile", ws->profile()},
           {"dir", ws->Display(p.dir)},
           {"destination", DestinationJson(*ws, p)},
           {"dataset_name", p.dataset_name},
           {"state", state},
           {"cursors", CursorsJson(p)},
           {"schema", p.schema ? Json{{"name", p.schema->name()}, {"version", p.schema->version()},
                                      {"tables", p.schema->DataTables().size()}}
                               : Json(nullptr)},
           {"packages", {{"loaded", loaded.size()}, {"newest_loaded", loaded.empty() ? Json(nullptr) : Json(loaded.back())},
                         {"pending", pending}}},
           {"trace", p.trace ? *p.trace : Json(nullptr)},
           {"damaged_files", p.damaged},
           {"config", ConfigJson(*ws, p.trace)}};
    return respond(Reply(j));
  }
  if (s.size() == 6 && what == "query") {
    auto format = req.query.find("format");
    if (format == req.query.end() || format->second == "json") return respond(QueryRoute(*ws, p, req));
    if (format->second != "parquet") {
      return respond(ErrorReply(400, "query parameter `format` must be json or parquet, got `" + format->second.substr(0, 40) + "`"));
    }
    ApiReply error;
    if (auto file = QueryParquetRoute(*ws, p, req, KnownSecrets(&*ws), &error)) return *file;
    return respond(error);
  }
  if (s.size() == 6 && what == "runs") return respond(RunsRoute(p, req));
  if (s.size() == 6 && what == "cursors") return respond(Reply(Json{{"pipeline", p.name}, {"cursors", CursorsJson(p)}}));
  if (s.size() == 7 && what == "schema" && s[6] == "versions") return respond(SchemaVersionsRoute(*ws, p));
  if (s.size() == 6 && what == "trace") {
    if (!p.trace) return respond(ErrorReply(404, "pipeline `" + p.name + "` has no trace: it has not run yet"));
    return respond(Reply(*p.trace));
  }
  if (s.size() == 6 && what == "schema") {
    if (!p.schema) return respond(ErrorReply(404, "pipeline `" + p.name + "` has no schema yet: run it first"));
    return respond(Reply(SchemaJson(*p.schema)));
  }
  if (s.size() == 6 && what == "loads") {
    auto d = OpenDestination(*ws, p);
    if (!d.ok()) return fail(d.status());
    auto rows = d->dest->RecentLoads(kMaxLoads);
    if (!rows.ok()) return fail(rows.status());
    Json loads = Json::array();
    auto value = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); };
    for (const LoadRecord& r : *rows) {
      loads.push_back(Json{{"load_id", value(r.load_id)},
                           {"schema_name", value(r.schema_name)},
                           {"status", value(r.status)},
                           {"inserted_at", value(r.inserted_at)},
                           {"schema_version_hash", value(r.schema_version_hash)}});
    }
    return respond(Reply(Json{{"destination", d->config.Describe()}, {"dataset_name", p.dataset_name}, {"loads", loads}}));
  }
  if (s.size() == 6 && what == "tables") {
    if (!p.schema) return respond(ErrorReply(404, "pipeline `" + p.name + "` has no schema yet: run it first"));
    auto d = OpenDestination(*ws, p);
    if (!d.ok()) return fail(d.status());
    Destination& dest = *d->dest;
    // When each root table last got rows: its newest load id, and that load's time.
    std::map<std::string, std::string> load_times;
    if (auto loads = dest.RecentLoads(kMaxLoads); loads.ok()) {
      for (const LoadRecord& r : *loads) {
        if (r.load_id && r.inserted_at) load_times[*r.load_id] = *r.inserted_at;
      }
    }
    std::map<std::string, Json> newest;  // root table -> {last_load_id, last_loaded_at}
    Json tables = Json::array();
    for (const Table& t : p.schema->tables()) {
      if (t.columns.empty()) continue;
      Json j{{"name", t.name}, {"parent", t.parent ? Json(*t.parent) : Json(nullptr)}, {"system", p.schema->IsSystemTable(t.name)}};
      auto cols = dest.TableColumns(t.name);
      if (!cols.ok()) return fail(cols.status());
      if (cols->empty()) {
        j["exists"] = false;
        j["row_count"] = nullptr;
      } else {
        auto n = dest.CountRows(t.name);
        if (!n.ok()) return fail(n.status());
        j["exists"] = true;
        j["row_count"] = *n;
      }
      // Nested tables were loaded with their root (they carry no load id of their own).
      const std::string root = p.schema->RootOf(t.name).name;
      if (!newest.count(root)) {
        Json last{{"last_load_id", nullptr}, {"last_loaded_at", nullptr}};
        if (!cols->empty() || root != t.name) {
          auto id = dest.NewestLoadId(root);
          if (!id.ok()) return fail(id.status());
          if (*id) {
            last["last_load_id"] = **id;
            auto at = load_times.find(**id);
            if (at != load_times.end()) last["last_loaded_at"] = at->second;
          }
        }
        newest[root] = last;
      }
      j["last_load_id"] = newest[root]["last_load_id"];
      j["last_loaded_at"] = newest[root]["last_loaded_at"];
      tables.push_back(std::move(j));
    }
    return respond(Reply(Json{{"destination", d->config.Describe()}, {"dataset_name", p.dataset_name}, {"tables", tables}}));
  }
  if (s.size() == 8 && what == "tables" && s[7] == "rows") {
    const Table* t = FindBrowsableTable(p, s[6]);
    if (t == nullptr) {
      return respond(ErrorReply(404, "table `" + s[6].substr(0, 200) + "` is not in the schema of pipeline `" + p.name + "`"));
    }
    auto offset = ParseIntParam(req, "offset", 0, 0, 1000000000);
    if (!offset.ok()) return fail(offset.status());
    auto limit = ParseIntParam(req, "limit", kDefaultPageSize, 1, kMaxPageSize);
    if (!limit.ok()) return fail(limit.status());
    auto d = OpenDestination(*ws, p);
    if (!d.ok()) return fail(d.status());
    auto cols = d->dest->TableColumns(t->name);
    if (!cols.ok()) return fail(cols.status());
    if (cols->empty()) {
      return respond(ErrorReply(404, "table `" + t->name + "` does not exist in dataset `" + p.dataset_name + "` yet"));
    }
    auto page = d->dest->ReadRows(t->name, *limit, *offset);
    if (!page.ok()) return fail(page.status());
    cols = page->columns;
    const auto* rows = &page->rows;
    Json columns = Json::array();
    std::vector<bool> boolean;
    for (const auto& col : *cols) {
      const Column* sc = t->FindColumn(col);
      columns.push_back(Json{{"name", col}, {"data_type", sc ? Json(std::string(DataTypeName(sc->data_type))) : Json(nullptr)}});
      boolean.push_back(sc != nullptr && DataTypeName(sc->data_type) == std::string_view("bool"));
    }
    // Long values (documents, blobs) are cut for display: a page stays small.
    Json data = Json::array();
    bool truncated = false;
    for (const auto& r : *rows) {
      Json row = Json::array();
      for (size_t i = 0; i < r.size(); ++i) {
        const auto& v = r[i];
        if (!v) {
          row.push_back(nullptr);
        } else if (i < boolean.size() && boolean[i] && (*v == "t" || *v == "f")) {
          // PostgreSQL's text of a boolean: shown as DuckDB (and the query results) show it.
          row.push_back(*v == "t" ? "true" : "false");
        } else if (v->size() > kMaxCellBytes) {
          size_t cut = kMaxCellBytes;
          while (cut > 0 && (static_cast<unsigned char>((*v)[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
          row.push_back(v->substr(0, cut) + "…");
          truncated = true;
        } else {
          row.push_back(*v);
        }
      }
      data.push_back(std::move(row));
    }
    long long count = static_cast<long long>(page->total);
    return respond(Reply(Json{{"table", t->name},
                                     {"dataset_name", p.dataset_name},
                                     {"columns", columns},
                                     {"rows", data},
                                     {"offset", *offset},
                                     {"limit", *limit},
                                     {"total", count},
                                     {"truncated", truncated}}));
  }
  return respond(ErrorReply(404, "unknown API path " + req.target.substr(0, 200)));
}

}  // namespace dlt::dashboard
