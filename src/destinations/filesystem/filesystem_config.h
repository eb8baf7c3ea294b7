// Configuration of the filesystem destination: where the bucket is (`bucket_url`), how files are
// laid out in it (`layout`) and in which format (`loader_file_format`), read from
// `[destination.<name>]` of the active profile with dlt's lookup rules.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <string>

#include "destinations/credentials_lookup.h"
#include "destinations/filesystem/filesystem_layout.h"
#include "destinations/filesystem/s3_client.h"
#include "dlt/destination.h"
#include "dlt/status.h"

namespace dlt {

enum class FileFormat { kParquet, kJsonl, kCsv };

struct FilesystemConfig : DestinationCredentials {
  std::string bucket_url;        // as configured (display)
  std::filesystem::path root;    // the local folder the bucket is (absolute); unused for S3
  // Set for `s3://bucket/prefix`: where and with which credentials (the secret key is never shown).
  std::optional<S3Settings> s3;
  std::string layout = "{table_name}/{load_id}.{file_id}.{ext}";
  LayoutSettings layout_settings;  // current_datetime, extra_placeholders
  // `loader_file_format` when set: every data file in that format. Unset, dlt's choice
  // (its filesystem destination prefers jsonl): JSON Lines, except tables of Arrow items
  // (use_pyarrow, backend="pyarrow"), which dlt writes as Parquet (it has no native Arrow ->
  // JSON writer and picks the first supported format that has one).
  std::optional<FileFormat> format;
  FileFormat FormatFor(bool arrow_items) const {
    return format ? *format : arrow_items ? FileFormat::kParquet : FileFormat::kJsonl;
  }
  // dlt's `[normalize.data_writer] disable_compression` (or `[data_writer]`): jsonl and csv
  // files written plain and named without ".gz".
  bool compress = true;
  // Newest state files kept per pipeline (dlt's max_state_files); 0 or less keeps all.
  int max_state_files = 100;
  std::string Redacted() const override { return bucket_url; }
};

// The file extension of a format, as dlt names files: jsonl and csv are gzip-compressed
// ("jsonl.gz", "csv.gz") unless compression is disabled; parquet compresses inside the file.
std::string FileFormatExtension(FileFormat f, bool compress = true);
// "parquet" | "jsonl" | "csv" -> the format; nullopt for any other name.
std::optional<FileFormat> ParseFileFormat(std::string_view name);

// Reads bucket_url (a local path, relative ones under the profile's local folder, file://, or
// s3://bucket/prefix with aws_access_key_id, aws_secret_access_key, region_name and endpoint_url
// from `[destination.<name>.credentials]`),
// layout (checked: only dlt's placeholders) and loader_file_format. Errors name the key and file.
StatusOr<std::shared_ptr<const DestinationCredentials>> ResolveFilesystemConfig(const CredentialsLookup& l);

}  // namespace dlt
