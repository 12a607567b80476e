#pragma once
// The accumulators of the simple aggregations (sum, avg, count, group, min, max, stddev,
// stdvar) for a block of steps: one slot per (group, step). Fed either a step at a time
// (AddStep, from a step vector) or a series at a time (Row, from an operator evaluating
// series-major); both add each step's values in ascending series id order, so the two feeds
// give bit-identical results.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/step_vector.h"
#include "promql/parser/ast.h"

namespace meridian::promql::engine {

class ReductionTable : public RowSink {
 public:
  // Empties the table and makes room for num_groups x num_steps slots.
  virtual void Reset(size_t num_groups, size_t num_steps) = 0;
  // Adds step k's values, each to the slot of its series' group.
  virtual void AddStep(size_t k, const StepVector& in) = 0;
  // Pushes step k's aggregated value of every group that received one, in group order.
  virtual void Emit(size_t k, StepVector* out) const = 0;
};

// A table for op, mapping input series ids to groups through *group_of (which must outlive
// it), or null when op is not a simple reduction (quantile, topk, count_values, ...).
std::unique_ptr<ReductionTable> MakeReductionTable(AggregateOp op,
                                                   const std::vector<uint32_t>* group_of);

}  // namespace meridian::promql::engine
