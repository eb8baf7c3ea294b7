// PageCursor (rest_api_internal.h): the pages of one request of a REST API resource, as its
// paginator (dlt's paginator types) leads from one to the next.
#include <algorithm>

#include "common/hash.h"
#include "common/text.h"
#include "extract/rest_api_internal.h"

namespace dlt::rest_api::internal {

namespace {

// Sets `value` at the dotted `path` of the request's JSON body (made an object where needed), as
// dlt's set_value_at_path does for the *_body_path paginator settings.
void SetBodyPath(std::optional<Json>& body, const std::string& path, Json value) {
  if (!body || !body->is_object()) body = Json::object();
  Json* node = &*body;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*node)[key] = std::move(value);
      return;
    }
    Json& next = (*node)[key];
    if (!next.is_object()) next = Json::object();
    node = &next;
    start = dot + 1;
  }
}

bool IsUrlValue(const Json* v) {
  return v && v->is_string() &&
         (v->get_ref<const std::string&>().starts_with("http") || v->get_ref<const std::string&>().starts_with("/"));
}

// dlt's find_next_page_path (rest_client/detector.py): the first key (depth first, in order)
// whose name is "next..." holding a string or a number, or an object with an "href..." or
// "url..." string or number; its path and value. `loose`: a key that holds "next" anywhere
// ("@odata.nextLink") holding a URL, which dlt's detector passes over.
std::optional<std::pair<std::string, const Json*>> FindNextPage(const Json& body, bool loose,
                                                               const std::string& prefix = "") {
  if (!body.is_object()) return std::nullopt;
  auto scalar = [&](const Json& v) { return loose ? IsUrlValue(&v) : v.is_string() || v.is_number(); };
  auto matches = [&](const std::string& key, std::initializer_list<const char*> patterns) {
    std::string lower = text::ToLower(key);
    for (const char* p : patterns) {
      if (loose ? lower.find(p) != std::string::npos : lower.starts_with(p)) return true;
    }
    return false;
  };
  // A key with a dot is quoted (SplitPath reads ['a.b'] as one key).
  auto join = [](const std::string& path, const std::string& key) {
    std::string k = key.find('.') == std::string::npos ? key : "['" + key + "']";
    return path.empty() ? k : path + "." + k;
  };
  for (const auto& [k, v] : body.items()) {
    const std::string path = join(prefix, k);
    if (matches(k, {"next"})) {
      if (v.is_object()) {
        for (const auto& [k2, v2] : v.items()) {
          if (matches(k2, {"href", "url"}) && scalar(v2)) return std::make_pair(join(path, k2), &v2);
        }
      } else if (scalar(v)) {
        return std::make_pair(path, &v);
      }
    }
    if (v.is_object()) {
      if (auto inner = FindNextPage(v, loose, path)) return inner;
    }
  }
  return std::nullopt;
}

// dlt's find_total_pages_path: the first key (depth first through objects, in order) named
// total_pages, pages or totalpages (any case) holding a string or a number; its path, when the
// value reads as a whole number (dlt's int(); a boolean is 1 or 0, as in Python): the
// page_number paginator's total_path.
std::optional<std::string> FindTotalPages(const Json& body, const std::string& prefix = "") {
  if (!body.is_object()) return std::nullopt;
  for (const auto& [k, v] : body.items()) {
    std::string lower = text::ToLower(k);
    std::string quoted = k.find('.') == std::string::npos ? k : "['" + k + "']";
    std::string path = prefix.empty() ? quoted : prefix + "." + quoted;
    if ((lower == "total_pages" || lower == "pages" || lower == "totalpages") &&
        (v.is_string() || v.is_number() || v.is_boolean())) {
      if (AsInt(&v)) return path;
      return std::nullopt;  // found, but int() would fail: dlt detects no page_number paginator
    }
    if (v.is_object()) {
      if (auto inner = FindTotalPages(v, path)) return inner;
    }
  }
  return std::nullopt;
}

}  // namespace

void PageCursor::Place(const std::string& param, const std::string& body_path, const Json& value) {
  if (!body_path.empty()) {
    SetBodyPath(req_.json, body_path, value);
  } else {
    SetParam(req_.params, param, value.is_string() ? value.get<std::string>() : ValueText(value));
  }
}

PageCursor::PageCursor(const Shared* sh, const ResourceSpec* r, Req req) : sh_(sh), r_(r), req_(std::move(req)) {
  if (r->endpoint.paginator) pag_ = *r->endpoint.paginator;
  else if (sh->spec.client.paginator) pag_ = *sh->spec.client.paginator;
  if (!r->endpoint.paginator && IsSingleEntityPath(r->endpoint.path)) pag_.type = "single_page";
  single_entity_ = IsSingleEntityPath(r->endpoint.path) && !r->endpoint.data_selector;
  auth_origin_ = AuthOrigin(*sh, *r);
}

