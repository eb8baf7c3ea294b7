#include "extract/rest_api_source.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"
#include "config/settings.h"
#include "dlt/secret.h"
#include "extract/extractor.h"
#include "extract/resource_access.h"
#include "extract/rest_api_internal.h"

namespace dlt::rest_api {

namespace fs = std::filesystem;

namespace {

using namespace internal;  // NOLINT: this source's own internals (rest_api_internal.h)

// ---------------------------------------------------------------------------------------------
// All rows of one resource, in chunks: pages of a top-level resource, or the rows fetched for a
// window of parent rows (fetched in parallel) of a dependent one.

class Fetcher {
 public:
  Fetcher(std::shared_ptr<Shared> sh, const ResourceSpec* r) : sh_(std::move(sh)), r_(r) {}

  // The next chunk of rows, through the resource's steps (RunOptions::row_steps) when it has any.
  StatusOr<bool> NextChunk(std::vector<Json>* rows, std::string* where) {
    DLT_ASSIGN_OR_RETURN(bool more, FetchChunk(rows, where));
    auto steps = sh_->run.row_steps.find(r_->options.name);
    if (steps != sh_->run.row_steps.end() && !rows->empty()) DLT_RETURN_IF_ERROR(steps->second(rows));
    return more;
  }

  // Pages for RESTClient.paginate (PageCursor::ForPaginate).
  void ForPaginate() { paginate_ = true; }
  const PageExchange* LastExchange() const { return cursor_ ? cursor_->LastExchange() : nullptr; }

 private:
  StatusOr<bool> FetchChunk(std::vector<Json>* rows, std::string* where) {
    rows->clear();
    if (!started_) {
      started_ = true;
      DLT_ASSIGN_OR_RETURN(inc_, IncrementalFor(*sh_, *r_));
      DLT_ASSIGN_OR_RETURN(http::Client c, http::Client::Create());
      clients_.push_back(std::move(c));
      if (r_->parent.empty()) {
        DLT_ASSIGN_OR_RETURN(Req req, BuildRequest(*sh_, *r_, nullptr, inc_));
        cursor_ = std::make_unique<PageCursor>(sh_.get(), r_, std::move(req));
        if (paginate_) cursor_->ForPaginate();
      } else {
        DLT_ASSIGN_OR_RETURN(parents_, ParentRows(sh_, r_->parent));
      }
    }
    if (cursor_) {
      DLT_ASSIGN_OR_RETURN(bool more, cursor_->Next(clients_[0], rows, where));
      return more;
    }
    if (next_parent_ >= parents_->size()) return false;
    return ChildWindow(rows, where);
  }

 public:
  // Rows of `name`, reduced to the fields its children read: from this run's extract of it when
  // complete, else fetched now (a parent that is not selected, or opened out of order).
  static StatusOr<std::shared_ptr<const std::vector<Json>>> ParentRows(const std::shared_ptr<Shared>& sh,
                                                                       const std::string& name) {
    {
      std::lock_guard<std::mutex> lock(sh->mu);
      auto it = sh->parent_rows.find(name);
      if (it != sh->parent_rows.end()) return it->second;
    }
    const ResourceSpec* parent = sh->spec.Find(name);
    if (!parent) return Internal("no resource " + name);
    auto fields = sh->ChildFields(name);
    auto out = std::make_shared<std::vector<Json>>();
    Fetcher f(sh, parent);
    std::vector<Json> rows;
    std::string where;
    // Its children read only the rows its incremental keeps (in dlt the Incremental step is in
    // the parent's pipe): here, not extracted, by the cursor's last value in the state. Rows equal
    // to it are kept: which of them an earlier run saw (the state's row hashes) is not at hand.
    std::optional<IncrementalRowFilter> filter;
    Json state = Json::object();
    if (auto spec = IncrementalSpecOf(parent->options)) {
      std::function<std::optional<Json>(std::string_view, std::string_view)> last_value;
      {
        std::lock_guard<std::mutex> lock(sh->mu);
        last_value = sh->last_value;
      }
      // A backfill range (end_value) reads no stored cursor, as the extract step does.
      if (last_value && !spec->end_value) {
        if (auto last = last_value(name, spec->cursor_path)) state["last_value"] = *last;
      }
      filter.emplace(*spec, &state);
    }
    for (;;) {
      DLT_ASSIGN_OR_RETURN(bool more, f.NextChunk(&rows, &where));
      for (const auto& row : rows) {
        if (filter) {
          DLT_ASSIGN_OR_RETURN(bool keep, filter->Keep(row.dump(), where));
          if (!keep) continue;
        }
        out->push_back(Project(row, fields));
      }
      if (!more) break;
    }
    std::lock_guard<std::mutex> lock(sh->mu);
    sh->parent_rows[name] = out;
    return std::shared_ptr<const std::vector<Json>>(out);
  }

