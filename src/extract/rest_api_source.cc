#include "extract/rest_api_source.h"

#include <algorithm>
#include <atomic>
#include <deque>
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

namespace dlt::rest_api {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Paths and records

std::vector<std::string> SplitPath(std::string_view path) {
  std::string p(path);
  if (p == "$") return {};
  if (p.starts_with("$.")) p = p.substr(2);
  else if (p.starts_with("$[")) p = p.substr(1);
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < p.size(); ++i) {
    char ch = p[i];
    if (ch == '.') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else if (ch == '[') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
      size_t end = p.find(']', i);
      if (end == std::string::npos) end = p.size();
      std::string inner = p.substr(i + 1, end - i - 1);
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"')) inner = inner.substr(1, inner.size() - 2);
      else inner = "[" + inner + "]";  // an index or *
      parts.push_back(inner);
      i = end;
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

void Select(const Json& node, const std::vector<std::string>& parts, size_t i, std::vector<const Json*>* out) {
  if (i == parts.size()) {
    out->push_back(&node);
    return;
  }
  const std::string& part = parts[i];
  if (part == "[*]" || part == "*") {
    if (node.is_array()) {
      for (const auto& v : node) Select(v, parts, i + 1, out);
    } else if (node.is_object()) {
      for (const auto& [k, v] : node.items()) Select(v, parts, i + 1, out);
    }
    return;
  }
  if (part.size() > 2 && part.front() == '[' && part.back() == ']') {
    if (!node.is_array()) return;
    long idx = std::strtol(part.c_str() + 1, nullptr, 10);
    if (idx < 0) idx += static_cast<long>(node.size());
    if (idx >= 0 && static_cast<size_t>(idx) < node.size()) Select(node[static_cast<size_t>(idx)], parts, i + 1, out);
    return;
  }
  if (!node.is_object()) return;
  auto it = node.find(part);
  if (it != node.end()) Select(*it, parts, i + 1, out);
}

const Json* First(const Json& root, std::string_view path) {
  auto v = SelectPath(root, path);
  return v.empty() ? nullptr : v.front();
}

// A JSON value as the text sent in a URL or a path.
std::string ValueText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

bool IsSingleEntityPath(const std::string& path) {
  // "pokemon/{resources.pokemon.name}" or "pokemon/{name}": the response is one object.
  return !path.empty() && path.back() == '}' && !Placeholders(path).empty();
}

std::optional<int64_t> AsInt(const Json* v) {
  if (!v) return std::nullopt;
  if (v->is_number_integer() || v->is_number_unsigned()) return v->get<int64_t>();
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0' && !s.empty()) return n;
  }
  return std::nullopt;
}

void SetParam(std::vector<std::pair<std::string, std::string>>& params, const std::string& k, const std::string& v) {
  for (auto& [pk, pv] : params) {
    if (pk == k) {
      pv = v;
      return;
    }
  }
  params.emplace_back(k, v);
}

std::string FieldKey(const std::string& parent, const std::string& field) {
  std::string f;
  for (char ch : field) f += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return "_" + parent + "_" + f;
}

// ---------------------------------------------------------------------------------------------
// The resolved source, shared by its resources.

struct Shared {
  RestApiSpec spec;
  RunOptions run;
  // The cursors' last values in the state of the pipeline running the source (ExtractContext),
  // set each time a resource opens (under `mu`): the same resources may run in another pipeline.
  std::function<std::optional<Json>(std::string_view resource, std::string_view cursor_path)> last_value;
  std::string base_url;
  // Where base_url came from, for the messages of failed requests: "<file>:<line>:<col>" of the
  // pipeline file, or the profile's config key and file.
  std::string base_url_from;
  http::Headers headers;                                      // client headers
  // Credentials, sent only to the origin of base_url (PageCursor::AuthOrigin).
  http::Headers auth_headers;
  std::vector<std::pair<std::string, std::string>> auth_query;  // api_key in the query
  std::vector<std::string> auth_query_names;
  std::vector<std::string> secrets;
  http::RetryPolicy policy;

