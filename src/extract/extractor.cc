// simdjson is included here (validation and cursors) and in normalize/relational.cc only.
#include "extract/extractor.h"

#include <cctype>
#include <fstream>

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "common/fault.h"
#include "common/hash.h"
#include "common/iso8601.h"
#include "common/orjson.h"
#include "common/text.h"
#include "common/typed_json.h"
#include "extract/routed_extract.h"

namespace dlt {

namespace dom = simdjson::dom;

namespace {


// The first integer literal of `json` that no 64-bit integer holds (simdjson rejects the
// document then), named with the object key it belongs to: "integer 18446744073709551616 of
// field `n`". nullopt when there is none (the parse error has another cause).
std::optional<std::string> FindOutOfRangeInteger(std::string_view json) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string key;
  for (size_t i = 0; i < json.size();) {
    char c = json[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
      std::string_view str = json.substr(i + 1, std::min(j, json.size()) - i - 1);
      i = j + 1;
      size_t k = i;
      while (k < json.size() && (json[k] == ' ' || json[k] == '\t' || json[k] == '\n' || json[k] == '\r')) ++k;
      if (k < json.size() && json[k] == ':') key = std::string(str);
      continue;
    }
    if (c != '-' && !is_digit(c)) {
      ++i;
      continue;
    }
    size_t j = i + (c == '-' ? 1 : 0);
    while (j < json.size() && json[j] == '0' && j + 1 < json.size() && is_digit(json[j + 1])) ++j;
    size_t digits_begin = j;
    while (j < json.size() && is_digit(json[j])) ++j;
    std::string_view digits = json.substr(digits_begin, j - digits_begin);
    bool integer = !(j < json.size() && (json[j] == '.' || json[j] == 'e' || json[j] == 'E'));
    std::string_view token = json.substr(i, j - i);
    while (j < json.size() && (is_digit(json[j]) || json[j] == '.' || json[j] == 'e' || json[j] == 'E' ||
                               json[j] == '+' || json[j] == '-')) {
      ++j;
    }
    i = j;
    if (!integer) continue;
    std::string_view limit = c == '-' ? "9223372036854775808" : "18446744073709551615";
    if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) {
      std::string out = "integer " + std::string(token);
      if (!key.empty()) out += " of field `" + key + "`";
      return out;
    }
  }
  return std::nullopt;
}

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

