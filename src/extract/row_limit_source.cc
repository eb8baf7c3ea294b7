#include "extract/row_limit_source.h"

#include <utility>

#include "normalize/typed_batch.h"

namespace dlt {

namespace {

class RowLimitSource : public RecordSource {
 public:
  RowLimitSource(std::unique_ptr<RecordSource> inner, uint64_t max_rows) : inner_(std::move(inner)), left_(max_rows) {}

  SourceKind kind() const override { return inner_->kind(); }

  StatusOr<bool> Next(std::string_view* json, std::string* where) override {
    if (left_ == 0) return false;
    DLT_ASSIGN_OR_RETURN(bool more, inner_->Next(json, where));
    if (more) --left_;
    return more;
  }

  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    if (left_ == 0) return false;
    DLT_ASSIGN_OR_RETURN(bool more, inner_->NextBatch(batch, where));
    if (!more) return false;
    if (batch->rows() > left_) {
      TypedBatch cut(batch->columns());
      for (size_t r = 0; r < left_; ++r) cut.AppendRowOf(*batch, r);
      *batch = std::move(cut);
    }
    left_ -= batch->rows();
    return true;
  }

  uint64_t bytes_read() const override { return inner_->bytes_read(); }
  bool slow_producer() const override { return inner_->slow_producer(); }
  bool json_is_valid() const override { return inner_->json_is_valid(); }
  const std::string* last_name() const override { return inner_->last_name(); }
  uint64_t last_line() const override { return inner_->last_line(); }
  bool routes_tables() const override { return inner_->routes_tables(); }
  const std::string* table() const override { return inner_->table(); }
  const ResourceOptions* table_options(const std::string& t) const override { return inner_->table_options(t); }
  const ResourceOptions* resource_options() const override { return inner_->resource_options(); }

 private:
  std::unique_ptr<RecordSource> inner_;
  uint64_t left_;
};

}  // namespace

std::unique_ptr<RecordSource> LimitRows(std::unique_ptr<RecordSource> source, uint64_t max_rows) {
  return std::make_unique<RowLimitSource>(std::move(source), max_rows);
}

}  // namespace dlt
