// Key-range chunks of one table read on several connections at once (sql_table_scan.h). Each
// range has its own scan (and so its own connection) on a thread of its own; batches meet in a
// small bounded queue, so memory stays at a few batches per thread whatever the table's size.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "extract/sql_database/sql_table_scan.h"

namespace dlt::sql_source {

namespace {

class ChunkedScan : public BatchSource {
 public:
  ChunkedScan(std::vector<std::unique_ptr<BatchSource>> parts, std::string name)
      : parts_(std::move(parts)), name_(std::move(name)), running_(parts_.size()) {
    for (size_t i = 0; i < parts_.size(); ++i) threads_.emplace_back([this, i] { Work(i); });
  }
  ~ChunkedScan() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) t.join();
  }

  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return !error_.ok() || !queue_.empty() || running_ == 0; });
    if (!error_.ok()) return error_;
    if (queue_.empty()) return false;
    // The caller's spent batch goes back to the threads: refilled, its vectors keep their memory
    // instead of growing anew (moving every text cell on the way) for each batch.
    std::swap(*batch, queue_.front());
    spare_.push_back(std::move(queue_.front()));
    queue_.pop_front();
    *where = name_ + " batch " + std::to_string(++batches_);
    changed_.notify_all();
    return true;
  }

 private:
  void Work(size_t i) {
    BatchSource& part = *parts_[i];
    TypedBatch batch;
    for (;;) {
      std::string where;
      auto more = part.NextBatch(&batch, &where);
      std::unique_lock<std::mutex> lock(mu_);
      if (!more.ok()) {
        if (error_.ok()) error_ = more.status();
        break;
      }
      if (!*more || stop_) break;
      if (batch.rows() == 0) continue;
      changed_.wait(lock, [&] { return stop_ || !error_.ok() || queue_.size() < 2 * parts_.size(); });
      if (stop_ || !error_.ok()) break;
      queue_.push_back(std::move(batch));
      batch = TypedBatch();
      if (!spare_.empty()) {
        batch = std::move(spare_.back());
        spare_.pop_back();
      }
      changed_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    changed_.notify_all();
  }

  std::vector<std::unique_ptr<BatchSource>> parts_;
  std::string name_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<TypedBatch> queue_;
  std::vector<TypedBatch> spare_;  // batches the consumer has read, for the threads to refill
  Status error_;
  size_t running_;
  bool stop_ = false;
  size_t batches_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace

std::vector<std::pair<int64_t, int64_t>> SplitKeyRange(int64_t min, int64_t max, int parts) {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (max < min || parts < 1) return out;
  // In unsigned arithmetic: the span of [INT64_MIN, INT64_MAX] does not fit an int64.
  uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
  // Ranges of `step` keys: `parts` of them cover span + 1 keys (step * parts > span).
  uint64_t step = span / static_cast<uint64_t>(parts) + 1;
  for (uint64_t first = 0;;) {
    uint64_t last = span - first < step ? span : first + step - 1;
    out.emplace_back(static_cast<int64_t>(static_cast<uint64_t>(min) + first),
                     static_cast<int64_t>(static_cast<uint64_t>(min) + last));
    if (last == span) break;
    first = last + 1;
  }
  return out;
}

StatusOr<std::unique_ptr<BatchSource>> OpenChunkedScan(SqlReader& reader, const ScanRequest& base,
                                                       const std::string& key,
                                                       const std::vector<std::pair<int64_t, int64_t>>& ranges,
                                                       std::string name) {
  std::vector<std::unique_ptr<BatchSource>> parts;
  for (const auto& [first, last] : ranges) {
    ScanRequest req = base;
    req.chunk_key = key;
    req.chunk_lower = Bound{first, true};
    req.chunk_upper = Bound{last, true};
    DLT_ASSIGN_OR_RETURN(auto part, reader.Scan(req));
    parts.push_back(std::move(part));
  }
  return CombineChunks(std::move(parts), std::move(name));
}

std::unique_ptr<BatchSource> CombineChunks(std::vector<std::unique_ptr<BatchSource>> parts, std::string name) {
  return std::make_unique<ChunkedScan>(std::move(parts), std::move(name));
}

}  // namespace dlt::sql_source
