#include "common/sorted_json.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "common/orjson.h"
#include "common/text.h"
#include "common/typed_json.h"

namespace dlt {

namespace dom = simdjson::dom;

void AppendSortedJson(dom::element e, std::string& out, bool strip_markers, bool skip_dlt_keys) {
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      std::vector<std::pair<std::string_view, dom::element>> fields;
      for (auto f : dom::object(e)) {
        if (skip_dlt_keys && f.key.starts_with("_dlt")) continue;
        fields.emplace_back(f.key, f.value);
      }
      std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        text::AppendJsonString(out, fields[i].first, /*short_escapes=*/true);  // as orjson
        out += ':';
        AppendSortedJson(fields[i].second, out, strip_markers);
      }
      out += '}';
      break;
    }
    case dom::element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (dom::element item : dom::array(e)) {
        if (!first) out += ',';
        first = false;
        AppendSortedJson(item, out, strip_markers);
      }
      out += ']';
      break;
    }
    case dom::element_type::STRING:
      text::AppendJsonString(out, strip_markers ? typed_json::Strip(std::string_view(e)) : std::string_view(e),
                             /*short_escapes=*/true);
      break;
    case dom::element_type::INT64: out += std::to_string(int64_t(e)); break;
    case dom::element_type::UINT64: out += std::to_string(uint64_t(e)); break;
    case dom::element_type::DOUBLE: out += OrjsonFloat(double(e)); break;
    case dom::element_type::BOOL: out += bool(e) ? "true" : "false"; break;
    case dom::element_type::NULL_VALUE: out += "null"; break;
  }
}

}  // namespace dlt
