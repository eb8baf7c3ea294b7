// The active profile's configuration for dlt.config / dlt.secrets and the injection of source
// arguments (python/dlt/common/configuration/): exact-path lookups that report every place
// tried, in dlt's (provider, key) form, and the files each provider read or probed.
#include <pybind11/stl.h>

#include <set>
#include <utility>

#include "common/text.h"
#include "normalize/schema_settings.h"
#include "py_pipeline.h"

namespace dlt::python {

namespace py = pybind11;

namespace {

py::object ToPython(const ConfigNode& n) {
  switch (n.kind) {
    case ConfigNode::Kind::kString:
    case ConfigNode::Kind::kDateTime:
      return py::str(n.text);
    case ConfigNode::Kind::kInteger:
      return py::reinterpret_steal<py::object>(PyLong_FromString(n.text.c_str(), nullptr, 10));
    case ConfigNode::Kind::kFloat:
      return py::float_(std::stod(n.text));
    case ConfigNode::Kind::kBoolean:
      return py::bool_(n.text == "true");
    case ConfigNode::Kind::kArray: {
      py::list out;
      for (const auto& item : n.items) out.append(ToPython(item));
      return out;
    }
    case ConfigNode::Kind::kTable: {
      py::dict out;
      for (const auto& [k, v] : n.members) out[py::str(k)] = ToPython(v);
      return out;
    }
  }
  return py::none();
}

// Raises dlt's ValueNotSecretException (provider, key, the engine's message with file and line).
[[noreturn]] void RaiseValueNotSecret(const std::string& dotted, const Status& s) {
  py::object type = py::module_::import("dlt.common.configuration.exceptions").attr("ValueNotSecretException");
  py::object e = type(std::string(ProviderName(ProviderKind::kConfigToml)), dotted, s.message());
  PyErr_SetObject(type.ptr(), e.ptr());
  throw py::error_already_set();
}

// (found, value, origin, [(provider, key) tried]) for the exact `path` (no sections dropped).
// `secret`: a secret may not come from config.toml, which is not listed as tried: one found there
// (and nowhere before it) raises ValueNotSecretException, as does a value in config.toml under a
// secret key name (`password`, `api_key`, ...), as every lookup of the engine does.
// `secrets_only`: dlt.secrets[...] reads the environment and secrets.toml only.
py::tuple Lookup(const PyWorkspace& w, const std::vector<std::string>& path, bool secret, bool secrets_only) {
  if (path.empty()) throw py::value_error("an empty configuration key");
  ConfigKey key;
  key.sections.assign(path.begin(), path.end() - 1);
  key.key = path.back();
  key.secret = secret || secrets_only;
  key.drop_sections = false;
  const ConfigResolver& resolver = w.get().config();
  py::list tried;
  std::set<std::pair<std::string, std::string>> seen;
  const ConfigCandidate* winner = nullptr;
  const ConfigCandidate* in_config = nullptr;  // the first config.toml value
  std::vector<ConfigCandidate> candidates = resolver.Explain(key);
  for (const auto& c : candidates) {
    if (c.provider == ProviderKind::kConfigToml && c.value && !in_config) in_config = &c;
    if ((key.secret || secrets_only) && c.provider == ProviderKind::kConfigToml) continue;
    std::string shown = c.provider == ProviderKind::kEnvironment ? c.location : key.Dotted();
    if (seen.emplace(std::string(ProviderName(c.provider)), shown).second) {
      tried.append(py::make_tuple(std::string(ProviderName(c.provider)), shown));
    }
    if (!winner && c.value) winner = &c;
  }
  if (!winner && (secrets_only || !in_config)) return py::make_tuple(false, py::none(), py::none(), tried);
  if (!secrets_only) {
    // The engine's own resolution (with its check that secrets stay out of config.toml).
    StatusOr<std::optional<ResolvedValue>> r = resolver.Resolve(key);
    if (!r.ok() && r.status().message().rfind(kSecretInConfigMessage, 0) == 0) {
      RaiseValueNotSecret(in_config ? text::Join(in_config->path, ".") : key.Dotted(), r.status());
    }
    if (!r.ok()) throw EngineError(r.status());
    if (!r->has_value()) return py::make_tuple(false, py::none(), py::none(), tried);
    return py::make_tuple(true, ToPython((*r)->value), (*r)->origin.Describe(), tried);
  }
  return py::make_tuple(true, ToPython(*winner->value), winner->location, tried);
}

// [(provider, [files read], [files probed but absent])] for the TOML providers.
py::list ProviderLocations(const PyWorkspace& w) {
  py::list out;
  for (ProviderKind kind : {ProviderKind::kSecretsToml, ProviderKind::kConfigToml}) {
    py::list loaded, probed;
    for (const auto& layer : w.get().layers()) {
      if (layer.provider != kind) continue;
      (layer.present() ? loaded : probed).append(layer.path.string());
    }
    out.append(py::make_tuple(std::string(ProviderName(kind)), loaded, probed));
  }
  return out;
}

}  // namespace

void RegisterSchemaSettings(py::module_& m) {
  // Settings are checked by the compiler the normalizer uses (its regex dialect included).
  m.def("schema_settings_error", [](const std::string& json) -> std::optional<std::string> {
    OrderedJson doc = OrderedJson::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::string("schema settings must be a JSON object");
    auto compiled = SchemaSettings::Compile(doc);
    if (compiled.ok()) return std::nullopt;
    return compiled.status().message();
  });
}

void RegisterConfig(py::class_<PyWorkspace>& cls) {
  cls.def("lookup", &Lookup, py::arg("path"), py::arg("secret") = false, py::arg("secrets_only") = false)
      .def("provider_locations", &ProviderLocations)
      .def("profiles", [](const PyWorkspace& w) {
        std::vector<std::string> names;
        for (const auto& p : w.get().ListProfiles()) names.push_back(p.name);
        return names;
      });
}

}  // namespace dlt::python
