#include "promql/engine/function_ops.h"

#include "promql/engine/range_function.h"

namespace meridian::promql::engine {

ElementwiseOp::ElementwiseOp(QueryContext* ctx, StepRange range, std::string name, OperatorPtr in,
                             std::vector<OperatorPtr> scalar_args, ElementKernel kernel,
                             bool keep_name)
    : ctx_(ctx),
      range_(range),
      name_(std::move(name)),
      in_(std::move(in)),
      scalar_ops_(std::move(scalar_args)),
      kernel_(std::move(kernel)),
      keep_name_(keep_name) {}

Status ElementwiseOp::Init() {
  if (init_) return init_status_;
  init_ = true;
  scalar_vals_.resize(scalar_ops_.size());
  for (size_t i = 0; i < scalar_ops_.size(); ++i) {
    init_status_ = EvalScalarSteps(scalar_ops_[i].get(), range_.NumSteps(), &scalar_vals_[i]);
    if (!init_status_.ok()) return init_status_;
  }
  const std::vector<SeriesInfo>* in = nullptr;
  init_status_ = in_->Series(&in);
  if (!init_status_.ok()) return init_status_;
  series_ = *in;
  if (!keep_name_) {
    for (auto& s : series_) {
      if (ctx_->opts().enable_delayed_name_removal) {
        s.drop_name = true;
      } else {
        s.labels = s.labels.WithoutMetricName();
      }
    }
  }
  return init_status_;
}

Status ElementwiseOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Init();
  *out = &series_;
  return s;
}

Status ElementwiseOp::Next(StepBatch* batch) {
  Status s = Init();
  if (!s.ok()) return s;
  s = in_->Next(batch);
  if (!s.ok()) return s;
  std::vector<double> args(scalar_vals_.size());
  for (StepVector& sv : *batch) {
    for (size_t a = 0; a < args.size(); ++a) {
      args[a] = step_ < scalar_vals_[a].size() ? scalar_vals_[a][step_] : 0;
    }
    ++step_;
    size_t w = 0;
    for (size_t k = 0; k < sv.size(); ++k) {
      double out;
      if (!kernel_(sv.vals[k], args, sv.t, &out)) continue;
      sv.ids[w] = sv.ids[k];
      sv.vals[w] = out;
      ++w;
    }
    sv.ids.resize(w);
    sv.vals.resize(w);
  }
  return Status::Ok();
}

Status LabelTransformOp::Series(const std::vector<SeriesInfo>** out) {
  *out = &series_;
  if (init_) return init_status_;
  init_ = true;
  const std::vector<SeriesInfo>* in = nullptr;
  init_status_ = in_->Series(&in);
  if (!init_status_.ok()) return init_status_;
  series_.reserve(in->size());
  for (const SeriesInfo& si : *in) {
    SeriesInfo o;
    o.drop_name = si.drop_name;
    bool set_name = false;
    init_status_ = transform_(si.labels, &o.labels, &set_name);
    if (!init_status_.ok()) return init_status_;
    // A written __name__ is a name the user asked for: keep it.
    if (delayed_ && set_name) o.drop_name = false;
    series_.push_back(std::move(o));
  }
  return init_status_;
}

Status AbsentOp::Next(StepBatch* batch) {
  Status s = in_->Next(batch);
  if (!s.ok()) return s;
  for (StepVector& sv : *batch) {
    bool empty = sv.empty();
    sv.Reset(sv.t);
    if (empty) sv.Push(0, 1.0);
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