  mutable std::mutex mu;
  // Rows of parent resources, reduced to the fields their children read, once complete.
  std::map<std::string, std::shared_ptr<const std::vector<Json>>> parent_rows;

  std::vector<std::string> ChildFields(const std::string& parent) const {
    std::vector<std::string> out;
    for (const auto& r : spec.resources) {
      if (r.parent != parent) continue;
      for (const auto& f : r.parent_fields) {
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
      }
    }
    return out;
  }

  std::string MaskText(const std::string& s) const { return http::Mask(s, secrets); }
};

Json Project(const Json& row, const std::vector<std::string>& fields) {
  Json out = Json::object();
  for (const auto& f : fields) {
    if (const Json* v = First(row, f)) out[f] = *v;
  }
  return out;
}

// One request of a resource, before pagination changes it.
struct Req {
  std::string method = "GET";
  std::string url;  // without the params below
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<Json> json;
  http::Headers headers;
};

// Values of the incremental placeholders and parameters of a resource in this run.
struct IncrementalValues {
  std::optional<std::string> start;  // last value of the cursor, else initial_value
  std::optional<std::string> end;
};

StatusOr<IncrementalValues> IncrementalFor(const Shared& sh, const ResourceSpec& r) {
  IncrementalValues v;
  if (!r.endpoint.incremental) return v;
  const auto& inc = *r.endpoint.incremental;
  std::function<std::optional<Json>(std::string_view, std::string_view)> last_value;
  {
    std::lock_guard<std::mutex> lock(sh.mu);
    last_value = sh.last_value;
  }
  std::optional<Json> last = last_value ? last_value(r.options.name, inc.cursor_path) : std::nullopt;
  if (last) v.start = ValueText(*last);
  else if (inc.initial_value_json) v.start = ValueText(Json::parse(*inc.initial_value_json));
  if (inc.end_value_json) v.end = ValueText(Json::parse(*inc.end_value_json));
  return v;
}

std::string Where(const ResourceSpec& r) { return "resource `" + r.options.name + "`"; }

// Builds the first request of `r`, for one row of its parent (projected) when it has one.
StatusOr<Req> BuildRequest(const Shared& sh, const ResourceSpec& r, const Json* parent_row, const IncrementalValues& inc) {
  std::string missing;
  auto parent_value = [&](const std::string& field) -> std::optional<Json> {
    if (!parent_row) return std::nullopt;
    auto it = parent_row->find(field);
    if (it == parent_row->end() || it->is_null()) {
      missing = field;
      return std::nullopt;
    }
    return *it;
  };
  auto lookup = [&](const std::string& name, bool encode) -> std::optional<std::string> {
    std::optional<std::string> out;
    if (name.starts_with("resources.")) {
      std::string rest = name.substr(10);
      size_t dot = rest.find('.');
      if (auto v = parent_value(rest.substr(dot + 1))) out = ValueText(*v);
    } else if (name == "incremental.start_value" || name == "incremental.last_value" ||
               name == "incremental.initial_value") {
      out = inc.start.value_or("");
    } else if (name == "incremental.end_value") {
      out = inc.end.value_or("");
    } else {
      for (const auto& [pk, pv] : r.endpoint.params) {
        if (pk == name && pv.kind == ParamSpec::Kind::kResolve) {
          if (auto v = parent_value(pv.field)) out = ValueText(*v);
        }
      }
    }
    if (out && encode) out = http::UrlEncode(*out);
    return out;
  };

  Req req;
  req.method = r.endpoint.method;
  std::string path = ExpandPlaceholders(r.endpoint.path, [&](const std::string& n) { return lookup(n, true); });
  const std::vector<std::string> path_names = Placeholders(r.endpoint.path);
  for (const auto& [pk, pv] : r.endpoint.params) {
    switch (pv.kind) {
      case ParamSpec::Kind::kLiteral:
        req.params.emplace_back(pk, ExpandPlaceholders(pv.value, [&](const std::string& n) { return lookup(n, false); }));
        break;
      case ParamSpec::Kind::kResolve:
        if (std::find(path_names.begin(), path_names.end(), pk) == path_names.end()) {
          if (auto v = parent_value(pv.field)) req.params.emplace_back(pk, ValueText(*v));
        }
        break;
      case ParamSpec::Kind::kIncremental:
        if (inc.start) req.params.emplace_back(pk, *inc.start);
        break;
    }
  }
  if (r.endpoint.incremental) {
    const auto& i = *r.endpoint.incremental;
    bool in_params = false;
    for (const auto& [pk, pv] : r.endpoint.params) in_params = in_params || pv.kind == ParamSpec::Kind::kIncremental;
    if (!in_params && !i.start_param.empty() && inc.start) SetParam(req.params, i.start_param, *inc.start);
    if (!i.end_param.empty() && inc.end) SetParam(req.params, i.end_param, *inc.end);
  }
  if (r.endpoint.json) {
    std::function<Json(const Json&)> expand = [&](const Json& j) -> Json {
      if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        auto names = Placeholders(s);
        // A string that is one placeholder takes the parent's value with its JSON type.
        if (names.size() == 1 && s == "{" + names[0] + "}" && names[0].starts_with("resources.")) {
          std::string rest = names[0].substr(10);
          if (auto v = parent_value(rest.substr(rest.find('.') + 1))) return *v;
        }
        return Json(ExpandPlaceholders(s, [&](const std::string& n) { return lookup(n, false); }));
      }
      if (j.is_array()) {
        Json a = Json::array();
        for (const auto& v : j) a.push_back(expand(v));
        return a;
      }
      if (j.is_object()) {
        Json o = Json::object();
        for (const auto& [k, v] : j.items()) o[k] = expand(v);
        return o;
      }
      return j;
    };
    req.json = expand(*r.endpoint.json);
  }
  if (!missing.empty()) {
    return InvalidArgument(Where(r) + ": a row of `" + r.parent + "` has no field `" + missing +
                           "` (used in the endpoint of `" + r.options.name + "`): " + sh.MaskText(parent_row->dump()));
  }
  req.url = JoinUrl(sh.base_url, path);
  req.headers = sh.headers;
  for (const auto& h : r.endpoint.headers) req.headers.push_back(h);
  return req;
}

