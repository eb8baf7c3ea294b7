// The REST API source's requests (rest_api_internal.h): paths into JSON, and the first request
// of a resource built from its endpoint, its parent's row and its incremental values.
#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "extract/rest_api_internal.h"

namespace dlt::rest_api::internal {

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
  if (v->is_boolean()) return v->get<bool>() ? 1 : 0;  // Python's int(True)
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

Json Project(const Json& row, const std::vector<std::string>& fields) {
  Json out = Json::object();
  for (const auto& f : fields) {
    if (const Json* v = First(row, f)) out[f] = *v;
  }
  return out;
}

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
  if (inc.initial_value_json) v.initial = ValueText(Json::parse(*inc.initial_value_json));
  return v;
}

std::string Where(const ResourceSpec& r) { return "resource `" + r.options.name + "`"; }

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
    } else if (name == "incremental.start_value" || name == "incremental.last_value") {
      // Before the first row both are the cursor's value from the state (else initial_value).
      out = inc.start.value_or("");
    } else if (name == "incremental.initial_value") {
      out = inc.initial.value_or("");
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
        // Keys too, as dlt's expand_placeholders ({{ in a key is a brace).
        for (const auto& [k, v] : j.items()) {
          o[ExpandPlaceholders(k, [&](const std::string& n) { return lookup(n, false); })] = expand(v);
        }
        return o;
      }
      return j;
    };
    req.json = expand(*r.endpoint.json);
  }
  // Headers are expanded as params are (dlt's expand_placeholders over headers); those that carry
  // credentials go, as auth does, only to the origin credentials are sent to.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [hk, hv] : r.endpoint.headers) {
    headers.emplace_back(hk, ExpandPlaceholders(hv, [&](const std::string& n) { return lookup(n, false); }));
  }
  if (!missing.empty()) {
    return InvalidArgument(Where(r) + ": a row of `" + r.parent + "` has no field `" + missing +
                           "` (used in the endpoint of `" + r.options.name + "`): " + sh.MaskText(parent_row->dump()));
  }
  req.url = JoinUrl(sh.base_url, path);
  // Endpoint headers override the client's of the same name (names are case-insensitive).
  for (const auto& h : sh.headers) {
    bool overridden = std::any_of(headers.begin(), headers.end(),
                                  [&](const auto& e) { return text::ToLower(e.first) == text::ToLower(h.first); });
    if (!overridden) req.headers.push_back(h);
  }
  for (auto& [hk, hv] : headers) {
    const auto& secret = r.endpoint.secret_headers;
    bool is_secret = std::find(secret.begin(), secret.end(), hk) != secret.end();
    (is_secret ? req.auth_headers : req.headers).emplace_back(hk, std::move(hv));
  }
  return req;
}

}  // namespace dlt::rest_api::internal
