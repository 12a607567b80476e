#pragma once
// Operators producing or converting scalars: literals, time(), scalar(), vector().

#include <functional>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"

namespace meridian::promql::engine {

// A scalar computed from the step time alone: number literals, time(), pi().
class StepScalarOp final : public Operator {
 public:
  StepScalarOp(QueryContext* ctx, StepRange range, std::string name,
               std::function<double(int64_t t)> value);
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  ValueKind kind() const override { return ValueKind::kScalar; }
  std::string Name() const override { return name_; }

 private:
  QueryContext* ctx_;
  StepRange range_;
  std::string name_;
  std::function<double(int64_t)> value_;
  StepCursor cursor_;
  std::vector<SeriesInfo> series_{SeriesInfo{}};
};

// scalar(v): the single element's value, NaN when there are zero or several.
class ScalarFromVectorOp final : public Operator {
 public:
  explicit ScalarFromVectorOp(OperatorPtr in) : in_(std::move(in)) {}
  Status Series(const std::vector<SeriesInfo>** out) override {
    *out = &series_;
    return Status::Ok();
  }
  Status Next(StepBatch* batch) override;
  ValueKind kind() const override { return ValueKind::kScalar; }
  std::string Name() const override { return "scalar(" + in_->Name() + ")"; }

 private:
  OperatorPtr in_;
  std::vector<SeriesInfo> series_{SeriesInfo{}};
};

// A scalar function of two scalars (min_of, max_of).
class ScalarPairOp final : public Operator {
 public:
  ScalarPairOp(std::string name, OperatorPtr a, OperatorPtr b, double (*fn)(double, double))
      : name_(std::move(name)), a_(std::move(a)), b_(std::move(b)), fn_(fn) {}
  Status Series(const std::vector<SeriesInfo>** out) override {
    *out = &series_;
    return Status::Ok();
  }
  Status Next(StepBatch* batch) override;
  ValueKind kind() const override { return ValueKind::kScalar; }
  std::string Name() const override { return name_; }

 private:
  std::string name_;
  OperatorPtr a_, b_;
  double (*fn_)(double, double);
  std::vector<SeriesInfo> series_{SeriesInfo{}};
};

// vector(s): one series without labels.
class VectorFromScalarOp final : public Operator {
 public:
  explicit VectorFromScalarOp(OperatorPtr in) : in_(std::move(in)) {}
  Status Series(const std::vector<SeriesInfo>** out) override {
    *out = &series_;
    return Status::Ok();
  }
  Status Next(StepBatch* batch) override { return in_->Next(batch); }
  std::string Name() const override { return "vector(" + in_->Name() + ")"; }

 private:
  OperatorPtr in_;
  std::vector<SeriesInfo> series_{SeriesInfo{}};
};

}  // namespace meridian::promql::engine
