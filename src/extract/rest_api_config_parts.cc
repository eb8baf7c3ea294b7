// The parts of a REST API source's configuration (rest_api_config_internal.h): typed readers of
// TOML nodes, and the paginator, auth, incremental and endpoint tables, as dlt's rest_api dict
// config spells them.
#include <algorithm>
#include <map>
#include <set>

#include "config/config_json.h"
#include "config/secret_names.h"
#include "extract/rest_api_config_internal.h"

namespace dlt::rest_api::config_internal {

Status UnknownKey(const Ctx& c, const ConfigNode& n, const std::string& key, const std::string& where,
                  const std::vector<std::string>& known) {
  std::string msg = "unknown key `" + key + "` in " + where + ".";
  if (auto s = text::Suggest(key, known)) msg += " Did you mean `" + *s + "`?";
  else msg += " Known keys: " + text::Join(known, ", ");
  return c.Error(n, msg);
}

StatusOr<std::string> Str(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != Kind::kString) return c.Error(n, "`" + key + "` must be a string");
  return n.text;
}

StatusOr<int64_t> Int(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != Kind::kInteger) return c.Error(n, "`" + key + "` must be a whole number");
  return std::stoll(n.text);
}

StatusOr<bool> Bool(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != Kind::kBoolean) return c.Error(n, "`" + key + "` must be true or false");
  return n.text == "true";
}

StatusOr<std::vector<std::string>> Strs(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind == Kind::kString) return std::vector<std::string>{n.text};
  if (n.kind != Kind::kArray) return c.Error(n, "`" + key + "` must be a string or a list of strings");
  std::vector<std::string> out;
  for (const auto& i : n.items) {
    if (i.kind != Kind::kString) return c.Error(i, "`" + key + "` must contain strings only");
    out.push_back(i.text);
  }
  return out;
}

// A scalar as JSON text (for incremental values).
std::string ScalarJson(const ConfigNode& n) {
  switch (n.kind) {
    case Kind::kInteger:
    case Kind::kFloat:
    case Kind::kBoolean: return n.text;
    default: return Json(n.text).dump();
  }
}

ConfigNode TableNode(SourceLocation where) {
  ConfigNode n;
  n.kind = Kind::kTable;
  n.where = where;
  return n;
}

Status CheckHeaders(const Ctx& c, const ConfigNode& n, std::vector<std::pair<std::string, std::string>>* out,
                    std::vector<std::string>* secret_names) {
  if (!n.is_table()) return c.Error(n, "`headers` must be a table of header names and values");
  for (const auto& [k, v] : n.members) {
    if (!v.is_scalar()) return c.Error(v, "header `" + k + "` must be a string");
    if (LooksSecretHttpName(k) && c.allow_inline_secrets) {
      // Given in code (dlt's dict config, its value from dlt.secrets): sent as credentials are.
      secret_names->push_back(k);
    } else if (LooksSecretHttpName(k)) {
      return c.Error(v, "header `" + k + "` carries credentials and does not belong in the pipeline file (pipeline "
                        "files are meant to be committed). Use [source.client.auth] instead (type = \"bearer\", or type "
                        "= \"api_key\" with name = \"" + k + "\" and location = \"header\") and put the secret in "
                        ".dlt/secrets.toml under [sources." + c.source_name + "].");
    }
    out->emplace_back(k, ScalarText(v));
  }
  return Status::Ok();
}