 private:
  StatusOr<bool> ChildWindow(std::vector<Json>* rows, std::string* where) {
    const int conc = std::max(1, sh_->spec.client.concurrency);
    const size_t begin = next_parent_;
    const size_t end = std::min(parents_->size(), begin + static_cast<size_t>(conc) * 2);
    next_parent_ = end;
    const size_t n = end - begin;
    std::vector<std::vector<Json>> results(n);
    std::vector<Status> errors(n);
    std::vector<std::string> wheres(n);
    const size_t workers = std::min(n, static_cast<size_t>(conc));
    while (clients_.size() < workers) {
      DLT_ASSIGN_OR_RETURN(http::Client c, http::Client::Create());
      clients_.push_back(std::move(c));
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&](size_t w) {
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= n || failed.load()) return;
        // Nothing thrown on a worker ends the process: it fails this parent's fetch.
        Status s = Status::Ok();
        try {
          s = FetchForParent((*parents_)[begin + i], clients_[w], &results[i], &wheres[i]);
        } catch (const std::exception& e) {
          s = Internal("resource `" + r_->options.name + "`: " + e.what());
        }
        if (!s.ok()) {
          errors[i] = s;
          failed.store(true);
        }
      }
    };
    if (workers <= 1) {
      work(0);
    } else {
      std::vector<std::jthread> threads;  // joined on every way out
      for (size_t w = 0; w < workers; ++w) threads.emplace_back(work, w);
      for (auto& t : threads) t.join();
    }
    for (size_t i = 0; i < n; ++i) {
      if (!errors[i].ok()) return errors[i];
    }
    for (size_t i = 0; i < n; ++i) {
      for (auto& row : results[i]) rows->push_back(std::move(row));
      if (!wheres[i].empty()) *where = wheres[i];
    }
    return true;
  }

  Status FetchForParent(const Json& parent_row, http::Client& client, std::vector<Json>* out, std::string* where) {
    DLT_ASSIGN_OR_RETURN(Req req, BuildRequest(*sh_, *r_, &parent_row, inc_));
    PageCursor cursor(sh_.get(), r_, std::move(req));
    std::vector<Json> page;
    for (;;) {
      DLT_ASSIGN_OR_RETURN(bool more, cursor.Next(client, &page, where));
      for (auto& row : page) {
        for (const auto& f : r_->include_from_parent) {
          auto it = parent_row.find(f);
          if (it != parent_row.end()) row[FieldKey(r_->parent, f)] = *it;
        }
        out->push_back(std::move(row));
      }
      if (!more) break;
    }
    return Status::Ok();
  }

  std::shared_ptr<Shared> sh_;
  const ResourceSpec* r_;
  bool started_ = false;
  bool paginate_ = false;
  IncrementalValues inc_;
  std::vector<http::Client> clients_;
  std::unique_ptr<PageCursor> cursor_;
  std::shared_ptr<const std::vector<Json>> parents_;
  size_t next_parent_ = 0;
};

