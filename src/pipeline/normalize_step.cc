// The normalize step: an extracted package becomes a normalized one, job files per table and the
// schema it needs; the pipeline's schema is saved before the package is published.
#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include "common/fault.h"
#include "common/fs.h"
#include "extract/extractor.h"
#include "extract/json_reader.h"
#include "normalize/typed_job_file.h"
#include "normalize/job_writer.h"
#include "normalize/relational.h"
#include "normalize/schema_history.h"
#include "normalize/schema_settings.h"
#include "destinations/destination_types.h"
#include "load/package_state.h"
#include "normalize/typed_normalizer.h"
#include "pipeline/normalize_parts.h"
#include "pipeline/file_items.h"
#include "pipeline/package_manifest.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/pre_normalize.h"
#include "pipeline/typed_items.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;


// DuckDB reads job files with one thread per file. A big package is normalized in parts, one
// per worker, so its big tables have a file per part. With more than two cores, files are also
// continued in a new file at 32 MB so that the load can use them all. (On two cores that only
// costs: about 0.3 s more CPU for the nested benchmark, measured.)
uint64_t Pipeline::Impl::JobFileBytes() {
  static const uint64_t bytes = std::thread::hardware_concurrency() > 2 ? (uint64_t{32} << 20) : 0;
  return bytes;
}

