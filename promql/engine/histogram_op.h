#pragma once
// histogram_quantile / histogram_fraction over classic histograms: input series are grouped
// by their labels without `le` (and __name__) once; per step each group's buckets are
// gathered and handed to the bucket kernels.

#include <optional>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/parser/ast.h"

namespace meridian::promql::engine {

class ClassicHistogramOp final : public Operator {
 public:
  // fraction == false: histogram_quantile(params[0], in); true: histogram_fraction(params[0],
  // params[1], in).
  ClassicHistogramOp(QueryContext* ctx, StepRange range, bool fraction,
                     std::vector<OperatorPtr> params, OperatorPtr in, PosRange param_pos,
                     PosRange vector_pos);
  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override {
    return fraction_ ? "histogram_fraction" : "histogram_quantile";
  }
  // histogram_quantiles(v, label, q...): every param is a quantile and each group yields one
  // series per quantile, labelled `label`=<q>.
  void set_quantiles_label(std::string label) { quantiles_label_ = std::move(label); }

 private:
  Status Init();

  QueryContext* ctx_;
  StepRange range_;
  bool fraction_;
  std::vector<OperatorPtr> param_ops_;
  std::vector<std::vector<double>> params_;
  OperatorPtr in_;
  PosRange param_pos_, vector_pos_;
  std::string quantiles_label_;
  size_t num_groups_ = 0;
  bool init_ = false;
  Status init_status_;
  size_t step_ = 0;
  std::vector<int64_t> group_of_;  // input id -> group, -1 when the le label is unusable
  std::vector<double> upper_;       // input id -> parsed le
  std::vector<std::string> metric_name_;  // input id -> __name__ (for annotations)
  std::vector<SeriesInfo> series_;
};

}  // namespace meridian::promql::engine
