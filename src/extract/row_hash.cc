// Rows hashed as dlt hashes them (extractor.h): base64(shake_128(compact JSON with sorted keys)),
// what the incremental cursor keeps of the rows at its boundary.
#include "extract/extractor.h"

#include "common/hash.h"
#include "common/sorted_json.h"
#include "extract/extractor_impl.h"

namespace dlt {

using namespace extract_internal;  // NOLINT: the extract step's own internals (extractor_impl.h)

namespace extract_internal {

// dlt hashes the row's values as plain JSON: typed-JSON values without their markers.
void SortedJson(dom::element e, std::string& out) { AppendSortedJson(e, out, /*strip_markers=*/true); }

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
