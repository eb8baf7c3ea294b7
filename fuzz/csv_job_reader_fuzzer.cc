// libFuzzer target: CsvJobReader on any bytes, as the DuckDB load reads a job file that may be
// damaged. The first byte picks the column count (1-8) and the read block size; the rest is the
// file. Every row read must have one field per column; a field read back must survive the job
// writer's quoting and a second read unchanged; the value conversions must not fail badly on any
// field.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "load/csv_job_reader.h"
#include "normalize/job_writer.h"

namespace {

// A field as read: its text, or NULL.
using Field = std::pair<bool, std::string>;  // (is NULL, text)

std::vector<std::vector<Field>> ReadRows(const std::filesystem::path& path, size_t columns, size_t block, bool* ok) {
  std::vector<std::vector<Field>> rows;
  *ok = false;
  auto reader = dlt::CsvJobReader::Open(path, columns, block);
  if (!reader.ok()) return rows;
  std::vector<dlt::CsvField> fields;
  for (;;) {
    auto more = (*reader)->Next(fields);
    if (!more.ok()) return rows;
    if (!*more) break;
    if (fields.size() != columns) __builtin_trap();
    std::vector<Field> row;
    for (const auto& f : fields) {
      if (f.null && !f.text.empty()) __builtin_trap();  // NULL is only ever the empty unquoted field
      row.emplace_back(f.null, std::string(f.text));
      int64_t n;
      double d;
      bool b;
      (void)dlt::ParseJobBigint(f.text, &n);
      (void)dlt::ParseJobDouble(f.text, &d);
      (void)dlt::ParseJobBool(f.text, &b);
      (void)dlt::ParseJobTimestampMicros(f.text, &n);
    }
    rows.push_back(std::move(row));
  }
  *ok = true;
  return rows;
}

void Write(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t columns = 1 + (data[0] & 7);
  const size_t block = size_t{16} << ((data[0] >> 3) & 7);  // 16 bytes to 2 KB
  std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::filesystem::path path = dlt::fuzz::ScratchDir() / "t.0123456789.0.csv";
  Write(path, content);
  bool ok = false;
  auto rows = ReadRows(path, columns, block, &ok);
  if (!ok) return 0;
  // Written again by the job writer's rules, the rows read back the same.
  std::string again;
  for (size_t c = 0; c < columns; ++c) again += c ? ",h" : "h";
  again += '\n';
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) again += ',';
      if (!row[c].first) dlt::JobWriterSet::AppendCsvField(again, row[c].second);
    }
    again += '\n';
  }
  const std::filesystem::path second = dlt::fuzz::ScratchDir() / "u.0123456789.0.csv";
  Write(second, again);
  bool ok2 = false;
  auto rows2 = ReadRows(second, columns, 4096, &ok2);
  if (!ok2 || rows2 != rows) __builtin_trap();
  return 0;
}