// The record source the extract step reads: rows as JSON text. Rows of a resource that others
// depend on are kept (reduced to the fields the children read) for those children.
class RestRecordSource : public RecordSource {
 public:
  RestRecordSource(std::shared_ptr<Shared> sh, const ResourceSpec* r)
      : sh_(sh), r_(r), fetcher_(sh, r), keep_(sh->spec.IsParent(r->options.name)) {
    if (keep_) {
      fields_ = sh->ChildFields(r->options.name);
      kept_ = std::make_shared<std::vector<Json>>();
    }
  }

  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    // The row returned last is kept for the children once the incremental filter let it pass.
    if (pending_) {
      kept_->push_back(std::move(*pending_));
      pending_.reset();
    }
    while (pos_ >= rows_.size()) {
      if (finished_) return false;
      rows_.clear();
      pos_ = 0;
      DLT_ASSIGN_OR_RETURN(bool more, fetcher_.NextChunk(&rows_, &where_));
      if (!more) {
        finished_ = true;
        if (keep_) {
          std::lock_guard<std::mutex> lock(sh_->mu);
          sh_->parent_rows[r_->options.name] = kept_;
        }
      }
    }
    const Json& row = rows_[pos_++];
    if (keep_) pending_ = Project(row, fields_);
    current_ = row.dump();
    bytes_ += current_.size();
    *json = current_;
    *where = where_;
    return true;
  }
  uint64_t bytes_read() const override { return bytes_; }
  // As dlt, where children read their parent's items after its Incremental step: a row the
  // incremental drops (before the start, or seen at the boundary by an earlier run) resolves no
  // child request.
  void IncrementalVerdict(bool kept) override {
    if (!kept) pending_.reset();
  }

 private:
  std::shared_ptr<Shared> sh_;
  const ResourceSpec* r_;
  Fetcher fetcher_;
  bool keep_;
  std::optional<Json> pending_;  // the last row returned, projected, until the filter's verdict
  std::vector<std::string> fields_;
  std::shared_ptr<std::vector<Json>> kept_;
  std::vector<Json> rows_;
  size_t pos_ = 0;
  bool finished_ = false;
  std::string where_;
  std::string current_;
  uint64_t bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Configuration

// `key` under sources.<source>.<resource> (when `resource` is given: an endpoint's own auth), then
// sources.<source>, then sources.
StatusOr<std::optional<ResolvedValue>> LookupSourceKey(const Workspace& ws, const RestApiSpec& spec,
                                                      const std::string& pipeline, const std::string& key,
                                                      bool secret, const std::string& resource = "") {
  std::vector<std::vector<std::string>> all;
  if (!resource.empty()) all.push_back({"sources", spec.source_name, resource});
  all.push_back({"sources", spec.source_name});
  all.push_back({"sources"});
  for (const std::vector<std::string>& sections : all) {
    ConfigKey k;
    k.sections = sections;
    k.key = key;
    k.pipeline_name = pipeline;
    k.secret = secret;
    k.drop_sections = false;
    DLT_ASSIGN_OR_RETURN(auto v, ws.config().Resolve(k));
    if (v) return v;
  }
  return std::optional<ResolvedValue>();
}

Status MissingSecret(const Workspace& ws, const RestApiSpec& spec, const std::string& what, const std::string& key,
                     const std::string& resource = "") {
  std::string profile_file = ws.workspace_mode() ? ".dlt/" + ws.profile() + ".secrets.toml" : "";
  std::string section = "sources." + spec.source_name + (resource.empty() ? "" : "." + resource);
  std::string env = "SOURCES__" + text::ToUpper(spec.source_name) + "__" +
                    (resource.empty() ? "" : text::ToUpper(resource) + "__") + text::ToUpper(key);
  return FailedPrecondition(
      spec.file + ": source `" + spec.source_name + "` uses " + what + " but no `" + key + "` is configured" +
      (ws.workspace_mode() ? " for profile `" + ws.profile() + "`" : "") + ". Add it to .dlt/secrets.toml" +
      (profile_file.empty() ? "" : " (or " + profile_file + ")") + ":\n  [" + section + "]\n  " + key +
      " = \"...\"\nor set the environment variable " + env + ".");
}

// [runtime] request_* settings: default, validation and error text come from the settings table.
StatusOr<double> RuntimeNumber(const Workspace& ws, const std::string& key) {
  return settings::Number(ws.config(), {"runtime"}, key);
}

}  // namespace

std::vector<const Json*> SelectPath(const Json& root, std::string_view path) {
  std::vector<const Json*> out;
  Select(root, SplitPath(path), 0, &out);
  return out;
}

