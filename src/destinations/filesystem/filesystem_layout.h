// dlt's filesystem layout: where a job's file goes under `<bucket>/<dataset>/`, given a layout
// such as "{table_name}/{load_id}.{file_id}.{ext}" with dlt's placeholders (schema_name,
// table_name, load_id, file_id, ext, curr_date, timestamp, timestamp_ms, load_package_timestamp,
// load_package_timestamp_ms and pendulum's date parts YYYY, MM, DD, HH, mm, Q, ...).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dlt/status.h"

namespace dlt {

// Checks that every placeholder is one of dlt's, that `{table_name}` is there with only
// `{schema_name}` before it, and that a separator follows it (so that a table's files can be
// told apart from those of a table whose name starts the same). The message says what to fix.
// `extra` are dlt's extra_placeholders (names of static values the layout may use too).
Status CheckLayout(std::string_view layout, const std::map<std::string, std::string>& extra = {});

struct LayoutValues {
  std::string schema_name, table_name, load_id, file_id, ext;
};

// What the destination's configuration adds to a layout: dlt's `current_datetime` (an instant, in
// microseconds since the epoch, for {timestamp}, {timestamp_ms}, {curr_date} and the date parts)
// and `extra_placeholders` (static values by name).
struct LayoutSettings {
  std::optional<int64_t> current_datetime_us;
  std::map<std::string, std::string> extra_placeholders;
};

// The file's path relative to the dataset folder. Date parts come from `current_datetime` when
// set, else from the load id (the time the package was created, as dlt's
// load_package_timestamp), so that a retried load writes the same paths. Without `{ext}` in the
// layout the extension is appended.
std::string ExpandLayout(std::string_view layout, const LayoutValues& values, const LayoutSettings& settings = {});

// The part of a table's paths that is the table's own (the layout up to and including the
// character after `{table_name}`), relative to the dataset folder: "events/" by default.
std::string TablePrefix(std::string_view layout, std::string_view schema_name, std::string_view table_name);

}  // namespace dlt