std::string PageCursor::AuthOrigin(const Shared& sh, const ResourceSpec& r) {
  const std::string& path = r.endpoint.path;
  if (path.starts_with("http://") || path.starts_with("https://")) {
    size_t host_end = path.find_first_of("/?#", path.find("://") + 3);
    if (path.substr(0, host_end).find('{') != std::string::npos) return "(no origin)";
    return http::Origin(path);
  }
  std::string o = http::Origin(sh.base_url);
  return o.empty() ? "(no origin)" : o;
}

StatusOr<bool> PageCursor::Next(http::Client& client, std::vector<Json>* rows, std::string* where) {
  rows->clear();
  if (done_) return false;
  if (page_ == 0) {
    if (pag_.type == "offset") {
      offset_ = pag_.offset;
      Place(pag_.offset_param, pag_.offset_body_path, offset_);
      Place(pag_.limit_param, pag_.limit_body_path, pag_.limit);
    } else if (pag_.type == "page_number") {
      page_no_ = pag_.page.value_or(pag_.base_page);
      Place(pag_.page_param, pag_.page_body_path, page_no_);
    }
  }
  ++page_;
  http::Request hr;
  hr.method = req_.method;
  hr.url = http::AppendQuery(req_.url, req_.params);
  hr.headers = req_.headers;
  if (req_.json) hr.body = req_.json->dump();
  hr.secrets = sh_->secrets;
  const Shared::Credentials& cred = sh_->AuthFor(*r_);
  hr.auth_headers = cred.headers;
  for (const auto& h : sh_->secret_headers) {
    // An endpoint header of the same name overrides the client's.
    auto same = [&](const auto& e) { return text::ToLower(e.first) == text::ToLower(h.first); };
    if (std::none_of(req_.headers.begin(), req_.headers.end(), same) &&
        std::none_of(req_.auth_headers.begin(), req_.auth_headers.end(), same)) {
      hr.auth_headers.push_back(h);
    }
  }
  for (const auto& h : req_.auth_headers) hr.auth_headers.push_back(h);
  hr.auth_query = cred.query;
  hr.auth_origin = auth_origin_;
  if (cred.oauth2) {
    client.on_retry = nullptr;
    auto token_or = cred.oauth2->Current(client, sh_->policy);
    if (!token_or.ok()) return Status(token_or.status().code(), Where(*r_) + ": " + token_or.status().message());
    const std::string& token = *token_or;
    hr.auth_headers.emplace_back("Authorization", "Bearer " + token);
    hr.secrets.push_back(token);
  }
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
  if (paginate_) {
    // (a next link may echo an api_key parameter: it is no part of what is kept)
    last_ = PageExchange{hr.method,      http::RemoveQueryParams(hr.url, cred.query_names),
                         hr.headers,     hr.body,
                         resp.status,    resp.reason,
                         resp.headers,   resp.body,
                         http::RemoveQueryParams(resp.url, cred.query_names)};
  }
  for (const auto& a : r_->endpoint.response_actions) {
    bool match = (!a.status_code || *a.status_code == resp.status) &&
                 (!a.content || resp.body.find(*a.content) != std::string::npos);
    if (match && a.action == "ignore") {
      done_ = true;
      return true;
    }
  }
  if (resp.status < 200 || resp.status >= 300) {
    return Status(http::StatusCodeForHttp(resp.status), Where(*r_) + ": " + http::DescribeFailure(hr, resp, resp.attempts, sh_->policy.show_error_body) + BaseUrlFrom());
  }
  Json body;
  if (!text::Trim(resp.body).empty()) {
    body = Json::parse(resp.body, nullptr, false);
    if (body.is_discarded()) {
      std::string start(text::Trim(resp.body.substr(0, 120)));
      return InvalidArgument(Where(*r_) + ": the response of " + hr.method + " " + shown + " is not JSON (" +
                             resp.Header("Content-Type").value_or("no Content-Type") + "): " +
                             http::Mask(start, hr.secrets) + (resp.body.size() > 120 ? "..." : "") + BaseUrlFrom());
    }
  }
  ExtractRows(body, rows);
  DLT_RETURN_IF_ERROR(Advance(resp, body, rows->size(), resp.url, shown));
  return true;
}

