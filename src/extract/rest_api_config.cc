#include "extract/rest_api_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/text.h"
#include "config/secret_names.h"

namespace dlt::rest_api {

namespace {

using Kind = ConfigNode::Kind;

struct Ctx {
  std::string file;
  std::string source_name;
  bool allow_inline_secrets = false;

  Status Error(const ConfigNode& n, const std::string& what) const {
    return InvalidArgument(file + ":" + std::to_string(n.where.line) + ":" + std::to_string(n.where.column) + ": " + what);
  }

  // A literal secret in the pipeline file: say where it belongs instead.
  Status SecretInFile(const ConfigNode& n, const std::string& what, const std::string& key) const {
    std::string env = "SOURCES__" + text::ToUpper(source_name) + "__" + text::ToUpper(key);
    return Error(n, what + " is a secret and does not belong in the pipeline file (pipeline files are meant to be "
                           "committed). Remove it and put it in .dlt/secrets.toml (or .dlt/<profile>.secrets.toml):\n"
                           "  [sources." + source_name + "]\n  " + key + " = \"...\"\n"
                           "or set the environment variable " + env + ".");
  }
};

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

// A scalar as the text sent in a URL.
std::string ScalarText(const ConfigNode& n) { return n.text; }

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

Status CheckHeaders(const Ctx& c, const ConfigNode& n, std::vector<std::pair<std::string, std::string>>* out) {
  if (!n.is_table()) return c.Error(n, "`headers` must be a table of header names and values");
  for (const auto& [k, v] : n.members) {
    if (!v.is_scalar()) return c.Error(v, "header `" + k + "` must be a string");
    if (LooksSecretHttpName(k)) {
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
                  "stop_after_empty_page", "has_more_path"}},
      {"page_number", {"base_page", "page", "page_param", "total_path", "maximum_page", "stop_after_empty_page",
                       "has_more_path"}},
      {"cursor", {"cursor_path", "cursor_param"}},
      {"header_cursor", {"cursor_key", "cursor_param"}},
  };
  if (p.type == "header_cursor") p.cursor_param = "cursor";  // dlt's default for this paginator
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
    }
  }
  if (p.type == "offset" && p.limit <= 0) {
    return c.Error(n, "the offset paginator needs `limit` (the page size), e.g. { type = \"offset\", limit = 100 }");
  }
  return p;
}

StatusOr<AuthSpec> ParseAuth(const Ctx& c, const ConfigNode& n) {
  if (!n.is_table()) {
    return c.Error(n, "`auth` must be a table like { type = \"bearer\" } (the token itself goes in .dlt/secrets.toml)");
  }
  AuthSpec a;
  static const std::vector<std::string> kTypes = {"bearer", "api_key", "http_basic"};
  const ConfigNode* t = n.Find("type");
  for (const auto& [k, v] : n.members) {
    if (k == "token" || k == "api_key" || k == "password") {
      if (!c.allow_inline_secrets) return c.SecretInFile(v, "`" + k + "`", k);
      if (!v.is_scalar()) return c.Error(v, "`" + k + "` must be a string");
      a.inline_secrets.emplace(k, Secret(v.text));
    }
  }
  if (!t) {
    return c.Error(n, "`auth` needs a `type`: bearer, api_key or http_basic (the secret parts go in .dlt/secrets.toml "
                      "under [sources." + c.source_name + "])");
  }
  DLT_ASSIGN_OR_RETURN(a.type, Str(c, *t, "type"));
  if (std::find(kTypes.begin(), kTypes.end(), a.type) == kTypes.end()) {
    std::string msg = "unsupported auth type `" + a.type + "`.";
    if (auto s = text::Suggest(a.type, kTypes)) msg += " Did you mean `" + *s + "`?";
    return c.Error(*t, msg + " Types: bearer, api_key, http_basic");
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
    } else {
      std::vector<std::string> known = {"type"};
      if (a.type == "api_key") known = {"type", "name", "location"};
      if (a.type == "http_basic") known = {"type", "username"};
      return UnknownKey(c, v, k, "auth (" + a.type + ")", known);
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
                                                 "incremental", "response_actions", "headers"};
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
            return c.SecretInFile(pv, "query parameter `" + pk + "`", pk);
          }
          p.value = ScalarText(pv);
        } else {
          return c.Error(pv, "parameter `" + pk + "` must be a string, a number or a resolve/incremental table");
        }
        e->params.emplace_back(pk, std::move(p));
      }
    } else if (k == "json") {
      if (!v.is_table() && v.kind != Kind::kArray) return c.Error(v, "`json` must be a table (the request body)");
      e->json = ToJson(v);
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
      DLT_RETURN_IF_ERROR(CheckHeaders(c, v, &e->headers));
    } else if (k == "auth") {
      return c.Error(v, "`auth` belongs in [source.client]");
    } else {
      return UnknownKey(c, v, k, "endpoint", kKeys);
    }
  }
  return Status::Ok();
}

