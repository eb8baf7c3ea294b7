#include "extract/routed_extract.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace dlt {

RoutedTableWriter::RoutedTableWriter(std::filesystem::path out_dir,
                                     std::function<std::string(const std::string& table)> stem_for,
                                     uint64_t part_bytes, ExtractStats* stats)
    : out_dir_(std::move(out_dir)), stem_for_(std::move(stem_for)), part_bytes_(part_bytes), stats_(stats) {}

RoutedTableWriter::~RoutedTableWriter() {
  for (auto& [table, t] : outs_) {
    if (t.file) std::fclose(t.file);
  }
}

Status RoutedTableWriter::Open(TableOut& t) {
  char name[32];
  std::snprintf(name, sizeof name, "_%05d.0.jsonl", t.part++);
  t.path = out_dir_ / (t.stem + name);
  t.file = std::fopen(t.path.c_str(), "wbx");
  if (!t.file) return Internal("cannot create " + t.path.string() + ": " + std::strerror(errno));
  stats_->files.push_back(t.path.filename().string());
  t.written = 0;
  return Status::Ok();
}

// As ExtractResource: the package may be the only copy of the records, so parts are durable
// before the state that skips them is saved.
Status RoutedTableWriter::Close(TableOut& t) {
  if (std::fflush(t.file) != 0 || ::fdatasync(::fileno(t.file)) != 0) {
    return Internal("cannot write " + t.path.string() + ": " + std::strerror(errno));
  }
  std::fclose(t.file);
  t.file = nullptr;
  return Status::Ok();
}

Status RoutedTableWriter::Write(const std::string& table, std::string_view line) {
  TableOut& t = outs_[table];
  if (t.stem.empty()) t.stem = stem_for_(table);
  if (!t.file) DLT_RETURN_IF_ERROR(Open(t));
  if (std::fwrite(line.data(), 1, line.size(), t.file) != line.size() || std::fputc('\n', t.file) == EOF) {
    return Internal("cannot write " + t.path.string() + ": " + std::strerror(errno));
  }
  t.written += line.size() + 1;
  stats_->bytes += line.size() + 1;
  if (part_bytes_ && t.written >= part_bytes_) DLT_RETURN_IF_ERROR(Close(t));
  return Status::Ok();
}

Status RoutedTableWriter::Finish() {
  for (auto& [table, t] : outs_) {
    if (t.file) DLT_RETURN_IF_ERROR(Close(t));
  }
  return Status::Ok();
}

Status ExtractRoutedResource(RecordSource& source, const std::filesystem::path& out_dir,
                             const std::function<std::string(const std::string& table)>& stem_for,
                             const std::optional<IncrementalSpec>& incremental,
                             nlohmann::ordered_json* incremental_state, ExtractStats* stats,
                             const std::function<void(const ExtractStats&, uint64_t)>& progress,
                             uint64_t part_bytes) {
  RoutedTableWriter writer(out_dir, stem_for, part_bytes, stats);
  nlohmann::ordered_json working = incremental_state ? *incremental_state : nlohmann::ordered_json();
  std::optional<IncrementalRowFilter> filter;
  if (incremental) filter.emplace(*incremental, &working);
  const bool trusted = source.json_is_valid();
  std::string minified;
  std::string_view json;
  std::string where;
  uint64_t last_progress = 0;
  for (;;) {
    DLT_ASSIGN_OR_RETURN(bool more, source.Next(&json, &where));
    if (!more) break;
    ++stats->records_in;
    std::string_view line = json;
    // The Python binding writes one-line objects (trusted); anything else is parsed and written
    // again on one line (no source of the engine routes tables but Python's yet).
    if (!trusted || line.empty() || line.front() != '{' || line.find('\n') != std::string_view::npos) {
      nlohmann::ordered_json doc = nlohmann::ordered_json::parse(json, nullptr, false);
      if (doc.is_discarded()) return InvalidArgument(where + ": invalid JSON");
      if (!doc.is_object()) {
        return InvalidArgument(where + ": a record whose table is named by the resource must be an object");
      }
      minified = doc.dump();
      line = minified;
    }
    if (filter) {
      DLT_ASSIGN_OR_RETURN(bool keep, filter->Keep(line, where));
      source.IncrementalVerdict(keep);
      if (!keep) {
        ++stats->records_skipped;
        continue;
      }
    }
    const std::string* table = source.table();
    if (table == nullptr || table->empty()) {
      return InvalidArgument(where + ": the resource's table_name function gave no table name for this record");
    }
    DLT_RETURN_IF_ERROR(writer.Write(*table, line));
    ++stats->records_out;
    if (progress && stats->records_in - last_progress >= 65536) {
      last_progress = stats->records_in;
      progress(*stats, source.bytes_read());
    }
  }
  DLT_RETURN_IF_ERROR(writer.Finish());
  if (filter) {
    filter->Finish();
    *incremental_state = working;
  }
  if (progress) progress(*stats, source.bytes_read());
  return Status::Ok();
}

}  // namespace dlt
