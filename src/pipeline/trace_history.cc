#include "pipeline/trace_history.h"

#include <algorithm>
#include <cstdlib>

#include "common/fs.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

namespace fs = std::filesystem;

size_t TraceHistoryLimit() {
  const char* env = std::getenv("DLT_TRACE_HISTORY");
  if (env == nullptr || *env == '\0') return kTraceHistoryDefault;
  std::string v(env);
  // A wrong value does not stop a run (the history is a convenience): the default applies.
  if (v.size() > 6 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return kTraceHistoryDefault;
  }
  size_t n = std::stoul(v);
  return n == 0 ? kTraceHistoryDefault : n;
}

std::string TraceHistoryFileName(const std::string& started_at, const std::string& load_id_or_pid) {
  std::string compact;
  for (char c : started_at) {
    if (c == '+') break;  // the offset: NowIso writes UTC only
    if (c != '-' && c != ':') compact += c;
  }
  std::string id;
  for (char c : load_id_or_pid) {
    // Load ids are digits and a dot; anything else is kept out of a file name.
    bool safe = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_';
    id += safe ? c : '_';
  }
  return compact + "Z-" + id + ".json";
}

std::vector<fs::path> ListTraceHistory(const fs::path& pipeline_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::path dir = PipelinePaths(pipeline_dir).TracesDir();
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.ends_with(".json") && !name.starts_with(".")) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.filename() > b.filename(); });
  return out;
}

Status AppendTraceHistory(const fs::path& pipeline_dir, const std::string& file_name, const std::string& trace_json) {
  fs::path dir = PipelinePaths(pipeline_dir).TracesDir();
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(dir));
  DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(dir / file_name, trace_json));
  auto files = ListTraceHistory(pipeline_dir);
  const size_t keep = TraceHistoryLimit();
  for (size_t i = keep; i < files.size(); ++i) {
    std::error_code ec;
    fs::remove(files[i], ec);
    if (ec) return Internal("cannot remove the old trace " + files[i].string() + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace dlt
