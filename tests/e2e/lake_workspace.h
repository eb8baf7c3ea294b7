// A workspace for the filesystem destination's tests: its dev profile has the destination `lake`
// (bucket_url `lake`, so files land in _local/dev/lake/<dataset>/).
#pragma once

#include <filesystem>
#include <string>

#include "pipeline_fixture.h"

namespace dlt::testing {

class LakeWorkspace : public PipelineWorkspace {
 public:
  // `format` is the destination's loader_file_format; empty leaves it unset (dlt's default, jsonl).
  // `extra` is more TOML for the destination's section.
  explicit LakeWorkspace(const std::string& extra = "", const std::string& format = "parquet") {
    WriteConfig(Config(extra, format), "dev");
  }
  // The dev config file's text for `lake` with these settings.
  static std::string Config(const std::string& extra, const std::string& format) {
    return "[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"lake\"\n" +
           (format.empty() ? std::string() : "loader_file_format = \"" + format + "\"\n") + extra;
  }
  std::filesystem::path Dataset(const std::string& dataset = "shop_data") const {
    return root() / "_local" / "dev" / "lake" / dataset;
  }
  // A quoted glob over a table's files of extension `ext`, for DuckDB's readers.
  std::string Glob(const std::string& table, const std::string& ext = "parquet") const {
    return "'" + (Dataset() / table / ("*." + ext)).string() + "'";
  }
};

}  // namespace dlt::testing
