#include "extract/typed_extract.h"

#include <cstdio>

#include "common/fault.h"
#include "normalize/typed_batch.h"
#include "normalize/typed_job_file.h"

namespace dlt {

Status ExtractTypedResource(RecordSource& source, const std::filesystem::path& out_dir, const std::string& file_stem,
                            const std::optional<IncrementalSpec>& incremental,
                            nlohmann::ordered_json* incremental_state, ExtractStats* stats,
                            const std::function<void(const ExtractStats&, uint64_t)>& progress, uint64_t part_bytes,
                            const std::function<void(const std::filesystem::path&)>& closed) {
  if (source.kind() != SourceKind::kTyped) return Internal("ExtractTypedResource needs a source of typed batches");
  int part = 0;
  std::unique_ptr<TypedJobWriter> out;
  auto open_part = [&]() -> Status {
    char name[32];
    std::snprintf(name, sizeof name, "_%05d.0.typed", part++);
    DLT_ASSIGN_OR_RETURN(out, TypedJobWriter::Create(out_dir / (file_stem + name)));
    stats->files.push_back(out->path().filename().string());
    return Status::Ok();
  };
  auto close_part = [&]() -> Status {
    DLT_RETURN_IF_ERROR(out->Finish());
    stats->bytes += out->bytes();
    if (closed) closed(out->path());
    out.reset();
    return Status::Ok();
  };
  DLT_RETURN_IF_ERROR(open_part());

  // The cursor works on a copy of the state: a failed extract leaves the state as it was.
  nlohmann::ordered_json working_state = incremental_state ? *incremental_state : nlohmann::ordered_json();
  std::optional<IncrementalRowFilter> filter;
  if (incremental) filter.emplace(*incremental, &working_state);

  TypedBatch batch, kept;
  std::string where;
  for (;;) {
    where.clear();
    DLT_ASSIGN_OR_RETURN(bool more, source.NextBatch(&batch, &where));
    if (!more) break;
    if (where.empty()) where = "typed batch";
    DLT_RETURN_IF_ERROR(batch.Validate(where));
    const size_t rows = batch.rows();
    stats->records_in += rows;
    const TypedBatch* to_write = &batch;
    if (filter) {
      kept.Reset(batch.columns());
      for (size_t r = 0; r < rows; ++r) {
        DLT_ASSIGN_OR_RETURN(bool keep, filter->Keep(batch.RowJson(r), where + " row " + std::to_string(r + 1)));
        if (keep) {
          kept.AppendRowOf(batch, r);
        } else {
          ++stats->records_skipped;
        }
      }
      to_write = &kept;
    }
    if (to_write->rows() == 0) continue;
    DLT_RETURN_IF_ERROR(out->Write(*to_write));
    stats->records_out += to_write->rows();
    FaultPoint("extract_record");
    if (progress) progress(*stats, stats->bytes + out->bytes());
    if (part_bytes && out->bytes() >= part_bytes) {
      DLT_RETURN_IF_ERROR(close_part());
      DLT_RETURN_IF_ERROR(open_part());
    }
  }
  DLT_RETURN_IF_ERROR(close_part());
  if (filter) {
    filter->Finish();
    *incremental_state = working_state;
  }
  if (progress) progress(*stats, stats->bytes);
  return Status::Ok();
}

}  // namespace dlt