void PageCursor::ExtractRows(const Json& body, std::vector<Json>* rows) const {
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
    if (v.is_object() || paginate_) {
      rows->push_back(std::move(v));
    } else if (!v.is_null()) {
      Json o = Json::object();
      o["value"] = std::move(v);
      rows->push_back(std::move(o));
    }
  }
}

Status PageCursor::NextUrl(const std::optional<std::string>& next, const std::string& current) {
  if (!next || next->empty()) {
    done_ = true;
    return Status::Ok();
  }
  // The auth parameter is added by the client (to base_url's origin only); a link that echoes
  // it is not doubled.
  std::string url = http::RemoveQueryParams(http::ResolveUrl(current, *next), sh_->AuthFor(*r_).query_names);
  // A last page that links to itself ends quietly; longer cycles are caught in Next().
  if (url == current || url == http::AppendQuery(req_.url, req_.params)) {
    done_ = true;
    return Status::Ok();
  }
  req_.url = url;
  req_.params.clear();
  return Status::Ok();
}

Status PageCursor::Advance(const http::Response& resp, const Json& body, size_t n_rows, const std::string& current,
               const std::string& shown) {
  if (pag_.type == "auto") {
    // As dlt's PaginatorFactory: a Link header with rel="next"; else a "next..." value in the body
    // that is a URL (http... or /...) is a next-page link; else a total_pages/pages/totalPages
    // number makes a page_number paginator; else a "next..." value is a cursor sent back as the
    // `cursor` parameter (JSONResponseCursorPaginator(cursor_path=...)); else one page. (A URL
    // under a key with "next" elsewhere in its name, as "@odata.nextLink", which dlt's detector
    // passes over, is followed as a link too.)
    auto next = FindNextPage(body, false);
    std::optional<std::pair<std::string, const Json*>> other_link;
    if (!next || !IsUrlValue(next->second)) other_link = FindNextPage(body, true);
    if (auto link = resp.Header("Link"); link && http::ParseLinkHeader(*link, "next")) {
      pag_.type = "header_link";
    } else if (next && IsUrlValue(next->second)) {
      pag_.type = "json_link";
      pag_.next_url_path = next->first;
    } else if (auto total = FindTotalPages(body)) {
      // dlt's PageNumberPaginator(total_path=...): pages 1, 2, ... (page=) after this first one,
      // up to the total (base_page 0, stop after an empty page).
      pag_ = PaginatorSpec{};
      pag_.type = "page_number";
      pag_.total_path = *total;
      pag_.total_path_set = true;
      page_no_ = 0;
    } else if (other_link) {
      pag_.type = "json_link";
      pag_.next_url_path = other_link->first;
    } else if (next) {
      pag_.type = "cursor";
      pag_.cursor_path = next->first;
      pag_.cursor_param = "cursor";
      pag_.cursor_body_path.clear();
      pag_.stop_after_empty_page = false;
      pag_.has_more_path.clear();
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
    bool more = v && !v->is_null() && !(v->is_string() && v->get_ref<const std::string&>().empty());
    if (pag_.stop_after_empty_page && n_rows == 0) more = false;
    if (more && !pag_.has_more_path.empty()) {
      // As dlt: the body's flag decides (true/false, or a string of one), a missing or other value is an error.
      const Json* flag = First(body, pag_.has_more_path);
      std::optional<bool> has_more;
      if (flag && flag->is_boolean()) has_more = flag->get<bool>();
      if (flag && flag->is_string()) {
        std::string f = text::ToLower(flag->get<std::string>());
        if (f == "true" || f == "1" || f == "yes" || f == "y" || f == "t" || f == "on") has_more = true;
        if (f == "false" || f == "0" || f == "no" || f == "n" || f == "f" || f == "off") has_more = false;
      }
      if (!has_more) {
        return InvalidArgument(Where(*r_) + ": `" + pag_.has_more_path + "` in the response of " + shown +
                               (flag ? " is not a boolean: " + flag->dump() : " is missing") +
                               "; fix has_more_path of the cursor paginator");
      }
      more = *has_more;
    }
    if (!more) {
      done_ = true;
    } else {
      Place(pag_.cursor_param, pag_.cursor_body_path, *v);
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
      if (offset) Place(pag_.offset_param, pag_.offset_body_path, offset_);
      else Place(pag_.page_param, pag_.page_body_path, page_no_);
    }
  }
  return Status::Ok();
}

std::string PageCursor::BaseUrlFrom() const {
  if (sh_->base_url_from.empty() || auth_origin_ != http::Origin(sh_->base_url)) return "";
  return " (base_url " + sh_->base_url + " from " + sh_->base_url_from + ")";
}

}  // namespace dlt::rest_api::internal