// Where a placeholder reads from.
struct PlaceholderRef {
  std::string parent;  // "" for incremental placeholders
  std::string field;
};

StatusOr<std::optional<PlaceholderRef>> Classify(const Ctx& c, const ConfigNode& where, const std::string& name,
                                                 const EndpointSpec& e, bool allow_legacy) {
  if (name.starts_with("resources.")) {
    std::string rest = name.substr(10);
    size_t dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 >= rest.size()) {
      return c.Error(where, "placeholder `{" + name + "}` must read {resources.<parent resource>.<field>}");
    }
    return std::optional<PlaceholderRef>(PlaceholderRef{rest.substr(0, dot), rest.substr(dot + 1)});
  }
  if (name.starts_with("incremental.")) {
    std::string what = name.substr(12);
    if (what != "start_value" && what != "end_value" && what != "last_value" && what != "initial_value") {
      return c.Error(where, "placeholder `{" + name + "}`: use {incremental.start_value} or {incremental.end_value}");
    }
    if (!e.incremental) {
      return c.Error(where, "placeholder `{" + name + "}` needs an incremental (endpoint.incremental = { cursor_path = ..., initial_value = ... })");
    }
    return std::optional<PlaceholderRef>();
  }
  if (allow_legacy) {
    for (const auto& [pk, pv] : e.params) {
      if (pk == name && pv.kind == ParamSpec::Kind::kResolve) return std::optional<PlaceholderRef>();
    }
  }
  return c.Error(where, "unknown placeholder `{" + name + "}`: use {resources.<parent resource>.<field>}, or define "
                        "params." + name + " = { type = \"resolve\", resource = \"<parent>\", field = \"<field>\" }");
}

void CollectJsonStrings(const Json& j, std::vector<std::string>* out) {
  if (j.is_string()) out->push_back(j.get<std::string>());
  else if (j.is_array() || j.is_object()) {
    for (const auto& v : j) CollectJsonStrings(v, out);
  }
}

}  // namespace

Json ToJson(const ConfigNode& n) {
  switch (n.kind) {
    case Kind::kString:
    case Kind::kDateTime: return Json(n.text);
    case Kind::kInteger: return Json(std::stoll(n.text));
    case Kind::kFloat: return Json(std::stod(n.text));
    case Kind::kBoolean: return Json(n.text == "true");
    case Kind::kArray: {
      Json a = Json::array();
      for (const auto& i : n.items) a.push_back(ToJson(i));
      return a;
    }
    case Kind::kTable: {
      Json o = Json::object();
      for (const auto& [k, v] : n.members) o[k] = ToJson(v);
      return o;
    }
  }
  return Json();
}

std::vector<std::string> Placeholders(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '{') continue;
    size_t end = s.find('}', i + 1);
    if (end == std::string_view::npos) break;
    std::string_view name = s.substr(i + 1, end - i - 1);
    bool ok = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char ch : name) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-');
    }
    if (ok) {
      out.emplace_back(name);
      i = end;
    }
  }
  return out;
}

