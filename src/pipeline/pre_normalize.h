// Normalizing while extracting. A resource whose rows arrive slowly (a Python generator holds one
// core) is extracted into part files of ~16 MB (a typed source into typed part files of ~64 MB,
// which become load jobs as they are, typed_items.h, where the destination loads while
// extracting); each part file, once closed, is normalized at once
// by a thread of its own into a folder of its own (<new packages>/<load_id>.pre), from the schema
// the package will start from and the resource's hints. When the extract ends the thread stops
// after the file in hand; the normalize step then takes the files it finished as the package's
// first part (normalize_parts.h) and normalizes only the rest, so the result is the one of a
// single pass. Nothing here is published: the extract and normalize steps stay as they are on
// disk (a crash leaves only the temporary folder, which the next run removes), and whenever
// anything differs from what the part was made with (the hints changed during the extract, the
// schema, the files) or it failed, the part is dropped and the package normalized as before.
// Into DuckDB the job files it closes are loaded meanwhile (Setup::on_file, stream_load.cc).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/status.h"
#include "load/package.h"
#include "normalize/naming.h"
#include "pipeline/normalize_parts.h"

namespace dlt {

class PreNormalizer {
 public:
  struct Setup {
    std::string load_id;
    const Schema* schema = nullptr;       // copied: the schema the package starts from
    nlohmann::ordered_json resources;     // the package's "resources" (hints) as the extract began
    const SnakeCaseNaming* naming = nullptr;
    std::filesystem::path dir;            // its own folder (removed with it unless taken)
    bool typed_jobs = false;              // the destination reads typed job files
    uint64_t rotate_bytes = 0;            // job files continued in a new one at this size (0: never)
    // Called on its thread with each job file the rotation closed (and the part's schema as it
    // was then), to load it while the extract goes on; the file stays in `dir` until Take().
    std::function<void(const Schema&, const JobFileInfo&)> on_file;
  };
  // The part made, if it can stand for the package's first files.
  struct Taken {
    // Never moved itself: its normalizer points at its schema and writers.
    std::unique_ptr<NormalizePart> part;
    size_t files = 0;  // how many of the package's first job files it normalized
  };

  static StatusOr<std::unique_ptr<PreNormalizer>> Start(Setup setup);
  ~PreNormalizer();

  // A closed extracted job file (JSON, or typed), in record order.
  void Push(PackageJob job);
  // No further file is started; the one in hand is finished.
  void Stop();
  // Stop()s and waits for its thread (its files stay until it goes).
  void Finish();
  // Waits for the thread. The part, its files moved into `jobs_dir`, when it was made from
  // `schema` and the hints in `ps_resources` and covers the first of `jobs`; else nothing.
  std::optional<Taken> Take(const Schema& schema, const nlohmann::ordered_json& ps_resources,
                            const std::vector<PackageJob>& jobs, const std::filesystem::path& jobs_dir);
  const std::string& load_id() const { return setup_.load_id; }

 private:
  explicit PreNormalizer(Setup setup);
  void Work();

  Setup setup_;
  std::string schema_json_;
  std::map<std::string, TableHints> hints_;
  std::unique_ptr<NormalizePart> part_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PackageJob> queue_;
  bool stop_ = false;
  std::vector<std::string> done_;  // file names normalized, in order
  std::vector<JobFileInfo> whole_;  // typed files made load jobs as they are (typed_items.h)
  Status status_ = Status::Ok();
  std::thread thread_;
};

}  // namespace dlt