// ---------------------------------------------------------------------------------------------
// Pages of one request.

class PageCursor {
 public:
  PageCursor(const Shared* sh, const ResourceSpec* r, Req req) : sh_(sh), r_(r), req_(std::move(req)) {
    if (r->endpoint.paginator) pag_ = *r->endpoint.paginator;
    else if (sh->spec.client.paginator) pag_ = *sh->spec.client.paginator;
    if (!r->endpoint.paginator && IsSingleEntityPath(r->endpoint.path)) pag_.type = "single_page";
    single_entity_ = IsSingleEntityPath(r->endpoint.path) && !r->endpoint.data_selector;
    auth_origin_ = AuthOrigin(*sh, *r);
  }

  // The origin credentials go to: base_url's, or that of the endpoint's own URL when its path is
  // a full URL written in the pipeline file (no placeholder before the path, so no row of a
  // parent can choose the host). Never that of a next-page link or a redirect.
  static std::string AuthOrigin(const Shared& sh, const ResourceSpec& r) {
    const std::string& path = r.endpoint.path;
    if (path.starts_with("http://") || path.starts_with("https://")) {
      size_t host_end = path.find_first_of("/?#", path.find("://") + 3);
      if (path.substr(0, host_end).find('{') != std::string::npos) return "(no origin)";
      return http::Origin(path);
    }
    std::string o = http::Origin(sh.base_url);
    return o.empty() ? "(no origin)" : o;
  }