// Comparable form of a cursor value: numbers numerically (exactly when both are integers or
// typed-JSON decimals), ISO timestamps as UTC instants, other strings as text.
struct CursorKey {
  bool numeric = false;
  double num = 0;
  std::string decimal;  // exact decimal text of an integer or a marked decimal, else empty
  std::string text;
  int Compare(const CursorKey& o) const {
    if (numeric && o.numeric) {
      if (!decimal.empty() && !o.decimal.empty()) return typed_json::CompareDecimal(decimal, o.decimal);
      return num < o.num ? -1 : (num > o.num ? 1 : 0);
    }
    int c = text.compare(o.text);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
};

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

std::vector<std::string> CursorPath(const std::string& path) {
  std::string p = path;
  if (p.starts_with("$.")) p = p.substr(2);
  return text::Split(p, '.');
}

class IncrementalFilter {
 public:
  IncrementalFilter(const IncrementalSpec& spec, nlohmann::ordered_json* state) : spec_(spec), state_(state) {
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

  // Decides whether a record passes; errors name the record.
  StatusOr<bool> Keep(dom::element record, const std::string& where) {
    dom::element v = record;
    bool found = record.type() == dom::element_type::OBJECT;
    for (const auto& part : path_) {
      if (!found || v.type() != dom::element_type::OBJECT) {
        found = false;
        break;
      }
      auto r = dom::object(v)[part];
      if (r.error()) {
        found = false;
        break;
      }
      v = r.value();
    }
    if (!found || v.type() == dom::element_type::NULL_VALUE) {
      if (spec_.on_cursor_value_missing == "include") return true;
      if (spec_.on_cursor_value_missing == "exclude") return false;
      return InvalidArgument(where + ": the record has no value for the incremental cursor `" + spec_.cursor_path +
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

  // What identifies a row at the boundary, as dlt's compute_unique_value: the hash of the JSON of
  // the primary key's value(s) when the resource has one, of the whole row otherwise; nullopt
  // when de-duplication is off (an empty key).
  StatusOr<std::optional<std::string>> UniqueValue(dom::element record, const std::string& where) {
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

  void Finish() {
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
    s["start_value"] = start_;
  }

 private:
  IncrementalSpec spec_;
  nlohmann::ordered_json* state_;
  nlohmann::ordered_json scratch_;  // the state of a backfill range (end_value), discarded
  int dir_ = 1;                     // -1: last_value_func = min
  std::optional<CursorKey> end_key_;
  std::vector<std::string> path_;
  nlohmann::ordered_json start_;
  std::optional<CursorKey> start_key_;
  std::set<std::string> old_hashes_;
  std::optional<CursorKey> max_key_;
  nlohmann::ordered_json max_;
  std::vector<std::string> max_hashes_;  // in the order first seen
  std::set<std::string> max_hash_set_;
};

}  // namespace

static Status InvalidJson(simdjson::error_code err, std::string_view json, const std::string& where);

struct IncrementalRowFilter::Impl {
  Impl(const IncrementalSpec& spec, nlohmann::ordered_json* state) : filter(spec, state) {}
  IncrementalFilter filter;
  dom::parser parser;
  std::string padded;
};

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

StatusOr<std::string> IncrementalRowHash(std::string_view json) {
  dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc)) {
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  return HashOf(doc);
}

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

std::filesystem::path RecordSourcesFile(const std::filesystem::path& part_file) {
  return part_file.parent_path().parent_path() / "record_sources" / (part_file.filename().string() + ".json");
}

}  // namespace

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

// The error for a record simdjson refused.
static Status InvalidJson(simdjson::error_code err, std::string_view json, const std::string& where) {
  if (err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE) {
    if (auto bad = FindOutOfRangeInteger(json)) {
      // dlt fails here too (orjson: "Integer exceeds 64-bit range").
      return InvalidArgument(where + ": " + *bad +
                             " is outside the 64-bit integer range (-2^63 .. 2^64-1); quote it as a string");
    }
  }
  std::string what = simdjson::error_message(err);
  if (err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE) what += " (a number out of the 64-bit range?)";
  return InvalidArgument(where + ": invalid JSON: " + what);
}

namespace {

// Lines of the part being written, buffered up to about 1 MB before a write, with where each
// record came from (only read for an error message).
struct OutputChunk {
  std::string text;  // one record per line
  std::string where;
  std::vector<uint32_t> where_ends;
  void Clear() {
    text.clear();
    where.clear();
    where_ends.clear();
  }
};

// Checks records on a second thread: most records (one-line objects, no incremental cursor) are
// copied as they are and need parsing only to be validated. Each chunk of lines goes there once
// written, and comes back to be filled again. A record found invalid fails the extract, whose
// package is then never published, so writing ahead of the check is harmless.
class ParallelValidator {
 public:
  ParallelValidator() : thread_([this] { Work(); }) {}
  ~ParallelValidator() { (void)Finish(); }

  // Queues a chunk (every line of it is checked) and returns an empty one to fill; the first
  // error found so far, if any (records before it are all valid).
  StatusOr<OutputChunk> Swap(OutputChunk chunk) {
    if (!chunk.where_ends.empty()) {
      chunk.text.append(simdjson::SIMDJSON_PADDING, '\0');
      std::unique_lock<std::mutex> lock(mu_);
      space_.wait(lock, [&] { return pending_.size() < kMaxPending || !error_.ok(); });
      if (!error_.ok()) return error_;
      pending_.push_back(std::move(chunk));
      lock.unlock();
      ready_.notify_one();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    OutputChunk next;
    if (!free_.empty()) {
      next = std::move(free_.back());
      free_.pop_back();
    } else {
      next.text.reserve((1u << 20) + (64u << 10));
    }
    return next;
  }

  // Waits for every queued record to be checked; the first error, if any.
  Status Finish() {
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        done_ = true;
      }
      ready_.notify_all();
      thread_.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  static constexpr size_t kMaxPending = 4;

  void Work() {
    dom::parser parser;
    for (;;) {
      OutputChunk chunk;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [&] { return done_ || !pending_.empty(); });
        if (pending_.empty()) return;
        chunk = std::move(pending_.front());
        pending_.pop_front();
      }
      space_.notify_one();
      // The text ends with the padding: the bytes after any line are readable.
      const char* p = chunk.text.data();
      const char* end = p + chunk.text.size() - simdjson::SIMDJSON_PADDING;
      for (size_t i = 0; p < end; ++i) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        size_t len = static_cast<size_t>((nl ? nl : end) - p);
        dom::element doc;
        if (auto err = parser.parse(p, len, false).get(doc)) {
          size_t w0 = i == 0 ? 0 : chunk.where_ends[i - 1];
          std::string where = i < chunk.where_ends.size() ? chunk.where.substr(w0, chunk.where_ends[i] - w0) : "?";
          Status s = InvalidJson(err, std::string_view(p, len), where);
          std::lock_guard<std::mutex> lock(mu_);
          error_ = s;
          pending_.clear();
          space_.notify_all();
          return;
        }
        p += len + 1;
      }
      chunk.Clear();
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() < kMaxPending) free_.push_back(std::move(chunk));
    }
  }

  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<OutputChunk> pending_;
  std::vector<OutputChunk> free_;
  bool done_ = false;
  Status error_ = Status::Ok();
  std::thread thread_;
};

// A record that needs no parsing to be written as it is: a one-line object.
bool CopiedAsItIs(std::string_view json) {
  size_t i = 0;
  while (i < json.size() && (json[i] == ' ' || json[i] == '\t')) ++i;
  if (i == json.size() || json[i] != '{') return false;
  return json.find('\n') == std::string_view::npos && json.find('\r') == std::string_view::npos;
}

}  // namespace

