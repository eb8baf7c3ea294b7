// The normalize step: an extracted package becomes a normalized one, job files per table and the
// schema it needs; the pipeline's schema is saved before the package is published.
#include <atomic>
#include <map>
#include <thread>

#include "common/fault.h"
#include "common/fs.h"
#include "extract/extractor.h"
#include "extract/json_reader.h"
#include "normalize/typed_job_file.h"
#include "normalize/job_writer.h"
#include "normalize/relational.h"
#include "normalize/schema_history.h"
#include "destinations/destination_types.h"
#include "load/package_state.h"
#include "normalize/typed_normalizer.h"
#include "pipeline/package_manifest.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// True when every column present in both schemas has the same type and flags.
bool SchemasAgree(const Schema& a, const Schema& b) {
  for (const Table& tb : b.tables()) {
    const Table* ta = a.FindTable(tb.name);
    if (!ta) continue;
    if (ta->parent != tb.parent) return false;
    for (const Column& cb : tb.columns) {
      const Column* ca = ta->FindColumn(cb.name);
      if (ca && (ca->data_type != cb.data_type || ca->nullable != cb.nullable || ca->variant != cb.variant)) return false;
    }
  }
  return true;
}

// Appends the tables and columns of `b` that `a` lacks, in `b`'s order.
void MergeSchemaInto(Schema& a, const Schema& b) {
  for (const Table& tb : b.tables()) {
    Table* ta = a.FindTable(tb.name);
    if (!ta) {
      a.AddTable(tb);
      continue;
    }
    ta->seen_data = ta->seen_data || tb.seen_data;
    for (const Column& cb : tb.columns) {
      if (!ta->FindColumn(cb.name)) ta->columns.push_back(cb);
    }
  }
}

}  // namespace

