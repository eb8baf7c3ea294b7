#include "extract/rest_api_config.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "common/text.h"
#include "config/secret_names.h"
#include "extract/rest_api_config_internal.h"

namespace dlt::rest_api {

namespace {

using namespace config_internal;  // NOLINT: this reader's own parts (rest_api_config_internal.h)

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

// The strings of a JSON body, object keys included (dlt expands placeholders in both).
void CollectJsonStrings(const Json& j, std::vector<std::string>* out) {
  if (j.is_string()) {
    out->push_back(j.get<std::string>());
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out->push_back(k);
      CollectJsonStrings(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) CollectJsonStrings(v, out);
  }
}

bool PlaceholderName(std::string_view name) {
  bool ok = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char ch : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-');
  }
  return ok;
}

// Walks `s` as str.format reads it: `on_text` gets the literal text (escapes undone), `on_field`
// each `{name}` (returning false leaves it as it is written).
void ScanFormat(std::string_view s, const std::function<void(std::string_view)>& on_text,
                const std::function<bool(const std::string&)>& on_field) {
  size_t i = 0;
  while (i < s.size()) {
    const char ch = s[i];
    if ((ch == '{' || ch == '}') && i + 1 < s.size() && s[i + 1] == ch) {
      on_text(s.substr(i, 1));
      i += 2;
      continue;
    }
    if (ch == '{') {
      size_t end = s.find_first_of("{}", i + 1);
      if (end != std::string_view::npos && s[end] == '}' && PlaceholderName(s.substr(i + 1, end - i - 1)) &&
          on_field(std::string(s.substr(i + 1, end - i - 1)))) {
        i = end + 1;
        continue;
      }
    }
    on_text(s.substr(i, 1));
    ++i;
  }
}

}  // namespace

std::vector<std::string> Placeholders(std::string_view s) {
  std::vector<std::string> out;
  ScanFormat(s, [](std::string_view) {}, [&](const std::string& name) {
    out.push_back(name);
    return true;
  });
  return out;
}

std::string ExpandPlaceholders(std::string_view s,
                               const std::function<std::optional<std::string>(const std::string&)>& value) {
  std::string out;
  ScanFormat(s, [&](std::string_view text) { out += text; }, [&](const std::string& name) {
    auto v = value(name);
    if (!v) return false;
    out += *v;
    return true;
  });
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
          DLT_RETURN_IF_ERROR(CheckHeaders(c, cv, &spec.client.headers, &spec.client.secret_headers));
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
    } else if (k == "root_key") {
      DLT_ASSIGN_OR_RETURN(bool b, Bool(c, v, k));
      spec.root_key = b;
    } else if (k == "resources") {
      return c.Error(v, "resources are listed at the top level of the pipeline file as [[resources]], not in [source]");
    } else {
      return UnknownKey(c, v, k, "[source]", {"type", "name", "client", "resource_defaults", "root_key"});
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
      // As dlt's _merge_resource_endpoints: what the resource sets replaces the default (an auth,
      // a paginator, an incremental of another kind is not merged key by key); only the
      // endpoint's `json` and `params`, and `columns`, are merged.
      auto drop_set = [](ConfigNode& lower, const ConfigNode& upper, std::initializer_list<const char*> merged) {
        std::erase_if(lower.members, [&](const auto& m) {
          for (const char* keep : merged) {
            if (m.first == keep) return false;
          }
          return upper.Find(m.first) != nullptr;
        });
      };
      const ConfigNode* ep = t.Find("endpoint");
      for (auto& [k, v] : d.members) {
        if (k == "endpoint" && ep && ep->is_table() && v.is_table()) drop_set(v, *ep, {"json", "params"});
      }
      drop_set(d, t, {"endpoint", "columns"});
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
    for (const auto& [hk, hv] : r.endpoint.headers) DLT_RETURN_IF_ERROR(take(hv, false));
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
    if (spec.root_key && !r.options.root_key) r.options.root_key = spec.root_key;
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
