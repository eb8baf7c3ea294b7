// The incremental cursor (extractor.h): which records pass it, as dlt's Incremental, and the
// state it leaves (last_value, unique_hashes of the rows at the boundary).
#include "extract/extractor.h"

#include <charconv>
#include <cstdlib>

#include "common/hash.h"
#include "common/iso8601.h"
#include "common/text.h"
#include "common/typed_json.h"
#include "extract/extractor_impl.h"

namespace dlt {

using namespace extract_internal;  // NOLINT: the extract step's own internals (extractor_impl.h)

namespace extract_internal {

namespace {

nlohmann::ordered_json ToJson(dom::element e) {
  switch (e.type()) {
    case dom::element_type::STRING: return std::string(std::string_view(e));
    case dom::element_type::INT64: return int64_t(e);
    case dom::element_type::UINT64: return uint64_t(e);
    case dom::element_type::DOUBLE: return double(e);
    case dom::element_type::BOOL: return bool(e);
    case dom::element_type::NULL_VALUE: return nullptr;
    default: return nlohmann::ordered_json::parse(simdjson::minify(e));
  }
}

std::optional<CursorKey> KeyOf(const nlohmann::ordered_json& v) {
  CursorKey k;
  if (v.is_number()) {
    k.numeric = true;
    k.num = v.get<double>();
    if (v.is_number_integer()) k.decimal = v.dump();
    return k;
  }
  if (v.is_string()) {
    // A typed-JSON value compares as its value: the marker goes (the state keeps it), a
    // decimal compares as a number.
    auto marker = typed_json::MarkerOf(v.get_ref<const std::string&>());
    std::string_view s = typed_json::Strip(v.get_ref<const std::string&>());
    if ((marker == typed_json::Marker::kDecimal || marker == typed_json::Marker::kWei) &&
        typed_json::IsDecimalText(s)) {
      k.numeric = true;
      k.decimal = std::string(s);
      k.num = std::strtod(k.decimal.c_str(), nullptr);
      return k;
    }
    // Dates and datetimes compare as UTC instants (a date at midnight), as dlt coerces them.
    auto p = iso8601::ParseIsoLike(s);
    auto instant = p ? iso8601::UtcInstant(*p) : std::nullopt;
    k.text = instant ? *instant : std::string(s);
    return k;
  }
  return std::nullopt;
}

// `a.b`, `$.a.b`, `$['a']['b']`, `items[0].ts`, `items[*].ts`, `items.*.ts`; `$` alone is the item.
std::vector<CursorStep> CursorPath(const std::string& p) {
  std::vector<CursorStep> out;
  size_t i = p.starts_with("$") ? 1 : 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      continue;
    }
    CursorStep step;
    if (p[i] == '[') {
      size_t j = p.find(']', i);
      if (j == std::string::npos) j = p.size();
      std::string inner(text::Trim(std::string_view(p).substr(i + 1, j - i - 1)));
      int64_t index = 0;
      auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), index);
      if (inner == "*") {
        step.kind = CursorStep::Kind::kAny;
      } else if (inner.size() >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner.back() == inner[0]) {
        step.key = inner.substr(1, inner.size() - 2);
      } else if (!inner.empty() && ec == std::errc() && end == inner.data() + inner.size()) {
        step.kind = CursorStep::Kind::kIndex;
        step.index = index;
      } else {
        step.key = inner;
      }
      i = j + 1;
    } else {
      size_t j = p.find_first_of(".[", i);
      if (j == std::string::npos) j = p.size();
      step.key = p.substr(i, j - i);
      if (step.key == "*") step.kind = CursorStep::Kind::kAny;
      i = j;
    }
    out.push_back(std::move(step));
  }
  return out;
}

// The value at steps [i, end) under `e`; false when there is none.
bool FindAt(dom::element e, const std::vector<CursorStep>& path, size_t i, dom::element* out) {
  if (i == path.size()) {
    *out = e;
    return true;
  }
  const CursorStep& s = path[i];
  switch (s.kind) {
    case CursorStep::Kind::kKey: {
      if (e.type() != dom::element_type::OBJECT) return false;
      auto r = dom::object(e)[s.key];
      return !r.error() && FindAt(r.value(), path, i + 1, out);
    }
    case CursorStep::Kind::kIndex: {
      if (e.type() != dom::element_type::ARRAY) return false;
      dom::array a(e);
      const int64_t n = static_cast<int64_t>(a.size());
      const int64_t at = s.index < 0 ? n + s.index : s.index;
      if (at < 0 || at >= n) return false;
      auto r = a.at(static_cast<size_t>(at));
      return !r.error() && FindAt(r.value(), path, i + 1, out);
    }
    case CursorStep::Kind::kAny:
      if (e.type() == dom::element_type::ARRAY) {
        for (dom::element item : dom::array(e)) {
          if (FindAt(item, path, i + 1, out)) return true;
        }
      } else if (e.type() == dom::element_type::OBJECT) {
        for (auto field : dom::object(e)) {
          if (FindAt(field.value, path, i + 1, out)) return true;
        }
      }
      return false;
  }
  return false;
}

}  // namespace

