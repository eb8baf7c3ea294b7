#include "pipeline/normalize_parts.h"

#include <cstdlib>

#include "extract/extractor.h"
#include "extract/json_reader.h"

namespace dlt {

Status NormalizeJsonJob(NormalizePart& part, const PackageJob& job, const std::string& resource,
                        const TableHints& hints, const std::function<void()>& tick) {
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
    DLT_RETURN_IF_ERROR(part.normalizer->NormalizeRecord(rec.json, hints, where,
                                                         JsonRecordReader::kReadableTail >= Normalizer::kParserPadding));
    if (++part.records % 65536 == 0 && tick) tick();
  }
  return Status::Ok();
}

uint64_t NormalizePartBytes() {
  static const uint64_t bytes = [] {
    const char* env = std::getenv("DLT_NORMALIZE_PART_BYTES");
    uint64_t v = env ? std::strtoull(env, nullptr, 10) : 0;
    return v ? v : uint64_t{24} << 20;
  }();
  return bytes;
}

std::vector<size_t> CutParts(const std::vector<uint64_t>& job_bytes, size_t workers) {
  uint64_t total = 0;
  for (uint64_t b : job_bytes) total += b;
  size_t n = workers == 0 ? 1 : workers;
  n = std::min<size_t>(n, job_bytes.size());
  n = std::min<uint64_t>(n, total / NormalizePartBytes());
  std::vector<size_t> cuts{0};
  if (n <= 1) return cuts;
  // Cut k goes after the file where the running size comes closest to k/n of the total, and
  // always after the previous cut, leaving a file for every part still to come.
  uint64_t acc = 0;
  size_t i = 0;
  for (size_t k = 1; k < n; ++k) {
    const long double target = static_cast<long double>(total) * k / n;
    size_t best = 0;
    long double best_diff = -1;
    uint64_t run = acc;
    for (size_t j = i; j + (n - k) <= job_bytes.size() - 1; ++j) {
      run += job_bytes[j];
      long double diff = run > target ? run - target : target - run;
      if (best_diff < 0 || diff < best_diff) {
        best_diff = diff;
        best = j + 1;
      } else {
        break;  // the running size only grows: past the best point
      }
    }
    if (best <= cuts.back()) break;
    for (; i < best; ++i) acc += job_bytes[i];
    cuts.push_back(best);
  }
  return cuts;
}

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

}  // namespace dlt