std::vector<Json> FindRecords(const Json& body) {
  std::vector<Json> out;
  if (body.is_array()) {
    for (const auto& v : body) out.push_back(v);
    return out;
  }
  if (!body.is_object()) {
    if (!body.is_null()) out.push_back(body);
    return out;
  }
  // dlt's detector.py: record keys, and keys that never hold the rows.
  static const char* const kRecordKeys[] = {"data", "items", "results", "entries", "records", "rows",
                                            "entities", "payload", "content", "objects", "values"};
  // Lists up to three keys down, depth first in the body's key order (dlt's find_all_lists).
  std::vector<std::pair<std::string, const Json*>> lists;
  std::function<void(const Json&, int)> walk = [&](const Json& obj, int depth) {
    if (depth > 2) return;
    for (const auto& [k, v] : obj.items()) {
      if (v.is_array()) lists.emplace_back(k, &v);
      else if (v.is_object()) walk(v, depth + 1);
    }
  };
  walk(body, 0);
  if (lists.empty()) {
    out.push_back(body);
    return out;
  }
  const Json* chosen = lists.front().second;
  for (const auto& [k, v] : lists) {
    std::string lower = text::ToLower(k);
    if (std::find_if(std::begin(kRecordKeys), std::end(kRecordKeys), [&](const char* p) { return lower == p; }) !=
        std::end(kRecordKeys)) {
      chosen = v;
      break;
    }
  }
  for (const auto& v : *chosen) out.push_back(v);
  return out;
}

std::optional<std::string> FindNextUrlPath(const Json& body) {
  if (!body.is_object()) return std::nullopt;
  auto matches = [](const std::string& key, std::initializer_list<const char*> patterns) {
    std::string lower = text::ToLower(key);
    for (const char* p : patterns) {
      if (lower.find(p) != std::string::npos) return true;
    }
    return false;
  };
  for (const auto& [k, v] : body.items()) {
    if (matches(k, {"next", "nextpage", "nexturl"})) {
      if (v.is_object()) {
        for (const auto& [k2, v2] : v.items()) {
          if (matches(k2, {"href", "url"})) return k + "." + k2;
        }
      }
      if (v.is_string() || v.is_null()) return k;
      continue;
    }
    if (v.is_object()) {
      if (auto inner = FindNextUrlPath(v)) return k + "." + *inner;
    }
  }
  return std::nullopt;
}

std::string JoinUrl(const std::string& base_url, const std::string& path) {
  if (path.starts_with("http://") || path.starts_with("https://")) return path;
  if (base_url.empty()) return path;
  std::string base = base_url;
  if (base.back() != '/') base += '/';
  size_t skip = 0;
  while (skip < path.size() && path[skip] == '/') ++skip;
  return base + path.substr(skip);
}

