// Every file and folder of a pipeline's working folder (.dlt/.var/<profile>/pipelines/<name>/),
// named in this one place, as dlt lays it out:
//   state.json                         the pipeline's state (cursors, source state, version)
//   trace.json                         the record of the last run
//   traces/<started>-<load id>.json    the records of the newest runs (pipeline/trace_history.h)
//   schemas/<schema>.schema.json       the pipeline's schema
//   .lock                              held while a run or sync works in the folder
//   normalize/extracted/<load_id>/     extracted packages, waiting for normalize
//   load/new/<load_id>/                packages being written (never read: removed at start-up)
//   load/normalized/<load_id>/         normalized packages, waiting for load
//   load/loaded/<load_id>/             loaded packages
//   normalize/.version, load/.version  storage versions (dlt's "1.0.0")
// and inside each package folder the files of PackageFile below. Code that reads or writes any
// of them (pipeline, sync, drop, CLI, dashboard) gets the path from here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dlt {

enum class PackageStage { kExtracted, kNormalized, kLoaded };

// The files and folders of one load package.
namespace package_file {
inline constexpr const char* kState = "load_package_state.json";  // hints, counts, state to store
inline constexpr const char* kSchema = "schema.json";              // the schema the package needs
inline constexpr const char* kSchemaUpdates = "schema_updates.json";  // what it adds (normalized)
inline constexpr const char* kAppliedSchemaUpdates = "applied_schema_updates.json";  // (loaded)
inline constexpr const char* kCompleted = "package_completed.json";  // written last by the load
inline constexpr const char* kNewJobs = "new_jobs";
inline constexpr const char* kStartedJobs = "started_jobs";
inline constexpr const char* kCompletedJobs = "completed_jobs";
inline constexpr const char* kFailedJobs = "failed_jobs";
inline constexpr const char* kJobFolders[] = {kNewJobs, kStartedJobs, kCompletedJobs, kFailedJobs};
}  // namespace package_file

class PipelinePaths {
 public:
  explicit PipelinePaths(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path State() const { return dir_ / "state.json"; }
  std::filesystem::path Trace() const { return dir_ / "trace.json"; }
  std::filesystem::path TracesDir() const { return dir_ / "traces"; }
  std::filesystem::path Lock() const { return dir_ / ".lock"; }
  std::filesystem::path SchemasDir() const { return dir_ / "schemas"; }
  std::filesystem::path Schema(std::string_view schema_name) const {
    return SchemasDir() / (std::string(schema_name) + ".schema.json");
  }
  // Whether `schema_name` names a file of schemas/ (names read from packages, states and
  // destinations are checked before Schema() makes a path of them): not empty, no leading dot,
  // no separator or control character.
  static bool IsSchemaFileName(std::string_view schema_name) {
    if (schema_name.empty() || schema_name.size() > 200 || schema_name[0] == '.') return false;
    for (char c : schema_name) {
      if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
  }

  static const char* StageName(PackageStage stage) {  // "extracted", "normalized", "loaded"
    switch (stage) {
      case PackageStage::kExtracted: return "extracted";
      case PackageStage::kNormalized: return "normalized";
      case PackageStage::kLoaded: return "loaded";
    }
    return "";
  }
  std::filesystem::path StageDir(PackageStage stage) const {
    return dir_ / (stage == PackageStage::kExtracted ? "normalize" : "load") / StageName(stage);
  }
  std::filesystem::path Package(PackageStage stage, std::string_view load_id) const {
    return StageDir(stage) / load_id;
  }
  std::filesystem::path PackageFile(PackageStage stage, std::string_view load_id, const char* file) const {
    return Package(stage, load_id) / file;
  }
  std::filesystem::path NewPackagesDir() const { return dir_ / "load" / "new"; }
  std::filesystem::path NormalizeVersion() const { return dir_ / "normalize" / ".version"; }
  std::filesystem::path LoadVersion() const { return dir_ / "load" / ".version"; }

 private:
  std::filesystem::path dir_;
};

}  // namespace dlt
