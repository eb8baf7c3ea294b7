#include "destinations/filesystem/filesystem_config.h"

#include <nlohmann/json.hpp>

#include "common/civil_date.h"
#include "common/fs.h"
#include "common/iso8601.h"
#include "common/text.h"
#include "config/settings.h"
#include "destinations/filesystem/filesystem_layout.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

StatusOr<std::optional<ResolvedValue>> Setting(const CredentialsLookup& l, const std::string& key) { return l.Setting(key); }

// s3://bucket/prefix and dlt's AwsCredentials fields. A missing key pair is an error here, before
// anything is extracted (dlt would fall back to the machine's AWS profile; this tool does not).
StatusOr<std::optional<S3Settings>> ResolveS3(const CredentialsLookup& l, const std::string& url, const std::string& origin) {
  S3Settings s;
  std::string rest = url.substr(5);
  size_t slash = rest.find('/');
  s.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) s.prefix = rest.substr(slash + 1);
  while (s.prefix.ends_with("/")) s.prefix.pop_back();
  while (s.prefix.starts_with("/")) s.prefix.erase(0, 1);
  if (s.bucket.empty()) {
    return InvalidArgument("`bucket_url` of destination `" + l.name + "` (" + origin + ") names no bucket: write s3://<bucket>/<folder>");
  }
  DLT_ASSIGN_OR_RETURN(auto key_id, l.Get("aws_access_key_id"));
  DLT_ASSIGN_OR_RETURN(auto secret, l.Get("aws_secret_access_key", true));
  std::vector<std::string> missing;
  if (!key_id || key_id->value.text.empty()) missing.push_back("aws_access_key_id");
  if (!secret || secret->value.text.empty()) missing.push_back("aws_secret_access_key");
  if (!missing.empty()) return InvalidArgument(l.MissingMessage(missing));
  s.key_id = key_id->value.text;
  s.secret = secret->value.text;
  DLT_ASSIGN_OR_RETURN(auto region, l.Get("region_name"));
  if (region && !region->value.text.empty()) s.region = region->value.text;
  DLT_ASSIGN_OR_RETURN(auto endpoint, l.Get("endpoint_url"));
  if (endpoint && !endpoint->value.text.empty()) {
    s.endpoint = endpoint->value.text;
    if (!s.endpoint.starts_with("http://") && !s.endpoint.starts_with("https://")) {
      return InvalidArgument("`endpoint_url` of destination `" + l.name + "` (" + endpoint->origin.Describe() +
                             ") must start with http:// or https://");
    }
  }
  return std::optional<S3Settings>(std::move(s));
}

}  // namespace

std::optional<FileFormat> ParseFileFormat(std::string_view name) {
  if (name == "parquet") return FileFormat::kParquet;
  if (name == "jsonl") return FileFormat::kJsonl;
  if (name == "csv") return FileFormat::kCsv;
  return std::nullopt;
}

std::string FileFormatExtension(FileFormat f, bool compress) {
  switch (f) {
    case FileFormat::kParquet: return "parquet";
    case FileFormat::kJsonl: return compress ? "jsonl.gz" : "jsonl";
    case FileFormat::kCsv: return compress ? "csv.gz" : "csv";
  }
  return "parquet";
}

