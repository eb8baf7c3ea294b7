// The pipeline's orchestrator: Create resolves the destination and names; Run (in Call: the
// locks, the local state) finishes pending packages of earlier runs and then extracts,
// normalizes and loads the new one; Extract, Normalize and Load are its steps one at a time.
// The stages live in files of their own (see pipeline_impl.h).
#include "dlt/pipeline.h"

#include <cstdlib>
#include <thread>

#include "common/fs.h"
#include "common/text.h"
#include "config/settings.h"
#include "destinations/destination_types.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/pipeline_naming.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

Status ValidatePipelineName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) ok = false;
  }
  if (!ok) {
    return InvalidArgument("Invalid pipeline name `" + name +
                           "`: it names a folder, so it cannot be empty or contain path separators");
  }
  return Status::Ok();
}

}  // namespace

Status Pipeline::Impl::RequireDestination(const char* step) const {
  if (!destination.type.empty()) return Status::Ok();
  return FailedPrecondition("pipeline `" + options.pipeline_name + "` has no destination, so it cannot " + step +
                            ": give one to the pipeline (or to run() / load())");
}

Status Pipeline::Impl::OpenDestination() {
  if (dest) return Status::Ok();
  DLT_ASSIGN_OR_RETURN(dest, dlt::OpenDestination(destination, {options.dataset_name, staging_dataset, options.read_only}));
  return Status::Ok();
}

Pipeline::Pipeline() : impl_(std::make_unique<Impl>()) {}
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;
Pipeline::~Pipeline() = default;

const std::string& Pipeline::name() const { return impl_->options.pipeline_name; }
const fs::path& Pipeline::working_dir() const { return impl_->dir; }

StatusOr<Pipeline> Pipeline::Create(const Workspace& ws, PipelineOptions options) {
  if (!ws.config_loaded()) return FailedPrecondition("Workspace::LoadConfig() must be called before creating a pipeline");
  DLT_RETURN_IF_ERROR(ValidatePipelineName(options.pipeline_name));
  if (options.destination.empty() && !options.without_destination) {
    return InvalidArgument("pipeline `" + options.pipeline_name + "` has no destination (set `destination`)");
  }
  if (options.dataset_name.empty()) options.dataset_name = options.pipeline_name + "_dataset";
  Pipeline p;
  Impl& im = *p.impl_;
  if (!options.destination.empty()) {
    DLT_ASSIGN_OR_RETURN(im.destination, ResolveDestination(ws, options.destination, options.pipeline_name));
  }
  // As dlt: every table, column and dataset name is shortened to what the destination takes
  // (PostgreSQL 63), with a hash tag, instead of being cut by the database.
  DLT_ASSIGN_OR_RETURN(im.naming, ResolvePipelineNaming(ws, options.pipeline_name, options.destination, im.destination.type));
  std::string normalized_dataset = im.naming.NormalizeIdentifier(options.dataset_name);
  if (normalized_dataset.empty()) return InvalidArgument("dataset name `" + options.dataset_name + "` is not usable");
  // The staging dataset's tag (when shortened) comes from the name as given, as in dlt.
  im.staging_dataset = im.naming.NormalizeIdentifier(options.dataset_name + "_staging");
  options.dataset_name = normalized_dataset;
  im.options = options;
  im.profile = ws.workspace_mode() ? ws.profile() : "";
  im.profile_selected_by = ws.workspace_mode() ? std::string(ProfileSourceName(ws.profile_source())) : "classic mode";
  im.dir = ws.pipelines_dir() / options.pipeline_name;
  DLT_ASSIGN_OR_RETURN(double workers, settings::Number(ws.config(), {"normalize"}, "workers"));
  im.normalize_workers = workers > 0 ? static_cast<size_t>(workers) : std::max(1u, std::thread::hardware_concurrency());
  for (auto [key, into] : {std::pair{"add_dlt_id", &im.arrow_add_dlt_id}, std::pair{"add_dlt_load_id", &im.arrow_add_dlt_load_id}}) {
    DLT_ASSIGN_OR_RETURN(std::optional<bool> v, settings::Flag(ws.config(), {"normalize", "parquet_normalizer"}, key));
    *into = v.value_or(false);
  }
  // The run record keeps where each configuration value came from (never the values).
  if (!options.destination.empty()) {
    const std::string dkey = "destination." + options.destination;
    im.config_origins.emplace_back(dkey + ".destination_type",
                                   im.destination.type_origin ? im.destination.type_origin->Describe()
                                                              : "(the destination name is the type)");
    im.config_origins.emplace_back(dkey + ".credentials", im.destination.credentials_origin
                                                              ? im.destination.credentials_origin->Describe()
                                                              : "(defaults)");
  }
  for (const auto& o : options.source_config_origins) im.config_origins.push_back(o);
  im.progress = Progress(options.progress);
  return p;
}

