// The dashboard's SQL over a filesystem destination: the dataset's read-only snapshot
// (destinations/filesystem/filesystem_snapshot.h), one per pipeline folder, destination and
// dataset. Snapshot directories go when the dashboard stops.
#include "dashboard/api_support.h"

namespace dlt::dashboard {

StatusOr<SnapshotView> OpenFilesystemSnapshot(const PipelineView& p, Destination& dest) {
  if (!p.schema) return FailedPrecondition("pipeline `" + p.name + "` has no schema yet: run it first");
  const std::string key = p.dir.string() + "\n" + p.destination_name + "\n" + p.dataset_name;
  return dlt::OpenFilesystemSnapshot(dest, *p.schema, p.destination_name, p.dataset_name, key);
}

}  // namespace dlt::dashboard