StatusOr<PaginatorSpec> ParsePaginator(const Ctx& c, const ConfigNode& n) {
  static const std::vector<std::string> kTypes = {"auto", "single_page", "json_link", "header_link",
                                                   "header_cursor", "offset", "page_number", "cursor"};
  PaginatorSpec p;
  const ConfigNode* type_node = &n;
  if (n.kind == Kind::kString) {
    p.type = n.text;
  } else if (n.is_table()) {
    const ConfigNode* t = n.Find("type");
    if (!t) return c.Error(n, "`paginator` needs a `type` (" + text::Join(kTypes, ", ") + ")");
    DLT_ASSIGN_OR_RETURN(p.type, Str(c, *t, "type"));
    type_node = t;
  } else {
    return c.Error(n, "`paginator` must be a table like { type = \"json_link\", next_url_path = \"next\" } or a type name");
  }
  // dlt's older names
  if (p.type == "json_response") p.type = "json_link";
  if (std::find(kTypes.begin(), kTypes.end(), p.type) == kTypes.end()) {
    std::string msg = "unknown paginator type `" + p.type + "`.";
    if (auto s = text::Suggest(p.type, kTypes)) msg += " Did you mean `" + *s + "`?";
    return c.Error(*type_node, msg + " Types: " + text::Join(kTypes, ", "));
  }
  std::map<std::string, std::vector<std::string>> keys = {
      {"auto", {}},
      {"single_page", {}},
      {"json_link", {"next_url_path"}},
      {"header_link", {"links_next_key"}},
      {"offset", {"limit", "offset", "offset_param", "limit_param", "total_path", "maximum_offset",
                  "stop_after_empty_page", "has_more_path", "offset_body_path", "limit_body_path"}},
      {"page_number", {"base_page", "page", "page_param", "total_path", "maximum_page", "stop_after_empty_page",
                       "has_more_path", "page_body_path"}},
      {"cursor", {"cursor_path", "cursor_param", "cursor_body_path", "stop_after_empty_page", "has_more_path"}},
      {"header_cursor", {"cursor_key", "cursor_param"}},
  };
  if (p.type == "header_cursor") p.cursor_param = "cursor";  // dlt's default for this paginator
  if (p.type == "cursor") {
    // dlt's JSONResponseCursorPaginator defaults (dlt 1.26: `cursor` when neither cursor_param nor
    // cursor_body_path is given)
    p.stop_after_empty_page = false;
    p.cursor_param = "cursor";
  }
  const auto& known = keys[p.type];
  if (n.is_table()) {
    for (const auto& [k, v] : n.members) {
      if (k == "type") continue;
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        return UnknownKey(c, v, k, "the " + p.type + " paginator", known.empty() ? std::vector<std::string>{"type"} : known);
      }
      if (k == "next_url_path") { DLT_ASSIGN_OR_RETURN(p.next_url_path, Str(c, v, k)); }
      else if (k == "links_next_key") { DLT_ASSIGN_OR_RETURN(p.links_next_key, Str(c, v, k)); }
      else if (k == "limit") { DLT_ASSIGN_OR_RETURN(p.limit, Int(c, v, k)); }
      else if (k == "offset") { DLT_ASSIGN_OR_RETURN(p.offset, Int(c, v, k)); }
      else if (k == "offset_param") { DLT_ASSIGN_OR_RETURN(p.offset_param, Str(c, v, k)); }
      else if (k == "limit_param") { DLT_ASSIGN_OR_RETURN(p.limit_param, Str(c, v, k)); }
      else if (k == "total_path") { DLT_ASSIGN_OR_RETURN(p.total_path, Str(c, v, k)); p.total_path_set = true; }
      else if (k == "maximum_offset") { DLT_ASSIGN_OR_RETURN(int64_t m, Int(c, v, k)); p.maximum_offset = m; }
      else if (k == "base_page") { DLT_ASSIGN_OR_RETURN(p.base_page, Int(c, v, k)); }
      else if (k == "page") { DLT_ASSIGN_OR_RETURN(int64_t pg, Int(c, v, k)); p.page = pg; }
      else if (k == "page_param") { DLT_ASSIGN_OR_RETURN(p.page_param, Str(c, v, k)); }
      else if (k == "maximum_page") { DLT_ASSIGN_OR_RETURN(int64_t m, Int(c, v, k)); p.maximum_page = m; }
      else if (k == "stop_after_empty_page") { DLT_ASSIGN_OR_RETURN(p.stop_after_empty_page, Bool(c, v, k)); }
      else if (k == "has_more_path") { DLT_ASSIGN_OR_RETURN(p.has_more_path, Str(c, v, k)); }
      else if (k == "cursor_path") { DLT_ASSIGN_OR_RETURN(p.cursor_path, Str(c, v, k)); }
      else if (k == "cursor_param") { DLT_ASSIGN_OR_RETURN(p.cursor_param, Str(c, v, k)); }
      else if (k == "cursor_key") { DLT_ASSIGN_OR_RETURN(p.cursor_key, Str(c, v, k)); }
      else if (k == "offset_body_path") { DLT_ASSIGN_OR_RETURN(p.offset_body_path, Str(c, v, k)); }
      else if (k == "limit_body_path") { DLT_ASSIGN_OR_RETURN(p.limit_body_path, Str(c, v, k)); }
      else if (k == "page_body_path") { DLT_ASSIGN_OR_RETURN(p.page_body_path, Str(c, v, k)); }
      else if (k == "cursor_body_path") { DLT_ASSIGN_OR_RETURN(p.cursor_body_path, Str(c, v, k)); }
    }
    // As dlt: a value goes either into a query parameter or into the body, not both.
    for (const auto& [param, body] : {std::pair<const char*, const char*>{"offset_param", "offset_body_path"},
                                      {"limit_param", "limit_body_path"}, {"page_param", "page_body_path"},
                                      {"cursor_param", "cursor_body_path"}}) {
      if (n.Find(param) && n.Find(body)) {
        return c.Error(*n.Find(body), std::string("the ") + p.type + " paginator takes either `" + param + "` or `" +
                                          body + "`, not both");
      }
    }
  }
  if (p.type == "offset" && p.limit <= 0) {
    return c.Error(n, "the offset paginator needs `limit` (the page size), e.g. { type = \"offset\", limit = 100 }");
  }
  return p;
}

