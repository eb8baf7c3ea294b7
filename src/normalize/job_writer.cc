#include "normalize/job_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace dlt {

namespace {
constexpr size_t kFlushBytes = 4 << 20;
}

JobWriterSet::~JobWriterSet() {
  for (auto& [t, o] : open_) {
    if (o->file) std::fclose(o->file);
  }
}

std::string JobWriterSet::NewJobFileName(std::string_view table) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char* kHex = "0123456789abcdef";
  std::string id;
  uint64_t r = rng();
  for (int i = 0; i < 10; ++i) id += kHex[(r >> (i * 4)) & 15];
  return std::string(table) + "." + id + ".0.csv";
}

void JobWriterSet::AppendCsvField(std::string& out, std::string_view v) {
  bool quote = v.empty() || v.front() == ' ' || v.back() == ' ';
  if (!quote) {
    for (char c : v) {
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Status JobWriterSet::Flush(Open& o) {
  if (o.buffer.empty()) return Status::Ok();
  if (std::fwrite(o.buffer.data(), 1, o.buffer.size(), o.file) != o.buffer.size() || std::fflush(o.file) != 0) {
    return Internal("cannot write " + o.info.path.string() + ": " + std::strerror(errno));
  }
  // Start write-back of what was written so far, so that the fsync at close has little left to do
  // and the disk works while we compute.
  ::sync_file_range(::fileno(o.file), 0, 0, SYNC_FILE_RANGE_WRITE);
  o.info.bytes += o.buffer.size();
  bytes_written_ += o.buffer.size();
  o.buffer.clear();
  return Status::Ok();
}

Status JobWriterSet::CloseOne(Open& o) {
  DLT_RETURN_IF_ERROR(Flush(o));
  if (std::fflush(o.file) != 0 || ::fsync(::fileno(o.file)) != 0) {
    std::fclose(o.file);
    o.file = nullptr;
    return Internal("cannot write " + o.info.path.string() + ": " + std::strerror(errno));
  }
  std::fclose(o.file);
  o.file = nullptr;
  done_.push_back(o.info);
  return Status::Ok();
}

Status JobWriterSet::AddRow(const std::string& table, const std::vector<std::string>& columns,
                            const std::vector<std::string>& cells, const std::vector<char>& present,
                            size_t ncells) {
  auto it = open_.find(table);
  if (it != open_.end() && ncells > it->second->info.columns.size()) {
    // The table grew a column: the open file's header no longer fits.
    DLT_RETURN_IF_ERROR(CloseOne(*it->second));
    open_.erase(it);
    it = open_.end();
  }
  if (it == open_.end()) {
    auto o = std::make_unique<Open>();
    o->info.table = table;
    o->info.path = dir_ / NewJobFileName(table);
    o->info.columns = columns;
    o->file = std::fopen(o->info.path.c_str(), "wbx");
    if (!o->file) return Internal("cannot create " + o->info.path.string() + ": " + std::strerror(errno));
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) o->buffer += ',';
      AppendCsvField(o->buffer, columns[i]);
    }
    o->buffer += '\n';
    it = open_.emplace(table, std::move(o)).first;
  }
  Open& o = *it->second;
  const size_t width = o.info.columns.size();
  const size_t start = o.buffer.size();
  for (size_t i = 0; i < width; ++i) {
    if (i) o.buffer += ',';
    if (i < ncells && present[i]) AppendCsvField(o.buffer, cells[i]);
  }
  o.buffer += '\n';
  ++o.info.rows;
  if (o.buffer.size() - start > o.info.max_line) o.info.max_line = o.buffer.size() - start;
  if (o.buffer.size() >= kFlushBytes) return Flush(o);
  return Status::Ok();
}

StatusOr<std::vector<JobFileInfo>> JobWriterSet::Close() {
  for (auto& [t, o] : open_) DLT_RETURN_IF_ERROR(CloseOne(*o));
  open_.clear();
  return done_;
}

}  // namespace dlt
