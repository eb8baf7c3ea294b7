// Writes normalized rows into per-table load job files (CSV with a header line) inside a load
// package's new_jobs folder. NULL is an empty unquoted field; the empty string is "".
// A table whose columns grow while a file is open gets a new file with the wider header.
//
// Rows of typed batches (SQL tables, Parquet and CSV files) go, for destinations that read them
// (DuckDB and the filesystem destination, through DuckDB), into typed job files instead
// (<stem>.<id>.0.typed, the format of normalize/typed_job_file.h, one set of columns per file):
// no value is turned into text and parsed back on the way to the destination.
#pragma once

#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlt/status.h"
#include "normalize/typed_batch.h"
#include "normalize/typed_job_file.h"

namespace dlt {

struct JobFileInfo {
  std::string table;
  std::filesystem::path path;
  std::vector<std::string> columns;  // header
  // A Parquet job (pipeline/file_items.h): the dlt columns the load gives its rows.
  std::vector<std::string> generated;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

class JobWriterSet {
 public:
  explicit JobWriterSet(std::filesystem::path jobs_dir) : dir_(std::move(jobs_dir)) {}
  ~JobWriterSet();
  JobWriterSet(const JobWriterSet&) = delete;

  // Adds a row to `table`: `cells[i]` is the value of column i (`present[i]` false = NULL).
  // `columns` are the table's current column names; the row may be shorter than them.
  Status AddRow(const std::string& table, const std::vector<std::string>& columns,
                const std::vector<std::string>& cells, const std::vector<char>& present, size_t ncells);
  // The same by slot (see Slot()): no lookup of the table by name.
  Status AddRow(int slot, const std::vector<std::string>& columns, const std::vector<std::string>& cells,
                const std::vector<char>& present, size_t ncells);
  // A stable handle of `table` for AddRow.
  int Slot(const std::string& table);

  // Whether typed batches are written as typed job files (AddBatch) rather than CSV rows.
  void set_typed_jobs(bool on) { typed_jobs_ = on; }
  bool typed_jobs() const { return typed_jobs_; }
  // Appends a batch of `slot`'s table to its typed job file; a batch whose columns differ from
  // the open file's starts a new file.
  Status AddBatch(int slot, const TypedBatch& batch);

  // Files of at least `bytes` are closed and continued in a new file; `on_closed` gets every
  // file closed before Close() (grown or rotated; called on the thread that adds rows).
  void SetRotation(uint64_t bytes, std::function<void(const JobFileInfo&)> on_closed) {
    rotate_bytes_ = bytes;
    on_closed_ = std::move(on_closed);
  }

  // Flushes and closes every file, and syncs every file written (fsync); returns what was written.
  StatusOr<std::vector<JobFileInfo>> Close();
  uint64_t bytes_written() const { return bytes_written_; }

  // A new job file name: <JobFileStem(table)>.<10 hex>.0.<ext>
  static std::string NewJobFileName(std::string_view table, std::string_view ext = "csv");
  // The table part of a job file name: the table name, or for a name longer than
  // kMaxStemBytes (tables nested dozens of levels deep) its first bytes, `~` and a hash of the
  // whole name, so that no file name outgrows the file system's 255 bytes whatever the nesting.
  // The load maps stems back to tables through the package's schema.
  static std::string JobFileStem(std::string_view table);
  static constexpr size_t kMaxStemBytes = 200;
  static void AppendCsvField(std::string& out, std::string_view value);

 private:
  struct Open {
    JobFileInfo info;
    FILE* file = nullptr;
    std::string buffer;
  };
  Status Flush(Open& o);
  // Closes a file; one closed before Close() (grown or rotated) is synced by Close().
  Status CloseOne(Open& o, bool sync_now);
  Status SyncOldest();  // fsyncs and closes the oldest of unsynced_
  struct OpenTyped {
    JobFileInfo info;
    std::unique_ptr<TypedJobWriter> writer;
  };
  // Closes a typed file; unsynced ones are synced by Close().
  Status CloseTyped(OpenTyped& o, bool sync_now);
  struct TableSlot {
    std::string table;
    std::unique_ptr<Open> open;         // the CSV file being written, if any
    std::unique_ptr<OpenTyped> typed;   // the typed file being written, if any
  };
  std::filesystem::path dir_;
  std::map<std::string, int> slot_of_;  // table -> index in slots_
  std::vector<TableSlot> slots_;
  std::vector<JobFileInfo> done_;
  static constexpr size_t kMaxUnsynced = 64;
  std::deque<std::pair<FILE*, std::filesystem::path>> unsynced_;  // closed, synced by Close()
  uint64_t rotate_bytes_ = 0;
  std::function<void(const JobFileInfo&)> on_closed_;
  uint64_t bytes_written_ = 0;
  bool typed_jobs_ = false;
  std::vector<std::filesystem::path> unsynced_typed_;  // closed typed files, synced by Close()
};

}  // namespace dlt
