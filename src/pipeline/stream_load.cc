// Loading before the package is complete: job files of append tables that a normalizer
// finishes early (it closes them at StreamFileBytes()) are loaded by a thread of their own
// (StreamQueue) into the package's transaction, which stays open until LoadPackage commits it
// after the normalized package is published. Into PostgreSQL that happens while the package is
// normalized; into DuckDB while a Python resource is extracted (the files normalized meanwhile,
// pre_normalize.h; destination_types.h load_while_extracting). A crash before that commit loses
// nothing: the destination rolls the transaction back and the package is normalized or loaded
// again. When anything goes wrong on that thread the transaction is rolled back and the package is
// loaded the ordinary way. DLT_STREAM_FILE_BYTES overrides the size (for the crash tests of this
// path with small data).
#include <cstdlib>

#include "common/background_thread.h"
#include "common/fault.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

uint64_t Pipeline::Impl::StreamFileBytes() {
  static const uint64_t bytes = [] {
    const char* env = std::getenv("DLT_STREAM_FILE_BYTES");
    uint64_t v = env && *env ? std::strtoull(env, nullptr, 10) : 0;
    return v ? v : uint64_t{16} << 20;
  }();
  return bytes;
}

void Pipeline::Impl::StartStream(const std::string& load_id, bool while_extracting) {
  stream_begun = false;
  stream_load_id = load_id;
  stream_while_extracting = while_extracting;
  stream = std::make_unique<StreamQueue>([this](const StreamItem& item) { return StreamOne(item); });
}

StatusOr<bool> Pipeline::Impl::StreamOne(const StreamItem& item) {
  if (!stream_begun) {
    if (stream_while_extracting) RunAsBackgroundThread();  // the generator's thread comes first
    DLT_RETURN_IF_ERROR(OpenDestination());
    // While extracting, the crash points of this stream are load_streamed_job's; the load step
    // passes load_before_transaction itself (load_step.cc).
    if (!stream_while_extracting) FaultPoint("load_before_transaction");
    if (!dest->streaming()) return FailedPrecondition("destination " + destination.Describe() + " does not load while normalizing");
    DLT_RETURN_IF_ERROR(dest->streaming()->BeginStream(stream_while_extracting, stream_load_id));
    stream_begun = true;
  }
  if (!item.may_alter) {
    DLT_ASSIGN_OR_RETURN(auto have, dest->streaming()->TableColumns(item.table.name));
    std::set<std::string> cols(have.begin(), have.end());
    for (const auto& c : item.table.columns) {
      if (!cols.count(c.name)) return false;
    }
  }
  DLT_RETURN_IF_ERROR(dest->streaming()->StreamJob(item.table, item.job));
  FaultPoint("load_streamed_job");  // loaded, not committed
  return true;
}

std::optional<StreamItem> Pipeline::Impl::StreamItemFor(const Schema& schema, const JobFileInfo& f, bool may_alter) {
  const Table* t = schema.FindTable(f.table);
  if (!t) return std::nullopt;
  const Table& root = schema.RootOf(f.table);
  if (root.write_disposition.value_or(WriteDisposition::kAppend) != WriteDisposition::kAppend) return std::nullopt;
  StreamItem item;
  item.table.name = t->name;
  item.table.parent = t->parent;
  for (const auto& name : f.columns) {
    const Column* c = t->FindColumn(name);
    if (!c) return std::nullopt;
    item.table.columns.push_back(*c);
  }
  // The dlt columns the load fills in for a job kept as extracted (typed_items.h).
  for (const auto& name : f.generated) {
    const Column* c = t->FindColumn(name);
    if (!c) return std::nullopt;
    item.table.columns.push_back(*c);
  }
  item.job.generated = f.generated;
  item.job.table = f.table;
  item.job.path = f.path;
  item.job.file_name = f.path.filename().string();
  item.may_alter = may_alter;
  return item;
}

bool Pipeline::Impl::StreamInProgress() const {
  return dest && dest->streaming() && dest->streaming()->in_progress();
}

void Pipeline::Impl::AbortStream() {
  if (dest && dest->streaming()) dest->streaming()->AbortStream();
}

bool Pipeline::Impl::StopStream() {
  if (!stream) return false;
  bool ok = stream->Stop() && stream_begun;
  if (stream_begun && !ok) AbortStream();
  return ok;
}

}  // namespace dlt
