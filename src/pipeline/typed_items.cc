#include "pipeline/typed_items.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "normalize/typed_job_file.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

// The file as the load job, when it can go as it is: true when it was taken.
StatusOr<bool> KeepWhole(const PackageJob& job, const std::string& where, const TableHints& hints,
                         TypedNormalizer& typed, const SnakeCaseNaming& naming, const fs::path& jobs_dir,
                         std::vector<JobFileInfo>* files, uint64_t* records) {
  DLT_ASSIGN_OR_RETURN(TypedFileSkim skim, SkimTypedJobFile(job.path));
  if (!skim.uniform || skim.batches == 0) return false;
  std::vector<std::string> generated;
  std::vector<std::pair<std::string, bool>> not_null;
  DLT_ASSIGN_OR_RETURN(bool whole, typed.NormalizeWholeFile(skim.columns, skim.rows, hints, where, &generated, &not_null));
  if (!whole) return false;
  if (skim.rows == 0) return true;
  // The checks of NormalizeBatch, over the whole file: the earliest row that fails one.
  const std::string table = naming.NormalizeIdentifier(hints.table_name);
  std::optional<uint64_t> first;
  std::string what;
  auto consider = [&](const std::optional<uint64_t>& row, std::string why) {
    if (row && (!first || *row < *first)) first = row, what = std::move(why);
  };
  for (const auto& [name, primary_key] : not_null) {
    for (size_t c = 0; c < skim.columns.size(); ++c) {
      if (skim.columns[c].name != name) continue;
      consider(skim.first_null[c], ": column `" + name + "` of table `" + table + "` is declared not null" +
                                       (primary_key ? " (primary key)" : "") + " but the row has no value for it");
    }
  }
  for (size_t c = 0; c < skim.columns.size(); ++c) {
    if (skim.columns[c].data_type != DataType::kDouble) continue;
    consider(skim.first_non_finite[c], ": column `" + skim.columns[c].name +
                                           "` holds NaN or infinity, which have no portable SQL form; send NULL instead");
  }
  if (first) return InvalidArgument(where + " row " + std::to_string(*first + 1) + what);
  JobFileInfo f;
  f.table = table;
  f.path = jobs_dir / JobWriterSet::NewJobFileName(table, "typed");
  for (const TypedColumn& c : skim.columns) f.columns.push_back(c.name);
  f.generated = std::move(generated);
  f.rows = skim.rows;
  std::error_code ec;
  fs::create_hard_link(job.path, f.path, ec);
  if (ec) {
    fs::copy_file(job.path, f.path, ec);
    if (ec) return Internal("cannot copy " + job.path.string() + " to " + f.path.string() + ": " + ec.message());
  }
  f.bytes = fs::file_size(f.path, ec);
  if (ec) f.bytes = 0;
  files->push_back(std::move(f));
  *records += skim.rows;
  return true;
}

}  // namespace

Status NormalizeTypedJob(const PackageJob& job, const TableHints& hints, bool keep_whole, TypedNormalizer& typed,
                         const SnakeCaseNaming& naming, const fs::path& jobs_dir, std::vector<JobFileInfo>* files,
                         uint64_t* records, const std::function<void(uint64_t)>& progress) {
  const std::string resource = job.file_name.substr(0, job.file_name.find('.'));
  if (keep_whole) {
    const uint64_t before = *records;
    DLT_ASSIGN_OR_RETURN(bool kept, KeepWhole(job, "resource `" + resource + "` file " + job.file_name, hints, typed,
                                              naming, jobs_dir, files, records));
    if (kept) {
      if (progress) progress(*records - before);
      return Status::Ok();
    }
  }
  // Typed batches: their columns merge into the schema, their cells go to the writers as they
  // are (no JSON on the way).
  DLT_ASSIGN_OR_RETURN(auto reader, TypedJobReader::Open(job.path));
  TypedBatch batch;
  uint64_t unreported = 0;
  for (uint64_t n = 1;; ++n) {
    DLT_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    const uint64_t rows = batch.rows();
    DLT_RETURN_IF_ERROR(typed.NormalizeBatch(
        batch, hints, "resource `" + resource + "` batch " + std::to_string(n) + " of " + job.file_name));
    *records += rows;
    unreported += rows;
    if (unreported >= 65536) {
      if (progress) progress(unreported);
      unreported = 0;
    }
  }
  if (unreported && progress) progress(unreported);
  return Status::Ok();
}

}  // namespace dlt