  // The rows of the next page; false when there are no more pages.
  StatusOr<bool> Next(http::Client& client, std::vector<Json>* rows, std::string* where) {
    rows->clear();
    if (done_) return false;
    if (page_ == 0) {
      if (pag_.type == "offset") {
        offset_ = pag_.offset;
        SetParam(req_.params, pag_.offset_param, std::to_string(offset_));
        SetParam(req_.params, pag_.limit_param, std::to_string(pag_.limit));
      } else if (pag_.type == "page_number") {
        page_no_ = pag_.page.value_or(pag_.base_page);
        SetParam(req_.params, pag_.page_param, std::to_string(page_no_));
      }
    }
    ++page_;
    http::Request hr;
    hr.method = req_.method;
    hr.url = http::AppendQuery(req_.url, req_.params);
    hr.headers = req_.headers;
    if (req_.json) hr.body = req_.json->dump();
    hr.secrets = sh_->secrets;
    hr.auth_headers = sh_->auth_headers;
    hr.auth_query = sh_->auth_query;
    hr.auth_origin = auth_origin_;
    const std::string shown = sh_->MaskText(hr.url);
    *where = Where(*r_) + " (" + hr.method + " " + shown + ")";
    // A request made before in this pagination (links A -> B -> A, a Link header alternating
    // two URLs, a cursor that comes back) would repeat forever: stop, keeping the rows so far.
    // (A 128-bit digest per page, not the URL: a long pagination keeps little.)
    std::string key = hash::Shake128(hr.method + " " + hr.url + "\n" + hr.body.value_or(""), 16);
    if (!seen_.insert(std::move(key)).second) {
      done_ = true;
      if (sh_->run.on_warning) {
        sh_->run.on_warning(Where(*r_) + ": stopped paginating after " + std::to_string(page_ - 1) + " page(s): the " +
                            pag_.type + " paginator leads back to " + hr.method + " " + shown +
                            ", which was requested before (the API's pages form a cycle). The rows of the pages "
                            "fetched are kept");
      }
      return false;
    }
    if (sh_->run.on_retry) {
      client.on_retry = [this, shown, method = hr.method](int attempt, double wait, const std::string& why) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", wait);
        sh_->run.on_retry(method + " " + shown + ": " + why + "; retrying in " + buf + " s (attempt " +
                          std::to_string(attempt + 1) + " of " + std::to_string(sh_->policy.max_attempts) + ")");
      };
    } else {
      client.on_retry = nullptr;
    }
    auto sent = client.Send(hr, sh_->policy);
    if (!sent.ok()) return Status(sent.status().code(), Where(*r_) + ": " + sent.status().message() + BaseUrlFrom());
    const http::Response& resp = *sent;
    for (const auto& a : r_->endpoint.response_actions) {
      bool match = (!a.status_code || *a.status_code == resp.status) &&
                   (!a.content || resp.body.find(*a.content) != std::string::npos);
      if (match && a.action == "ignore") {
        done_ = true;
        return true;
      }
    }
    if (resp.status < 200 || resp.status >= 300) {
      StatusCode code = resp.status == 401 || resp.status == 403 ? StatusCode::kPermissionDenied
                        : resp.status == 404                     ? StatusCode::kNotFound
                        : resp.status >= 500 || resp.status == 429 ? StatusCode::kUnavailable
                                                                   : StatusCode::kInvalidArgument;
      return Status(code, Where(*r_) + ": " + http::DescribeFailure(hr, resp, resp.attempts) + BaseUrlFrom());
    }
    Json body;
    if (!text::Trim(resp.body).empty()) {
      body = Json::parse(resp.body, nullptr, false);
      if (body.is_discarded()) {
        std::string start(text::Trim(resp.body.substr(0, 120)));
        return InvalidArgument(Where(*r_) + ": the response of " + hr.method + " " + shown + " is not JSON (" +
                               resp.Header("Content-Type").value_or("no Content-Type") + "): " +
                               sh_->MaskText(start) + (resp.body.size() > 120 ? "..." : "") + BaseUrlFrom());
      }
    }
    ExtractRows(body, rows);
    DLT_RETURN_IF_ERROR(Advance(resp, body, rows->size(), resp.url, shown));
    return true;
  }

 private:
  void ExtractRows(const Json& body, std::vector<Json>* rows) const {
    std::vector<Json> found;
    if (body.is_null()) return;
    if (r_->endpoint.data_selector) {
      auto values = SelectPath(body, *r_->endpoint.data_selector);
      if (values.size() == 1 && values[0]->is_array()) {
        for (const auto& v : *values[0]) found.push_back(v);
      } else {
        for (const Json* v : values) {
          if (!v->is_null()) found.push_back(*v);
        }
      }
    } else if (single_entity_) {
      if (body.is_array()) {
        for (const auto& v : body) found.push_back(v);
      } else {
        found.push_back(body);
      }
    } else {
      found = FindRecords(body);
    }
    for (auto& v : found) {
      if (v.is_object()) {
        rows->push_back(std::move(v));
      } else if (!v.is_null()) {
        Json o = Json::object();
        o["value"] = std::move(v);
        rows->push_back(std::move(o));
      }
    }
  }

  Status NextUrl(const std::optional<std::string>& next, const std::string& current) {
    if (!next || next->empty()) {
      done_ = true;
      return Status::Ok();
    }
    // The auth parameter is added by the client (to base_url's origin only); a link that echoes
    // it is not doubled.
    std::string url = http::RemoveQueryParams(http::ResolveUrl(current, *next), sh_->auth_query_names);
    // A last page that links to itself ends quietly; longer cycles are caught in Next().
    if (url == current || url == http::AppendQuery(req_.url, req_.params)) {
      done_ = true;
      return Status::Ok();
    }
    req_.url = url;
    req_.params.clear();
    return Status::Ok();
  }

  Status Advance(const http::Response& resp, const Json& body, size_t n_rows, const std::string& current,
                 const std::string& shown) {
    if (pag_.type == "auto") {
      // As dlt: a Link header with rel="next", else a next link in the body, else one page.
      if (auto link = resp.Header("Link"); link && http::ParseLinkHeader(*link, "next")) {
        pag_.type = "header_link";
      } else if (auto path = FindNextUrlPath(body)) {
        pag_.type = "json_link";
        pag_.next_url_path = *path;
      } else {
        pag_.type = "single_page";
      }
    }
    const std::string& t = pag_.type;
    if (t == "single_page") {
      done_ = true;
    } else if (t == "json_link") {
      const Json* v = First(body, pag_.next_url_path);
      std::optional<std::string> next;
      if (v && v->is_string()) next = v->get<std::string>();
      return NextUrl(next, current);
    } else if (t == "header_link") {
      std::optional<std::string> next;
      if (auto link = resp.Header("Link")) next = http::ParseLinkHeader(*link, pag_.links_next_key);
      return NextUrl(next, current);
    } else if (t == "header_cursor") {
      // dlt's HeaderCursorPaginator: the cursor is a response header, sent back as a query
      // parameter; no header (or an empty one) is the last page.
      auto v = resp.Header(pag_.cursor_key);
      if (!v || v->empty()) {
        done_ = true;
      } else {
        SetParam(req_.params, pag_.cursor_param, *v);
      }
    } else if (t == "cursor") {
      const Json* v = First(body, pag_.cursor_path);
      if (!v || v->is_null() || (v->is_string() && v->get_ref<const std::string&>().empty())) {
        done_ = true;
      } else {
        SetParam(req_.params, pag_.cursor_param, ValueText(*v));
      }
    } else if (t == "offset" || t == "page_number") {
      const bool offset = t == "offset";
      if (offset) offset_ += pag_.limit;
      else ++page_no_;
      int64_t current_value = offset ? offset_ : page_no_;
      const Json* total_v = First(body, pag_.total_path);
      std::optional<int64_t> total = AsInt(total_v);
      if (total_v && !total_v->is_null() && !total) {
        return InvalidArgument(Where(*r_) + ": `" + pag_.total_path + "` in the response of " + shown +
                               " is not a whole number: " + total_v->dump());
      }
      bool decided = false;
      if (total) {
        decided = true;
        if (current_value >= *total + (offset ? 0 : pag_.base_page)) done_ = true;
      } else if (pag_.total_path_set) {
        return InvalidArgument(Where(*r_) + ": the " + t + " paginator found no `" + pag_.total_path +
                               "` in the response of " + shown + ". Fix total_path, or remove it and rely on "
                               "stop_after_empty_page / maximum_" + (offset ? "offset" : "page"));
      }
      if (!pag_.has_more_path.empty()) {
        decided = true;
        const Json* more = First(body, pag_.has_more_path);
        if (!more || !more->is_boolean() || !more->get<bool>()) done_ = true;
      }
      std::optional<int64_t> maximum = offset ? pag_.maximum_offset : pag_.maximum_page;
      if (maximum) {
        decided = true;
        if (current_value >= *maximum) done_ = true;
      }
      if (pag_.stop_after_empty_page) {
        decided = true;
        if (n_rows == 0) done_ = true;
      }
      if (!decided) {
        return InvalidArgument(Where(*r_) + ": the " + t + " paginator cannot tell where the data ends: the "
                               "response has no `" + pag_.total_path + "`; set total_path, maximum_" +
                               (offset ? "offset" : "page") + " or stop_after_empty_page = true");
      }
      if (!done_) {
        if (offset) SetParam(req_.params, pag_.offset_param, std::to_string(offset_));
        else SetParam(req_.params, pag_.page_param, std::to_string(page_no_));
      }
    }
    return Status::Ok();
  }

  // Where base_url came from, for the message of a failed request to a URL built on it.
  std::string BaseUrlFrom() const {
    if (sh_->base_url_from.empty() || auth_origin_ != http::Origin(sh_->base_url)) return "";
    return " (base_url " + sh_->base_url + " from " + sh_->base_url_from + ")";
  }

  const Shared* sh_;
  const ResourceSpec* r_;
  Req req_;
  PaginatorSpec pag_;
  bool single_entity_ = false;
  std::string auth_origin_;
  std::unordered_set<std::string> seen_;  // digests of the requests made (method, URL, body)
  bool done_ = false;
  int page_ = 0;
  int64_t offset_ = 0;
  int64_t page_no_ = 0;
};

