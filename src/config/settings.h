// The settings the engine reads, in one table: every `[runtime]` and `[workspace.*]` key (with
// its default, type, allowed values and a line of documentation) and every environment variable
// of its own (DLT_*). Readers get values through the typed accessors below, which validate them
// from the table, so an invalid value always reads "<key> must be <allowed>, got `v` (<file:line
// or env VAR>)". `dlt config settings` lists the table, `dlt config explain` documents a key
// from it and `dlt workspace check` reports unknown or invalid keys with it.
//
// Of dlt's `[normalize]`, `[load]`, `[extract]` and `[data_writer]` settings only `[normalize]
// workers` and `[normalize.parquet_normalizer]` are read; the others (buffer_max_items,
// file_max_bytes, ...) are accepted and ignored: the engine sizes its own files and threads
// (README "Performance").
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/config.h"
#include "dlt/status.h"

namespace dlt::settings {

enum class Type { kNumber, kBool, kString };

struct Setting {
  // Dotted section; "<profile>" stands for any one section (workspace.profiles.<profile>).
  std::string_view section;
  std::string_view name;
  Type type;
  std::string_view default_text;  // as documented; for kNumber also the value used when unset
  std::string_view allowed;       // what a valid value is, for errors ("a non-negative number")
  std::string_view doc;
  double min = 0;  // kNumber: inclusive bounds
  double max = 0;
  bool whole = false;  // kNumber: no fractions

  std::string Dotted() const;
};

// An environment variable the engine reads itself (not a configuration key spelled as an env
// var, such as RUNTIME__LOCK_TIMEOUT: every key of the table can be set that way).
struct EnvVar {
  std::string_view name;
  std::string_view doc;
};

std::span<const Setting> Table();
std::span<const EnvVar> EnvVars();
// [runtime] keys that Python dlt reads (log_level, dlthub_telemetry, ...) and this engine
// ignores: a workspace shared with Python dlt holds them, so they are not "unknown".
std::span<const std::string_view> IgnoredRuntimeKeys();

// The entry for `section` (concrete sections, e.g. {"workspace", "profiles", "dev"}) and `name`,
// or null.
const Setting* Find(const std::vector<std::string>& section, std::string_view name);
// The same for a dotted key (runtime.lock_timeout, workspace.profiles.prod.protected).
const Setting* FindDotted(std::string_view key);
// The names the table knows under the concrete `section` (for "did you mean").
std::vector<std::string> NamesIn(const std::vector<std::string>& section);

// Whether `value` is valid for `s`; the error (without origin) when not. `with_value` adds
// ", got `v`" for numbers (`dlt workspace check` prints no values at all).
std::optional<std::string> Invalid(const Setting& s, const std::vector<std::string>& section, const ConfigNode& value,
                                   bool with_value = true);

// Typed accessors: resolve exactly [section] name (no section dropping), validate with the
// table. A name missing from the table is a programming error (Internal).
// A number; the table's default when unset.
StatusOr<double> Number(const ConfigResolver& config, const std::vector<std::string>& section, std::string_view name);
// A flag; nullopt when unset (defaults that depend on the profile are the caller's).
StatusOr<std::optional<bool>> Flag(const ConfigResolver& config, const std::vector<std::string>& section,
                                   std::string_view name);
// A string; nullopt when unset.
StatusOr<std::optional<std::string>> Text(const ConfigResolver& config, const std::vector<std::string>& section,
                                          std::string_view name);

}  // namespace dlt::settings