IncrementalFilter::IncrementalFilter(const IncrementalSpec& spec, nlohmann::ordered_json* state)
    : spec_(spec), state_(state) {
  path_ = CursorPath(spec.cursor_path);
  dir_ = spec.decreasing ? -1 : 1;
  if (spec.end_value) {
    // A backfill range, as dlt's end_value: starts at initial_value whatever the stored cursor
    // says, and leaves the stored state as it is (this filter keeps a scratch state).
    scratch_ = nlohmann::ordered_json::object();
    state_ = &scratch_;
    end_key_ = KeyOf(*spec.end_value);
  }
  if (!state_->is_object()) *state_ = nlohmann::ordered_json::object();
  if (!state_->contains("initial_value")) {
    (*state_)["initial_value"] = spec.initial_value ? *spec.initial_value : nlohmann::ordered_json(nullptr);
  }
  if (state_->contains("last_value") && !(*state_)["last_value"].is_null()) {
    start_ = (*state_)["last_value"];
  } else if (spec.initial_value) {
    start_ = *spec.initial_value;
  }
  if (!start_.is_null()) start_key_ = KeyOf(start_);
  if (state_->contains("unique_hashes") && (*state_)["unique_hashes"].is_array()) {
    for (const auto& h : (*state_)["unique_hashes"]) {
      if (h.is_string()) old_hashes_.insert(h.get<std::string>());
    }
  }
}

StatusOr<bool> IncrementalFilter::Keep(dom::element record, const std::string& where) {
  dom::element v;
  const bool found = record.type() == dom::element_type::OBJECT && FindAt(record, path_, 0, &v);
  if (!found || v.type() == dom::element_type::NULL_VALUE) {
    if (spec_.on_cursor_value_missing == "include") return true;
    if (spec_.on_cursor_value_missing == "exclude") return false;
    return InvalidArgument(where + ": the record has " + (found ? "the value None" : "no value") +
                           " for the incremental cursor `" + spec_.cursor_path +
                           "` (set on_cursor_value_missing = \"include\" or \"exclude\" to accept such records)");
  }
  nlohmann::ordered_json value = ToJson(v);
  auto key = KeyOf(value);
  if (!key) {
    return InvalidArgument(where + ": the incremental cursor `" + spec_.cursor_path +
                           "` must be a number or a string, got " + value.dump());
  }
  if (start_key_) {
    if ((key->numeric != start_key_->numeric)) {
      return InvalidArgument(where + ": the incremental cursor `" + spec_.cursor_path + "` value " + value.dump() +
                             " cannot be compared with the last value " + start_.dump());
    }
    int c = dir_ * key->Compare(*start_key_);
    if (c < 0) return false;
    if (c == 0 && spec_.range_start_open) return false;
    if (c == 0 && !old_hashes_.empty()) {
      DLT_ASSIGN_OR_RETURN(std::optional<std::string> h, UniqueValue(record, where));
      if (h && old_hashes_.count(*h)) return false;
      // States written before boundary rows were known by their primary key hold whole-row
      // hashes: such a row was loaded too, and must not be loaded again after an upgrade.
      if (h && spec_.dedup_key && old_hashes_.count(HashOf(record))) return false;
    }
  }
  if (end_key_) {
    if (key->numeric != end_key_->numeric) {
      return InvalidArgument(where + ": the incremental cursor `" + spec_.cursor_path + "` value " + value.dump() +
                             " cannot be compared with the end value " + spec_.end_value->dump());
    }
    int e = dir_ * key->Compare(*end_key_);
    if (e > 0 || (e == 0 && !spec_.range_end_closed)) return false;
  }
  if (!max_key_ || dir_ * key->Compare(*max_key_) > 0) {
    max_key_ = key;
    max_ = value;
    max_hashes_.clear();
    max_hash_set_.clear();
  }
  if (key->Compare(*max_key_) == 0) {
    DLT_ASSIGN_OR_RETURN(std::optional<std::string> h, UniqueValue(record, where));
    // A set, as dlt keeps it: rows sharing a key value at the boundary give one hash.
    if (h && max_hash_set_.insert(*h).second) max_hashes_.push_back(*h);
  }
  return true;
}