StatusOr<LoadInfo> Pipeline::Run(const std::vector<Resource>& resources) {
  Impl& im = *impl_;
  return im.Call([&](LoadInfo& info) -> Status {
    DLT_RETURN_IF_ERROR(im.RequireDestination("run"));
    DLT_RETURN_IF_ERROR(im.ProcessPending(&info));
    if (resources.empty()) return im.RecordDestinationInState();
    // A write disposition the destination cannot do is refused before anything is extracted.
    if (const DestinationType* type = FindDestinationType(im.destination.type)) {
      for (const auto& r : resources) {
        if (r.options().write_disposition != "merge") continue;
        const std::string table = r.options().table_name.empty() ? r.options().name : r.options().table_name;
        if (auto msg = MergeUnsupportedMessage(*type, im.destination.name, table)) return InvalidArgument(*msg);
      }
    }
    std::string load_id = im.NextLoadId();
    PipelineState before = im.state;
    DLT_ASSIGN_OR_RETURN(bool has_package, im.Extract(resources, load_id, &info, /*pre_normalize=*/true));
    if (!has_package) return im.RecordDestinationInState();
    // Only where the destination does its work in a process of its own: DuckDB runs in ours,
    // on the cores the normalizer already uses (streaming gains nothing there and costs memory).
    Status s = im.NormalizePackage(load_id, &info, /*stream_load=*/FindDestinationType(im.destination.type)->load_while_normalizing);
    if (!s.ok()) {
      im.AbortStream();
      // Nothing of this run is kept: the package goes and the state is rolled back.
      (void)im.storage->Delete(PackageStage::kExtracted, load_id);
      { std::error_code ec; fs::remove_all(PipelinePaths(im.dir).NewPackagesDir() / load_id, ec); }  // half-normalized copy
      im.state = before;
      (void)im.state.Save(im.StatePath());
      return s;
    }
    DLT_RETURN_IF_ERROR(im.LoadPackage(load_id, &info));
    return im.RecordDestinationInState();
  });
}

StatusOr<LoadInfo> Pipeline::LoadPending() { return Run({}); }

// The steps one at a time, as dlt's pipeline.extract(), normalize() and load(). Extract leaves
// packages that wait (pending ones included) where they are, as dlt does.
StatusOr<LoadInfo> Pipeline::Extract(const std::vector<Resource>& resources) {
  Impl& im = *impl_;
  return im.Call([&](LoadInfo& info) -> Status {
    if (resources.empty()) return Status::Ok();
    return im.Extract(resources, im.NextLoadId(), &info).status();
  });
}

StatusOr<LoadInfo> Pipeline::Normalize() {
  Impl& im = *impl_;
  return im.Call([&](LoadInfo& info) { return im.NormalizeExtracted(&info); });
}

StatusOr<LoadInfo> Pipeline::Load() {
  Impl& im = *impl_;
  return im.Call([&](LoadInfo& info) {
    DLT_RETURN_IF_ERROR(im.RequireDestination("load"));
    DLT_RETURN_IF_ERROR(im.LoadNormalized(&info));
    return im.RecordDestinationInState();
  });
}

const std::optional<RunFailure>& Pipeline::last_failure() const { return impl_->failure; }

}  // namespace dlt
