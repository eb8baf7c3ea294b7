#include "pipeline/stream_queue.h"

namespace dlt {

StreamQueue::StreamQueue(LoadOne load) : load_(std::move(load)) {
  thread_ = std::jthread([this] { Work(); });
}

StreamQueue::~StreamQueue() { Stop(); }

void StreamQueue::Push(StreamItem item) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || failed_) return;
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
}

bool StreamQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return !failed_;
}

StatusOr<bool> StreamQueue::LoadLocked(std::unique_lock<std::mutex>& lock, StreamItem item) {
  lock.unlock();
  // A loader that throws fails the stream; the package is then loaded the ordinary way.
  StatusOr<bool> r = [&]() -> StatusOr<bool> {
    try {
      return load_(item);
    } catch (const std::exception& e) {
      return Internal(std::string("loading while normalizing failed: ") + e.what());
    }
  }();
  lock.lock();
  if (r.ok()) {
    if (*r) {
      loaded_files_.insert(item.job.file_name);
      loaded_tables_.insert(item.table.name);
    } else {
      waiting_.push_back(std::move(item));
    }
  }
  return r;
}

void StreamQueue::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_ || failed_) return;  // what is left is loaded with the package
    StreamItem item = std::move(queue_.front());
    queue_.pop_front();
    auto r = LoadLocked(lock, std::move(item));
    // Files that waited for a column may be loadable now.
    if (r.ok() && *r) {
      std::vector<StreamItem> retry;
      retry.swap(waiting_);
      for (auto& w : retry) {
        auto rr = LoadLocked(lock, std::move(w));
        if (!rr.ok()) {
          r = rr.status();
          break;
        }
      }
    }
    if (!r.ok()) failed_ = true;
  }
}

}  // namespace dlt