// ---------------------------------------------------------------------------------------------
// All rows of one resource, in chunks: pages of a top-level resource, or the rows fetched for a
// window of parent rows (fetched in parallel) of a dependent one.

class Fetcher {
 public:
  Fetcher(std::shared_ptr<Shared> sh, const ResourceSpec* r) : sh_(std::move(sh)), r_(r) {}

  StatusOr<bool> NextChunk(std::vector<Json>* rows, std::string* where) {
    rows->clear();
    if (!started_) {
      started_ = true;
      DLT_ASSIGN_OR_RETURN(inc_, IncrementalFor(*sh_, *r_));
      DLT_ASSIGN_OR_RETURN(http::Client c, http::Client::Create());
      clients_.push_back(std::move(c));
      if (r_->parent.empty()) {
        DLT_ASSIGN_OR_RETURN(Req req, BuildRequest(*sh_, *r_, nullptr, inc_));
        cursor_ = std::make_unique<PageCursor>(sh_.get(), r_, std::move(req));
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
    for (;;) {
      DLT_ASSIGN_OR_RETURN(bool more, f.NextChunk(&rows, &where));
      for (const auto& row : rows) out->push_back(Project(row, fields));
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
    if (keep_) kept_->push_back(Project(row, fields_));
    current_ = row.dump();
    bytes_ += current_.size();
    *json = current_;
    *where = where_;
    return true;
  }
  uint64_t bytes_read() const override { return bytes_; }

 private:
  std::shared_ptr<Shared> sh_;
  const ResourceSpec* r_;
  Fetcher fetcher_;
  bool keep_;
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

StatusOr<std::optional<ResolvedValue>> LookupSourceKey(const Workspace& ws, const RestApiSpec& spec,
                                                      const std::string& pipeline, const std::string& key,
                                                      bool secret) {
  for (const std::vector<std::string>& sections :
       {std::vector<std::string>{"sources", spec.source_name}, std::vector<std::string>{"sources"}}) {
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

Status MissingSecret(const Workspace& ws, const RestApiSpec& spec, const std::string& what, const std::string& key) {
  std::string profile_file = ws.workspace_mode() ? ".dlt/" + ws.profile() + ".secrets.toml" : "";
  return FailedPrecondition(
      spec.file + ": source `" + spec.source_name + "` uses " + what + " but no `" + key + "` is configured" +
      (ws.workspace_mode() ? " for profile `" + ws.profile() + "`" : "") + ". Add it to .dlt/secrets.toml" +
      (profile_file.empty() ? "" : " (or " + profile_file + ")") + ":\n  [sources." + spec.source_name + "]\n  " + key +
      " = \"...\"\nor set the environment variable SOURCES__" + text::ToUpper(spec.source_name) + "__" +
      text::ToUpper(key) + ".");
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
  static const char* const kRecordKeys[] = {"data", "items", "results", "entries", "records", "rows",
                                            "entities", "payload", "content", "objects"};
  // Lists up to two levels down, least nested first.
  std::vector<std::pair<std::string, const Json*>> lists;
  std::vector<const Json*> level = {&body};
  for (int depth = 0; depth <= 2 && !level.empty(); ++depth) {
    std::vector<const Json*> next;
    for (const Json* obj : level) {
      for (const auto& [k, v] : obj->items()) {
        if (v.is_array()) lists.emplace_back(k, &v);
        else if (v.is_object()) next.push_back(&v);
      }
    }
    level = std::move(next);
  }
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

StatusOr<std::vector<Resource>> MakeResources(const Workspace& ws, const RestApiSpec& spec_in, const RunOptions& options,
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
  DLT_ASSIGN_OR_RETURN(auto base, LookupSourceKey(ws, spec, pipeline, "base_url", false));
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

  // Auth: the secret parts come from the profile's secrets, never from the file.
  sh->headers = spec.client.headers;
  const AuthSpec& auth = spec.client.auth;
  auto secret = [&](const std::string& key, const std::string& what) -> StatusOr<Secret> {
    if (auto it = auth.inline_secrets.find(key); it != auth.inline_secrets.end()) {
      if (it->second.empty()) return MissingSecret(ws, spec, what, key);
      return it->second;
    }
    DLT_ASSIGN_OR_RETURN(auto v, LookupSourceKey(ws, spec, pipeline, key, true));
    if (!v || !v->value.is_scalar() || v->value.text.empty()) return MissingSecret(ws, spec, what, key);
    note(*v);
    return Secret(v->value.text);
  };
  if (auth.type == "bearer") {
    DLT_ASSIGN_OR_RETURN(Secret token, secret("token", "bearer auth"));
    sh->secrets.push_back(token.reveal());
    sh->auth_headers.emplace_back("Authorization", "Bearer " + token.reveal());
  } else if (auth.type == "api_key") {
    DLT_ASSIGN_OR_RETURN(Secret key, secret("api_key", "api_key auth"));
    sh->secrets.push_back(key.reveal());
    if (auth.location == "query") {
      sh->auth_query.emplace_back(auth.name, key.reveal());
      sh->auth_query_names.push_back(auth.name);
    } else {
      sh->auth_headers.emplace_back(auth.name, key.reveal());
    }
  } else if (auth.type == "http_basic") {
    std::string username;
    if (auth.username) {
      username = *auth.username;
    } else {
      DLT_ASSIGN_OR_RETURN(auto u, LookupSourceKey(ws, spec, pipeline, "username", false));
      if (!u || u->value.text.empty()) return MissingSecret(ws, spec, "http_basic auth", "username");
      note(*u);
      username = u->value.text;
    }
    DLT_ASSIGN_OR_RETURN(Secret password, secret("password", "http_basic auth"));
    sh->secrets.push_back(password.reveal());
    std::string encoded = hash::Base64Encode(username + ":" + password.reveal());
    sh->secrets.push_back(encoded);
    sh->auth_headers.emplace_back("Authorization", "Basic " + encoded);
  }

  DLT_ASSIGN_OR_RETURN(sh->policy.timeout_s, RuntimeNumber(ws, "request_timeout"));
  DLT_ASSIGN_OR_RETURN(double attempts, RuntimeNumber(ws, "request_max_attempts"));
  sh->policy.max_attempts = std::max(1, static_cast<int>(attempts));
  DLT_ASSIGN_OR_RETURN(sh->policy.backoff_factor, RuntimeNumber(ws, "request_backoff_factor"));
  DLT_ASSIGN_OR_RETURN(sh->policy.max_retry_delay_s, RuntimeNumber(ws, "request_max_retry_delay"));

  if (origins) *origins = std::move(used);
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