// DuckDB reads job files with one thread per file. A big package is normalized in two halves,
// so its big tables have two files: enough for two cores. With more cores, files are also
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
  Json ps = std::move(read.doc);
  DLT_ASSIGN_OR_RETURN(fs::path tmp, storage->BeginPackage(load_id));
  std::map<std::string, TableHints> hints;
  for (auto it = ps["resources"].begin(); it != ps["resources"].end(); ++it) {
    DLT_ASSIGN_OR_RETURN(TableHints h, HintsFromJson(it.value()));
    hints[it.key()] = std::move(h);
  }
  const bool new_schema = IsNewSchema(*schema);
  auto jobs = storage->Jobs(PackageStage::kExtracted, load_id);
  uint64_t total_bytes = 0;
  for (const auto& j : jobs) {
    std::error_code ec;
    total_bytes += fs::file_size(j.path, ec);
  }
  // Big packages are normalized in two halves at once. The second half starts from the same
  // schema; when both halves agree on every column type the second half's new tables and
  // columns are appended after the first half's, exactly as one pass would order them.
  // When they disagree (a type change across the halves) the second half is redone after the
  // first, so the result is always the one of a single pass.
  // The halves are cut between the part files where their sizes come closest (extract writes
  // parts of 16 MB, so they differ by at most 8 MB).
  size_t split = jobs.size();
  if (jobs.size() >= 2 && total_bytes >= (48ull << 20)) {
    uint64_t acc = 0, best_diff = UINT64_MAX;
    for (size_t i = 0; i + 1 < jobs.size(); ++i) {
      std::error_code ec;
      acc += fs::file_size(jobs[i].path, ec);
      uint64_t diff = acc * 2 > total_bytes ? acc * 2 - total_bytes : total_bytes - acc * 2;
      if (diff < best_diff) {
        best_diff = diff;
        split = i + 1;
      }
    }
  }
  std::vector<PackageJob> first(jobs.begin(), jobs.begin() + static_cast<long>(split));
  std::vector<PackageJob> second(jobs.begin() + static_cast<long>(split), jobs.end());

  struct Part {
    Schema schema;
    std::unique_ptr<JobWriterSet> writers;
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<TypedNormalizer> typed;
    std::vector<JobFileInfo> files;
    uint64_t records = 0;
  };
  std::atomic<uint64_t> normalized_records{0};
  Part* part_a = nullptr;
  Part* part_b = nullptr;
  // Files of the first half are final when written; those of the second half only when both
  // halves agree on the column types (checked after both are done, the stream is abandoned
  // otherwise), so they never create or widen a table.
  auto stream_files = [&](Part& part, bool may_alter) {
    part.writers->SetRotation(StreamFileBytes(), [this, &part, may_alter](const JobFileInfo& f) {
      const Table* t = part.schema.FindTable(f.table);
      if (!t) return;
      const Table& root = part.schema.RootOf(f.table);
      if (root.write_disposition.value_or(WriteDisposition::kAppend) != WriteDisposition::kAppend) return;
      StreamItem item;
      item.table.name = t->name;
      item.table.parent = t->parent;
      for (const auto& name : f.columns) {
        const Column* c = t->FindColumn(name);
        if (!c) return;
        item.table.columns.push_back(*c);
      }
      item.job.table = f.table;
      item.job.path = f.path;
      item.job.file_name = f.path.filename().string();
      item.may_alter = may_alter;
      stream->Push(std::move(item));
    });
  };
  auto run_part = [&](Part& part, const std::vector<PackageJob>& part_jobs, bool show) -> Status {
    part.writers = std::make_unique<JobWriterSet>(tmp / package_file::kNewJobs);
    if (stream && (&part == part_a || &part == part_b)) {
      stream_files(part, &part == part_a);
    } else if (JobFileBytes() > 0) {
      part.writers->SetRotation(JobFileBytes(), nullptr);
    }
    part.normalizer = std::make_unique<Normalizer>(&part.schema, &naming, load_id, part.writers.get());
    part.typed = std::make_unique<TypedNormalizer>(&part.schema, &naming, load_id, part.writers.get(),
                                                   part.normalizer.get());
    for (const auto& [name, h] : hints) DLT_RETURN_IF_ERROR(part.normalizer->Prepare(h));
    for (const auto& job : part_jobs) {
      std::string resource = job.file_name.substr(0, job.file_name.find('.'));
      auto h = hints.find(resource);
      if (h == hints.end()) return DataLoss("extracted job " + job.path.string() + " has no resource hints in its package");
      DLT_ASSIGN_OR_RETURN(std::string kind, JobKindOf(ps, job.file_name));
      if (kind == kJobKindTyped) {
        // Typed batches: their columns merge into the schema, their cells go to the writers
        // as they are (no JSON on the way).
        DLT_ASSIGN_OR_RETURN(auto reader, TypedJobReader::Open(job.path));
        TypedBatch batch;
        for (uint64_t n = 1;; ++n) {
          DLT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
          if (!more) break;
          DLT_RETURN_IF_ERROR(part.typed->NormalizeBatch(
              batch, h->second, "resource `" + resource + "` batch " + std::to_string(n) + " of " + job.file_name));
          uint64_t before = part.records;
          part.records += batch.rows();
          if (part.records / 65536 != before / 65536) {
            uint64_t all = normalized_records.fetch_add(part.records - before) + (part.records - before);
            if (show) progress.Update("normalize", "all resources", all, part.writers->bytes_written(), SecondsSince(t0));
          }
        }
        continue;
      }
      JsonReaderOptions ro;
      ro.format = JsonFormat::kJsonLines;
      DLT_ASSIGN_OR_RETURN(auto reader, JsonRecordReader::Open(job.path, ro));
      RawRecord rec;
      // Named only when an error needs it.
      const std::function<std::string()> where = [&] {
        // The source's own location (file:line) when extract recorded it.
        if (auto loc = RecordSourceLocation(job.path, rec.index)) return *loc + " (resource `" + resource + "`)";
        return "resource `" + resource + "` record " + std::to_string(rec.index + 1) + " of " + job.file_name;
      };
      for (;;) {
        DLT_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
        if (!more) break;
        DLT_RETURN_IF_ERROR(part.normalizer->NormalizeRecord(
            rec.json, h->second, where, JsonRecordReader::kReadableTail >= Normalizer::kParserPadding));
        // Both halves add to one count, so the line shows the package's true total.
        if (++part.records % 65536 == 0) {
          uint64_t all = normalized_records.fetch_add(65536) + 65536;
          if (show) progress.Update("normalize", "all resources", all, part.writers->bytes_written(), SecondsSince(t0));
        }
      }
    }
    DLT_ASSIGN_OR_RETURN(part.files, part.writers->Close());
    return Status::Ok();
  };
  Part a{*schema, nullptr, nullptr, nullptr, {}, 0};
  Part b{*schema, nullptr, nullptr, nullptr, {}, 0};
  part_a = &a;
  part_b = &b;
  if (stream_load) StartStream();
  Status status_b = Status::Ok();
  // The destination's library loads meanwhile (about 30 ms for DuckDB's), not after.
  // Both threads are joined on every way out (std::jthread), and nothing thrown on the worker
  // ends the process: it becomes the half's status.
  std::jthread preload;
  if (!dest) preload = std::jthread([this] { PreloadDestination(destination); });
  std::jthread worker;
  if (!second.empty()) {
    worker = std::jthread([&] {
      try {
        status_b = run_part(b, second, false);
      } catch (const std::exception& e) {
        status_b = Internal(std::string("normalizing the second half of package ") + load_id + " failed: " + e.what());
      }
    });
  }
  Status status_a = run_part(a, first, true);
  if (worker.joinable()) worker.join();
  if (preload.joinable()) preload.join();
  progress.Done();
  // The remaining files are loaded with the package; paths change when it is published.
  bool stream_ok = stream && StopStream();
  DLT_RETURN_IF_ERROR(status_a);
  DLT_RETURN_IF_ERROR(status_b);
  // Rows per table of a part: its JSON and its typed rows.
  auto add_counts = [](std::map<std::string, uint64_t>& into, const Part& part) {
    for (const auto& [t, n] : part.normalizer->row_counts()) into[t] += n;
    for (const auto& [t, n] : part.typed->row_counts()) into[t] += n;
  };
  std::map<std::string, uint64_t> row_counts;
  add_counts(row_counts, a);
  std::vector<JobFileInfo> files = a.files;
  if (!second.empty()) {
    if (SchemasAgree(a.schema, b.schema)) {
      MergeSchemaInto(a.schema, b.schema);
      add_counts(row_counts, b);
      files.insert(files.end(), b.files.begin(), b.files.end());
    } else {
      if (stream_ok) {
        // Files of the second half may have been loaded: load the package the ordinary way.
        AbortStream();
        stream_ok = false;
      }
      for (const auto& f : b.files) {
        std::error_code ec;
        fs::remove(f.path, ec);
      }
      Part c{std::move(a.schema), nullptr, nullptr, nullptr, {}, 0};
      DLT_RETURN_IF_ERROR(run_part(c, second, true));
      add_counts(row_counts, c);
      files.insert(files.end(), c.files.begin(), c.files.end());
      a.schema = std::move(c.schema);
    }
  }
  Schema work = std::move(a.schema);
  uint64_t bytes_written = 0;
  nlohmann::ordered_json job_bytes = nlohmann::ordered_json::object();  // checked before the load
  for (const auto& f : files) {
    job_bytes[f.path.filename().string()] = f.bytes;
    bytes_written += f.bytes;
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
  ps["row_counts"] = counts;
  ps["job_bytes"] = job_bytes;
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(tmp / package_file::kSchema, work.ToJson()));
  // The tables and columns this package adds to the schema (dlt's schema_updates.json).
  DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / package_file::kSchemaUpdates, work.UpdateOf(work.ColumnsAddedSince(*schema))));
  DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / package_file::kState, ps));
  // The pipeline's schema is saved before the package is published: a crash in between leaves
  // the extracted package, which normalizes again against a schema that already has its columns.
  FaultPoint("normalize_before_schema_save");
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(SchemaPath(), work.ToJson(true)));
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