StatusOr<std::optional<std::string>> IncrementalFilter::UniqueValue(dom::element record, const std::string& where) {
  if (!spec_.dedup_key) return std::optional<std::string>(HashOf(record));
  const auto& keys = *spec_.dedup_key;
  if (keys.empty()) return std::optional<std::string>();
  std::string json;
  if (spec_.dedup_key_is_list) json += '[';
  for (size_t i = 0; i < keys.size(); ++i) {
    dom::element v;
    if (record.type() != dom::element_type::OBJECT || dom::object(record)[keys[i]].get(v)) {
      return InvalidArgument(where + ": the record has no value for the primary key `" + keys[i] + "` of " +
                             (spec_.resource_name.empty() ? std::string("the resource")
                                                          : "resource `" + spec_.resource_name + "`") +
                             ", which the incremental cursor uses to de-duplicate rows at its last value "
                             "(give every record the key, or set the incremental's primary_key = [] to turn "
                             "de-duplication off)");
    }
    if (i) json += ',';
    SortedJson(v, json);
  }
  if (spec_.dedup_key_is_list) json += ']';
  return std::optional<std::string>(hash::Base64Encode(hash::Shake128(json, 15), false));
}

void IncrementalFilter::Finish() {
  auto& s = *state_;
  if (max_key_ && (!start_key_ || dir_ * max_key_->Compare(*start_key_) > 0)) {
    s["last_value"] = max_;
    s["unique_hashes"] = max_hashes_;
  } else if (max_key_ && spec_.dedup_key && spec_.dedup_key->empty()) {
    s["last_value"] = start_;
    s["unique_hashes"] = nlohmann::ordered_json::array();
  } else if (max_key_) {
    // Only rows equal to the last value were new: remember them too.
    std::vector<std::string> all(old_hashes_.begin(), old_hashes_.end());
    for (const auto& h : max_hashes_) {
      if (!old_hashes_.count(h)) all.push_back(h);
    }
    s["last_value"] = start_;
    s["unique_hashes"] = all;
  } else {
    // Nothing new passed the cursor: the state stays exactly as it was (no state-only load
    // package for a run that found no new data).
    if (!s.contains("last_value")) s["last_value"] = start_.is_null() ? nlohmann::ordered_json(nullptr) : start_;
    if (!s.contains("unique_hashes")) s["unique_hashes"] = nlohmann::ordered_json::array();
    if (!s.contains("start_value")) s["start_value"] = start_;
    return;
  }
  // An open range start never reads the rows at the last value again: as dlt, no hashes kept.
  if (spec_.range_start_open) s["unique_hashes"] = nlohmann::ordered_json::array();
  s["start_value"] = start_;
}

}  // namespace extract_internal

struct IncrementalRowFilter::Impl {
  Impl(const IncrementalSpec& spec, nlohmann::ordered_json* state) : filter(spec, state) {}
  IncrementalFilter filter;
  dom::parser parser;
  std::string padded;
};

std::optional<IncrementalSpec> IncrementalSpecOf(const ResourceOptions& o) {
  if (!o.incremental) return std::nullopt;
  const IncrementalOptions& io = *o.incremental;
  IncrementalSpec spec;
  spec.cursor_path = io.cursor_path;
  if (io.initial_value_json) spec.initial_value = nlohmann::ordered_json::parse(*io.initial_value_json);
  spec.on_cursor_value_missing = io.on_cursor_value_missing;
  if (io.primary_key) {
    spec.dedup_key = *io.primary_key;
    spec.dedup_key_is_list = io.primary_key_is_list;
  } else if (!o.primary_key.empty()) {
    spec.dedup_key = o.primary_key;
    spec.dedup_key_is_list = o.primary_key_is_list;
  }
  spec.resource_name = o.name;
  if (io.end_value_json) spec.end_value = nlohmann::ordered_json::parse(*io.end_value_json);
  spec.decreasing = io.last_value_func == "min";
  spec.range_start_open = io.range_start == "open";
  spec.range_end_closed = io.range_end == "closed";
  return spec;
}

IncrementalRowFilter::IncrementalRowFilter(const IncrementalSpec& spec, nlohmann::ordered_json* state)
    : impl_(std::make_unique<Impl>(spec, state)) {}
IncrementalRowFilter::~IncrementalRowFilter() = default;

StatusOr<bool> IncrementalRowFilter::Keep(std::string_view row_json, const std::string& where) {
  impl_->padded.assign(row_json);
  impl_->padded.append(simdjson::SIMDJSON_PADDING, '\0');
  dom::element doc;
  if (auto err = impl_->parser.parse(impl_->padded.data(), row_json.size(), false).get(doc)) {
    return InvalidJson(err, row_json, where);
  }
  return impl_->filter.Keep(doc, where);
}

void IncrementalRowFilter::Finish() { impl_->filter.Finish(); }

}  // namespace dlt