StatusOr<AuthSpec> ParseAuth(const Ctx& c, const ConfigNode& n) {
  static const std::vector<std::string> kTypes = {"bearer", "api_key", "http_basic", "oauth2_client_credentials"};
  auto check_type = [&](const std::string& type, const ConfigNode& where) -> Status {
    if (std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end()) return Status::Ok();
    std::string msg = "unsupported auth type `" + type + "`.";
    if (auto s = text::Suggest(type, kTypes)) msg += " Did you mean `" + *s + "`?";
    return c.Error(where, msg + " Types: bearer, api_key, http_basic, oauth2_client_credentials");
  };
  AuthSpec a;
  if (n.kind == Kind::kString) {
    // As dlt's create_auth("bearer"): the type alone; its secrets come from the profile.
    a.type = n.text;
    DLT_RETURN_IF_ERROR(check_type(a.type, n));
    return a;
  }
  if (!n.is_table()) {
    return c.Error(n, "`auth` must be a table like { type = \"bearer\" } (the token itself goes in .dlt/secrets.toml)");
  }
  const ConfigNode* t = n.Find("type");
  for (const auto& [k, v] : n.members) {
    if (k == "token" || k == "api_key" || k == "password" || k == "client_id" || k == "client_secret") {
      if (!c.allow_inline_secrets) return c.SecretInFile(v, "`" + k + "`", k);
      if (!v.is_scalar()) return c.Error(v, "`" + k + "` must be a string");
      a.inline_secrets.emplace(k, Secret(v.text));
    }
  }
  if (t) {
    DLT_ASSIGN_OR_RETURN(a.type, Str(c, *t, "type"));
    DLT_RETURN_IF_ERROR(check_type(a.type, *t));
  } else {
    a.type = "bearer";  // dlt's create_auth: auth_config.get("type", "bearer")
  }
  for (const auto& [k, v] : n.members) {
    if (k == "type" || a.inline_secrets.count(k)) continue;
    if (a.type == "api_key" && k == "name") {
      DLT_ASSIGN_OR_RETURN(a.name, Str(c, v, k));
    } else if (a.type == "api_key" && k == "location") {
      DLT_ASSIGN_OR_RETURN(a.location, Str(c, v, k));
      if (a.location == "param") a.location = "query";
      if (a.location != "header" && a.location != "query") {
        return c.Error(v, "api_key `location` must be \"header\" or \"query\"");
      }
    } else if (a.type == "http_basic" && k == "username") {
      DLT_ASSIGN_OR_RETURN(std::string u, Str(c, v, k));
      a.username = u;
    } else if (a.type == "oauth2_client_credentials" && k == "access_token_url") {
      DLT_ASSIGN_OR_RETURN(std::string u, Str(c, v, k));
      if (!u.starts_with("http://") && !u.starts_with("https://")) {
        return c.Error(v, "`access_token_url` must be an http:// or https:// URL");
      }
      a.access_token_url = u;
    } else if (a.type == "oauth2_client_credentials" && k == "access_token_request_data") {
      if (!v.is_table()) return c.Error(v, "`access_token_request_data` must be a table of form fields, e.g. { scope = \"read\" }");
      for (const auto& [fk, fv] : v.members) {
        if (!fv.is_scalar()) return c.Error(fv, "`access_token_request_data." + fk + "` must be a string or a number");
        a.access_token_request_data.emplace_back(fk, fv.text);
      }
    } else if (a.type == "oauth2_client_credentials" && k == "default_token_expiration") {
      DLT_ASSIGN_OR_RETURN(a.default_token_expiration, Int(c, v, k));
      if (a.default_token_expiration < 0) return c.Error(v, "`default_token_expiration` must not be negative");
    } else {
      std::vector<std::string> known = {"type"};
      if (a.type == "api_key") known = {"type", "name", "location"};
      if (a.type == "http_basic") known = {"type", "username"};
      if (a.type == "oauth2_client_credentials") {
        known = {"type", "access_token_url", "access_token_request_data", "default_token_expiration"};
      }
      return UnknownKey(c, v, k, "auth (" + a.type + ")", known);
    }
  }
  for (const char* k : {"client_id", "client_secret"}) {
    if (a.type != "oauth2_client_credentials" && a.inline_secrets.count(k)) {
      return c.Error(*n.Find(k), std::string("`") + k + "` belongs to oauth2_client_credentials auth, not to " + a.type);
    }
  }
  if (a.type == "api_key" && a.name == "Authorization" && a.location == "query") {
    return c.Error(n, "an api_key sent in the query needs `name` (the query parameter, e.g. name = \"api_key\")");
  }
  return a;
}

