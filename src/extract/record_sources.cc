// Where the records of a part file came from (extractor.h): <package>/record_sources/<part>.json,
// written by ExtractResource and read for the error messages of later stages.
#include "extract/extractor.h"

#include <cctype>
#include <fstream>

#include "extract/extractor_impl.h"

namespace dlt {

using namespace extract_internal;  // NOLINT: the extract step's own internals (extractor_impl.h)

namespace {

// "orders.jsonl:12" -> ("orders.jsonl:#", 12); "a.json:1 (item 7)" -> ("a.json:1 (item #)", 7):
// the last number of a location, so that consecutive locations are recognized.
std::pair<std::string, int64_t> SplitLastNumber(const std::string& where) {
  size_t end = where.find_last_of("0123456789");
  if (end == std::string::npos) return {where, -1};
  size_t start = end;
  while (start > 0 && std::isdigit(static_cast<unsigned char>(where[start - 1]))) --start;
  if (end - start > 15) return {where, -1};
  return {where.substr(0, start) + "#" + where.substr(end + 1), std::stoll(where.substr(start, end - start + 1))};
}

}  // namespace

namespace extract_internal {

std::filesystem::path RecordSourcesFile(const std::filesystem::path& part_file) {
  return part_file.parent_path().parent_path() / "record_sources" / (part_file.filename().string() + ".json");
}

}  // namespace extract_internal

std::optional<std::string> RecordSourceLocation(const std::filesystem::path& part_file, uint64_t index) {
  std::ifstream in(RecordSourcesFile(part_file));
  if (!in) return std::nullopt;
  auto doc = nlohmann::json::parse(in, nullptr, false);
  if (!doc.is_array()) return std::nullopt;
  const nlohmann::json* best = nullptr;
  for (const auto& seg : doc) {
    if (!seg.is_array() || seg.size() != 2 || !seg[0].is_number_unsigned() || !seg[1].is_string()) return std::nullopt;
    if (seg[0].get<uint64_t>() > index) break;
    best = &seg;
  }
  if (best == nullptr) return std::nullopt;
  std::string where = (*best)[1].get<std::string>();
  uint64_t offset = index - (*best)[0].get<uint64_t>();
  if (offset == 0) return where;
  auto [pattern, number] = SplitLastNumber(where);
  if (number < 0) return std::nullopt;
  size_t hash = pattern.rfind('#');
  return pattern.substr(0, hash) + std::to_string(number + static_cast<int64_t>(offset)) + pattern.substr(hash + 1);
}

}  // namespace dlt
