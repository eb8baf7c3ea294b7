#include "config/settings.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "common/text.h"

namespace dlt::settings {

namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// The allowed texts are part of the error messages users (and tests) see: change with care.
const std::array<Setting, 16> kTable = {{
    {"runtime", "lock_timeout", Type::kNumber, "0", "a number of seconds from 0 to 86400",
     "seconds a run, sync or `dlt workspace clean` waits for another one holding the profile's lock (0: refuse at "
     "once, exit code 4)",
     0, 86400},
    {"runtime", "request_timeout", Type::kNumber, "60", "a non-negative number",
     "seconds one HTTP request of a REST API source may take", 0, kUnbounded},
    {"runtime", "request_max_attempts", Type::kNumber, "5", "a non-negative number",
     "attempts of an HTTP request before it fails (at least 1 is made)", 0, kUnbounded},
    {"runtime", "request_backoff_factor", Type::kNumber, "1", "a non-negative number",
     "seconds before the first retry, doubled for each further one", 0, kUnbounded},
    {"runtime", "request_max_retry_delay", Type::kNumber, "300", "a non-negative number",
     "the longest wait between two attempts, in seconds (also caps Retry-After)", 0, kUnbounded},
    {"runtime", "http_show_error_body", Type::kBool, "false", "true or false",
     "HTTP errors of REST API sources and of dlt.sources.helpers quote the response body (secrets masked)"},
    {"normalize", "workers", Type::kNumber, "0", "a whole number from 0 to 256",
     "threads that normalize one big package, in parts of at least 24 MB (0: one per core)", 0, 256, true},
    {"normalize.parquet_normalizer", "add_dlt_id", Type::kBool, "false", "true or false",
     "Arrow items (read_parquet/read_csv_duckdb with use_pyarrow=True, sql_database with backend=\"pyarrow\") get "
     "a unique _dlt_id per row, as dlt's parquet normalizer"},
    {"normalize.parquet_normalizer", "add_dlt_load_id", Type::kBool, "false", "true or false",
     "Arrow items get a _dlt_load_id column with the load id, as dlt's parquet normalizer"},
    {"normalize.data_writer", "disable_compression", Type::kBool, "false", "true or false",
     "the filesystem destination writes jsonl and csv files without gzip, named without .gz (dlt's setting)"},
    {"data_writer", "disable_compression", Type::kBool, "false", "true or false",
     "the same, read when normalize.data_writer.disable_compression is not set (as dlt does)"},
    {"workspace.settings", "name", Type::kString, "the run dir's name", "a string", "the workspace name"},
    {"workspace.settings", "working_dir", Type::kString, ".dlt/.var/<profile>", "a string",
     "pipelines and working data, relative to the run dir (DLT_DATA_DIR wins)"},
    {"workspace.settings", "local_dir", Type::kString, "_local/<profile>", "a string",
     "locally loaded data (DuckDB files), relative to the run dir (DLT_LOCAL_DIR wins)"},
    {"workspace.profiles.<profile>", "read_only", Type::kBool, "true for access, false otherwise", "true or false",
     "commands that would write (run, drop, sync, clean) are refused"},
    {"workspace.profiles.<profile>", "protected", Type::kBool, "true for prod, false otherwise", "true or false",
     "destructive commands ask for the profile name (or --yes)"},
}};

const std::array<EnvVar, 21> kEnvVars = {{
    {"WORKSPACE__PROFILE", "the active profile when --profile is not given (before .dlt/profile-name)"},
    {"DLT_PROJECT_DIR", "the folder to start the workspace search from, instead of the current one"},
    {"DLT_DATA_DIR", "pipelines and working data of the profile (over [workspace.settings] working_dir)"},
    {"DLT_LOCAL_DIR", "locally loaded data of the profile (over [workspace.settings] local_dir)"},
    {"MOTHERDUCK_TOKEN", "the MotherDuck token when the credentials hold none"},
    {"DLT_DASHBOARD_TOKEN", "a fixed access token for the dashboard (16 to 128 letters, digits, '-', '_')"},
    {"DLT_DUCKDB_LIBRARY", "the libduckdb.so to load instead of <prefix>/lib/dlt/libduckdb.so or the build's copy"},
    {"DLT_LIBPQ_LIBRARY", "the libpq.so to load instead of libpq.so.5"},
    {"DLT_SQLITE_LIBRARY", "the libsqlite3.so to load instead of libsqlite3.so.0 (sql_database sqlite:// sources)"},
    {"DLT_MARIADB_LIBRARY", "the libmariadb.so to load instead of libmariadb.so.3 (sql_database mysql:// sources)"},
    {"DLT_LIBCURL_LIBRARY", "the libcurl.so to load instead of libcurl.so.4 (or libcurl-gnutls.so.4)"},
    {"DLT_STREAM_FILE_BYTES", "size at which job files are closed and loaded while normalizing or extracting (16 MB; tests)"},
    {"DLT_EXTRACT_PART_BYTES", "size of the extract's job files (16 MB of JSON, 64 MB typed; tests)"},
    {"DLT_PRE_NORMALIZE", "0: no normalizing of a Python resource's part files while it is extracted (to compare)"},
    {"DLT_LOAD_WHILE_EXTRACTING", "0: no loading of those files into DuckDB while the resource is extracted (to compare)"},
    {"DLT_NORMALIZE_PART_BYTES", "the least bytes a normalize worker gets of a package (24 MB; tests)"},
    {"DLT_S3_PART_BYTES", "size above which files go to S3 as multipart uploads, and of their parts (64 MB; tests)"},
    {"DLT_TRACE_HISTORY", "how many run traces a pipeline keeps in traces/ (default 100, oldest pruned)"},
    {"DLT_FAULT_KILL_AT", "a fault point at which the process kills itself (crash tests)"},
    {"DLT_FAULT_PAUSE_AT", "<point>:<ms>, a fault point at which the process sleeps each time (tests)"},
    {"NO_COLOR", "no colour in the output when set"},
}};

const std::array<std::string_view, 12> kIgnoredRuntime = {
    "pipeline_name",        "sentry_dsn", "slack_incoming_hook", "dlthub_telemetry", "dlthub_telemetry_endpoint",
    "dlthub_telemetry_segment_write_key", "log_format", "log_level", "config_files_storage_path", "dlthub_dsn",
    "http_show_error_body", "http_max_error_body_length"};

bool SectionMatches(std::string_view pattern, const std::vector<std::string>& section) {
  std::vector<std::string> parts = text::Split(std::string(pattern), '.');
  if (parts.size() != section.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] != "<profile>" && parts[i] != section[i]) return false;
  }
  return true;
}

