// OpenFilesystemSnapshot of filesystem_snapshot.h.
#include "destinations/filesystem/filesystem_snapshot.h"

#include <cstdlib>
#include <map>
#include <mutex>

#include "common/private_temp_dir.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_credentials.h"
#include "destinations/filesystem/filesystem_destination.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

struct Snapshot {
  std::string load_id;  // the dataset's newest load when it was made
  std::shared_ptr<PrivateTempDir> dir;
  fs::path file;
};

std::mutex g_mu;  // held while a snapshot is looked up or made: one copy at a time
std::map<std::string, Snapshot>& Snapshots() {
  static auto* m = new std::map<std::string, Snapshot>();  // leaked: readers may outlive statics
  // At exit the snapshots no reader holds are removed (a copy of a dataset must not stay in
  // $TMPDIR after the process).
  static const bool cleaned_at_exit = [] {
    std::atexit([] {
      std::lock_guard<std::mutex> lock(g_mu);
      Snapshots().clear();
    });
    return true;
  }();
  (void)cleaned_at_exit;
  return *m;
}

StatusOr<Snapshot> MakeSnapshot(FilesystemDestination& files, const Schema& schema, const std::string& dataset_name,
                                const std::string& load_id) {
  Snapshot s{load_id, std::make_shared<PrivateTempDir>("dlt-snapshot-"), {}};
  if (s.dir->path().empty()) {
    return FailedPrecondition("cannot make a temporary directory under " + fs::temp_directory_path().string() +
                              " for the SQL snapshot of dataset `" + dataset_name + "`: check that it is writable");
  }
  s.file = s.dir->path() / "dlt_dataset_snapshot.duckdb";  // its stem is the catalog: unlike a dataset name
  DLT_RETURN_IF_ERROR(duckdb::EnsureLoaded());
  {
    DLT_ASSIGN_OR_RETURN(auto db, duckdb::Database::Open(s.file.string(), false));
    DLT_ASSIGN_OR_RETURN(auto conn, db.Connect());
    const std::string quoted = duckdb::QuoteIdentifier(dataset_name);
    DLT_RETURN_IF_ERROR(conn.Execute("CREATE SCHEMA " + quoted));
    for (const Table& t : schema.tables()) {
      DLT_ASSIGN_OR_RETURN(std::string from, files.ReaderSql(t.name));
      if (from.empty()) continue;  // no files yet: the table is not there, as in the destination
      Status st = conn.Execute("CREATE TABLE " + quoted + "." + duckdb::QuoteIdentifier(t.name) + " AS SELECT * FROM " + from);
      if (!st.ok()) return st.WithContext("cannot read the files of table `" + t.name + "` of dataset `" + dataset_name + "`");
    }
    conn.Close();
    db.Close();
  }
  return s;
}

}  // namespace

StatusOr<FilesystemSnapshot> OpenFilesystemSnapshot(Destination& dest, const Schema& schema,
                                                    const std::string& destination_name,
                                                    const std::string& dataset_name, const std::string& cache_key) {
  auto* files = dynamic_cast<FilesystemDestination*>(&dest);
  if (files == nullptr) return Internal("destination `" + destination_name + "` is not a filesystem destination");
  DLT_ASSIGN_OR_RETURN(auto loads, files->RecentLoads(1));
  const std::string newest = loads.empty() || !loads[0].load_id ? "" : *loads[0].load_id;

  Snapshot snapshot;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Snapshots().find(cache_key);
    if (it == Snapshots().end() || it->second.load_id != newest || !fs::exists(it->second.file)) {
      DLT_ASSIGN_OR_RETURN(Snapshot made, MakeSnapshot(*files, schema, dataset_name, newest));
      Snapshots()[cache_key] = std::move(made);  // the old one goes when its last holder is done
    }
    snapshot = Snapshots()[cache_key];
  }
  DestinationConfig config;
  config.name = destination_name;
  config.type = "duckdb";
  config.credentials = std::make_shared<DuckDbCredentials>(snapshot.file);
  DestinationOpenOptions open{dataset_name, "", /*read_only=*/true};
  open.no_external_access = true;
  DLT_ASSIGN_OR_RETURN(auto opened, dlt::OpenDestination(config, open));
  return FilesystemSnapshot{snapshot.dir, std::move(opened)};
}

}  // namespace dlt
