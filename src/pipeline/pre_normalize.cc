#include "pipeline/pre_normalize.h"

#include "common/background_thread.h"
#include "common/fault.h"
#include "common/fs.h"
#include "load/job_header.h"
#include "pipeline/package_manifest.h"
#include "pipeline/typed_items.h"

namespace dlt {

namespace fs = std::filesystem;

PreNormalizer::PreNormalizer(Setup setup)
    : setup_(std::move(setup)), part_(std::make_unique<NormalizePart>(NormalizePart{*setup_.schema})) {}

StatusOr<std::unique_ptr<PreNormalizer>> PreNormalizer::Start(Setup setup) {
  std::unique_ptr<PreNormalizer> p(new PreNormalizer(std::move(setup)));
  const Setup& s = p->setup_;
  p->schema_json_ = s.schema->ToJson();
  for (auto it = s.resources.begin(); it != s.resources.end(); ++it) {
    DLT_ASSIGN_OR_RETURN(TableHints h, HintsFromJson(it.value()));
    p->hints_[it.key()] = std::move(h);
  }
  std::error_code ec;
  fs::remove_all(s.dir, ec);
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(s.dir));
  NormalizePart& part = *p->part_;
  part.writers = std::make_unique<JobWriterSet>(s.dir);
  part.writers->set_typed_jobs(s.typed_jobs);
  if (s.rotate_bytes > 0) {
    std::function<void(const JobFileInfo&)> closed;
    if (s.on_file) closed = [&part, &s](const JobFileInfo& f) { s.on_file(part.schema, f); };
    part.writers->SetRotation(s.rotate_bytes, std::move(closed));
  }
  part.normalizer = std::make_unique<Normalizer>(&part.schema, s.naming, s.load_id, part.writers.get());
  part.typed = std::make_unique<TypedNormalizer>(&part.schema, s.naming, s.load_id, part.writers.get(),
                                                 part.normalizer.get());
  for (const auto& [name, h] : p->hints_) DLT_RETURN_IF_ERROR(part.normalizer->Prepare(h));
  p->thread_ = std::thread([raw = p.get()] { raw->Work(); });
  return p;
}

PreNormalizer::~PreNormalizer() {
  Finish();
  part_.reset();  // closes what is open before the folder goes
  std::error_code ec;
  fs::remove_all(setup_.dir, ec);
}

void PreNormalizer::Push(PackageJob job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void PreNormalizer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
}

void PreNormalizer::Work() {
  RunAsBackgroundThread();  // the generator's thread comes first
  Status s = Status::Ok();
  try {
    for (;;) {
      PackageJob job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_ || queue_.empty()) break;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      const std::string resource = job.file_name.substr(0, job.file_name.find('.'));
      auto h = hints_.find(resource);
      if (h == hints_.end()) {
        s = DataLoss("extracted job " + job.file_name + " has no resource hints");
        break;
      }
      if (IsTypedJobFile(job.path)) {
        // A typed part file: made the load job as it is (typed_items.h), loaded at once.
        const size_t before = whole_.size();
        s = NormalizeTypedJob(job, h->second, /*keep_whole=*/true, *part_->typed, *setup_.naming, setup_.dir, &whole_,
                              &part_->records, nullptr);
        if (s.ok() && setup_.on_file) {
          for (size_t i = before; i < whole_.size(); ++i) setup_.on_file(part_->schema, whole_[i]);
        }
      } else {
        s = NormalizeJsonJob(*part_, job, resource, h->second, nullptr);
      }
      if (!s.ok()) break;
      FaultPoint("normalize_while_extracting");
      done_.push_back(job.file_name);
    }
    if (s.ok()) {
      auto files = part_->writers->Close();
      if (files.ok()) {
        part_->files = std::move(files).value();
        part_->files.insert(part_->files.end(), whole_.begin(), whole_.end());
      } else {
        s = files.status();
      }
    }
  } catch (const std::exception& e) {
    s = Internal(std::string("normalizing while extracting failed: ") + e.what());
  }
  std::lock_guard<std::mutex> lock(mu_);
  status_ = s;
}

void PreNormalizer::Finish() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

std::optional<PreNormalizer::Taken> PreNormalizer::Take(const Schema& schema, const nlohmann::ordered_json& ps_resources,
                                                        const std::vector<PackageJob>& jobs, const fs::path& jobs_dir) {
  Finish();
  // A failed part is dropped: the package's own normalize reports the error, with its context.
  if (!part_ || !status_.ok() || done_.empty() || done_.size() > jobs.size()) return std::nullopt;
  if (ps_resources != setup_.resources || schema.ToJson() != schema_json_) return std::nullopt;
  for (size_t i = 0; i < done_.size(); ++i) {
    if (jobs[i].file_name != done_[i]) return std::nullopt;
  }
  std::vector<fs::path> moved;
  for (auto& f : part_->files) {
    fs::path to = jobs_dir / f.path.filename();
    std::error_code ec;
    fs::rename(f.path, to, ec);
    if (ec) {
      // Nothing of the part may stay in the package: it is normalized the ordinary way.
      for (const auto& m : moved) fs::remove(m, ec);
      return std::nullopt;
    }
    moved.push_back(to);
    f.path = to;
  }
  return Taken{std::move(part_), done_.size()};
}

}  // namespace dlt