Status ExtractResource(RecordSource& source, const std::filesystem::path& out_dir, const std::string& file_stem,
                       const std::optional<IncrementalSpec>& incremental, nlohmann::ordered_json* incremental_state,
                       ExtractStats* stats, const std::function<void(const ExtractStats&, uint64_t)>& progress,
                       uint64_t part_bytes, RoutedTableWriter* routed,
                       const std::function<void(const std::filesystem::path&)>& part_closed) {
  // Records go to <stem>_<part>.0.jsonl files of about `part_bytes` each, so that normalize can
  // work on parts in parallel; names sort in record order.
  int part = 0;
  uint64_t part_written = 0;
  std::filesystem::path out_file;
  FILE* out = nullptr;
  struct Closer {
    FILE** f;
    ~Closer() {
      if (*f) std::fclose(*f);
    }
  } closer{&out};
  // Where the records of the current part came from (see RecordSourceLocation).
  nlohmann::json segments = nlohmann::json::array();
  uint64_t part_records = 0;
  std::string last_where;  // location of the previous record of the part
  size_t last_start = 0, last_end = 0;
  int64_t last_number = -2;
  const std::string* last_name = nullptr;  // of the previous record, when the source gives it
  uint64_t last_line = 0;
  auto open_part = [&]() -> Status {
    char name[32];
    std::snprintf(name, sizeof name, "_%05d.0.jsonl", part++);
    out_file = out_dir / (file_stem + name);
    stats->files.push_back(out_file.filename().string());
    out = std::fopen(out_file.c_str(), "wbx");
    if (!out) return Internal("cannot create " + out_file.string() + ": " + std::strerror(errno));
    part_written = 0;
    segments = nlohmann::json::array();
    part_records = 0;
    last_number = -2;
    last_name = nullptr;
    return Status::Ok();
  };
  auto close_part = [&]() -> Status {
    // The extracted package is the only copy of records read from stdin or an API: make it
    // durable before the state that skips them is saved.
    if (std::fflush(out) != 0 || ::fdatasync(::fileno(out)) != 0) {
      return Internal("cannot write " + out_file.string() + ": " + std::strerror(errno));
    }
    std::fclose(out);
    out = nullptr;
    // Only for messages: a missing or partial file just makes them name the part file instead.
    std::error_code ec;
    std::filesystem::path sources = RecordSourcesFile(out_file);
    std::filesystem::create_directories(sources.parent_path(), ec);
    std::ofstream(sources) << segments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Status::Ok();
  };
  // For sources that give (name, line): a new segment unless it is the previous record's file
  // and the next line.
  auto note_line = [&](const std::string* name, uint64_t line, const std::string& w) {
    if (name != last_name || line != last_line + 1) segments.push_back({part_records, w});
    last_name = name;
    last_line = line;
    last_number = -2;  // the string form below starts over
    ++part_records;
  };
  // A new segment unless `w` is the previous location with its last number plus one (checked
  // without allocating: this runs for every record).
  auto note_source = [&](const std::string& w) {
    // `w` is the source's own "<name>:<line>" when it has that length (an item of an array
    // record, "<name>:<line> (item 3)", is longer).
    if (const std::string* name = source.last_name()) {
      uint64_t line = source.last_line();
      size_t digits = 1;
      for (uint64_t v = line; v >= 10; v /= 10) ++digits;
      if (w.size() == name->size() + 1 + digits) {
        note_line(name, line, w);
        return;
      }
    }
    last_name = nullptr;
    size_t end = w.find_last_of("0123456789");
    size_t start = end;
    int64_t number = -1;
    if (end != std::string::npos) {
      while (start > 0 && std::isdigit(static_cast<unsigned char>(w[start - 1]))) --start;
      auto r = std::from_chars(w.data() + start, w.data() + end + 1, number);
      if (r.ec != std::errc()) number = -1;
    }
    bool consecutive = number >= 0 && last_number >= 0 && number == last_number + 1 &&
                       start + (w.size() - end) == last_start + (last_where.size() - last_end) &&
                       w.compare(0, start, last_where, 0, last_start) == 0 &&
                       w.compare(end + 1, std::string::npos, last_where, last_end + 1, std::string::npos) == 0;
    if (!consecutive) segments.push_back({part_records, w});
    last_where.assign(w);
    last_start = start;
    last_end = end;
    last_number = number;
    ++part_records;
  };
  DLT_RETURN_IF_ERROR(open_part());

  nlohmann::ordered_json working_state = incremental_state ? *incremental_state : nlohmann::ordered_json();
  std::optional<IncrementalFilter> filter;
  if (incremental) filter.emplace(*incremental, &working_state);

  // Without a cursor to read, one-line objects are validated on a second thread, or not at all
  // when the source vouches for its JSON (json_is_valid); either way they are copied as they are.
  const bool trusted = source.json_is_valid();
  std::optional<ParallelValidator> validator;
  if (!filter && !trusted) validator.emplace();

  dom::parser parser;
  std::string padded;  // the record being parsed, followed by simdjson's padding
  OutputChunk chunk;
  chunk.text.reserve((1u << 20) + (64u << 10));
  std::string_view json;
  std::string where;
  uint64_t last_progress = 0;
  // Writes the buffered lines; the validator gets them (and hands back an empty chunk).
  auto write_chunk = [&]() -> Status {
    if (chunk.text.empty()) return Status::Ok();
    if (std::fwrite(chunk.text.data(), 1, chunk.text.size(), out) != chunk.text.size()) {
      return Internal("cannot write " + out_file.string() + ": " + std::strerror(errno));
    }
    stats->bytes += chunk.text.size();
    part_written += chunk.text.size();
    if (validator) {
      DLT_ASSIGN_OR_RETURN(chunk, validator->Swap(std::move(chunk)));
    } else {
      chunk.Clear();
    }
    return Status::Ok();
  };
  // Every record read so far is checked; the first bad one, if any.
  auto check_all = [&]() -> Status {
    if (!validator) return Status::Ok();
    if (!chunk.text.empty()) {
      DLT_ASSIGN_OR_RETURN(chunk, validator->Swap(std::move(chunk)));
    }
    return validator->Finish();
  };
  // Appends a record (one line) to the part being written.
  auto append_record = [&](std::string_view line, const std::string& w) -> Status {
    if (routed) {
      if (const std::string* table = source.table(); table && !table->empty()) {
        ++stats->records_out;
        FaultPoint("extract_record");
        return routed->Write(*table, line);
      }
    }
    chunk.text.append(line);
    chunk.text += '\n';
    if (validator) {
      chunk.where.append(w);
      chunk.where_ends.push_back(static_cast<uint32_t>(chunk.where.size()));
    }
    ++stats->records_out;
    note_source(w);
    FaultPoint("extract_record");
    // Written (and handed to the validator) at 1 MB of records, or of their locations when the
    // records are tiny and the file names long, so that the queued chunks stay small.
    if (chunk.text.size() >= (1 << 20) || chunk.where.size() >= (1 << 20)) {
      DLT_RETURN_IF_ERROR(write_chunk());
      if (std::fflush(out) == 0) ::sync_file_range(::fileno(out), 0, 0, SYNC_FILE_RANGE_WRITE);
      if (part_bytes && part_written >= part_bytes) {
        DLT_RETURN_IF_ERROR(close_part());
        if (part_closed) part_closed(out_file);
        DLT_RETURN_IF_ERROR(open_part());
      }
    }
    return Status::Ok();
  };
  auto write_record = [&](std::string_view text, dom::element e, const std::string& w) -> Status {
    if (filter) {
      DLT_ASSIGN_OR_RETURN(bool keep, filter->Keep(e, w));
      if (!keep) {
        ++stats->records_skipped;
        return Status::Ok();
      }
    }
    if (text.find('\n') != std::string_view::npos || text.find('\r') != std::string_view::npos) {
      return append_record(simdjson::minify(e), w);
    }
    return append_record(text, w);
  };
  for (;;) {
    StatusOr<bool> next = source.Next(&json, &where);
    if (!next.ok()) {
      DLT_RETURN_IF_ERROR(check_all());  // a bad record before this point comes first
      return next.status();
    }
    if (!*next) break;
    ++stats->records_in;
    if ((validator || (trusted && !filter)) && CopiedAsItIs(json)) {
      DLT_RETURN_IF_ERROR(append_record(json, where));
      if (progress && stats->records_in - last_progress >= 65536) {
        last_progress = stats->records_in;
        progress(*stats, source.bytes_read());
      }
      continue;
    }
    dom::element doc;
    padded.assign(json);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    if (auto err = parser.parse(padded.data(), json.size(), false).get(doc)) {
      // Records before this one may still be being checked: the first error is reported.
      DLT_RETURN_IF_ERROR(check_all());
      return InvalidJson(err, json, where);
    }
    if (doc.type() == dom::element_type::ARRAY) {
      uint64_t i = 0;
      for (dom::element item : dom::array(doc)) {
        std::string w = where + " (item " + std::to_string(i++) + ")";
        DLT_RETURN_IF_ERROR(write_record(simdjson::minify(item), item, w));
      }
    } else {
      DLT_RETURN_IF_ERROR(write_record(json, doc, where));
    }
    if (progress && stats->records_in - last_progress >= 65536) {
      last_progress = stats->records_in;
      progress(*stats, source.bytes_read());
    }
  }
  DLT_RETURN_IF_ERROR(write_chunk());
  DLT_RETURN_IF_ERROR(check_all());
  DLT_RETURN_IF_ERROR(close_part());
  if (routed) DLT_RETURN_IF_ERROR(routed->Finish());
  if (filter) {
    filter->Finish();
    *incremental_state = working_state;
  }
  if (progress) progress(*stats, source.bytes_read());
  return Status::Ok();
}

}  // namespace dlt
