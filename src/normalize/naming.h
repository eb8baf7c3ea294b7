// dlt's default `snake_case` naming convention (dlt 1.26, case insensitive), reproduced exactly:
// the same source names give the same table and column names as Python dlt, including the
// shortened names with a hash tag when a destination limits identifier length.
//
// NormalizeIdentifier(name):
//   1. strip whitespace around the name (Python str.strip(): Unicode white space);
//   2. `+` -> `x`, `-` -> `_`, `*` -> `x`, `@` -> `a`, `|` -> `l`;
//   3. every run of characters that are not ASCII letters, Unicode decimal digits (category Nd,
//      what Python's `\d` matches) or `_` becomes one `_` (bytes that are not valid UTF-8 count
//      as such characters);
//   4. snake-case breaks: `([^_])([A-Z][a-z]+)` -> `\1_\2`, then `([a-z0-9])([A-Z])` -> `\1_\2`;
//      lower case;
//   5. a leading decimal digit gets a `_` prefix; every trailing `_` becomes `x`; runs of `_`
//      collapse into one;
//   6. shortened to max_length characters (see ShortenIdentifier), the tag computed from the
//      stripped source name.
// Lengths are counted in Unicode code points, like Python's len(), not in bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlt {

// dlt's naming conventions (dlt/common/normalizers/naming/), each shortened as snake_case
// shortens, the tag computed from the stripped source name:
// - `snake_case` (the default, described above; case insensitive);
// - `direct` (what a custom destination uses by default): names kept as they are (case
//   sensitive), only `\n`, `\r`, `'`, `"` and `▶` replaced by `_`; nested paths joined with `▶`
//   (`parent▶child`);
// - `sql_cs_v1` (case sensitive, SQL-safe, the source's casing kept): every run of characters
//   other than ASCII letters, decimal digits and `_` becomes `_`, a leading digit gets a `_`
//   prefix, trailing `_` are removed (unless the name is just `_`), runs of `_` collapse;
// - `sql_ci_v1`: sql_cs_v1, then lower case (case insensitive);
// - `duck_case` (case sensitive): `\n`, `\r` and `"` become `_`, runs of `_` collapse, every
//   other character (Unicode included) is kept.
// All but `direct` join nested paths with `__`.
enum class NamingConvention { kSnakeCase, kDirect, kSqlCsV1, kSqlCiV1, kDuckCase };

// A convention's name ("snake_case", "sql_cs_v1", ...) or dlt's module path of one
// ("dlt.common.normalizers.naming.direct"); nullopt for a convention this engine does not have.
std::optional<NamingConvention> ParseNamingConvention(std::string_view name);

// The name dlt's schema stores for a convention ("snake_case", "direct", "sql_cs_v1", ...).
std::string_view NamingConventionName(NamingConvention convention);

// The conventions by name, for messages that list them ("`snake_case`, `direct`, ...").
std::string NamingConventionNames();

class SnakeCaseNaming {
 public:
  // Separator of nested path components in snake_case names (`parent__child`); see
  // path_separator() for the convention in use.
  static constexpr std::string_view kPathSeparator = "__";
  static constexpr std::string_view kDirectPathSeparator = "\xE2\x96\xB6";  // ▶
  // What the relational normalizer uses for an empty or whitespace-only JSON key.
  static constexpr std::string_view kEmptyKey = "_empty";
  // Characters of the shortening tag.
  static constexpr size_t kTagLength = 6;

  // `max_length` 0 means unlimited (Python: max_length=None).
  explicit SnakeCaseNaming(size_t max_length = 0, NamingConvention convention = NamingConvention::kSnakeCase)
      : max_length_(max_length), convention_(convention) {}

  size_t max_length() const { return max_length_; }
  NamingConvention convention() const { return convention_; }
  // The convention's name as dlt's schema stores it ("snake_case", "direct", ...).
  std::string_view name() const { return NamingConventionName(convention_); }
  // dlt's is_case_sensitive: whether two names that differ only in case stay apart. On a
  // destination whose identifiers are not (DuckDB), such names collide (see
  // FindIdentifierCollision).
  bool case_sensitive() const {
    return convention_ == NamingConvention::kDirect || convention_ == NamingConvention::kSqlCsV1 ||
           convention_ == NamingConvention::kDuckCase;
  }
  std::string_view path_separator() const {
    return convention_ == NamingConvention::kDirect ? kDirectPathSeparator : kPathSeparator;
  }

  // Normalizes one identifier. Python raises ValueError for an empty or whitespace-only name;
  // here such a name gives "_empty" (kEmptyKey), the name the relational normalizer gives keys
  // like that. `__` is not treated as a separator: "a__b" -> "a_b".
  std::string NormalizeIdentifier(std::string_view identifier) const;

  // Python normalize_path (and normalize_tables_path, identical for snake_case): splits on "__",
  // drops whitespace-only parts, normalizes each part (shortened to max_length on its own), joins
  // them with "__" and shortens the whole with a tag computed from `path` as given (not
  // stripped). "a__B" -> "a__b", "trailing__" -> "trailing", "__double" -> "double".
  // A path without any non-blank part ("", " ", "__", "____") gives "" (dlt then fails on such a
  // JSON key with KeyError: '').
  std::string NormalizePath(std::string_view path) const;

  // What dlt's relational normalizer does to each JSON object key: kEmptyKey for an empty or
  // whitespace-only key, NormalizePath otherwise.
  std::string NormalizeKey(std::string_view key) const;

  // Python shorten_fragments: joins already normalized parts with "__" (whitespace-only parts
  // are dropped) and shortens the result with a tag computed from the joined string. Used for
  // flattened column names (`parent__child`) and nested table names (`table__list_field`).
  // No parts gives "".
  std::string MakePath(const std::vector<std::string>& normalized_parts) const;

  // Python shorten_identifier: when `max_length` is not 0 and `normalized` is longer than
  // `max_length` characters, keeps its first ceil(r/2) and last floor(r/2) characters with the
  // tag of `original` in between, r = max_length - 6. Otherwise returns `normalized` unchanged.
  // (Python asserts max_length >= 6; a smaller limit here gives the first max_length characters
  // of the tag.)
  static std::string ShortenIdentifier(std::string_view normalized, std::string_view original,
                                       size_t max_length);

  // The shortening tag: base64 of the first 4 bytes of shake_128(utf-8 of `original`), `=`
  // stripped, `/` -> `a`, `+` -> `b`, lower-cased (6 characters).
  static std::string ComputeTag(std::string_view original);

  // Number of characters (Unicode code points) of a UTF-8 string as Python's len() counts them;
  // each byte that is not part of a valid UTF-8 sequence counts as one character.
  static size_t CharLength(std::string_view utf8);

 private:
  std::string NormalizeStripped(std::string_view stripped) const;

  size_t max_length_;
  NamingConvention convention_;
};

}  // namespace dlt
