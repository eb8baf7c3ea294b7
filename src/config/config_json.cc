#include "config/config_json.h"

namespace dlt {

nlohmann::ordered_json ConfigNodeJson(const ConfigNode& n) {
  using Json = nlohmann::ordered_json;
  switch (n.kind) {
    case ConfigNode::Kind::kTable: {
      Json o = Json::object();
      for (const auto& [k, v] : n.members) o[k] = ConfigNodeJson(v);
      return o;
    }
    case ConfigNode::Kind::kArray: {
      Json a = Json::array();
      for (const auto& v : n.items) a.push_back(ConfigNodeJson(v));
      return a;
    }
    case ConfigNode::Kind::kBoolean: return n.text == "true";
    case ConfigNode::Kind::kInteger:
    case ConfigNode::Kind::kFloat: {
      Json v = Json::parse(n.text, nullptr, false);
      return v.is_discarded() || !v.is_number() ? Json(n.text) : v;
    }
    case ConfigNode::Kind::kString:
    case ConfigNode::Kind::kDateTime: return n.text;
  }
  return Json();
}

}  // namespace dlt
