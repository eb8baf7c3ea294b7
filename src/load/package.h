// Load packages on disk, in a pipeline's working folder, laid out as dlt does:
//   normalize/extracted/<load_id>/   extracted records, waiting for normalize
//   load/normalized/<load_id>/       per-table job files, waiting for load
//   load/loaded/<load_id>/           loaded (kept, with package_completed.json)
// Each stage builds a package in a temporary folder and publishes it with one rename, so a crash
// leaves either the old stage or the new one, never a half-written package.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

struct PackageJob {
  std::string table;
  std::filesystem::path path;
  std::string file_name;
  // A Parquet job (pipeline/file_items.h): the dlt columns the load gives its rows, from the
  // package state's `generated_columns`.
  std::vector<std::string> generated;
};

class PackageStorage {
 public:
  explicit PackageStorage(std::filesystem::path pipeline_dir) : dir_(std::move(pipeline_dir)) {}
  ~PackageStorage();
  PackageStorage(const PackageStorage&) = delete;
  PackageStorage& operator=(const PackageStorage&) = delete;

  // Creates the folder layout and the .version files; removes temporary leftovers of a crash.
  Status Init();

  std::filesystem::path StageDir(PackageStage stage) const;
  std::filesystem::path PackageDir(PackageStage stage, const std::string& load_id) const;

  // Load ids of packages in a stage, oldest first.
  std::vector<std::string> List(PackageStage stage) const;

  // A fresh temporary package folder (with new_jobs/) for `load_id`.
  StatusOr<std::filesystem::path> BeginPackage(const std::string& load_id) const;
  // Publishes a temporary package into `stage` (one rename + fsync of the parent folder).
  Status Publish(const std::filesystem::path& temp_dir, PackageStage stage, const std::string& load_id) const;
  // Moves a package to the next stage (one rename). Missing source -> NotFound.
  Status Move(const std::string& load_id, PackageStage from, PackageStage to) const;
  Status Delete(PackageStage stage, const std::string& load_id) const;
  // Deletes a package with one rename (into load/new/, whose leftovers Init() removes) and then
  // its files on a thread of its own: deleting hundreds of MB of extracted records takes the
  // kernel about 0.1 s, which the load does not wait for. The destructor waits for it.
  Status Discard(PackageStage stage, const std::string& load_id);

  // new_jobs/ of a package, sorted by file name.
  std::vector<PackageJob> Jobs(PackageStage stage, const std::string& load_id, const char* folder = package_file::kNewJobs) const;

  // Small JSON files in a package (package state, schema, updates). They are read back with
  // type-checked readers (load/package_state.h, Schema::ReadFile).
  static Status WriteJson(const std::filesystem::path& path, const nlohmann::ordered_json& doc);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::thread> discards_;
};

// Load ids: Unix time with fractional seconds as Python prints a float ("1795593221.5217235"),
// strictly greater than `after` when given.
std::string NewLoadId(const std::optional<std::string>& after = std::nullopt);
// Current UTC time as ISO 8601 with microseconds and +00:00.
std::string NowIso();

}  // namespace dlt
