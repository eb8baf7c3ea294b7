// Sources of typed batches (normalize/typed_batch.h): the base class every such source derives
// from, and one that holds its batches in memory (for the C++ API and tests).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "extract/extractor.h"
#include "normalize/typed_batch.h"

namespace dlt {

class BatchSource : public RecordSource {
 public:
  SourceKind kind() const override { return SourceKind::kTyped; }
  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    (void)json;
    (void)where;
    return FailedPrecondition("this source yields typed batches, not JSON documents");
  }
  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override = 0;
};

// Yields the batches it was given, one after another ("<name> batch <n>" in errors).
class InMemoryBatchSource : public BatchSource {
 public:
  InMemoryBatchSource(std::string name, std::vector<TypedBatch> batches)
      : name_(std::move(name)), batches_(std::move(batches)) {}
  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    if (next_ >= batches_.size()) return false;
    *where = name_ + " batch " + std::to_string(next_ + 1);
    *batch = batches_[next_++];
    return true;
  }

 private:
  std::string name_;
  std::vector<TypedBatch> batches_;
  size_t next_ = 0;
};

}  // namespace dlt
