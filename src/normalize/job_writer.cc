#include "normalize/job_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>

#include "common/hash.h"
#include "common/random_seed.h"

namespace dlt {

namespace {
constexpr size_t kFlushBytes = 4 << 20;
}

JobWriterSet::~JobWriterSet() {
  for (auto& slot : slots_) {
    if (slot.open && slot.open->file) std::fclose(slot.open->file);
  }
  for (auto& [file, path] : unsynced_) std::fclose(file);
}

int JobWriterSet::Slot(const std::string& table) {
  auto it = slot_of_.find(table);
  if (it != slot_of_.end()) return it->second;
  int slot = static_cast<int>(slots_.size());
  slots_.push_back({table, nullptr, nullptr});
  slot_of_.emplace(table, slot);
  return slot;
}

std::string JobWriterSet::NewJobFileName(std::string_view table, std::string_view ext) {
  static thread_local std::mt19937_64 rng = WellSeededRng();
  static const char* kHex = "0123456789abcdef";
  std::string id;
  uint64_t r = rng();
  for (int i = 0; i < 10; ++i) id += kHex[(r >> (i * 4)) & 15];
  return JobFileStem(table) + "." + id + ".0." + std::string(ext);
}

std::string JobWriterSet::JobFileStem(std::string_view table) {
  if (table.size() <= kMaxStemBytes) return std::string(table);
  size_t cut = 160;
  while (cut > 0 && (static_cast<unsigned char>(table[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return std::string(table.substr(0, cut)) + "~" + hash::ToHex(hash::Shake128(table, 10));
}

namespace {
// Characters that make a CSV field need quotes.
struct QuoteTable {
  bool special[256] = {};
  constexpr QuoteTable() {
    special[static_cast<unsigned char>(',')] = true;
    special[static_cast<unsigned char>('"')] = true;
    special[static_cast<unsigned char>('\n')] = true;
    special[static_cast<unsigned char>('\r')] = true;
  }
};
constexpr QuoteTable kQuote;

// Whether 8 bytes hold one of , " \n \r (the classic "has zero byte" test on each of them).
inline bool WordHasSpecial(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return (has_zero(w ^ (kOnes * ',')) | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\n')) |
          has_zero(w ^ (kOnes * '\r'))) != 0;
}

// A field is quoted when it is empty (an unquoted empty field is NULL), starts or ends with a
// space, or holds a delimiter, quote or line break.
inline bool NeedsQuotes(std::string_view v) {
  if (v.empty() || v.front() == ' ' || v.back() == ' ') return true;
  const char* p = v.data();
  size_t n = v.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (WordHasSpecial(w)) return true;
  }
  for (; n > 0; ++p, --n) {
    if (kQuote.special[static_cast<unsigned char>(*p)]) return true;
  }
  return false;
}
}  // namespace

void JobWriterSet::AppendCsvField(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
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

Status JobWriterSet::SyncOldest() {
  auto [file, path] = unsynced_.front();
  unsynced_.pop_front();
  const bool ok = ::fsync(::fileno(file)) == 0;
  const int err = errno;
  std::fclose(file);
  if (!ok) return Internal("cannot write " + path.string() + ": " + std::strerror(err));
  return Status::Ok();
}

Status JobWriterSet::CloseOne(Open& o, bool sync_now) {
  DLT_RETURN_IF_ERROR(Flush(o));
  if (!sync_now) {
    // Synced by Close(): by then the kernel has written it back, and nobody waited for it. At
    // most kMaxUnsynced stay open (a table growing a column per record closes a file per record).
    if (unsynced_.size() >= kMaxUnsynced) DLT_RETURN_IF_ERROR(SyncOldest());
    unsynced_.emplace_back(o.file, o.info.path);
    o.file = nullptr;
    done_.push_back(o.info);
    return Status::Ok();
  }
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
  return AddRow(Slot(table), columns, cells, present, ncells);
}

Status JobWriterSet::AddRow(int slot, const std::vector<std::string>& columns, const std::vector<std::string>& cells,
                            const std::vector<char>& present, size_t ncells) {
  TableSlot& ts = slots_[static_cast<size_t>(slot)];
  const std::string& table = ts.table;
  if (ts.open && ncells > ts.open->info.columns.size()) {
    // The table grew a column: the open file's header no longer fits.
    DLT_RETURN_IF_ERROR(CloseOne(*ts.open, /*sync_now=*/false));
    ts.open.reset();
    if (on_closed_) on_closed_(done_.back());
  }
  if (!ts.open) {
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
    ts.open = std::move(o);
  }
  Open& o = *ts.open;
  const size_t width = o.info.columns.size();
  const size_t start = o.buffer.size();
  // Most rows need no quoting: their size is known, and the fields are copied in one pass.
  size_t size = width;  // the commas and the line break
  bool plain = true;
  for (size_t i = 0; i < width && i < ncells; ++i) {
    if (!present[i]) continue;
    size += cells[i].size();
    if (NeedsQuotes(cells[i])) {
      plain = false;
      break;
    }
  }
  if (plain) {
    o.buffer.resize(start + size);
    char* p = o.buffer.data() + start;
    for (size_t i = 0; i < width; ++i) {
      if (i) *p++ = ',';
      if (i < ncells && present[i]) {
        std::memcpy(p, cells[i].data(), cells[i].size());
        p += cells[i].size();
      }
    }
    *p = '\n';
  } else {
    for (size_t i = 0; i < width; ++i) {
      if (i) o.buffer += ',';
      if (i < ncells && present[i]) AppendCsvField(o.buffer, cells[i]);
    }
    o.buffer += '\n';
  }
  ++o.info.rows;
  if (o.buffer.size() >= kFlushBytes || (rotate_bytes_ && o.info.bytes + o.buffer.size() >= rotate_bytes_)) {
    DLT_RETURN_IF_ERROR(Flush(o));
    if (rotate_bytes_ && o.info.bytes >= rotate_bytes_) {
      DLT_RETURN_IF_ERROR(CloseOne(o, /*sync_now=*/false));
      ts.open.reset();
      if (on_closed_) on_closed_(done_.back());
    }
  }
  return Status::Ok();
}

Status JobWriterSet::CloseTyped(OpenTyped& o, bool sync_now) {
  DLT_RETURN_IF_ERROR(o.writer->Finish(sync_now));
  bytes_written_ += o.writer->bytes() - o.info.bytes;
  o.info.bytes = o.writer->bytes();
  if (!sync_now) unsynced_typed_.push_back(o.info.path);
  done_.push_back(o.info);
  return Status::Ok();
}

Status JobWriterSet::AddBatch(int slot, const TypedBatch& batch) {
  TableSlot& ts = slots_[static_cast<size_t>(slot)];
  const auto& cols = batch.columns();
  auto same_columns = [&](const std::vector<std::string>& names) {
    if (names.size() != cols.size()) return false;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (names[i] != cols[i].name) return false;
    }
    return true;
  };
  if (ts.typed && !same_columns(ts.typed->info.columns)) {
    // The table grew a column (or a batch brings other columns): a file holds one set.
    DLT_RETURN_IF_ERROR(CloseTyped(*ts.typed, /*sync_now=*/false));
    ts.typed.reset();
    if (on_closed_) on_closed_(done_.back());
  }
  if (!ts.typed) {
    auto o = std::make_unique<OpenTyped>();
    o->info.table = ts.table;
    o->info.path = dir_ / NewJobFileName(ts.table, "typed");
    for (const TypedColumn& c : cols) o->info.columns.push_back(c.name);
    DLT_ASSIGN_OR_RETURN(o->writer, TypedJobWriter::Create(o->info.path));
    ts.typed = std::move(o);
  }
  OpenTyped& o = *ts.typed;
  DLT_RETURN_IF_ERROR(o.writer->Write(batch));
  o.info.rows += batch.rows();
  bytes_written_ += o.writer->bytes() - o.info.bytes;
  o.info.bytes = o.writer->bytes();
  if (rotate_bytes_ && o.info.bytes >= rotate_bytes_) {
    DLT_RETURN_IF_ERROR(CloseTyped(o, /*sync_now=*/false));
    ts.typed.reset();
    if (on_closed_) on_closed_(done_.back());
  }
  return Status::Ok();
}

StatusOr<std::vector<JobFileInfo>> JobWriterSet::Close() {
  for (auto& [t, slot] : slot_of_) {  // in table name order
    TableSlot& ts = slots_[static_cast<size_t>(slot)];
    if (ts.open) {
      DLT_RETURN_IF_ERROR(CloseOne(*ts.open, /*sync_now=*/true));
      ts.open.reset();
    }
    if (ts.typed) {
      DLT_RETURN_IF_ERROR(CloseTyped(*ts.typed, /*sync_now=*/true));
      ts.typed.reset();
    }
  }
  while (!unsynced_.empty()) DLT_RETURN_IF_ERROR(SyncOldest());
  // Typed files closed early were written back by the kernel meanwhile; syncing them through
  // a new descriptor makes them durable as the CSV files are.
  for (const auto& path : unsynced_typed_) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && ::fdatasync(fd) == 0;
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!ok) return Internal("cannot write " + path.string() + ": " + std::strerror(err));
  }
  unsynced_typed_.clear();
  return done_;
}

}  // namespace dlt
