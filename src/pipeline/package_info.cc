// Load packages of the working folder described for callers (PackageInfo, JobInfo): what dlt's
// LoadInfo.load_packages and pipeline.get_load_package_info() give. Read from disk only, so a
// package is described the same whichever process wrote it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "load/package_state.h"
#include "normalize/job_writer.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

constexpr PackageStage kStages[] = {PackageStage::kExtracted, PackageStage::kNormalized, PackageStage::kLoaded};

// The modification time of `file` as ISO 8601 UTC, as NowIso() writes times.
std::optional<std::string> FileTimeIso(const fs::path& file) {
  std::error_code ec;
  auto t = fs::last_write_time(file, ec);
  if (ec) return std::nullopt;
  auto sys = std::chrono::file_clock::to_sys(t);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(sys.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us % 1000000));
  return std::string(buf);
}

// The table a job file loads: its name's first part, the stem of the table's name (a very long
// name is shortened in the file name: the package's schema tells which table it is).
std::string TableOfJob(const std::string& file_name, const Schema* schema) {
  std::string stem = file_name.substr(0, file_name.find('.'));
  if (!schema || schema->FindTable(stem)) return stem;
  for (const auto& t : schema->tables()) {
    if (JobWriterSet::JobFileStem(t.name) == stem) return t.name;
  }
  return stem;
}

// The format of a job file: its extension, without a compression suffix.
std::string FormatOfJob(const std::string& file_name) {
  std::string name = file_name;
  for (const char* z : {".gz", ".zst"}) {
    if (name.size() > 4 && name.ends_with(z)) name.resize(name.size() - std::string(z).size());
  }
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(dot + 1);
}

}  // namespace

StatusOr<PackageInfo> Pipeline::Impl::PackageInfoOf(const std::string& load_id) const {
  const PipelinePaths paths(dir);
  for (PackageStage stage : kStages) {
    fs::path pdir = paths.Package(stage, load_id);
    std::error_code ec;
    if (load_id.empty() || !fs::is_directory(pdir, ec)) continue;
    PackageInfo p;
    p.load_id = load_id;
    p.schema_name = DefaultSchemaName();  // packages of older versions do not name theirs
    p.state = PipelinePaths::StageName(stage);
    if (stage == PackageStage::kLoaded) p.completed_at = FileTimeIso(pdir / package_file::kCompleted);
    std::optional<Schema> schema;
    if (stage != PackageStage::kExtracted) {
      auto s = Schema::ReadFile(pdir / package_file::kSchema, "");
      if (s.ok()) schema = std::move(s).value();
      if (schema) p.schema_name = schema->name();
    } else if (auto ps = ReadLoadPackageState(pdir / package_file::kState, options.pipeline_name); ps.ok()) {
      if (auto name = ps->schema_name()) p.schema_name = *name;
    }
    for (const char* folder : package_file::kJobFolders) {
      std::vector<fs::directory_entry> files;
      for (const auto& e : fs::directory_iterator(pdir / folder, ec)) {
        if (e.is_regular_file(ec)) files.push_back(e);
      }
      std::sort(files.begin(), files.end());
      for (const auto& e : files) {
        JobInfo j;
        j.job_id = e.path().filename().string();
        j.table_name = TableOfJob(j.job_id, schema ? &*schema : nullptr);
        j.state = folder;
        j.file_format = FormatOfJob(j.job_id);
        j.file_size = e.file_size(ec);
        p.jobs.push_back(std::move(j));
      }
    }
    return p;
  }
  return NotFound("pipeline `" + options.pipeline_name + "` has no load package `" + load_id + "` in " + dir.string());
}

StatusOr<PackageInfo> Pipeline::GetPackage(const std::string& load_id) { return impl_->PackageInfoOf(load_id); }

std::vector<std::string> Pipeline::ListPackages(std::string_view state) {
  for (PackageStage stage : kStages) {
    if (state == PipelinePaths::StageName(stage)) return PackageStorage(impl_->dir).List(stage);
  }
  return {};
}

}  // namespace dlt
