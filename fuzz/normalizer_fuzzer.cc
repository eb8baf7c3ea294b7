// libFuzzer target: the JSON reader and the relational normalizer, as `dlt run` uses them on a
// file: the input is split into records (JSON Lines or one JSON array) and every record is
// normalized into a schema and CSV load jobs. The first line of the input may set table hints:
//   #hints nesting=<n> disposition=<append|replace|merge> pk=<column> cursor=<column>
// A record the normalizer rejects stops the "run", as in the pipeline. The schema must survive
// a round trip through its JSON form, and every job file written must read back (CsvJobReader,
// as the DuckDB load reads it) with its row count, and every value of a bigint, double, bool or
// timestamp column must convert as the load converts it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "extract/json_reader.h"
#include "load/csv_job_reader.h"
#include "normalize/job_writer.h"
#include "normalize/relational.h"
#include "normalize/schema.h"

namespace {

void ParseHints(std::string_view line, dlt::TableHints& h) {
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    std::string_view word = line.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = word.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view k = word.substr(0, eq), v = word.substr(eq + 1);
    if (k == "nesting" && !v.empty() && v.size() < 4) {
      int n = 0;
      for (char c : v) n = n * 10 + (c >= '0' && c <= '9' ? c - '0' : 0);
      h.max_nesting = n;
    } else if (k == "disposition") {
      if (v == "replace") h.disposition = dlt::WriteDisposition::kReplace;
      if (v == "merge") h.disposition = dlt::WriteDisposition::kMerge;
    } else if (k == "pk") {
      h.primary_key.emplace_back(v);
    } else if (k == "cursor") {
      h.incremental_cursor = std::string(v);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  dlt::TableHints hints;
  hints.resource = "events";
  hints.table_name = "events";
  if (in.starts_with("#hints ")) {
    size_t nl = in.find('\n');
    ParseHints(in.substr(7, nl == std::string_view::npos ? std::string_view::npos : nl - 7), hints);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }

  const std::filesystem::path jobs = dlt::fuzz::ScratchDir() / "new_jobs";
  {
    dlt::Schema schema("fuzz");
    dlt::SnakeCaseNaming naming(63);
    dlt::JobWriterSet writers(jobs);
    dlt::Normalizer normalizer(&schema, &naming, "1700000000.123456", &writers);
    if (normalizer.Prepare(hints).ok()) {
      dlt::JsonReaderOptions options;
      options.max_record_bytes = 1 << 16;
      options.buffer_bytes = 64;  // small reads: records cross buffer boundaries
      auto reader = dlt::JsonRecordReader::FromString(std::string(in), "input.jsonl", options);
      dlt::RawRecord rec;
      for (;;) {
        auto more = reader->Next(&rec);
        if (!more.ok() || !*more) break;
        if (!normalizer.NormalizeRecord(rec.json, hints, "input.jsonl:" + std::to_string(rec.line)).ok()) break;
      }
    }
    auto files = writers.Close();
    if (files.ok()) {
      for (const dlt::JobFileInfo& f : *files) {
        const dlt::Table* table = schema.FindTable(f.table);
        if (!table) __builtin_trap();  // a job file of a table the schema does not have
        auto reader = dlt::CsvJobReader::Open(f.path, f.columns.size(), 64);
        if (!reader.ok() || (*reader)->header() != f.columns) __builtin_trap();
        std::vector<dlt::CsvField> fields;
        uint64_t rows = 0;
        for (;;) {
          auto more = (*reader)->Next(fields);
          if (!more.ok()) __builtin_trap();  // the loader could not read what normalize wrote
          if (!*more) break;
          ++rows;
          for (size_t i = 0; i < fields.size(); ++i) {
            if (fields[i].null) continue;
            const dlt::Column* c = table->FindColumn(f.columns[i]);
            if (!c) __builtin_trap();
            int64_t n;
            double d;
            bool b;
            bool ok = true;
            switch (c->data_type) {
              case dlt::DataType::kBigint: ok = dlt::ParseJobBigint(fields[i].text, &n); break;
              case dlt::DataType::kDouble: ok = dlt::ParseJobDouble(fields[i].text, &d); break;
              case dlt::DataType::kBool: ok = dlt::ParseJobBool(fields[i].text, &b); break;
              case dlt::DataType::kTimestamp: ok = dlt::ParseJobTimestampMicros(fields[i].text, &n); break;
              default: break;
            }
            if (!ok) __builtin_trap();  // a value the load would refuse
          }
        }
        if (rows != f.rows) __builtin_trap();
      }
    }
    schema.BumpVersion();
    std::string text = schema.ToJson();
    auto again = dlt::Schema::FromJson(text, "fuzz schema");
    if (!again.ok() || again->ToJson() != text) __builtin_trap();  // the stored schema must read back as it was
  }
  std::error_code ec;
  std::filesystem::remove_all(jobs, ec);
  return 0;
}
