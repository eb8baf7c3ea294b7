// The only translation unit that includes toml++: converts TOML text into ConfigNode trees.
#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "dlt/config.h"

namespace dlt {
namespace {

std::string FormatFloat(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

template <typename T>
std::string ToIso(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

ConfigNode Convert(const toml::node& node) {
  ConfigNode out;
  out.where.line = static_cast<int>(node.source().begin.line);
  out.where.column = static_cast<int>(node.source().begin.column);
  switch (node.type()) {
    case toml::node_type::table: {
      out.kind = ConfigNode::Kind::kTable;
      const toml::table& t = *node.as_table();
      std::vector<std::pair<std::string, const toml::node*>> entries;
      for (auto&& [k, v] : t) entries.emplace_back(std::string(k.str()), &v);
      // toml::table is ordered by key; present members in file order instead.
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& sa = a.second->source().begin;
        const auto& sb = b.second->source().begin;
        return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
      });
      for (auto& [k, v] : entries) out.members.emplace_back(k, Convert(*v));
      break;
    }
    case toml::node_type::array: {
      out.kind = ConfigNode::Kind::kArray;
      for (const toml::node& item : *node.as_array()) out.items.push_back(Convert(item));
      break;
    }
    case toml::node_type::string:
      out.kind = ConfigNode::Kind::kString;
      out.text = node.as_string()->get();
      break;
    case toml::node_type::integer:
      out.kind = ConfigNode::Kind::kInteger;
      out.text = std::to_string(node.as_integer()->get());
      break;
    case toml::node_type::floating_point:
      out.kind = ConfigNode::Kind::kFloat;
      out.text = FormatFloat(node.as_floating_point()->get());
      break;
    case toml::node_type::boolean:
      out.kind = ConfigNode::Kind::kBoolean;
      out.text = node.as_boolean()->get() ? "true" : "false";
      break;
    case toml::node_type::date:
      out.kind = ConfigNode::Kind::kDateTime;
      out.text = ToIso(node.as_date()->get());
      break;
    case toml::node_type::time:
      out.kind = ConfigNode::Kind::kDateTime;
      out.text = ToIso(node.as_time()->get());
      break;
    case toml::node_type::date_time:
      out.kind = ConfigNode::Kind::kDateTime;
      out.text = ToIso(node.as_date_time()->get());
      break;
    case toml::node_type::none:
      break;
  }
  return out;
}

}  // namespace

StatusOr<ConfigNode> ParseToml(std::string_view text, std::string_view display_name) {
  try {
    toml::table table = toml::parse(text, display_name);
    ConfigNode root = Convert(table);
    root.where = {1, 1};
    return root;
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    std::string msg(display_name);
    msg += ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) + ": ";
    msg += std::string(e.description());
    return InvalidArgument(std::move(msg));
  }
}

}  // namespace dlt
