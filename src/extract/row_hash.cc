// Rows hashed as dlt hashes them (extractor.h): base64(shake_128(compact JSON with sorted keys)),
// what the incremental cursor keeps of the rows at its boundary.
#include "extract/extractor.h"

#include <algorithm>

#include "common/hash.h"
#include "common/orjson.h"
#include "common/text.h"
#include "common/typed_json.h"
#include "extract/extractor_impl.h"

namespace dlt {

using namespace extract_internal;  // NOLINT: the extract step's own internals (extractor_impl.h)

namespace extract_internal {

// Compact JSON with object keys sorted (as orjson with OPT_SORT_KEYS writes it).
void SortedJson(dom::element e, std::string& out) {
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      std::vector<std::pair<std::string_view, dom::element>> fields;
      for (auto f : dom::object(e)) fields.emplace_back(f.key, f.value);
      std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        text::AppendJsonString(out, fields[i].first, /*short_escapes=*/true);  // as orjson
        out += ':';
        SortedJson(fields[i].second, out);
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
        SortedJson(item, out);
      }
      out += ']';
      break;
    }
    case dom::element_type::STRING:
      // dlt hashes the row's values as plain JSON: typed-JSON values without their markers.
      text::AppendJsonString(out, typed_json::Strip(std::string_view(e)), /*short_escapes=*/true);
      break;
    case dom::element_type::INT64: out += std::to_string(int64_t(e)); break;
    case dom::element_type::UINT64: out += std::to_string(uint64_t(e)); break;
    case dom::element_type::DOUBLE: out += OrjsonFloat(double(e)); break;
    case dom::element_type::BOOL: out += bool(e) ? "true" : "false"; break;
    case dom::element_type::NULL_VALUE: out += "null"; break;
  }
}

std::string HashOf(dom::element e) {
  std::string json;
  SortedJson(e, json);
  return hash::Base64Encode(hash::Shake128(json, 15), false);
}

}  // namespace extract_internal

StatusOr<std::string> IncrementalRowHash(std::string_view json) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc)) {
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  return HashOf(doc);
}

}  // namespace dlt
