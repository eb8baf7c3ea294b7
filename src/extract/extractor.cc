// The extract step (extractor.h): ExtractResource, the records of a source into the part files of
// the extracted package. Its other parts: extractor_impl.h.
#include "extract/extractor.h"

#include <cctype>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/fault.h"
#include "extract/extractor_impl.h"
#include "extract/routed_extract.h"

namespace dlt {

using namespace extract_internal;  // NOLINT: the extract step's own internals (extractor_impl.h)

namespace {

// A record that needs no parsing to be written as it is: a one-line object.
bool CopiedAsItIs(std::string_view json) {
  size_t i = 0;
  while (i < json.size() && (json[i] == ' ' || json[i] == '\t')) ++i;
  if (i == json.size() || json[i] != '{') return false;
  return json.find('\n') == std::string_view::npos && json.find('\r') == std::string_view::npos;
}

}  // namespace

Status ExtractResource(RecordSource& source, const std::filesystem::path& out_dir, const std::string& file_stem,
                       const std::optional<IncrementalSpec>& incremental, nlohmann::ordered_json* incremental_state,
                       ExtractStats* stats, const std::function<void(const ExtractStats&, uint64_t)>& progress,
                       uint64_t part_bytes, RoutedTableWriter* routed,
                       const std::function<void(const std::filesystem::path&)>& part_closed) {
  // Records go to <stem>_<part>.0.jsonl files of about `part_bytes` each, so that normalize can
  // work on parts in parallel; names sort in record order.
  int part = 0;
  uint64_t part_written = 0;
  std::filesystem::path out_file;
  FILE* out = nullptr;
  struct Closer {
    FILE** f;
    ~Closer() {
      if (*f) std::fclose(*f);
    }
  } closer{&out};
  // Where the records of the current part came from (see RecordSourceLocation).
  nlohmann::json segments = nlohmann::json::array();
  uint64_t part_records = 0;
  std::string last_where;  // location of the previous record of the part
  size_t last_start = 0, last_end = 0;
  int64_t last_number = -2;
  const std::string* last_name = nullptr;  // of the previous record, when the source gives it
  uint64_t last_line = 0;
  auto open_part = [&]() -> Status {
    char name[32];
    std::snprintf(name, sizeof name, "_%05d.0.jsonl", part++);
    out_file = out_dir / (file_stem + name);
    stats->files.push_back(out_file.filename().string());
    out = std::fopen(out_file.c_str(), "wbx");
    if (!out) return Internal("cannot create " + out_file.string() + ": " + std::strerror(errno));
    part_written = 0;
    segments = nlohmann::json::array();
    part_records = 0;
    last_number = -2;
    last_name = nullptr;
    return Status::Ok();
  };
  auto close_part = [&]() -> Status {
    // The extracted package is the only copy of records read from stdin or an API: make it
    // durable before the state that skips them is saved.
    if (std::fflush(out) != 0 || ::fdatasync(::fileno(out)) != 0) {
      return Internal("cannot write " + out_file.string() + ": " + std::strerror(errno));
    }
    std::fclose(out);
    out = nullptr;
    // Only for messages: a missing or partial file just makes them name the part file instead.
    std::error_code ec;
    std::filesystem::path sources = RecordSourcesFile(out_file);
    std::filesystem::create_directories(sources.parent_path(), ec);
    std::ofstream(sources) << segments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Status::Ok();
  };
  // For sources that give (name, line): a new segment unless it is the previous record's file
  // and the next line.
  auto note_line = [&](const std::string* name, uint64_t line, const std::string& w) {
    if (name != last_name || line != last_line + 1) segments.push_back({part_records, w});
    last_name = name;
    last_line = line;
    last_number = -2;  // the string form below starts over
    ++part_records;
  };
  // A new segment unless `w` is the previous location with its last number plus one (checked
  // without allocating: this runs for every record).
  auto note_source = [&](const std::string& w) {
    // `w` is the source's own "<name>:<line>" when it has that length (an item of an array
    // record, "<name>:<line> (item 3)", is longer).
    if (const std::string* name = source.last_name()) {
      uint64_t line = source.last_line();
      size_t digits = 1;
      for (uint64_t v = line; v >= 10; v /= 10) ++digits;
      if (w.size() == name->size() + 1 + digits) {
        note_line(name, line, w);
        return;
      }
    }
    last_name = nullptr;
    size_t end = w.find_last_of("0123456789");
    size_t start = end;
    int64_t number = -1;
    if (end != std::string::npos) {
      while (start > 0 && std::isdigit(static_cast<unsigned char>(w[start - 1]))) --start;
      auto r = std::from_chars(w.data() + start, w.data() + end + 1, number);
      if (r.ec != std::errc()) number = -1;
    }
    bool consecutive = number >= 0 && last_number >= 0 && number == last_number + 1 &&
                       start + (w.size() - end) == last_start + (last_where.size() - last_end) &&
                       w.compare(0, start, last_where, 0, last_start) == 0 &&
                       w.compare(end + 1, std::string::npos, last_where, last_end + 1, std::string::npos) == 0;
    if (!consecutive) segments.push_back({part_records, w});
    last_where.assign(w);
    last_start = start;
    last_end = end;
    last_number = number;
    ++part_records;
  };
  DLT_RETURN_IF_ERROR(open_part());

  nlohmann::ordered_json working_state = incremental_state ? *incremental_state : nlohmann::ordered_json();
  std::optional<IncrementalFilter> filter;
  if (incremental) filter.emplace(*incremental, &working_state);

  // Without a cursor to read, one-line objects are validated on a second thread, or not at all
  // when the source vouches for its JSON (json_is_valid); either way they are copied as they are.
  const bool trusted = source.json_is_valid();
  std::optional<ParallelValidator> validator;
  if (!filter && !trusted) validator.emplace();

  dom::parser parser;
  std::string padded;  // the record being parsed, followed by simdjson's padding
  OutputChunk chunk;
  chunk.text.reserve((1u << 20) + (64u << 10));
  std::string_view json;
  std::string where;
  uint64_t last_progress = 0;
  // Writes the buffered lines; the validator gets them (and hands back an empty chunk).
  auto write_chunk = [&]() -> Status {
    if (chunk.text.empty()) return Status::Ok();
    if (std::fwrite(chunk.text.data(), 1, chunk.text.size(), out) != chunk.text.size()) {
      return Internal("cannot write " + out_file.string() + ": " + std::strerror(errno));
    }
    stats->bytes += chunk.text.size();
    part_written += chunk.text.size();
    if (validator) {
      DLT_ASSIGN_OR_RETURN(chunk, validator->Swap(std::move(chunk)));
    } else {
      chunk.Clear();
    }
    return Status::Ok();
  };
  // Every record read so far is checked; the first bad one, if any.
  auto check_all = [&]() -> Status {
    if (!validator) return Status::Ok();
    if (!chunk.text.empty()) {
      DLT_ASSIGN_OR_RETURN(chunk, validator->Swap(std::move(chunk)));
    }
    return validator->Finish();
  };
  // Appends a record (one line) to the part being written.
  auto append_record = [&](std::string_view line, const std::string& w) -> Status {
    if (routed) {
      if (const std::string* table = source.table(); table && !table->empty()) {
        ++stats->records_out;
        FaultPoint("extract_record");
        return routed->Write(*table, line);
      }
    }
    chunk.text.append(line);
    chunk.text += '\n';
    if (validator) {
      chunk.where.append(w);
      chunk.where_ends.push_back(static_cast<uint32_t>(chunk.where.size()));
    }
    ++stats->records_out;
    note_source(w);
    FaultPoint("extract_record");
    // Written (and handed to the validator) at 1 MB of records, or of their locations when the
    // records are tiny and the file names long, so that the queued chunks stay small.
    if (chunk.text.size() >= (1 << 20) || chunk.where.size() >= (1 << 20)) {
      DLT_RETURN_IF_ERROR(write_chunk());
      if (std::fflush(out) == 0) ::sync_file_range(::fileno(out), 0, 0, SYNC_FILE_RANGE_WRITE);
      if (part_bytes && part_written >= part_bytes) {
        DLT_RETURN_IF_ERROR(close_part());
        if (part_closed) part_closed(out_file);
        DLT_RETURN_IF_ERROR(open_part());
      }
    }
    return Status::Ok();
  };
  auto write_record = [&](std::string_view text, dom::element e, const std::string& w) -> Status {
    if (filter) {
      DLT_ASSIGN_OR_RETURN(bool keep, filter->Keep(e, w));
      source.IncrementalVerdict(keep);
      if (!keep) {
        ++stats->records_skipped;
        return Status::Ok();
      }
    }
    if (text.find('\n') != std::string_view::npos || text.find('\r') != std::string_view::npos) {
      return append_record(simdjson::minify(e), w);
    }
    return append_record(text, w);
  };
  for (;;) {
    StatusOr<bool> next = source.Next(&json, &where);
    if (!next.ok()) {
      DLT_RETURN_IF_ERROR(check_all());  // a bad record before this point comes first
      return next.status();
    }
    if (!*next) break;
    ++stats->records_in;
    if ((validator || (trusted && !filter)) && CopiedAsItIs(json)) {
      DLT_RETURN_IF_ERROR(append_record(json, where));
      if (progress && stats->records_in - last_progress >= 65536) {
        last_progress = stats->records_in;
        progress(*stats, source.bytes_read());
      }
      continue;
    }
    dom::element doc;
    padded.assign(json);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    if (auto err = parser.parse(padded.data(), json.size(), false).get(doc)) {
      // Records before this one may still be being checked: the first error is reported.
      DLT_RETURN_IF_ERROR(check_all());
      return InvalidJson(err, json, where);
    }
    if (doc.type() == dom::element_type::ARRAY) {
      uint64_t i = 0;
      for (dom::element item : dom::array(doc)) {
        std::string w = where + " (item " + std::to_string(i++) + ")";
        DLT_RETURN_IF_ERROR(write_record(simdjson::minify(item), item, w));
      }
    } else {
      DLT_RETURN_IF_ERROR(write_record(json, doc, where));
    }
    if (progress && stats->records_in - last_progress >= 65536) {
      last_progress = stats->records_in;
      progress(*stats, source.bytes_read());
    }
  }
  DLT_RETURN_IF_ERROR(write_chunk());
  DLT_RETURN_IF_ERROR(check_all());
  DLT_RETURN_IF_ERROR(close_part());
  if (routed) DLT_RETURN_IF_ERROR(routed->Finish());
  if (filter) {
    filter->Finish();
    *incremental_state = working_state;
  }
  if (progress) progress(*stats, source.bytes_read());
  return Status::Ok();
}

}  // namespace dlt