std::string Dotted(const std::vector<std::string>& section, std::string_view name) {
  return section.empty() ? std::string(name) : text::Join(section, ".") + "." + std::string(name);
}

StatusOr<std::optional<ResolvedValue>> Resolve(const ConfigResolver& config, const std::vector<std::string>& section,
                                               std::string_view name, const Setting** out) {
  *out = Find(section, name);
  if (*out == nullptr) return Internal("no setting " + Dotted(section, name) + " in src/config/settings.cc");
  ConfigKey k;
  k.sections = section;
  k.key = std::string(name);
  k.drop_sections = false;
  DLT_ASSIGN_OR_RETURN(auto v, config.Resolve(k));
  if (v) {
    if (auto why = Invalid(**out, section, v->value)) return InvalidArgument(*why + " (" + v->origin.Describe() + ")");
  }
  return v;
}

std::optional<bool> ParseFlag(const ConfigNode& n) {
  if (n.kind != ConfigNode::Kind::kBoolean && n.kind != ConfigNode::Kind::kString) return std::nullopt;
  std::string v = text::ToLower(text::Trim(n.text));
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return std::nullopt;
}

}  // namespace

std::string Setting::Dotted() const { return std::string(section) + "." + std::string(name); }

std::span<const Setting> Table() { return kTable; }
std::span<const EnvVar> EnvVars() { return kEnvVars; }
std::span<const std::string_view> IgnoredRuntimeKeys() { return kIgnoredRuntime; }

const Setting* Find(const std::vector<std::string>& section, std::string_view name) {
  for (const Setting& s : kTable) {
    if (s.name == name && SectionMatches(s.section, section)) return &s;
  }
  return nullptr;
}

const Setting* FindDotted(std::string_view key) {
  std::vector<std::string> parts = text::Split(std::string(key), '.');
  if (parts.size() < 2) return nullptr;
  std::string name = parts.back();
  parts.pop_back();
  return Find(parts, name);
}

std::vector<std::string> NamesIn(const std::vector<std::string>& section) {
  std::vector<std::string> out;
  for (const Setting& s : kTable) {
    if (SectionMatches(s.section, section)) out.emplace_back(s.name);
  }
  return out;
}

std::optional<std::string> Invalid(const Setting& s, const std::vector<std::string>& section, const ConfigNode& value,
                                   bool with_value) {
  std::string head = Dotted(section, s.name) + " must be " + std::string(s.allowed);
  switch (s.type) {
    case Type::kNumber: {
      const std::string& t = value.text;
      char* end = nullptr;
      double d = std::strtod(t.c_str(), &end);
      // NaN fails both comparisons.
      bool ok = value.is_scalar() && !t.empty() && end != nullptr && *end == '\0' && d >= s.min && d <= s.max &&
                (!s.whole || d == static_cast<double>(static_cast<int64_t>(d)));
      if (!ok) return with_value ? head + ", got `" + t + "`" : head;
      return std::nullopt;
    }
    case Type::kBool:
      if (!ParseFlag(value)) return head;
      return std::nullopt;
    case Type::kString:
      if (!value.is_scalar()) return head;
      return std::nullopt;
  }
  return std::nullopt;
}

StatusOr<double> Number(const ConfigResolver& config, const std::vector<std::string>& section, std::string_view name) {
  const Setting* s = nullptr;
  DLT_ASSIGN_OR_RETURN(auto v, Resolve(config, section, name, &s));
  if (s->type != Type::kNumber) return Internal(s->Dotted() + " is not a number setting");
  return std::strtod(std::string(v ? v->value.text : s->default_text).c_str(), nullptr);
}

StatusOr<std::optional<bool>> Flag(const ConfigResolver& config, const std::vector<std::string>& section,
                                   std::string_view name) {
  const Setting* s = nullptr;
  DLT_ASSIGN_OR_RETURN(auto v, Resolve(config, section, name, &s));
  if (s->type != Type::kBool) return Internal(s->Dotted() + " is not a flag setting");
  if (!v) return std::optional<bool>();
  return ParseFlag(v->value);
}

StatusOr<std::optional<std::string>> Text(const ConfigResolver& config, const std::vector<std::string>& section,
                                          std::string_view name) {
  const Setting* s = nullptr;
  DLT_ASSIGN_OR_RETURN(auto v, Resolve(config, section, name, &s));
  if (s->type != Type::kString) return Internal(s->Dotted() + " is not a string setting");
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(v->value.text);
}

}  // namespace dlt::settings