namespace {

// The source's settings and secrets resolved from the profile, shared by its resources.
StatusOr<std::shared_ptr<Shared>> Prepare(const Workspace& ws, const RestApiSpec& spec_in, const RunOptions& options,
                                          std::vector<std::pair<std::string, std::string>>* origins) {
  std::vector<std::pair<std::string, std::string>> used;  // key -> where its value came from
  auto note = [&](const ResolvedValue& v) { used.emplace_back(text::Join(v.path, "."), v.origin.Describe()); };
  auto sh = std::make_shared<Shared>();
  sh->spec = spec_in;
  sh->run = options;
  const RestApiSpec& spec = sh->spec;
  const std::string& pipeline = options.pipeline_name;

  // base_url: the profile's configuration wins over the file.
  sh->base_url = spec.client.base_url;
  if (!spec.client.base_url_where.empty()) sh->base_url_from = "[source.client] in " + spec.client.base_url_where;
  std::optional<ResolvedValue> base;
  if (!options.base_url_from_code) {
    DLT_ASSIGN_OR_RETURN(base, LookupSourceKey(ws, spec, pipeline, "base_url", false));
  }
  if (base) {
    note(*base);
    sh->base_url_from = base->origin.provider == ProviderKind::kEnvironment
                            ? base->origin.Describe()
                            : used.back().first + " in " + base->origin.Describe();
  } else if (!spec.client.base_url_where.empty()) {
    used.emplace_back("source.client.base_url", spec.client.base_url_where);
  }
  if (base) {
    if (!base->value.is_scalar()) {
      return InvalidArgument("base_url of source `" + spec.source_name + "` must be a string (" + base->origin.Describe() + ")");
    }
    sh->base_url = base->value.text;
    if (!sh->base_url.starts_with("http://") && !sh->base_url.starts_with("https://")) {
      return InvalidArgument("base_url of source `" + spec.source_name + "` must start with http:// or https:// (" +
                             base->origin.Describe() + ")");
    }
  }
  bool needs_base = false;
  for (const auto& r : spec.resources) {
    needs_base = needs_base || !(r.endpoint.path.starts_with("http://") || r.endpoint.path.starts_with("https://"));
  }
  if (sh->base_url.empty() && needs_base) {
    return InvalidArgument(spec.file + ": source `" + spec.source_name + "` has no base_url: set [source.client] "
                           "base_url in the pipeline file, or base_url under [sources." + spec.source_name +
                           "] in .dlt/config.toml");
  }

  // Auth: the secret parts come from the profile's secrets, never from the file (a configuration
  // made in code may give them: AuthSpec::inline_secrets).
  sh->headers.clear();
  for (const auto& h : spec.client.headers) {
    const auto& names = spec.client.secret_headers;
    bool secret = std::find(names.begin(), names.end(), h.first) != names.end();
    if (secret) sh->secrets.push_back(h.second);
    (secret ? sh->secret_headers : sh->headers).push_back(h);
  }
  // `resource`: the endpoint whose own auth this is ("" for the client's).
  auto resolve_auth = [&](const AuthSpec& auth, const std::string& resource, Shared::Credentials* out) -> Status {
    const std::string whose = resource.empty() ? "" : " (of resource `" + resource + "`)";
    auto secret = [&](const std::string& key, const std::string& what) -> StatusOr<Secret> {
      if (auto it = auth.inline_secrets.find(key); it != auth.inline_secrets.end()) {
        if (it->second.empty()) return MissingSecret(ws, spec, what + whose, key, resource);
        return it->second;
      }
      DLT_ASSIGN_OR_RETURN(auto v, LookupSourceKey(ws, spec, pipeline, key, true, resource));
      if (!v || !v->value.is_scalar() || v->value.text.empty()) return MissingSecret(ws, spec, what + whose, key, resource);
      note(*v);
      return Secret(v->value.text);
    };
    if (auth.type == "bearer") {
      DLT_ASSIGN_OR_RETURN(Secret token, secret("token", "bearer auth"));
      sh->secrets.push_back(token.reveal());
      out->headers.emplace_back("Authorization", "Bearer " + token.reveal());
    } else if (auth.type == "api_key") {
      DLT_ASSIGN_OR_RETURN(Secret key, secret("api_key", "api_key auth"));
      sh->secrets.push_back(key.reveal());
      if (auth.location == "query") {
        out->query.emplace_back(auth.name, key.reveal());
        out->query_names.push_back(auth.name);
      } else {
        out->headers.emplace_back(auth.name, key.reveal());
      }
    } else if (auth.type == "http_basic") {
      std::string username;
      if (auth.username) {
        username = *auth.username;
      } else {
        DLT_ASSIGN_OR_RETURN(auto u, LookupSourceKey(ws, spec, pipeline, "username", false, resource));
        if (!u || u->value.text.empty()) return MissingSecret(ws, spec, "http_basic auth" + whose, "username", resource);
        note(*u);
        username = u->value.text;
      }
      DLT_ASSIGN_OR_RETURN(Secret password, secret("password", "http_basic auth"));
      sh->secrets.push_back(password.reveal());
      std::string encoded = hash::Base64Encode(username + ":" + password.reveal());
      sh->secrets.push_back(encoded);
      out->headers.emplace_back("Authorization", "Basic " + encoded);
    } else if (auth.type == "oauth2_client_credentials") {
      OAuth2Token::Settings o;
      if (auth.access_token_url) {
        o.access_token_url = *auth.access_token_url;
      } else {
        DLT_ASSIGN_OR_RETURN(auto u, LookupSourceKey(ws, spec, pipeline, "access_token_url", false, resource));
        if (!u || !u->value.is_scalar() || u->value.text.empty()) {
          return MissingSecret(ws, spec, "oauth2_client_credentials auth" + whose, "access_token_url", resource);
        }
        note(*u);
        o.access_token_url = u->value.text;
      }
      DLT_ASSIGN_OR_RETURN(o.client_id, secret("client_id", "oauth2_client_credentials auth"));
      DLT_ASSIGN_OR_RETURN(o.client_secret, secret("client_secret", "oauth2_client_credentials auth"));
      sh->secrets.push_back(o.client_id.reveal());
      sh->secrets.push_back(o.client_secret.reveal());
      o.request_data = auth.access_token_request_data;
      o.default_expiration_s = auth.default_token_expiration;
      o.secrets = sh->secrets;
      out->oauth2 = OAuth2Token::For(std::move(o));
    }
    return Status::Ok();
  };
  // The client's auth only when some endpoint uses it (dlt resolves the auth each endpoint uses).
  bool client_auth_used = false;
  for (const auto& r : spec.resources) {
    client_auth_used = client_auth_used || !r.endpoint.auth;
    if (r.endpoint.auth) {
      DLT_RETURN_IF_ERROR(resolve_auth(*r.endpoint.auth, r.options.name, &sh->endpoint_auth[r.options.name]));
    }
    // Secret parameters and headers given in code are masked wherever a message shows them.
    for (const auto& [pk, pv] : r.endpoint.params) {
      if (pv.secret && !pv.value.empty()) sh->secrets.push_back(pv.value);
    }
    for (const auto& [hk, hv] : r.endpoint.headers) {
      const auto& names = r.endpoint.secret_headers;
      if (std::find(names.begin(), names.end(), hk) != names.end() && !hv.empty()) sh->secrets.push_back(hv);
    }
  }
  if (client_auth_used || spec.resources.empty()) DLT_RETURN_IF_ERROR(resolve_auth(spec.client.auth, "", &sh->client_auth));

  DLT_ASSIGN_OR_RETURN(sh->policy.timeout_s, RuntimeNumber(ws, "request_timeout"));
  DLT_ASSIGN_OR_RETURN(double attempts, RuntimeNumber(ws, "request_max_attempts"));
  sh->policy.max_attempts = std::max(1, static_cast<int>(attempts));
  DLT_ASSIGN_OR_RETURN(sh->policy.backoff_factor, RuntimeNumber(ws, "request_backoff_factor"));
  DLT_ASSIGN_OR_RETURN(sh->policy.max_retry_delay_s, RuntimeNumber(ws, "request_max_retry_delay"));
  DLT_ASSIGN_OR_RETURN(auto show_body, settings::Flag(ws.config(), {"runtime"}, "http_show_error_body"));
  sh->policy.show_error_body = show_body.value_or(false);

  if (origins) *origins = std::move(used);
  return sh;
}

class FetcherPages : public PageReader {
 public:
  FetcherPages(std::shared_ptr<Shared> sh, const ResourceSpec* r) : sh_(sh), fetcher_(std::move(sh), r) {
    fetcher_.ForPaginate();
  }
  StatusOr<bool> Next(std::vector<Json>* rows, std::string* where) override { return fetcher_.NextChunk(rows, where); }
  const PageExchange* LastExchange() const override { return fetcher_.LastExchange(); }

