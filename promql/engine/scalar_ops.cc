#include "promql/engine/scalar_ops.h"

#include <cmath>

namespace meridian::promql::engine {

StepScalarOp::StepScalarOp(QueryContext* ctx, StepRange range, std::string name,
                           std::function<double(int64_t t)> value)
    : ctx_(ctx),
      range_(range),
      name_(std::move(name)),
      value_(std::move(value)),
      cursor_(range, ctx->opts().steps_per_batch) {}

Status StepScalarOp::Series(const std::vector<SeriesInfo>** out) {
  *out = &series_;
  return Status::Ok();
}

Status StepScalarOp::Next(StepBatch* batch) {
  batch->clear();
  if (cursor_.Done()) return Status::Ok();
  Status s = ctx_->CheckInterrupt();
  if (!s.ok()) return s;
  size_t first;
  size_t n = cursor_.Take(&first);
  batch->resize(n);
  for (size_t k = 0; k < n; ++k) {
    int64_t t = range_.At(first + k);
    (*batch)[k].Reset(t);
    (*batch)[k].Push(0, value_(t));
  }
  return Status::Ok();
}

Status ScalarPairOp::Next(StepBatch* batch) {
  StepBatch other;
  Status s = a_->Next(batch);
  if (!s.ok()) return s;
  s = b_->Next(&other);
  if (!s.ok()) return s;
  for (size_t k = 0; k < batch->size() && k < other.size(); ++k) {
    StepVector& sv = (*batch)[k];
    double x = sv.empty() ? std::nan("") : sv.vals[0];
    double y = other[k].empty() ? std::nan("") : other[k].vals[0];
    sv.Reset(sv.t);
    sv.Push(0, fn_(x, y));
  }
  return Status::Ok();
}

Status ScalarFromVectorOp::Next(StepBatch* batch) {
  Status s = in_->Next(batch);
  if (!s.ok()) return s;
  for (StepVector& sv : *batch) {
    double v = sv.size() == 1 ? sv.vals[0] : std::nan("");
    sv.Reset(sv.t);
    sv.Push(0, v);
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
