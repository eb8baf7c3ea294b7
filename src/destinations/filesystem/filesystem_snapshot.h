// SQL over a filesystem destination's dataset (local folders, S3): a snapshot, a DuckDB file
// holding a copy of the dataset's tables, opened READ-ONLY with external access off and the
// configuration locked, exactly as a DuckDB destination is opened for reading. The refusals
// (writes, COPY TO, ATTACH, reading any file) are then DuckDB's own. Used by the dashboard's
// SQL tab and by read-only SQL sessions (Python's pipeline.dataset()).
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
// The snapshot is written by a private DuckDB that runs only our own statements, into a fresh
// directory made by mkdtemp (mode 0700), and is kept per `cache_key` until a new load appears
// (the dataset's newest _dlt_loads id changes): then the next open makes a new one, and the old
// directory is removed once nothing holds it; at exit every snapshot nothing holds is removed.
// The snapshot is a full copy of the dataset in $TMPDIR.
#pragma once

#include <memory>
#include <string>

#include "dlt/status.h"
#include "load/destination.h"
#include "normalize/schema.h"

namespace dlt {

struct FilesystemSnapshot {
  std::shared_ptr<const void> keep;   // the snapshot's directory, while this is held
  std::unique_ptr<Destination> dest;  // a read-only DuckDB destination over the snapshot
};

// `files` must be the filesystem destination (FilesystemDestination) of the dataset whose
// tables `schema` lists; `destination_name` and `dataset_name` name them in messages and in the
// snapshot (the dataset is a schema of the snapshot's DuckDB of that name).
StatusOr<FilesystemSnapshot> OpenFilesystemSnapshot(Destination& files, const Schema& schema,
                                                    const std::string& destination_name,
                                                    const std::string& dataset_name, const std::string& cache_key);

}  // namespace dlt
