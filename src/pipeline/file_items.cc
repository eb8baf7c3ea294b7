#include "pipeline/file_items.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/fault.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_file_source.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

// Copies `from` to `to` (a reflink where the file system has them) and syncs it.
Status CopySynced(const fs::path& from, const fs::path& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return InvalidArgument(from.string() + ": cannot open: " + std::strerror(errno));
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return Internal("cannot create " + to.string() + ": " + std::strerror(errno));
  }
  Status s = Status::Ok();
  if (::ioctl(out, FICLONE, in) != 0) {
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(in, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        s = InvalidArgument(from.string() + ": cannot read: " + std::strerror(errno));
        break;
      }
      for (ssize_t done = 0; done < n;) {
        ssize_t w = ::write(out, buf + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          s = Internal("cannot write " + to.string() + ": " + std::strerror(errno));
          break;
        }
        done += w;
      }
      if (!s.ok()) break;
    }
  }
  if (s.ok() && ::fdatasync(out) != 0) s = Internal("cannot sync " + to.string() + ": " + std::strerror(errno));
  ::close(in);
  ::close(out);
  return s;
}

// The Parquet file's columns, when DuckDB loads each of them unchanged (LoadsUnchanged).
bool AllUnchanged(const TabularFileInfo& info) {
  for (const std::string& t : info.duckdb_types) {
    if (!LoadsUnchanged(t)) return false;
  }
  return true;
}

// The rows of the file as typed batches through `typed`, as the extract would have read them.
Status NormalizeRows(const PackageJob& job, const std::string& resource, const TableHints& hints,
                     TypedNormalizer& typed, uint64_t* records) {
  auto source = MakeFileBatchSource({job.path}, {TabularFormat::kParquet}, {});
  TypedBatch batch;
  std::string where;
  for (uint64_t n = 1;; ++n) {
    DLT_ASSIGN_OR_RETURN(bool more, source->NextBatch(&batch, &where));
    if (!more) return Status::Ok();
    const uint64_t rows = batch.rows();
    DLT_RETURN_IF_ERROR(typed.NormalizeBatch(
        batch, hints, "resource `" + resource + "` batch " + std::to_string(n) + " of " + job.file_name));
    *records += rows;
  }
}

}  // namespace

bool KeepsWholeFiles(const RecordSource& source, bool incremental) {
  const auto* files = source.whole_files();
  if (!files || files->empty() || incremental || source.routes_tables()) return false;
  for (const auto& f : *files) {
    if (f.format != "parquet") return false;
  }
  return true;
}

Status ExtractWholeFiles(const RecordSource& source, const fs::path& out_dir, const std::string& file_stem,
                         ExtractStats* stats,
                         const std::function<void(const ExtractStats&, uint64_t source_bytes)>& progress) {
  const auto* files = source.whole_files();
  if (!files) return Internal("ExtractWholeFiles needs a source of whole files");
  uint64_t source_bytes = 0;
  int part = 0;
  for (const auto& f : *files) {
    // Read here so that a file DuckDB cannot read fails the extract, naming it, as when its rows
    // were read here.
    DLT_ASSIGN_OR_RETURN(TabularFileInfo info, DescribeParquetFile(f.path));
    char name[32];
    std::snprintf(name, sizeof name, "_%05d.0.parquet", part++);
    const fs::path to = out_dir / (file_stem + name);
    DLT_RETURN_IF_ERROR(CopySynced(f.path, to));
    FaultPoint("extract_file_item");
    std::error_code ec;
    const uint64_t bytes = fs::file_size(to, ec);
    stats->files.push_back(to.filename().string());
    stats->records_in += info.rows;
    stats->records_out += info.rows;
    stats->bytes += ec ? 0 : bytes;
    source_bytes += ec ? 0 : bytes;
    if (progress) progress(*stats, source_bytes);
  }
  return Status::Ok();
}

Status NormalizeFileItem(const PackageJob& job, const TableHints& hints, bool as_file, TypedNormalizer& typed,
                         const SnakeCaseNaming& naming, const fs::path& jobs_dir, std::vector<JobFileInfo>* files,
                         uint64_t* records) {
  const std::string resource = job.file_name.substr(0, job.file_name.find('.'));
  const std::string where = "resource `" + resource + "` file " + job.file_name;
  if (as_file) {
    DLT_ASSIGN_OR_RETURN(TabularFileInfo info, DescribeParquetFile(job.path));
    std::vector<std::pair<std::string, bool>> not_null;
    std::vector<std::string> generated;
    bool whole = AllUnchanged(info);
    if (whole) {
      DLT_ASSIGN_OR_RETURN(whole, typed.NormalizeWholeFile(info.columns, info.rows, hints, where, &generated, &not_null));
    }
    if (whole) {
      if (info.rows == 0) return Status::Ok();
      // The checks typed batches get, over the whole file in one scan of the columns concerned.
      std::vector<std::string> conditions;
      std::vector<std::string> what;
      const std::string table = naming.NormalizeIdentifier(hints.table_name);
      for (const auto& [c, primary_key] : not_null) {
        conditions.push_back(duckdb::QuoteIdentifier(c) + " IS NULL");
        what.push_back(": column `" + c + "` of table `" + table + "` is declared not null" +
                       (primary_key ? " (primary key)" : "") + " but the row has no value for it");
      }
      for (const TypedColumn& c : info.columns) {
        if (c.data_type != DataType::kDouble) continue;
        conditions.push_back("NOT isfinite(" + duckdb::QuoteIdentifier(c.name) + ")");
        what.push_back(": column `" + c.name + "` holds NaN or infinity, which have no portable SQL form; send NULL instead");
      }
      DLT_ASSIGN_OR_RETURN(auto first, FirstParquetRowsWhere(job.path, conditions));
      for (size_t i = 0; i < first.size(); ++i) {
        if (first[i]) return InvalidArgument(where + " row " + std::to_string(*first[i] + 1) + what[i]);
      }
      JobFileInfo f;
      f.table = table;
      f.path = jobs_dir / JobWriterSet::NewJobFileName(table, "parquet");
      for (const TypedColumn& c : info.columns) f.columns.push_back(c.name);
      f.generated = generated;
      f.rows = info.rows;
      std::error_code ec;
      fs::create_hard_link(job.path, f.path, ec);
      if (ec) DLT_RETURN_IF_ERROR(CopySynced(job.path, f.path));
      f.bytes = fs::file_size(f.path, ec);
      if (ec) f.bytes = 0;
      files->push_back(std::move(f));
      *records += info.rows;
      return Status::Ok();
    }
  }
  return NormalizeRows(job, resource, hints, typed, records);
}

}  // namespace dlt