StatusOr<IncrementalParamSpec> ParseIncremental(const Ctx& c, const ConfigNode& n, bool in_params) {
  IncrementalParamSpec inc;
  std::vector<std::string> known = {"cursor_path", "initial_value", "end_value", "on_cursor_value_missing"};
  if (in_params) known.insert(known.begin(), "type");
  else known.insert(known.begin(), {"start_param", "end_param"});
  for (const auto& [k, v] : n.members) {
    if (k == "type" && in_params) continue;
    if (k == "start_param" && !in_params) { DLT_ASSIGN_OR_RETURN(inc.start_param, Str(c, v, k)); }
    else if (k == "end_param" && !in_params) { DLT_ASSIGN_OR_RETURN(inc.end_param, Str(c, v, k)); }
    else if (k == "cursor_path") { DLT_ASSIGN_OR_RETURN(inc.cursor_path, Str(c, v, k)); }
    else if (k == "initial_value" || k == "end_value") {
      if (!v.is_scalar()) return c.Error(v, "`" + k + "` must be a string or a number");
      (k == "initial_value" ? inc.initial_value_json : inc.end_value_json) = ScalarJson(v);
    } else if (k == "on_cursor_value_missing") {
      DLT_ASSIGN_OR_RETURN(inc.on_cursor_value_missing, Str(c, v, k));
      if (inc.on_cursor_value_missing != "raise" && inc.on_cursor_value_missing != "include" &&
          inc.on_cursor_value_missing != "exclude") {
        return c.Error(v, "`on_cursor_value_missing` must be raise, include or exclude");
      }
    } else if (k == "convert") {
      return c.Error(v, "`convert` (a Python callable in dlt) is not supported in pipeline files");
    } else {
      return UnknownKey(c, v, k, "incremental", known);
    }
  }
  if (inc.cursor_path.empty()) return c.Error(n, "incremental needs `cursor_path` (the field of each row to track)");
  if (inc.end_value_json && !inc.initial_value_json) return c.Error(n, "incremental `end_value` needs `initial_value`");
  return inc;
}

