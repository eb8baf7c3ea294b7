// dlt's schema settings (the `settings` of a stored schema), as the normalizer applies them to a
// column it makes:
//  - `detections`: type autodetectors tried on the first value, in order: iso_timestamp (dlt's
//    default), iso_date, timestamp (a number within five years of now), large_integer (an integer
//    beyond 64 bits: wei, beyond wei's range text), wei_to_double;
//  - `preferred_types`: {simple regex: data type}, the type of a new column whose name matches
//    (before the detections; not for variant columns);
//  - `default_hints`: {hint: [simple regex]}, column hints (not_null, unique, primary_key,
//    merge_key, partition, cluster, sort, ...) set on a new column whose name matches.
// A simple regex is dlt's TSimpleRegex: "re:<regex>" searched in the name, else the exact name.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "dlt/status.h"
#include "normalize/naming.h"
#include "normalize/schema.h"

namespace dlt {

struct ScalarValue;

class SimpleRegex {
 public:
  static StatusOr<SimpleRegex> Compile(const std::string& text);
  bool Matches(const std::string& name) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const std::regex> re_;  // null: an exact name
};

class SchemaSettings {
 public:
  enum class Detection { kIsoTimestamp, kIsoDate, kTimestamp, kLargeInteger, kWeiToDouble };

  // Settings of a stored schema; an unknown detection, data type or hint, or a bad regex is an
  // error naming it.
  static StatusOr<SchemaSettings> Compile(const OrderedJson& settings);

  // The type of a new column `name` for its first value `v` (dlt's _infer_column_type).
  DataType InferType(const ScalarValue& v, const std::string& name, bool variant) const;
  // Sets the default hints whose regexes match `c->name` (not_null makes it not nullable).
  void ApplyHints(Column* c) const;
  bool IsNotNull(const std::string& name) const;
  // The preferred type of a column `name` (e.g. json: a dict kept whole), if any.
  std::optional<DataType> PreferredType(const std::string& name) const;
  // Whether the settings are dlt's defaults (no preferred types, only iso_timestamp, only the
  // default hints of dlt's own columns): the normalizer's fast path.
  bool standard() const { return standard_; }

 private:
  std::vector<Detection> detections_;
  std::vector<std::pair<SimpleRegex, DataType>> preferred_;
  std::vector<std::pair<std::string, std::vector<SimpleRegex>>> hints_;
  bool standard_ = true;
};

// Sets the keys of `update` (a settings object, e.g. a source's detections, default_hints and
// preferred_types) in `settings`, each replaced whole as dlt's update_schema replaces a schema's
// settings with the incoming source schema's; keys not in `update` stay. Column names that are
// not regexes are normalized with `naming` (as dlt's normalize_identifiers). Returns whether
// anything changed; an update that does not compile is an error and changes nothing.
StatusOr<bool> SetSchemaSettings(OrderedJson* settings, const OrderedJson& update, const SnakeCaseNaming& naming);

}  // namespace dlt
