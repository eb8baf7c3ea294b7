// Which step a failed call stopped in, and of what kind its error is (RunFailure): the Python
// package raises dlt's exception types from it (PipelineStepFailed with .step and .load_id, a
// cause such as ResourceExtractionError or DestinationConnectionError).
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace {

using Kind = RunFailure::Kind;

// The kind of an error a step did not classify itself, by the step and the status code.
Kind KindOf(const std::string& step, const Status& s) {
  // A damaged file or a bug is neither the data's nor the destination's fault.
  if (s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kInternal) return Kind::kOther;
  if (step == "extract") return Kind::kOther;  // the sources' own errors are marked where they happen
  if (step == "normalize") {
    // The normalizer's contract errors all name "the schema contract of resource `x`".
    if (s.message().find("the schema contract of resource") != std::string::npos) return Kind::kSchemaContract;
    return s.code() == StatusCode::kInvalidArgument ? Kind::kData : Kind::kOther;
  }
  if (step == "load" || step == "sync") {
    if (s.code() == StatusCode::kPermissionDenied) return Kind::kOther;  // busy, read-only
    return Kind::kDestination;
  }
  return Kind::kOther;
}

}  // namespace

RunFailure Pipeline::Impl::FailureOf(const Status& s) const {
  RunFailure f;
  f.step = mark.step.empty() ? "sync" : mark.step;
  f.load_id = mark.load_id;
  f.kind = mark.kind ? *mark.kind : KindOf(f.step, s);
  if (storage) {
    f.has_pending_data = !storage->List(PackageStage::kExtracted).empty() ||
                         !storage->List(PackageStage::kNormalized).empty();
  }
  return f;
}

}  // namespace dlt
