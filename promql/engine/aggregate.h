#pragma once
// Aggregation operators (sum, avg, count, min, max, group, stddev, stdvar, quantile, topk,
// bottomk, limitk, limit_ratio, count_values). Input series map to groups once, up front;
// per step the operator accumulates into arrays indexed by group id.

#include <string>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/engine/reduction_table.h"
#include "promql/parser/ast.h"

namespace meridian::promql::engine {

struct AggregateSpec {
  AggregateOp op = AggregateOp::kSum;
  std::vector<std::string> grouping;
  bool without = false;
  std::string count_values_label;  // count_values only
  PosRange param_pos;              // for annotations about the parameter
};

class AggregateOperator final : public Operator {
 public:
  // param: the scalar parameter operator (topk's k, quantile's q, ...) or null.
  AggregateOperator(QueryContext* ctx, StepRange range, AggregateSpec spec, OperatorPtr in,
                    OperatorPtr param);

  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override;

 private:
  Status Init();
  // Simple reductions: one output series per group.
  void ReduceStep(const StepVector& in, double param, StepVector* out);
  // Simple reductions over an input that evaluates series by series (Operator::NextRows):
  // blocks of many steps are aggregated at once and handed out a batch at a time.
  Status NextFromRows(StepBatch* batch);
  // topk/bottomk/limitk/limit_ratio: outputs a subset of the input series.
  void SelectStep(const StepVector& in, double param, StepVector* out);
  // count_values: output series depend on values, so the whole input is consumed first.
  Status RunCountValues();

  QueryContext* ctx_;
  StepRange range_;
  AggregateSpec spec_;
  OperatorPtr in_;
  OperatorPtr param_op_;
  std::vector<double> params_;  // per step
  bool init_ = false;
  Status init_status_;
  size_t step_ = 0;

  const std::vector<SeriesInfo>* in_series_ = nullptr;
  std::vector<uint32_t> group_of_;  // input id -> group id
  std::vector<Labels> group_labels_;
  std::vector<SeriesInfo> series_;

  // Accumulators of a simple reduction (null for the others).
  std::unique_ptr<ReductionTable> table_;
  bool from_rows_ = false;
  // Slots (groups x steps) a block of series-major input may fill: 2^18 slots take 5 MiB
  // for sum (11 MiB for avg) and cover a day at a 60s step for up to 182 groups.
  static constexpr size_t kRowBlockSlots = size_t{1} << 18;
  size_t block_first_ = 0, block_steps_ = 0, block_pos_ = 0;

  // count_values results, replayed batch by batch.
  std::vector<StepVector> buffered_;
  size_t buffered_pos_ = 0;
};

}  // namespace meridian::promql::engine
