#include "load/job_header.h"

#include "load/csv_job_reader.h"
#include "normalize/schema.h"
#include "normalize/typed_job_file.h"

namespace dlt {

bool IsTypedJobFile(const std::filesystem::path& path) { return path.extension() == ".typed"; }

bool IsParquetJobFile(const std::filesystem::path& path) { return path.extension() == ".parquet"; }

StatusOr<std::vector<std::string>> ReadJobHeader(const std::filesystem::path& path) {
  if (IsParquetJobFile(path)) {
    return FailedPrecondition("load job " + path.string() + " is a Parquet file, read by the destination itself");
  }
  if (IsTypedJobFile(path)) return ReadTypedJobHeader(path);
  return ReadCsvJobHeader(path);
}

StatusOr<std::vector<const Column*>> JobColumns(const Table& table, const std::vector<std::string>& names,
                                                const std::filesystem::path& job) {
  std::vector<const Column*> out;
  for (const auto& name : names) {
    const Column* c = table.FindColumn(name);
    if (!c) {
      return DataLoss("load job for table `" + table.name + "` has column `" + name +
                      "` that is not in the package schema (" + job.string() + ")");
    }
    out.push_back(c);
  }
  return out;
}

std::string JobFileId(const std::string& job_file_name) {
  size_t a = job_file_name.find('.');
  size_t b = a == std::string::npos ? a : job_file_name.find('.', a + 1);
  if (b == std::string::npos) return job_file_name;
  return job_file_name.substr(a + 1, b - a - 1);
}

Status TypedJobUnsupported(const std::filesystem::path& path, const std::string& destination) {
  return FailedPrecondition(
      "load job " + path.string() + " holds typed rows, which only the duckdb, motherduck and filesystem "
      "destinations load: the package was normalized for one of them, and the pipeline now loads into " +
      destination + ". Load it with the destination it was normalized for, or delete it with "
      "`dlt pipeline <name> drop-pending-packages` and run the pipeline again");
}

Status ParquetJobUnsupported(const std::filesystem::path& path, const std::string& destination) {
  return FailedPrecondition(
      "load job " + path.string() + " is a Parquet file kept as it came, which only the duckdb and filesystem "
      "destinations load: the package was normalized for it, and the pipeline now loads into " + destination +
      ". Load it with the destination it was normalized for, or delete it with "
      "`dlt pipeline <name> drop-pending-packages` and run the pipeline again");
}

}  // namespace dlt
