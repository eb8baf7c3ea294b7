// The history of a pipeline for the dashboard: its runs (the traces kept in traces/, newest
// first), the incremental cursors of its resources (from the local state), and the versions of
// its schema stored in the destination's _dlt_version table, with what changed between them.
#include <map>

#include "dashboard/api_support.h"
#include "load/sql_client.h"
#include "pipeline/run_trace.h"
#include "pipeline/trace_history.h"

namespace dlt::dashboard {

namespace fs = std::filesystem;

namespace {

// One run of a trace document: what the runs table shows.
Json RunJson(const Json& t, const std::string& file) {
  Json j{{"file", file},
         {"started_at", StringField(t, "started_at")},
         {"finished_at", StringField(t, "finished_at")},
         {"outcome", StringField(t, "outcome").empty() ? "unknown" : StringField(t, "outcome")}};
  if (!StringField(t, "error").empty()) j["error"] = StringField(t, "error");
  uint64_t rows = 0;
  Json per_table = Json::object();
  if (auto it = t.find("rows_per_table"); it != t.end() && it->is_object()) {
    for (auto r = it->begin(); r != it->end(); ++r) {
      if (!r.value().is_number_unsigned()) continue;
      rows += r.value().get<uint64_t>();
      per_table[r.key()] = r.value();
    }
  }
  j["rows"] = rows;
  j["rows_per_table"] = per_table;
  // A run may have several steps of a kind (one per package): the time of a stage is their sum.
  Json seconds{{"extract", 0.0}, {"normalize", 0.0}, {"load", 0.0}};
  if (auto it = t.find("steps"); it != t.end() && it->is_array()) {
    for (const auto& s : *it) {
      std::string step = s.is_object() ? StringField(s, "step") : "";
      if (!seconds.contains(step)) continue;
      seconds[step] = seconds[step].get<double>() + s.value("seconds", 0.0);
    }
  }
  j["seconds"] = seconds;
  j["load_ids"] = t.contains("load_ids") && t["load_ids"].is_array() ? t["load_ids"] : Json::array();
  return j;
}

// What changed from schema `before` to `after` (dlt's stored schema documents): tables and
// columns added or dropped, and columns whose data type changed.
Json SchemaChanges(const Json& before, const Json& after) {
  auto tables = [](const Json& s) {
    std::map<std::string, Json> out;
    if (auto it = s.find("tables"); it != s.end() && it->is_object()) {
      for (auto t = it->begin(); t != it->end(); ++t) {
        Json cols = t.value().is_object() && t.value().contains("columns") && t.value()["columns"].is_object()
                        ? t.value()["columns"]
                        : Json::object();
        out[t.key()] = std::move(cols);
      }
    }
    return out;
  };
  auto type_of = [](const Json& col) { return col.is_object() ? StringField(col, "data_type") : std::string(); };
  auto a = tables(before), b = tables(after);
  Json changes = Json::array();
  for (const auto& [name, cols] : b) {
    auto old = a.find(name);
    if (old == a.end()) {
      changes.push_back(Json{{"change", "table added"}, {"table", name}, {"columns", cols.size()}});
      continue;
    }
    for (auto c = cols.begin(); c != cols.end(); ++c) {
      auto was = old->second.find(c.key());
      if (was == old->second.end()) {
        changes.push_back(Json{{"change", "column added"}, {"table", name}, {"column", c.key()}, {"data_type", type_of(c.value())}});
      } else if (type_of(*was) != type_of(c.value())) {
        changes.push_back(Json{{"change", "type changed"}, {"table", name}, {"column", c.key()},
                               {"from", type_of(*was)}, {"data_type", type_of(c.value())}});
      }
    }
    for (auto c = old->second.begin(); c != old->second.end(); ++c) {
      if (!cols.contains(c.key())) changes.push_back(Json{{"change", "column dropped"}, {"table", name}, {"column", c.key()}});
    }
  }
  for (const auto& [name, cols] : a) {
    if (!b.count(name)) changes.push_back(Json{{"change", "table dropped"}, {"table", name}});
  }
  return changes;
}

}  // namespace

ApiReply RunsRoute(const PipelineView& p, const HttpRequest& req) {
  auto limit = ParseIntParam(req, "limit", static_cast<int>(kTraceHistoryDefault), 1, 10000);
  if (!limit.ok()) return ErrorReply(limit.status());
  Json runs = Json::array();
  auto files = ListTraceHistory(p.dir);
  for (const fs::path& f : files) {
    if (runs.size() >= static_cast<size_t>(*limit)) break;
    auto t = ReadRunTrace(f);
    // A damaged trace is one row saying so (naming the file), not a failed page.
    if (!t.ok()) runs.push_back(Json{{"file", f.filename().string()}, {"outcome", "unknown"}, {"error", t.status().message()}});
    else runs.push_back(RunJson(t->doc, f.filename().string()));
  }
  return Reply(Json{{"pipeline", p.name}, {"kept", files.size()}, {"limit", TraceHistoryLimit()}, {"runs", runs}});
}

Json CursorsJson(const PipelineView& p) {
  Json out = Json::array();
  if (!p.state) return out;
  // PipelineState::Load checked the shape: sources.<schema>.resources.<resource>.incremental.<path>.
  auto sources = p.state->doc().find("sources");
  if (sources == p.state->doc().end() || !sources->is_object()) return out;
  for (auto s = sources->begin(); s != sources->end(); ++s) {
    auto resources = s.value().find("resources");
    if (resources == s.value().end() || !resources->is_object()) continue;
    for (auto r = resources->begin(); r != resources->end(); ++r) {
      auto inc = r.value().find("incremental");
      if (inc == r.value().end() || !inc->is_object()) continue;
      for (auto c = inc->begin(); c != inc->end(); ++c) {
        const Json& v = c.value();
        auto field = [&](const char* k) { return v.contains(k) ? v[k] : Json(nullptr); };
        size_t hashes = v.contains("unique_hashes") && v["unique_hashes"].is_array() ? v["unique_hashes"].size() : 0;
        out.push_back(Json{{"source", s.key()},
                           {"resource", r.key()},
                           {"cursor_path", c.key()},
                           {"last_value", field("last_value")},
                           {"initial_value", field("initial_value")},
                           {"unique_hashes", hashes}});
      }
    }
  }
  return out;
}

ApiReply SchemaVersionsRoute(const Workspace& ws, const PipelineView& p) {
  auto d = OpenDestination(ws, p);
  if (!d.ok()) return ErrorReply(d.status());
  SqlClient* c = d->dest->sql_client();
  if (c == nullptr) {
    return ErrorReply(409, "destination `" + p.destination_name + "` keeps no _dlt_version table the dashboard can read");
  }
  std::string table = c->QuoteIdentifier(p.dataset_name) + "." + c->QuoteIdentifier("_dlt_version");
  auto rows = c->Query("SELECT version, engine_version, inserted_at, schema_name, version_hash, schema FROM " + table +
                       " ORDER BY inserted_at DESC, version DESC LIMIT 50");
  if (!rows.ok()) return ErrorReply(rows.status());
  auto text = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); };
  // Newest first; each version lists what changed since the next older one of the same schema.
  std::vector<Json> docs;
  for (const SqlRow& r : *rows) {
    Json doc = r.size() > 5 && r[5] ? Json::parse(*r[5], nullptr, false) : Json();
    docs.push_back(doc.is_discarded() ? Json() : std::move(doc));
  }
  Json versions = Json::array();
  for (size_t i = 0; i < rows->size(); ++i) {
    const SqlRow& r = (*rows)[i];
    if (r.size() < 6) continue;
    Json v{{"version", text(r[0])},      {"engine_version", text(r[1])}, {"inserted_at", text(r[2])},
           {"schema_name", text(r[3])}, {"version_hash", text(r[4])}};
    size_t older = i + 1;
    while (older < rows->size() && (*rows)[older][3] != r[3]) ++older;
    if (!docs[i].is_object()) v["changes"] = nullptr;  // not readable: nothing to compare
    else if (older < rows->size() && docs[older].is_object()) v["changes"] = SchemaChanges(docs[older], docs[i]);
    else v["changes"] = SchemaChanges(Json::object(), docs[i]);  // the first stored version
    versions.push_back(std::move(v));
  }
  return Reply(Json{{"destination", d->config.Describe()}, {"dataset_name", p.dataset_name}, {"versions", versions}});
}

}  // namespace dlt::dashboard
