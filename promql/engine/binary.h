#pragma once
// Binary operators between scalars and vectors. Vector-vector matching is resolved once,
// up front: every series gets a match-group id, every possible output series an id, so a
// step only indexes arrays.

#include <optional>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/parser/ast.h"

namespace meridian::promql::engine {

// The arithmetic or comparison result of `l op r`. For comparisons *keep reports the
// outcome and the value is l (what a filtering comparison returns).
double ApplyBinary(BinaryOp op, double l, double r, bool* keep);
// Arithmetic drops __name__; so does a comparison with `bool`.
bool BinaryDropsName(BinaryOp op, bool return_bool);

class ScalarBinaryOp final : public Operator {
 public:
  ScalarBinaryOp(BinaryOp op, OperatorPtr lhs, OperatorPtr rhs)
      : op_(op), lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}
  Status Series(const std::vector<SeriesInfo>** out) override {
    *out = &series_;
    return Status::Ok();
  }
  Status Next(StepBatch* batch) override;
  ValueKind kind() const override { return ValueKind::kScalar; }
  std::string Name() const override { return "scalar_binary"; }

 private:
  BinaryOp op_;
  OperatorPtr lhs_, rhs_;
  std::vector<SeriesInfo> series_{SeriesInfo{}};
};

class VectorScalarBinaryOp final : public Operator {
 public:
  // scalar_is_lhs: the expression is `scalar op vector`.
  VectorScalarBinaryOp(QueryContext* ctx, StepRange range, BinaryOp op, bool return_bool,
                       OperatorPtr vector, OperatorPtr scalar, bool scalar_is_lhs);
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return "vector_scalar_binary"; }

 private:
  Status Init();

  QueryContext* ctx_;
  StepRange range_;
  BinaryOp op_;
  bool return_bool_;
  OperatorPtr vector_, scalar_;
  bool scalar_is_lhs_;
  bool init_ = false;
  Status init_status_;
  std::vector<double> scalar_vals_;
  std::vector<SeriesInfo> series_;
  size_t step_ = 0;
};

class VectorBinaryOp final : public Operator {
 public:
  VectorBinaryOp(QueryContext* ctx, BinaryOp op, bool return_bool, VectorMatching matching,
                 OperatorPtr lhs, OperatorPtr rhs);
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return "vector_binary"; }

 private:
  Status Init();
  Status Step(const StepVector& l, const StepVector& r, StepVector* out);

  QueryContext* ctx_;
  BinaryOp op_;
  bool return_bool_;
  VectorMatching matching_;
  OperatorPtr lhs_, rhs_;
  bool init_ = false;
  Status init_status_;
  bool swapped_ = false;  // group_right: the right side is the "many" side

  const std::vector<SeriesInfo>* many_series_ = nullptr;
  const std::vector<SeriesInfo>* one_series_ = nullptr;
  std::vector<uint32_t> many_sig_, one_sig_;  // series -> match group id
  size_t num_sigs_ = 0;
  // Output id per many-side id (when no labels are copied from the one side) ...
  std::vector<uint32_t> out_by_many_;
  // ... or per (many id, one id) pair when group_x(...) copies labels.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> out_by_pair_;  // many id -> (one, out)
  std::vector<SeriesInfo> series_;
  // fill_left(v): output id for a right-side series that has no left partner.
  std::vector<uint32_t> out_by_one_;

  // Per-step scratch.
  std::vector<int64_t> one_slot_;     // sig -> index into the one-side step vector, -1 if none
  std::vector<int64_t> many_seen_;    // sig -> step stamp, for the one-to-one duplicate check
  std::vector<int64_t> out_seen_;     // out id -> step stamp
  std::vector<int64_t> sig_matched_;  // sig -> step stamp when a many-side sample matched it
  int64_t stamp_ = 0;
};

}  // namespace meridian::promql::engine
