#pragma once
// Instant-vector functions: elementwise math with optional scalar arguments, label
// rewriting (label_replace, label_join) and absent().

#include <functional>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"

namespace meridian::promql::engine {

// Elementwise kernel: value in, value out; false drops the sample. args holds this step's
// scalar arguments; t is the step time (ms).
using ElementKernel =
    std::function<bool(double v, const std::vector<double>& args, int64_t t, double* out)>;

class ElementwiseOp final : public Operator {
 public:
  ElementwiseOp(QueryContext* ctx, StepRange range, std::string name, OperatorPtr in,
                std::vector<OperatorPtr> scalar_args, ElementKernel kernel, bool keep_name);
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return name_ + "(" + in_->Name() + ")"; }
  ValueKind kind() const override { return kind_; }
  // Unary minus also applies to scalars.
  void set_kind(ValueKind k) { kind_ = k; }

 private:
  Status Init();

  ValueKind kind_ = ValueKind::kVector;
  QueryContext* ctx_;
  StepRange range_;
  std::string name_;
  OperatorPtr in_;
  std::vector<OperatorPtr> scalar_ops_;
  std::vector<std::vector<double>> scalar_vals_;
  ElementKernel kernel_;
  bool keep_name_;
  bool init_ = false;
  Status init_status_;
  std::vector<SeriesInfo> series_;
  size_t step_ = 0;
};

// Rewrites each input series' labels once (label_replace, label_join). Values pass through.
// *set_name reports that the function wrote __name__ for this series, which then keeps it
// even under delayed name removal.
using LabelTransform = std::function<Status(const Labels& in, Labels* out, bool* set_name)>;

class LabelTransformOp final : public Operator {
 public:
  LabelTransformOp(std::string name, OperatorPtr in, LabelTransform transform,
                   bool delayed_name_removal)
      : name_(std::move(name)), in_(std::move(in)), transform_(std::move(transform)),
        delayed_(delayed_name_removal) {}
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override { return in_->Next(batch); }
  std::string Name() const override { return name_ + "(" + in_->Name() + ")"; }

 private:
  std::string name_;
  OperatorPtr in_;
  LabelTransform transform_;
  bool delayed_;
  bool init_ = false;
  Status init_status_;
  std::vector<SeriesInfo> series_;
};

// absent(v) / absent_over_time(m): one series (labels from the selector's equality matchers)
// with value 1 at steps where the input is empty.
class AbsentOp final : public Operator {
 public:
  AbsentOp(OperatorPtr in, Labels labels) : in_(std::move(in)) {
    series_.push_back(SeriesInfo{std::move(labels), false});
  }
  Status Series(const std::vector<SeriesInfo>** out) override {
    *out = &series_;
    return Status::Ok();
  }
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return "absent(" + in_->Name() + ")"; }

 private:
  OperatorPtr in_;
  std::vector<SeriesInfo> series_;
};

}  // namespace meridian::promql::engine
