#include "destinations/filesystem/filesystem_layout.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "common/civil_date.h"
#include "common/text.h"

namespace dlt {

namespace {

const std::set<std::string, std::less<>>& DatePlaceholders() {
  static const std::set<std::string, std::less<>> s = {"YYYY", "YY", "Y",  "MMMM", "MMM", "MM", "M",   "DD", "D",
                                                       "HH",   "H",  "mm", "m",    "dddd", "ddd", "dd", "d", "ss",
                                                       "s",    "SSSS", "SSS", "SS", "S",   "Q"};
  return s;
}

bool IsPlaceholder(std::string_view p) {
  static const std::set<std::string, std::less<>> other = {
      "schema_name", "table_name", "load_id", "file_id", "ext", "curr_date", "timestamp", "timestamp_ms",
      "load_package_timestamp", "load_package_timestamp_ms"};
  return other.count(p) > 0 || DatePlaceholders().count(p) > 0;
}

// The placeholders of a layout, in order: the text between each `{` and the next `}`.
std::vector<std::string> Placeholders(std::string_view layout) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = layout.find('{', pos)) != std::string_view::npos) {
    size_t end = layout.find('}', pos);
    if (end == std::string_view::npos) break;
    out.emplace_back(layout.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

std::string Pad(int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  return buf;
}

// The instant of a load id, in microseconds since the epoch.
int64_t LoadIdMicros(std::string_view load_id) {
  size_t dot = load_id.find('.');
  int64_t secs = 0;
  for (char ch : load_id.substr(0, dot)) {
    if (ch >= '0' && ch <= '9') secs = secs * 10 + (ch - '0');
  }
  std::string frac = dot == std::string_view::npos ? "" : std::string(load_id.substr(dot + 1));
  frac = (frac + "000000").substr(0, 6);  // microseconds, as Python's datetime keeps them
  return secs * 1000000 + std::stoll(frac);
}

// Values of the date placeholders for the instant `us` (microseconds since the epoch, UTC), as
// pendulum formats them, lower-cased as dlt does.
std::map<std::string, std::string, std::less<>> DateValues(int64_t us) {
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  int64_t micros = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400), sod = secs - days * 86400;
  civil::CivilDate date = civil::CivilFromDays(days);
  int hour = static_cast<int>(sod / 3600), minute = static_cast<int>(sod / 60 % 60), second = static_cast<int>(sod % 60);
  int dow = static_cast<int>((days + 4) % 7);  // 0 = Sunday; 1970-01-01 was a Thursday
  static const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                  "july",    "august",   "september", "october", "november", "december"};
  static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  std::string month = kMonths[date.month - 1], day = kDays[dow];
  std::map<std::string, std::string, std::less<>> v;
  v["YYYY"] = Pad(date.year, 4);
  v["YY"] = Pad(date.year % 100, 2);
  v["Y"] = std::to_string(date.year);
  v["MMMM"] = month;
  v["MMM"] = month.substr(0, 3);
  v["MM"] = Pad(date.month, 2);
  v["M"] = std::to_string(date.month);
  v["DD"] = Pad(date.day, 2);
  v["D"] = std::to_string(date.day);
  v["HH"] = Pad(hour, 2);
  v["H"] = std::to_string(hour);
  v["mm"] = Pad(minute, 2);
  v["m"] = std::to_string(minute);
  v["dddd"] = day;
  v["ddd"] = day.substr(0, 3);
  v["dd"] = day.substr(0, 2);
  v["d"] = std::to_string(dow);
  v["ss"] = Pad(second, 2);
  v["s"] = std::to_string(second);
  v["SSSS"] = Pad(micros / 100, 4);
  v["SSS"] = Pad(micros / 1000, 3);
  v["SS"] = Pad(micros / 10000, 2);
  v["S"] = std::to_string(micros / 100000);
  v["Q"] = std::to_string((date.month - 1) / 3 + 1);
  v["timestamp"] = std::to_string(secs);
  v["timestamp_ms"] = std::to_string(secs * 1000 + micros / 1000);
  v["curr_date"] = Pad(date.year, 4) + "-" + Pad(date.month, 2) + "-" + Pad(date.day, 2);
  return v;
}

