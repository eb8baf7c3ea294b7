#include "normalize/schema_settings.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/iso8601.h"
#include "normalize/coerce.h"

namespace dlt {

namespace {

using Detection = SchemaSettings::Detection;

std::optional<Detection> ParseDetection(const std::string& name) {
  if (name == "iso_timestamp") return Detection::kIsoTimestamp;
  if (name == "iso_date") return Detection::kIsoDate;
  if (name == "timestamp") return Detection::kTimestamp;
  if (name == "large_integer") return Detection::kLargeInteger;
  if (name == "wei_to_double") return Detection::kWeiToDouble;
  return std::nullopt;
}

// dlt's column hints a default hint may set (TColumnDefaultHint).
const std::set<std::string>& KnownHints() {
  static const std::set<std::string> hints = {"not_null", "nullable", "partition", "cluster", "primary_key",
                                              "sort", "unique", "merge_key", "row_key", "parent_key",
                                              "root_key", "hard_delete", "dedup_sort"};
  return hints;
}

// dlt's default hints of its own columns (utils.default_hints()).
bool IsStandardHint(const std::string& hint, const std::string& regex) {
  static const std::set<std::pair<std::string, std::string>> standard = {
      {"not_null", "_dlt_id"},         {"not_null", "_dlt_root_id"}, {"not_null", "_dlt_parent_id"},
      {"not_null", "_dlt_list_idx"},   {"not_null", "_dlt_load_id"}, {"parent_key", "_dlt_parent_id"},
      {"root_key", "_dlt_root_id"},    {"unique", "_dlt_id"},        {"row_key", "_dlt_id"}};
  return standard.count({hint, regex}) > 0;
}

// An integer's decimal text above `limit` (both without sign or leading zeros).
bool Above(std::string_view digits, std::string_view limit) {
  if (digits.size() != limit.size()) return digits.size() > limit.size();
  return digits > limit;
}

std::optional<DataType> Detect(Detection d, const ScalarValue& v) {
  using K = ScalarValue::Kind;
  switch (d) {
    case Detection::kIsoTimestamp:
      if (v.kind == K::kString && !v.s.empty() && iso8601::ParseIsoTimestamp(v.s)) return DataType::kTimestamp;
      return std::nullopt;
    case Detection::kIsoDate: {
      if (v.kind != K::kString || v.s.empty() || iso8601::ParseIsoTimestamp(v.s)) return std::nullopt;
      auto p = iso8601::ParseIsoLike(v.s);
      if (p && p->kind == iso8601::Parsed::Kind::kDate) return DataType::kDate;
      return std::nullopt;
    }
    case Detection::kTimestamp: {
      // a number within five years (of 365 days) of now: seconds since the epoch
      if (v.kind != K::kInt && v.kind != K::kDouble) return std::nullopt;
      static const double now =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      constexpr double kRange = 5 * 31536000.0;
      const double x = v.kind == K::kInt ? static_cast<double>(v.i) : v.d;
      if (x >= now - kRange && x <= now + kRange) return DataType::kTimestamp;
      return std::nullopt;
    }
    case Detection::kLargeInteger: {
      // an integer beyond 64 bits (it comes as a decimal): wei, beyond wei's range text
      if (v.kind != K::kDecimal || v.s.empty() || v.s[0] == '-') return std::nullopt;
      if (v.s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
      std::string_view digits = v.s.substr(std::min(v.s.find_first_not_of('0'), v.s.size()));
      if (Above(digits, "578960446186580977117854925043439539266")) return DataType::kText;
      if (Above(digits, "9223372036854775807")) return DataType::kWei;
      return std::nullopt;
    }
    case Detection::kWeiToDouble:
      if (v.kind == K::kWei) return DataType::kDouble;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<SimpleRegex> SimpleRegex::Compile(const std::string& text) {
  SimpleRegex r;
  r.text_ = text;
  if (text.rfind("re:", 0) == 0) {
    try {
      r.re_ = std::make_shared<const std::regex>(text.substr(3), std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return InvalidArgument("schema settings: `" + text + "` is not a valid regular expression: " + e.what());
    }
  }
  return r;
}

bool SimpleRegex::Matches(const std::string& name) const {
  if (!re_) return name == text_;
  return std::regex_search(name, *re_);
}

StatusOr<SchemaSettings> SchemaSettings::Compile(const OrderedJson& settings) {
  SchemaSettings s;
  if (!settings.is_object()) return s;
  auto it = settings.find("detections");
  if (it != settings.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("schema settings: `detections` must be a list of detection names");
    for (const auto& d : *it) {
      const std::string name = d.is_string() ? d.get<std::string>() : d.dump();
      auto det = ParseDetection(name);
      if (!det) {
        return InvalidArgument("schema settings: unknown type detection `" + name +
                               "` (known: iso_timestamp, iso_date, timestamp, large_integer, wei_to_double)");
      }
      s.detections_.push_back(*det);
    }
  }
  s.standard_ = s.detections_.size() == 1 && s.detections_[0] == Detection::kIsoTimestamp;
  it = settings.find("preferred_types");
  if (it != settings.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("schema settings: `preferred_types` must map column names to data types");
    for (auto p = it->begin(); p != it->end(); ++p) {
      const std::string type_name = p.value().is_string() ? p.value().get<std::string>() : p.value().dump();
      auto type = ParseDataType(type_name);
      if (!type) {
        return InvalidArgument("schema settings: preferred type of `" + p.key() + "` is `" + type_name +
                               "`, which is not a dlt data type");
      }
      DLT_ASSIGN_OR_RETURN(SimpleRegex rx, SimpleRegex::Compile(p.key()));
      s.preferred_.emplace_back(std::move(rx), *type);
      s.standard_ = false;
    }
  }
  it = settings.find("default_hints");
  if (it != settings.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("schema settings: `default_hints` must map hints to lists of column names");
    for (auto h = it->begin(); h != it->end(); ++h) {
      if (!KnownHints().count(h.key())) {
        return InvalidArgument("schema settings: unknown default hint `" + h.key() +
                               "` (known: not_null, partition, cluster, primary_key, sort, unique, merge_key, "
                               "row_key, parent_key, root_key, hard_delete, dedup_sort)");
      }
      if (!h.value().is_array()) return InvalidArgument("schema settings: default hint `" + h.key() + "` must be a list");
      std::vector<SimpleRegex> list;
      for (const auto& r : h.value()) {
        if (!r.is_string()) return InvalidArgument("schema settings: default hint `" + h.key() + "` holds " + r.dump());
        DLT_ASSIGN_OR_RETURN(SimpleRegex rx, SimpleRegex::Compile(r.get<std::string>()));
        if (!IsStandardHint(h.key(), rx.text())) s.standard_ = false;
        list.push_back(std::move(rx));
      }
      s.hints_.emplace_back(h.key(), std::move(list));
    }
  }
  return s;
}

std::optional<DataType> SchemaSettings::PreferredType(const std::string& name) const {
  for (const auto& [rx, type] : preferred_) {
    if (rx.Matches(name)) return type;
  }
  return std::nullopt;
}

DataType SchemaSettings::InferType(const ScalarValue& v, const std::string& name, bool variant) const {
  if (!variant) {
    if (auto p = PreferredType(name)) return *p;
  }
  for (Detection d : detections_) {
    if (auto t = Detect(d, v)) return *t;
  }
  return BaseType(v);
}

namespace {

bool AnyMatches(const std::vector<SimpleRegex>& list, const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const SimpleRegex& rx) { return rx.Matches(name); });
}

}  // namespace

bool SchemaSettings::IsNotNull(const std::string& name) const {
  return std::any_of(hints_.begin(), hints_.end(),
                     [&](const auto& h) { return h.first == "not_null" && AnyMatches(h.second, name); });
}

void SchemaSettings::ApplyHints(Column* c) const {
  for (const auto& [hint, list] : hints_) {
    if (hint == "nullable" || !AnyMatches(list, c->name)) continue;
    if (hint == "not_null") c->nullable = false;
    else if (hint == "primary_key") c->primary_key = true;  // nullable unless not_null says (as dlt)
    else if (hint == "merge_key") c->merge_key = true;
    else if (hint == "unique") c->unique = true;
    else if (hint == "row_key") c->row_key = true;
    else if (hint == "parent_key") c->parent_key = true;
    else if (hint == "root_key") c->root_key = true;
    else c->extra[hint] = true;  // partition, cluster, sort, hard_delete, dedup_sort
  }
}

StatusOr<bool> SetSchemaSettings(OrderedJson* settings, const OrderedJson& update, const SnakeCaseNaming& naming) {
  if (!update.is_object() || update.empty()) return false;
  auto column = [&](const std::string& name) { return name.rfind("re:", 0) == 0 ? name : naming.NormalizePath(name); };
  OrderedJson updated = settings->is_object() ? *settings : OrderedJson::object();
  for (auto it = update.begin(); it != update.end(); ++it) {
    const std::string& key = it.key();
    if (key == "preferred_types" && it.value().is_object()) {
      OrderedJson types = OrderedJson::object();
      for (auto p = it.value().begin(); p != it.value().end(); ++p) types[column(p.key())] = p.value();
      updated[key] = std::move(types);
    } else if (key == "default_hints" && it.value().is_object()) {
      OrderedJson hints = OrderedJson::object();
      for (auto h = it.value().begin(); h != it.value().end(); ++h) {
        if (!h.value().is_array()) {
          hints[h.key()] = h.value();  // refused by Compile below, naming it
          continue;
        }
        OrderedJson list = OrderedJson::array();
        for (const auto& r : h.value()) {
          OrderedJson name = r.is_string() ? OrderedJson(column(r.get<std::string>())) : r;
          if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(std::move(name));
        }
        hints[h.key()] = std::move(list);
      }
      updated[key] = std::move(hints);
    } else {
      updated[key] = it.value();  // detections, schema_contract, ...
    }
  }
  DLT_RETURN_IF_ERROR(SchemaSettings::Compile(updated).status());
  if (updated == *settings) return false;
  *settings = std::move(updated);
  return true;
}

}  // namespace dlt