 private:
  std::shared_ptr<Shared> sh_;
  Fetcher fetcher_;
};

}  // namespace

StatusOr<std::unique_ptr<PageReader>> OpenPages(const Workspace& ws, const RestApiSpec& spec, const RunOptions& options) {
  if (spec.resources.empty() || !spec.resources[0].parent.empty()) {
    return InvalidArgument("paginate: the endpoint must be a top-level resource");
  }
  DLT_ASSIGN_OR_RETURN(std::shared_ptr<Shared> sh, Prepare(ws, spec, options, nullptr));
  return std::unique_ptr<PageReader>(new FetcherPages(sh, &sh->spec.resources[0]));
}

StatusOr<std::vector<Resource>> MakeResources(const Workspace& ws, const RestApiSpec& spec, const RunOptions& options,
                                              std::vector<std::pair<std::string, std::string>>* origins) {
  DLT_ASSIGN_OR_RETURN(std::shared_ptr<Shared> sh, Prepare(ws, spec, options, origins));
  std::vector<Resource> out;
  for (const auto& r : sh->spec.resources) {
    if (!r.selected) continue;
    const ResourceSpec* rp = &r;
    out.push_back(ResourceAccess::FromSource(r.options, [sh, rp](const ExtractContext& context) -> StatusOr<std::unique_ptr<RecordSource>> {
      {
        std::lock_guard<std::mutex> lock(sh->mu);
        sh->last_value = context.last_value;
      }
      return std::unique_ptr<RecordSource>(new RestRecordSource(sh, rp));
    }));
  }
  return out;
}

}  // namespace dlt::rest_api