// `stream`: load finished job files while normalizing (stream_load.cc).
Status Pipeline::Impl::NormalizePackage(const std::string& load_id, LoadInfo* info, bool stream_load) {
  auto t0 = std::chrono::steady_clock::now();
  std::string started_at = NowIso();
  mark = {"normalize", load_id, std::nullopt};
  streamed.reset();
  // Whatever happens, the stream thread is stopped on return, and its transaction is rolled
  // back unless the package was published (LoadPackage commits it then).
  bool published = false;
  struct StreamGuard {
    Impl* im;
    bool* published;
    ~StreamGuard() {
      if (!im->stream) return;
      bool ok = im->StopStream();
      if (ok && !*published) im->AbortStream();
      im->stream.reset();
    }
  } stream_guard{this, &published};
  fs::path src = storage->PackageDir(PackageStage::kExtracted, load_id);
  DLT_ASSIGN_OR_RETURN(LoadPackageState read, ReadLoadPackageState(src / package_file::kState, options.pipeline_name));
  // Each package is normalized into the schema it was extracted into (a source's own).
  DLT_RETURN_IF_ERROR(UseSchema(read.schema_name().value_or(DefaultSchemaName())));
  Json ps = std::move(read.doc);
  DLT_ASSIGN_OR_RETURN(fs::path tmp, storage->BeginPackage(load_id));
  std::map<std::string, TableHints> hints;
  for (auto it = ps["resources"].begin(); it != ps["resources"].end(); ++it) {
    DLT_ASSIGN_OR_RETURN(TableHints h, HintsFromJson(it.value()));
    hints[it.key()] = std::move(h);
  }
  // Schema settings given with the resources go into the schema before it is copied into parts.
  for (const auto& [name, h] : hints) {
    if (h.schema_settings.is_null()) continue;
    auto set = SetSchemaSettings(&schema->mutable_settings(), h.schema_settings, naming);
    if (!set.ok()) return set.status().WithContext("resource `" + h.resource + "`");
  }
  // dlt's refresh (extract_step.cc): the tables its load drops are left out of the schema, so
  // that the package's rows make them anew (the schema as it was comes back if this fails); and
  // nothing is loaded before the load has dropped or emptied its tables.
  std::optional<Schema> before_refresh;
  if (auto d = ps.find("dropped_tables"); d != ps.end() && d->is_array() && !d->empty()) {
    before_refresh = *schema;
    for (const auto& t : *d) {
      if (t.is_string()) schema->RemoveTable(t.get<std::string>());
    }
  }
  struct SchemaRestore {
    std::unique_ptr<Schema>* schema;
    std::optional<Schema>* kept;
    ~SchemaRestore() {
      if (*kept) **schema = std::move(**kept);
    }
  } schema_restore{&schema, &before_refresh};
  if (ps.contains("dropped_tables") || ps.contains("truncated_tables")) stream_load = false;
  const bool new_schema = IsNewSchema(*schema);
  auto jobs = storage->Jobs(PackageStage::kExtracted, load_id);
  // A part normalized while the package was extracted (pre_normalize.h) stands for its first
  // files, when it was made from this schema and these hints.
  std::optional<PreNormalizer::Taken> pre_part;
  if (pre_normalizer) {
    // Its files loaded while extracting (load_while_extracting) are read from its folder: the
    // load stops after the file in hand before they move; those still queued go with the package.
    const bool pre_stream_ok = stream && StopStream();
    if (pre_normalizer->load_id() == load_id) {
      pre_part = pre_normalizer->Take(*schema, ps["resources"], jobs, tmp / package_file::kNewJobs);
    }
    pre_normalizer.reset();
    // The package's rows are taken into this step here (a crash leaves the extracted package).
    if (pre_part) FaultPoint("normalize_row");
    // A part dropped takes back what was loaded from it.
    if (stream && !(pre_part && pre_stream_ok)) {
      AbortStream();
      stream.reset();
    }
  } else if (stream) {
    StopStream();
    AbortStream();
    stream.reset();
  }
  const size_t pre_files = pre_part ? pre_part->files : 0;
  // Big packages are normalized by several workers at once, in parts of about equal size that
  // are merged into the result of a single pass (normalize_parts.h).
  std::vector<uint64_t> sizes;
  for (size_t i = pre_files; i < jobs.size(); ++i) {
    std::error_code ec;
    sizes.push_back(fs::file_size(jobs[i].path, ec));
  }
  const std::vector<size_t> cuts = sizes.empty() ? std::vector<size_t>{} : CutParts(sizes, normalize_workers);
  std::vector<std::vector<PackageJob>> part_jobs;
  if (pre_part) part_jobs.emplace_back(jobs.begin(), jobs.begin() + static_cast<long>(pre_files));
  for (size_t k = 0; k < cuts.size(); ++k) {
    size_t end = pre_files + (k + 1 < cuts.size() ? cuts[k + 1] : sizes.size());
    part_jobs.emplace_back(jobs.begin() + static_cast<long>(pre_files + cuts[k]), jobs.begin() + static_cast<long>(end));
  }
  // A package without job files (every resource yielded nothing, or rows went only to tables
  // named per item) is still normalized, as one empty part: its schema and state go on.
  if (part_jobs.empty()) part_jobs.emplace_back();

  using Part = NormalizePart;
  std::atomic<uint64_t> normalized_records{0};
  // Files of the first part are final when written; those of the other parts only when every
  // part agrees on the column types (checked after all are done, the stream is abandoned
  // otherwise), so they never create or widen a table.
  auto stream_files = [&](Part& part, bool may_alter) {
    part.writers->SetRotation(StreamFileBytes(), [this, &part, may_alter](const JobFileInfo& f) {
      if (auto item = StreamItemFor(part.schema, f, may_alter)) stream->Push(std::move(*item));
    });
  };
  // Rows of typed batches stay typed on the way to a destination that reads typed job files.
  const DestinationType* dest_type = FindDestinationType(destination.type);
  const bool typed_jobs = dest_type && dest_type->reads_typed_jobs;
  // Parquet files of Arrow items become load jobs as they are where the destination reads them.
  const bool parquet_jobs = dest_type && dest_type->reads_parquet_jobs;
  // Typed files of the extract become load jobs as they are where the destination fills in the
  // dlt columns (pipeline/typed_items.h).
  const bool keep_typed = typed_jobs && dest_type->typed_jobs_with_generated_columns;
  auto run_part = [&](Part& part, const std::vector<PackageJob>& part_jobs, bool show) -> Status {
    part.writers = std::make_unique<JobWriterSet>(tmp / package_file::kNewJobs);
    part.writers->set_typed_jobs(typed_jobs);
    if (stream && part.streams) {
      stream_files(part, part.first);
    } else if (JobFileBytes() > 0) {
      part.writers->SetRotation(JobFileBytes(), nullptr);
    }
    part.normalizer = std::make_unique<Normalizer>(&part.schema, &naming, load_id, part.writers.get());
    part.typed = std::make_unique<TypedNormalizer>(&part.schema, &naming, load_id, part.writers.get(),
                                                   part.normalizer.get());
    part.typed->set_arrow_columns(arrow_add_dlt_id, arrow_add_dlt_load_id);
    for (const auto& [name, h] : hints) DLT_RETURN_IF_ERROR(part.normalizer->Prepare(h));
    std::vector<JobFileInfo> whole_files;  // file items that are load jobs as they are
    for (const auto& job : part_jobs) {
      std::string resource = job.file_name.substr(0, job.file_name.find('.'));
      auto h = hints.find(resource);
      if (h == hints.end()) return DataLoss("extracted job " + job.path.string() + " has no resource hints in its package");
      DLT_ASSIGN_OR_RETURN(std::string kind, JobKindOf(ps, job.file_name));
      if (kind == kJobKindParquet) {
        uint64_t before = part.records;
        DLT_RETURN_IF_ERROR(NormalizeFileItem(job, h->second, parquet_jobs, *part.typed, naming,
                                              tmp / package_file::kNewJobs, &whole_files, &part.records));
        uint64_t all = normalized_records.fetch_add(part.records - before) + (part.records - before);
        if (show) progress.Update("normalize", "all resources", all, part.writers->bytes_written(), SecondsSince(t0));
        continue;
      }
      if (kind == kJobKindTyped) {
        // Also where the file is kept as it is (typed_items.h), with no row to write.
        FaultPoint("normalize_row");
        DLT_RETURN_IF_ERROR(NormalizeTypedJob(job, h->second, keep_typed, *part.typed, naming,
                                              tmp / package_file::kNewJobs, &whole_files, &part.records,
                                              [&](uint64_t added) {
                                                uint64_t all = normalized_records.fetch_add(added) + added;
                                                if (show) {
                                                  progress.Update("normalize", "all resources", all,
                                                                  part.writers->bytes_written(), SecondsSince(t0));
                                                }
                                              }));
        continue;
      }
      // Both halves add to one count, so the line shows the package's true total.
      DLT_RETURN_IF_ERROR(NormalizeJsonJob(part, job, resource, h->second, [&] {
        uint64_t all = normalized_records.fetch_add(65536) + 65536;
        if (show) progress.Update("normalize", "all resources", all, part.writers->bytes_written(), SecondsSince(t0));
      }));
    }
    DLT_ASSIGN_OR_RETURN(part.files, part.writers->Close());
    part.files.insert(part.files.end(), whole_files.begin(), whole_files.end());
    return Status::Ok();
  };
  std::vector<std::unique_ptr<Part>> parts;
  // The part made while extracting is done already: the others start after it.
  const size_t first_to_run = pre_part ? 1 : 0;
  if (pre_part) {
    normalized_records += pre_part->part->records;
    parts.push_back(std::move(pre_part->part));
  }
  for (size_t k = first_to_run; k < part_jobs.size(); ++k) {
    parts.push_back(std::make_unique<Part>(Part{*schema, nullptr, nullptr, nullptr, {}, 0, true, k == 0}));
  }
  if (stream_load && !stream) StartStream(load_id);
  std::vector<Status> statuses(parts.size(), Status::Ok());
  // The destination's library loads meanwhile (about 30 ms for DuckDB's), not after.
  // Every thread is joined on every way out (std::jthread), and nothing thrown on a worker ends
  // the process: it becomes the part's status.
  std::jthread preload;
  if (!dest) preload = std::jthread([this] { PreloadDestination(destination); });
  {
    std::vector<std::jthread> workers;
    for (size_t k = first_to_run + 1; k < parts.size(); ++k) {
      workers.emplace_back([&, k] {
        try {
          statuses[k] = run_part(*parts[k], part_jobs[k], false);
        } catch (const std::exception& e) {
          statuses[k] = Internal("normalizing part " + std::to_string(k + 1) + " of package " + load_id +
                                 " failed: " + e.what());
        }
      });
    }
    if (first_to_run < parts.size()) statuses[first_to_run] = run_part(*parts[first_to_run], part_jobs[first_to_run], true);
  }
  if (preload.joinable()) preload.join();
  progress.Done();
  // The remaining files are loaded with the package; paths change when it is published.
  bool stream_ok = stream && StopStream();
  for (const Status& st : statuses) DLT_RETURN_IF_ERROR(st);
  // Rows per table of a part: its JSON and its typed rows.
  auto add_counts = [](std::map<std::string, uint64_t>& into, const Part& part) {
    for (const auto& [t, n] : part.normalizer->row_counts()) into[t] += n;
    for (const auto& [t, n] : part.typed->row_counts()) into[t] += n;
  };
  std::map<std::string, uint64_t> row_counts;
  add_counts(row_counts, *parts[0]);
  std::vector<JobFileInfo> files = parts[0]->files;
  Schema merged = std::move(parts[0]->schema);
  for (size_t k = 1; k < parts.size(); ++k) {
    Part& part = *parts[k];
    if (SchemasAgree(merged, part.schema)) {
      MergeSchemaInto(merged, part.schema);
      add_counts(row_counts, part);
      files.insert(files.end(), part.files.begin(), part.files.end());
      continue;
    }
    if (stream_ok && stream_load) {
      // Files of this part may have been loaded: load the package the ordinary way. (Those
      // loaded while extracting are the first part's, final as written.)
      AbortStream();
      stream_ok = false;
    }
    for (const auto& f : part.files) {
      std::error_code ec;
      fs::remove(f.path, ec);
    }
    // Normalized again from what the parts before it made, as a single pass would.
    Part again{std::move(merged), nullptr, nullptr, nullptr, {}, 0, false, false};
    DLT_RETURN_IF_ERROR(run_part(again, part_jobs[k], true));
    add_counts(row_counts, again);
    files.insert(files.end(), again.files.begin(), again.files.end());
    merged = std::move(again.schema);
  }
  Schema work = std::move(merged);
  uint64_t bytes_written = 0;
  nlohmann::ordered_json job_bytes = nlohmann::ordered_json::object();  // checked before the load
  nlohmann::ordered_json generated = nlohmann::ordered_json::object();  // of Parquet jobs (file_items.h)
  for (const auto& f : files) {
    job_bytes[f.path.filename().string()] = f.bytes;
    bytes_written += f.bytes;
    if (!f.generated.empty()) generated[f.path.filename().string()] = f.generated;
  }
  if (new_schema) {
    // The two versions dlt's extract step gives a new schema (normalize/schema_history.h).
    std::vector<const TableHints*> hs;
    for (const auto& [name, h] : hints) hs.push_back(&h);
    ExtractStepHashes eh = ComputeExtractStepHashes(work, hs, naming);
    work.SetVersionHistory(1, eh.state_added, {eh.tables_added});
  }
  work.BumpVersion();
  std::vector<std::string> replace;
  for (const auto& [name, h] : hints) {
    if (h.disposition == WriteDisposition::kReplace) replace.push_back(naming.NormalizeIdentifier(h.table_name));
  }
  ps["replace_tables"] = replace;
  Json counts = Json::object();
  uint64_t rows = 0;
  for (const auto& [t, n] : row_counts) {
    counts[t] = n;
    rows += n;
    info->rows_normalized[t] += n;
  }
  // A package whose pipeline state changed loads one `_dlt_pipeline_state` row (dlt counts it
  // among the tables it normalized; the package's own row counts keep the data tables only).
  if (ps.contains("pipeline_state") && ps["pipeline_state"].is_object()) info->rows_normalized["_dlt_pipeline_state"] += 1;
  ps["row_counts"] = counts;
  ps["job_bytes"] = job_bytes;
  if (!generated.empty()) ps[kGeneratedColumnsKey] = generated;
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(tmp / package_file::kSchema, work.ToJson()));
  // The tables and columns this package adds to the schema (dlt's schema_updates.json).
  DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / package_file::kSchemaUpdates, work.UpdateOf(work.ColumnsAddedSince(*schema))));
  DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / package_file::kState, ps));
  // The pipeline's schema is saved before the package is published: a crash in between leaves
  // the extracted package, which normalizes again against a schema that already has its columns.
  FaultPoint("normalize_before_schema_save");
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(SchemaPath(), work.ToJson(true)));
  before_refresh.reset();
  *schema = std::move(work);
  FaultPoint("normalize_before_publish");
  DLT_RETURN_IF_ERROR(storage->Publish(tmp, PackageStage::kNormalized, load_id));
  if (stream_ok) {
    published = true;
    streamed = Streamed{load_id, stream->loaded_files(), stream->loaded_tables()};
  }
  FaultPoint("normalize_before_extracted_delete");
  DLT_RETURN_IF_ERROR(storage->Discard(PackageStage::kExtracted, load_id));
  FaultPoint("after_normalize");
  info->steps.push_back({"normalize", SecondsSince(t0), rows, bytes_written, started_at, NowIso()});
  Touch(load_id);
  return Status::Ok();
}

}  // namespace dlt
