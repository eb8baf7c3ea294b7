#include "destinations/filesystem/filesystem_config.h"

#include "common/fs.h"
#include "common/text.h"
#include "destinations/filesystem/filesystem_layout.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

StatusOr<std::optional<ResolvedValue>> Setting(const CredentialsLookup& l, const std::string& key) {
  ConfigKey k;
  k.sections = {"destination", l.name};
  k.key = key;
  k.pipeline_name = l.pipeline;
  DLT_ASSIGN_OR_RETURN(auto r, l.ws.config().Resolve(k));
  if (r && !r->value.is_scalar()) {
    return InvalidArgument("`" + text::Join(r->path, ".") + "` must be a single value (" + r->origin.Describe() + ")");
  }
  return r;
}

}  // namespace

std::string FileFormatExtension(FileFormat f) {
  switch (f) {
    case FileFormat::kParquet: return "parquet";
    case FileFormat::kJsonl: return "jsonl.gz";
    case FileFormat::kCsv: return "csv.gz";
  }
  return "parquet";
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
  } else if (size_t scheme = path.find("://"); scheme != std::string::npos) {
    return InvalidArgument("`bucket_url` of destination `" + l.name + "` (" + url->origin.Describe() + ") uses `" +
                           path.substr(0, scheme) + "://`, which this tool does not write to yet; use a local folder "
                           "or a file:// URL (s3:// is planned)");
  }
  fs::path p(path);
  c->root = fsutil::Normalize(p.is_absolute() ? p : l.ws.local_dir() / p);

  DLT_ASSIGN_OR_RETURN(auto layout, Setting(l, "layout"));
  if (layout && !layout->value.text.empty()) {
    c->layout = layout->value.text;
    if (Status s = CheckLayout(c->layout); !s.ok()) {
      return InvalidArgument("`" + text::Join(layout->path, ".") + "` (" + layout->origin.Describe() + "): " + s.message());
    }
  }
  DLT_ASSIGN_OR_RETURN(auto format, Setting(l, "loader_file_format"));
  if (format) {
    const std::string& f = format->value.text;
    if (f == "parquet") c->format = FileFormat::kParquet;
    else if (f == "jsonl") c->format = FileFormat::kJsonl;
    else if (f == "csv") c->format = FileFormat::kCsv;
    else {
      return InvalidArgument("`" + text::Join(format->path, ".") + "` (" + format->origin.Describe() + ") is `" + f +
                             "`; the filesystem destination writes parquet, jsonl or csv");
    }
  }
  DLT_ASSIGN_OR_RETURN(auto keep, Setting(l, "max_state_files"));
  if (keep) {
    DLT_ASSIGN_OR_RETURN(c->max_state_files, CredentialsLookup::ToInt(*keep, -1, 1000000));
  }
  return std::shared_ptr<const DestinationCredentials>(std::move(c));
}

}  // namespace dlt