std::string ExpandPlaceholders(std::string_view s,
                               const std::function<std::optional<std::string>(const std::string&)>& value) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '{') {
      size_t end = s.find('}', i + 1);
      if (end != std::string_view::npos) {
        std::string name(s.substr(i + 1, end - i - 1));
        auto found = Placeholders("{" + name + "}");
        if (found.size() == 1) {
          if (auto v = value(name)) {
            out += *v;
            i = end + 1;
            continue;
          }
        }
      }
    }
    out += s[i++];
  }
  return out;
}

const ResourceSpec* RestApiSpec::Find(const std::string& name) const {
  for (const auto& r : resources) {
    if (r.options.name == name) return &r;
  }
  return nullptr;
}

bool RestApiSpec::IsParent(const std::string& name) const {
  for (const auto& r : resources) {
    if (r.parent == name) return true;
  }
  return false;
}

StatusOr<RestApiSpec> ParseRestApiSource(std::string_view file, const ConfigNode& source, const ConfigNode* resources,
                                         const std::string& pipeline_name, const HintParser& hints,
                                         const RestApiParseOptions& options) {
  RestApiSpec spec;
  spec.file = std::string(file);
  Ctx c{spec.file, "", options.allow_inline_secrets};
  // The source name first: messages about secrets name it.
  spec.source_name = pipeline_name;
  if (spec.source_name.ends_with("_pipeline")) spec.source_name.resize(spec.source_name.size() - 9);
  if (const ConfigNode* n = source.Find("name")) {
    DLT_ASSIGN_OR_RETURN(spec.source_name, Str(c, *n, "name"));
    bool ok = !spec.source_name.empty();
    for (char ch : spec.source_name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    if (!ok) return c.Error(*n, "[source] name must be letters, digits and `_` (it is a section in .dlt/*.toml)");
  }
  c.source_name = spec.source_name;

  const ConfigNode* defaults = nullptr;
  for (const auto& [k, v] : source.members) {
    if (k == "type" || k == "name") continue;
    if (k == "client") {
      if (!v.is_table()) return c.Error(v, "[source.client] must be a table");
      for (const auto& [ck, cv] : v.members) {
        if (ck == "base_url") {
          DLT_ASSIGN_OR_RETURN(spec.client.base_url, Str(c, cv, ck));
          if (!spec.client.base_url.starts_with("http://") && !spec.client.base_url.starts_with("https://")) {
            return c.Error(cv, "`base_url` must start with http:// or https://");
          }
          spec.client.base_url_where = c.file + ":" + std::to_string(cv.where.line) + ":" + std::to_string(cv.where.column);
        } else if (ck == "headers") {
          DLT_RETURN_IF_ERROR(CheckHeaders(c, cv, &spec.client.headers));
        } else if (ck == "auth") {
          DLT_ASSIGN_OR_RETURN(spec.client.auth, ParseAuth(c, cv));
        } else if (ck == "paginator") {
          DLT_ASSIGN_OR_RETURN(PaginatorSpec p, ParsePaginator(c, cv));
          spec.client.paginator = p;
        } else if (ck == "concurrency") {
          DLT_ASSIGN_OR_RETURN(int64_t n, Int(c, cv, ck));
          if (n < 1 || n > 64) return c.Error(cv, "`concurrency` must be between 1 and 64");
          spec.client.concurrency = static_cast<int>(n);
        } else {
          return UnknownKey(c, cv, ck, "[source.client]", {"base_url", "headers", "auth", "paginator", "concurrency"});
        }
      }
    } else if (k == "resource_defaults") {
      if (!v.is_table()) return c.Error(v, "[source.resource_defaults] must be a table");
      defaults = &v;
    } else if (k == "resources") {
      return c.Error(v, "resources are listed at the top level of the pipeline file as [[resources]], not in [source]");
    } else {
      return UnknownKey(c, v, k, "[source]", {"type", "name", "client", "resource_defaults"});
    }
  }

  // Every resource as a table, defaults merged under it.
  std::vector<std::pair<std::string, ConfigNode>> tables;  // default name, table
  auto add = [&](const std::string& default_name, const ConfigNode& item) -> Status {
    ConfigNode t;
    if (item.kind == Kind::kString) {
      t = TableNode(item.where);
      t.members.emplace_back("name", item);
      ConfigNode ep = TableNode(item.where);
      ep.members.emplace_back("path", item);
      t.members.emplace_back("endpoint", ep);
    } else if (item.is_table()) {
      t = item;
    } else {
      return c.Error(item, "a resource must be a table (or a string: the endpoint path and name)");
    }
    for (auto& [k, v] : t.members) {
      if (k == "endpoint" && v.kind == Kind::kString) {
        ConfigNode ep = TableNode(v.where);
        ep.members.emplace_back("path", v);
        v = ep;
      }
    }
    if (defaults) {
      ConfigNode d = *defaults;
      for (auto& [k, v] : d.members) {
        if (k == "endpoint" && v.kind == Kind::kString) {
          ConfigNode ep = TableNode(v.where);
          ep.members.emplace_back("path", v);
          v = ep;
        }
      }
      t.MergeUnder(d);
    }
    tables.emplace_back(default_name, std::move(t));
    return Status::Ok();
  };
  if (resources) {
    if (resources->kind == Kind::kArray) {
      for (const auto& item : resources->items) DLT_RETURN_IF_ERROR(add("", item));
    } else if (resources->is_table()) {
      for (const auto& [name, item] : resources->members) DLT_RETURN_IF_ERROR(add(name, item));
    }
  }

  static const std::vector<std::string> kRestKeys = {"endpoint", "selected", "include_from_parent", "parallelized"};
  std::vector<ResourceSpec> parsed;
  for (auto& [default_name, t] : tables) {
    ResourceSpec r;
    ConfigNode hint_table = TableNode(t.where);
    const ConfigNode* endpoint = nullptr;
    for (const auto& [k, v] : t.members) {
      if (k == "endpoint") {
        if (!v.is_table()) return c.Error(v, "`endpoint` must be a table like { path = \"items\" } or a path");
        endpoint = &v;
      } else if (k == "selected") {
        DLT_ASSIGN_OR_RETURN(r.selected, Bool(c, v, k));
      } else if (k == "include_from_parent") {
        DLT_ASSIGN_OR_RETURN(r.include_from_parent, Strs(c, v, k));
      } else if (k == "parallelized") {
        DLT_ASSIGN_OR_RETURN(bool b, Bool(c, v, k));
        (void)b;  // dependent resources always fetch in parallel (client.concurrency)
      } else if (k == "path" || k == "paths" || k == "format" || k == "params" || k == "method" ||
                 k == "data_selector" || k == "paginator" || k == "json") {
        return c.Error(v, "`" + k + "` of a rest_api resource belongs in its endpoint: endpoint = { " + k + " = ... }");
      } else if (k == "processing_steps") {
        return c.Error(v, "`processing_steps` (Python callables in dlt) are not supported in pipeline files");
      } else {
        hint_table.members.emplace_back(k, v);
      }
    }
    auto opts = hints(hint_table, default_name);
    if (!opts.ok()) {
      // The hint parser lists its own keys; add ours.
      std::string msg = opts.status().message();
      if (msg.find("Known keys:") != std::string::npos) msg += ", " + text::Join(kRestKeys, ", ");
      return Status(opts.status().code(), msg);
    }
    r.options = std::move(opts).value();
    if (endpoint) {
      DLT_RETURN_IF_ERROR(ParseEndpoint(c, *endpoint, &r.endpoint));
    }
    if (r.endpoint.path.empty()) r.endpoint.path = r.options.name;
    const ConfigNode& where = endpoint ? *endpoint : t;

    // Incremental through a request parameter: the cursor is tracked like any incremental.
    if (r.endpoint.incremental) {
      const auto& inc = *r.endpoint.incremental;
      if (r.options.incremental) {
        return c.Error(where, "resource `" + r.options.name + "` has an incremental both on the resource and in its endpoint; keep one");
      }
      IncrementalOptions io;
      io.cursor_path = inc.cursor_path;
      io.initial_value_json = inc.initial_value_json;
      io.end_value_json = inc.end_value_json;
      io.on_cursor_value_missing = inc.on_cursor_value_missing;
      r.options.incremental = io;
    }

    // Placeholders: which parent, which fields.
    std::vector<PlaceholderRef> refs;
    auto take = [&](const std::string& s, bool allow_legacy) -> Status {
      for (const auto& name : Placeholders(s)) {
        DLT_ASSIGN_OR_RETURN(auto ref, Classify(c, where, name, r.endpoint, allow_legacy));
        if (ref) refs.push_back(*ref);
      }
      return Status::Ok();
    };
    DLT_RETURN_IF_ERROR(take(r.endpoint.path, true));
    for (const auto& [pk, pv] : r.endpoint.params) {
      if (pv.kind == ParamSpec::Kind::kLiteral) DLT_RETURN_IF_ERROR(take(pv.value, false));
      if (pv.kind == ParamSpec::Kind::kResolve) refs.push_back({pv.resource, pv.field});
    }
    if (r.endpoint.json) {
      std::vector<std::string> strings;
      CollectJsonStrings(*r.endpoint.json, &strings);
      for (const auto& s : strings) DLT_RETURN_IF_ERROR(take(s, false));
    }
    for (const auto& ref : refs) {
      if (!r.parent.empty() && r.parent != ref.parent) {
        return c.Error(where, "resource `" + r.options.name + "` reads from two resources (`" + r.parent + "` and `" +
                                  ref.parent + "`); a resource can depend on one parent only");
      }
      r.parent = ref.parent;
      if (std::find(r.parent_fields.begin(), r.parent_fields.end(), ref.field) == r.parent_fields.end()) {
        r.parent_fields.push_back(ref.field);
      }
    }
    if (!r.include_from_parent.empty() && r.parent.empty()) {
      return c.Error(where, "`include_from_parent` of resource `" + r.options.name +
                                "` needs a parent: use {resources.<parent>.<field>} in the endpoint path or params");
    }
    for (const auto& f : r.include_from_parent) {
      if (std::find(r.parent_fields.begin(), r.parent_fields.end(), f) == r.parent_fields.end()) {
        r.parent_fields.push_back(f);
      }
    }
    if (r.parent == r.options.name) return c.Error(where, "resource `" + r.options.name + "` cannot depend on itself");
    parsed.push_back(std::move(r));
  }

  // Names unique, parents exist, no cycles; parents first.
  std::vector<std::string> names;
  for (size_t i = 0; i < parsed.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (parsed[i].options.name == parsed[j].options.name) {
        return InvalidArgument(spec.file + ": resource `" + parsed[i].options.name + "` is defined twice");
      }
    }
    names.push_back(parsed[i].options.name);
  }
  for (const auto& r : parsed) {
    if (!r.parent.empty() && std::find(names.begin(), names.end(), r.parent) == names.end()) {
      std::string msg = spec.file + ": resource `" + r.options.name + "` depends on `" + r.parent + "`, which is not a resource of this file.";
      if (auto s = text::Suggest(r.parent, names)) msg += " Did you mean `" + *s + "`?";
      return InvalidArgument(msg);
    }
  }
  std::set<std::string> placed;
  while (spec.resources.size() < parsed.size()) {
    bool progress = false;
    for (auto& r : parsed) {
      if (placed.count(r.options.name)) continue;
      if (!r.parent.empty() && !placed.count(r.parent)) continue;
      placed.insert(r.options.name);
      spec.resources.push_back(r);
      progress = true;
    }
    if (!progress) {
      std::vector<std::string> left;
      for (const auto& r : parsed) {
        if (!placed.count(r.options.name)) left.push_back(r.options.name);
      }
      return InvalidArgument(spec.file + ": resources " + text::Join(left, ", ") + " depend on each other in a cycle");
    }
  }
  bool any_selected = false;
  for (const auto& r : spec.resources) any_selected = any_selected || r.selected;
  if (!any_selected) return InvalidArgument(spec.file + ": the pipeline has no selected [[resources]]");
  return spec;
}

}  // namespace dlt::rest_api