Status ParseEndpoint(const Ctx& c, const ConfigNode& n, EndpointSpec* e) {
  static const std::vector<std::string> kKeys = {"path", "method", "params", "json", "data_selector", "paginator",
                                                 "incremental", "response_actions", "headers", "auth"};
  for (const auto& [k, v] : n.members) {
    if (k == "path") {
      DLT_ASSIGN_OR_RETURN(e->path, Str(c, v, k));
    } else if (k == "method") {
      DLT_ASSIGN_OR_RETURN(e->method, Str(c, v, k));
      e->method = text::ToUpper(e->method);
      static const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
      if (std::find(kMethods.begin(), kMethods.end(), e->method) == kMethods.end()) {
        return c.Error(v, "`method` must be one of GET, POST, PUT, PATCH, DELETE, HEAD");
      }
    } else if (k == "params") {
      if (!v.is_table()) return c.Error(v, "`params` must be a table of query parameters");
      for (const auto& [pk, pv] : v.members) {
        ParamSpec p;
        if (pv.is_table()) {
          const ConfigNode* t = pv.Find("type");
          if (!t || t->kind != Kind::kString || (t->text != "resolve" && t->text != "incremental")) {
            return c.Error(pv, "parameter `" + pk + "` is a table: it needs type = \"resolve\" (with resource and "
                               "field) or type = \"incremental\" (with cursor_path and initial_value)");
          }
          if (t->text == "resolve") {
            p.kind = ParamSpec::Kind::kResolve;
            for (const auto& [rk, rv] : pv.members) {
              if (rk == "type") continue;
              if (rk == "resource") { DLT_ASSIGN_OR_RETURN(p.resource, Str(c, rv, rk)); }
              else if (rk == "field") { DLT_ASSIGN_OR_RETURN(p.field, Str(c, rv, rk)); }
              else return UnknownKey(c, rv, rk, "resolve parameter `" + pk + "`", {"type", "resource", "field"});
            }
            if (p.resource.empty() || p.field.empty()) {
              return c.Error(pv, "resolve parameter `" + pk + "` needs `resource` and `field`");
            }
          } else {
            if (e->incremental) return c.Error(pv, "only one incremental parameter per endpoint");
            DLT_ASSIGN_OR_RETURN(IncrementalParamSpec inc, ParseIncremental(c, pv, true));
            inc.start_param = pk;
            e->incremental = inc;
            p.kind = ParamSpec::Kind::kIncremental;
          }
        } else if (pv.is_scalar()) {
          if (LooksSecretHttpName(pk) && Placeholders(pv.text).empty()) {
            // In code (dlt's dict config, the value read from dlt.secrets) it is sent as dlt
            // sends it, and masked; a pipeline file may not hold it.
            if (!c.allow_inline_secrets) return c.SecretInFile(pv, "query parameter `" + pk + "`", pk);
            p.secret = true;
          }
          p.value = ScalarText(pv);
        } else {
          return c.Error(pv, "parameter `" + pk + "` must be a string, a number or a resolve/incremental table");
        }
        e->params.emplace_back(pk, std::move(p));
      }
    } else if (k == "json") {
      if (!v.is_table() && v.kind != Kind::kArray) return c.Error(v, "`json` must be a table (the request body)");
      e->json = ConfigNodeJson(v);
    } else if (k == "data_selector") {
      DLT_ASSIGN_OR_RETURN(std::string s, Str(c, v, k));
      e->data_selector = s;
    } else if (k == "paginator") {
      DLT_ASSIGN_OR_RETURN(PaginatorSpec p, ParsePaginator(c, v));
      e->paginator = p;
    } else if (k == "incremental") {
      if (!v.is_table()) return c.Error(v, "`incremental` must be a table with start_param, cursor_path, initial_value");
      if (e->incremental) return c.Error(v, "only one incremental per endpoint (in params or in `incremental`)");
      DLT_ASSIGN_OR_RETURN(IncrementalParamSpec inc, ParseIncremental(c, v, false));
      e->incremental = inc;
    } else if (k == "response_actions") {
      if (v.kind != Kind::kArray) return c.Error(v, "`response_actions` must be a list like [{ status_code = 404, action = \"ignore\" }]");
      for (const auto& item : v.items) {
        if (!item.is_table()) return c.Error(item, "each response action must be a table");
        ResponseActionSpec a;
        for (const auto& [ak, av] : item.members) {
          if (ak == "status_code") { DLT_ASSIGN_OR_RETURN(int64_t s, Int(c, av, ak)); a.status_code = s; }
          else if (ak == "content") { DLT_ASSIGN_OR_RETURN(std::string s, Str(c, av, ak)); a.content = s; }
          else if (ak == "action") {
            DLT_ASSIGN_OR_RETURN(a.action, Str(c, av, ak));
            if (a.action != "ignore") return c.Error(av, "the only supported response action is \"ignore\"");
          } else {
            return UnknownKey(c, av, ak, "a response action", {"status_code", "content", "action"});
          }
        }
        if (!a.status_code && !a.content) return c.Error(item, "a response action needs `status_code` or `content`");
        e->response_actions.push_back(a);
      }
    } else if (k == "headers") {
      DLT_RETURN_IF_ERROR(CheckHeaders(c, v, &e->headers, &e->secret_headers));
    } else if (k == "auth") {
      // dlt: endpoint_config.get("auth", client_config.get("auth")).
      DLT_ASSIGN_OR_RETURN(AuthSpec a, ParseAuth(c, v));
      e->auth = a;
    } else {
      return UnknownKey(c, v, k, "endpoint", kKeys);
    }
  }
  return Status::Ok();
}

}  // namespace dlt::rest_api::config_internal