// Replaces each `{name}` with its value (CheckLayout has vouched for the names).
std::string Format(std::string_view layout, const std::map<std::string, std::string, std::less<>>& values) {
  std::string out;
  size_t pos = 0;
  while (pos < layout.size()) {
    size_t open = layout.find('{', pos);
    size_t close = open == std::string_view::npos ? open : layout.find('}', open);
    if (close == std::string_view::npos) {
      out.append(layout.substr(pos));
      break;
    }
    out.append(layout.substr(pos, open - pos));
    auto it = values.find(layout.substr(open + 1, close - open - 1));
    out += it != values.end() ? it->second : std::string(layout.substr(open, close - open + 1));
    pos = close + 1;
  }
  return out;
}

}  // namespace

Status CheckLayout(std::string_view layout, const std::map<std::string, std::string>& extra) {
  std::vector<std::string> ps = Placeholders(layout);
  std::vector<std::string> bad;
  for (const auto& p : ps) {
    if (!IsPlaceholder(p) && !extra.count(p)) bad.push_back("{" + p + "}");
  }
  if (!bad.empty()) {
    return InvalidArgument("layout `" + std::string(layout) + "` has unknown placeholder(s) " + text::Join(bad, ", ") +
                           "; use {table_name}, {load_id}, {file_id}, {ext}, {schema_name}, {curr_date}, {timestamp}, "
                           "{timestamp_ms}, {load_package_timestamp}, {load_package_timestamp_ms} or date parts "
                           "({YYYY}, {MM}, {DD}, {HH}, {mm}, {Q}, ...), or name it in `extra_placeholders`");
  }
  size_t at = layout.find("{table_name}");
  if (at == std::string_view::npos) {
    return InvalidArgument("layout `" + std::string(layout) + "` has no {table_name}: every table needs paths of its own");
  }
  for (const auto& p : Placeholders(layout.substr(0, at))) {
    if (p != "schema_name") {
      return InvalidArgument("layout `" + std::string(layout) + "` has {" + p +
                             "} before {table_name}; only {schema_name} may come before it");
    }
  }
  size_t after = at + 12;
  if (after >= layout.size() || layout[after] == '{') {
    return InvalidArgument("layout `" + std::string(layout) +
                           "` needs a separator (such as `/` or `.`) right after {table_name}");
  }
  return Status::Ok();
}

std::string ExpandLayout(std::string_view layout, const LayoutValues& values, const LayoutSettings& settings) {
  const int64_t package_us = LoadIdMicros(values.load_id);
  auto v = DateValues(settings.current_datetime_us.value_or(package_us));
  for (const auto& [k, x] : settings.extra_placeholders) v[k] = x;
  v["load_package_timestamp"] = std::to_string(package_us / 1000000);
  v["load_package_timestamp_ms"] = std::to_string(package_us / 1000);
  v["schema_name"] = values.schema_name;
  v["table_name"] = values.table_name;
  v["load_id"] = values.load_id;
  v["file_id"] = values.file_id;
  v["ext"] = values.ext;
  std::string path = Format(layout, v);
  bool has_ext = false;
  for (const auto& p : Placeholders(layout)) has_ext = has_ext || p == "ext";
  if (!has_ext) path += "." + values.ext;
  return path;
}

std::string TablePrefix(std::string_view layout, std::string_view schema_name, std::string_view table_name) {
  size_t at = layout.find("{table_name}");
  std::string_view head = layout.substr(0, at + 13);
  std::map<std::string, std::string, std::less<>> v{{"schema_name", std::string(schema_name)},
                                                    {"table_name", std::string(table_name)}};
  return Format(head, v);
}

}  // namespace dlt