// dlt's current_datetime (an ISO 8601 instant; a naive one is UTC) and extra_placeholders (a table
// of static values: TOML, or JSON text from an environment variable).
StatusOr<LayoutSettings> ResolveLayoutSettings(const CredentialsLookup& l) {
  LayoutSettings out;
  DLT_ASSIGN_OR_RETURN(auto now, Setting(l, "current_datetime"));
  if (now) {
    auto p = iso8601::ParseIsoLike(now->value.text);
    if (!p || p->kind == iso8601::Parsed::Kind::kTime) {
      return InvalidArgument("`" + text::Join(now->path, ".") + "` (" + now->origin.Describe() + ") is `" + now->value.text +
                             "`, not an ISO 8601 date and time (e.g. 2024-04-14T10:00:00+00:00)");
    }
    int64_t days = civil::DaysFromCivil(p->year, p->month, p->day);
    int64_t secs = days * 86400 + p->hour * 3600 + p->minute * 60 + p->second - (p->has_offset ? p->offset_seconds : 0);
    out.current_datetime_us = secs * 1000000 + p->microsecond;
  }
  DLT_ASSIGN_OR_RETURN(auto extra, l.SettingNode("extra_placeholders"));
  if (extra) {
    const std::string where = "`" + text::Join(extra->path, ".") + "` (" + extra->origin.Describe() + ")";
    if (extra->value.is_table()) {
      for (const auto& [name, v] : extra->value.members) {
        if (!v.is_scalar()) return InvalidArgument(where + ": the value of `" + name + "` must be a single value");
        out.extra_placeholders[name] = v.text;
      }
    } else {
      auto j = nlohmann::json::parse(extra->value.text, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        return InvalidArgument(where + " must be a table of placeholder values, e.g. {\"env\": \"prod\"}");
      }
      for (const auto& [name, v] : j.items()) out.extra_placeholders[name] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  for (const auto& [name, v] : out.extra_placeholders) {
    // A value is part of a path under the dataset's folder: it must not lead out of it.
    if (v == ".." || v.starts_with("../") || v.ends_with("/..") || v.find("/../") != std::string::npos || v.starts_with("/")) {
      return InvalidArgument("extra placeholder `" + name + "` of destination `" + l.name + "` is `" + v +
                             "`: a layout value must stay inside the dataset's folder (no `..` or leading `/`)");
    }
  }
  return out;
}

StatusOr<std::shared_ptr<const DestinationCredentials>> ResolveFilesystemConfig(const CredentialsLookup& l) {
  auto c = std::make_shared<FilesystemConfig>();
  DLT_ASSIGN_OR_RETURN(auto url, Setting(l, "bucket_url"));
  if (!url || url->value.text.empty()) {
    const std::string file = l.ws.workspace_mode() ? ".dlt/" + l.ws.profile() + ".config.toml" : ".dlt/config.toml";
    return InvalidArgument("Missing `bucket_url` for destination `" + l.name + "` (filesystem). Set it in " + file +
                           ":\n  [destination." + l.name + "]\n  bucket_url = \"data\"   # a folder; relative ones are under " +
                           fsutil::DisplayPath(l.ws.local_dir(), l.ws.run_dir()) + "\nor as environment variable " +
                           EnvVarName({"destination", l.name, "bucket_url"}));
  }
  c->bucket_url = url->value.text;
  std::string path = c->bucket_url;
  if (path.starts_with("file://")) {
    path = path.substr(7);
  } else if (path.starts_with("s3://")) {
    DLT_ASSIGN_OR_RETURN(c->s3, ResolveS3(l, path, url->origin.Describe()));
  } else if (size_t scheme = path.find("://"); scheme != std::string::npos) {
    return InvalidArgument("`bucket_url` of destination `" + l.name + "` (" + url->origin.Describe() + ") uses `" +
                           path.substr(0, scheme) + "://`, which this tool does not write to; use a local folder, "
                           "a file:// URL or s3://bucket/prefix");
  }
  if (!c->s3) {
    fs::path p(path);
    c->root = fsutil::Normalize(p.is_absolute() ? p : l.ws.local_dir() / p);
  }

  DLT_ASSIGN_OR_RETURN(c->layout_settings, ResolveLayoutSettings(l));
  DLT_ASSIGN_OR_RETURN(auto layout, Setting(l, "layout"));
  if (layout && !layout->value.text.empty()) {
    c->layout = layout->value.text;
    if (Status s = CheckLayout(c->layout, c->layout_settings.extra_placeholders); !s.ok()) {
      return InvalidArgument("`" + text::Join(layout->path, ".") + "` (" + layout->origin.Describe() + "): " + s.message());
    }
  }
  DLT_ASSIGN_OR_RETURN(auto format, Setting(l, "loader_file_format"));
  if (format) {
    const std::string& f = format->value.text;
    c->format = ParseFileFormat(f);
    if (!c->format) {
      return InvalidArgument("`" + text::Join(format->path, ".") + "` (" + format->origin.Describe() + ") is `" + f +
                             "`; the filesystem destination writes parquet, jsonl or csv");
    }
  }
  // As dlt's is_compression_disabled(): [normalize.data_writer], else [data_writer].
  DLT_ASSIGN_OR_RETURN(auto plain, settings::Flag(l.ws.config(), {"normalize", "data_writer"}, "disable_compression"));
  if (!plain) {
    DLT_ASSIGN_OR_RETURN(plain, settings::Flag(l.ws.config(), {"data_writer"}, "disable_compression"));
  }
  c->compress = !plain.value_or(false);
  DLT_ASSIGN_OR_RETURN(auto keep, Setting(l, "max_state_files"));
  if (keep) {
    DLT_ASSIGN_OR_RETURN(c->max_state_files, CredentialsLookup::ToInt(*keep, -1, 1000000));
  }
  return std::shared_ptr<const DestinationCredentials>(std::move(c));
}

}  // namespace dlt
