// SQL over a filesystem destination's dataset (local folders, S3): the dashboard answers it from
// a snapshot, a DuckDB file holding a copy of the dataset's tables, opened READ-ONLY with
// external access off and the configuration locked, exactly as a DuckDB destination is. The
// refusals (writes, COPY TO, ATTACH, reading any file) are then DuckDB's own.
//
// Why a copy and not views over the data files: a view needs the files to be readable, and
// DuckDB's ways of allowing that allow writing too. Measured with the DuckDB of third_party
// (1.4): `allowed_directories` lets COPY ... TO write into those folders, and `allowed_paths`
// listing exactly the data files, with enable_external_access=false and lock_configuration,
// still lets `COPY (SELECT ...) TO '<data file>' (USE_TMP_FILE false)` overwrite a data file
// (without that option DuckDB's temporary file is refused, which hides the hole). A read-only
// database file has no such door: its tables cannot be changed and nothing outside it can be
// reached.
//
// The snapshot is written by a private DuckDB that runs only the statements below, into a fresh
// directory made by mkdtemp (mode 0700), and is kept per pipeline and dataset until a new load
// appears (its newest _dlt_loads id changes): then the next query makes a new one, and the old
// directory is removed once no request reads it. Directories go when the dashboard stops.
#include <map>
#include <mutex>

#include "dashboard/api_support.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_credentials.h"
#include "destinations/filesystem/filesystem_destination.h"

namespace dlt::dashboard {

namespace fs = std::filesystem;

namespace {

struct Snapshot {
  std::string load_id;  // the dataset's newest load when it was made
  std::shared_ptr<PrivateTempDir> dir;
  fs::path file;
};

std::mutex g_mu;  // held while a snapshot is looked up or made: one copy at a time
std::map<std::string, Snapshot>& Snapshots() {
  static auto* m = new std::map<std::string, Snapshot>();  // leaked: requests may outlive statics
  return *m;
}

StatusOr<Snapshot> MakeSnapshot(FilesystemDestination& files, const PipelineView& p, const std::string& load_id) {
  Snapshot s{load_id, std::make_shared<PrivateTempDir>("dlt-dashboard-snapshot-"), {}};
  if (s.dir->path().empty()) {
    return FailedPrecondition("cannot make a temporary directory under " + fs::temp_directory_path().string() +
                              " for the SQL snapshot of dataset `" + p.dataset_name + "`: check that it is writable");
  }
  s.file = s.dir->path() / "dataset.duckdb";
  DLT_RETURN_IF_ERROR(duckdb::EnsureLoaded());
  {
    DLT_ASSIGN_OR_RETURN(auto db, duckdb::Database::Open(s.file.string(), false));
    DLT_ASSIGN_OR_RETURN(auto conn, db.Connect());
    const std::string schema = duckdb::QuoteIdentifier(p.dataset_name);
    DLT_RETURN_IF_ERROR(conn.Execute("CREATE SCHEMA " + schema));
    for (const Table& t : p.schema->tables()) {
      DLT_ASSIGN_OR_RETURN(std::string from, files.ReaderSql(t.name));
      if (from.empty()) continue;  // no files yet: the table is not there, as in the destination
      Status st = conn.Execute("CREATE TABLE " + schema + "." + duckdb::QuoteIdentifier(t.name) + " AS SELECT * FROM " + from);
      if (!st.ok()) return st.WithContext("cannot read the files of table `" + t.name + "` of dataset `" + p.dataset_name + "`");
    }
    conn.Close();
    db.Close();
  }
  return s;
}

}  // namespace

StatusOr<SnapshotView> OpenFilesystemSnapshot(const PipelineView& p, Destination& dest) {
  auto* files = dynamic_cast<FilesystemDestination*>(&dest);
  if (files == nullptr) return Internal("destination `" + p.destination_name + "` is not a filesystem destination");
  if (!p.schema) return FailedPrecondition("pipeline `" + p.name + "` has no schema yet: run it first");
  DLT_ASSIGN_OR_RETURN(auto loads, files->RecentLoads(1));
  const std::string newest = loads.empty() || !loads[0].load_id ? "" : *loads[0].load_id;
  const std::string key = p.dir.string() + "\n" + p.destination_name + "\n" + p.dataset_name;

  Snapshot snapshot;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Snapshots().find(key);
    if (it == Snapshots().end() || it->second.load_id != newest || !fs::exists(it->second.file)) {
      DLT_ASSIGN_OR_RETURN(Snapshot made, MakeSnapshot(*files, p, newest));
      Snapshots()[key] = std::move(made);  // the old one goes when its last reader is done
    }
    snapshot = Snapshots()[key];
  }
  DestinationConfig config;
  config.name = p.destination_name;
  config.type = "duckdb";
  config.credentials = std::make_shared<DuckDbCredentials>(snapshot.file);
  DestinationOpenOptions open{p.dataset_name, "", /*read_only=*/true};
  open.no_external_access = true;
  DLT_ASSIGN_OR_RETURN(auto opened, dlt::OpenDestination(config, open));
  return SnapshotView{snapshot.dir, std::move(opened)};
}

}  // namespace dlt::dashboard
