#pragma once
// and / or / unless between instant vectors: series pass through unchanged, filtered by
// whether their match group is present on the other side at that step.

#include "promql/engine/operator.h"
#include "promql/parser/ast.h"

namespace meridian::promql::engine {

class SetOp final : public Operator {
 public:
  SetOp(BinaryOp op, VectorMatching matching, OperatorPtr lhs, OperatorPtr rhs)
      : op_(op), matching_(std::move(matching)), lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return std::string(BinaryOpString(op_)); }

 private:
  Status Init();

  BinaryOp op_;
  VectorMatching matching_;
  OperatorPtr lhs_, rhs_;
  bool init_ = false;
  Status init_status_;
  size_t num_left_ = 0;
  std::vector<uint32_t> lsig_, rsig_;
  std::vector<SeriesInfo> series_;
  std::vector<int64_t> seen_;  // sig -> step stamp
  int64_t stamp_ = 0;
};

}  // namespace meridian::promql::engine
