#pragma once
// avg_over_time over series that may be read from downsampled chunks. PromQL's answer is the
// mean of the raw samples in the window; a downsampled window holds their sum and count, so the
// mean is the windows' summed sums over their summed counts, which two range functions
// compute: sum_over_time of the sum aggregate and sum_over_time of the count aggregate. Series
// read raw keep PromQL's own avg_over_time, which the sums operator computes for them.

#include <memory>
#include <string>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/range_function.h"

namespace meridian::promql::engine {

class WeightedAverageOp final : public Operator {
 public:
  // `sums`: avg_over_time for raw series, the sum of the sums for downsampled ones; `counts`:
  // the sum of the counts, over the same selector and grid.
  WeightedAverageOp(std::unique_ptr<RangeFunctionOp> sums, std::unique_ptr<RangeFunctionOp> counts);

  Status Series(const std::vector<SeriesInfo>** out) override;
  Status Next(StepBatch* batch) override;
  std::string Name() const override { return "avg_over_time(" + sums_->Name() + " / " + counts_->Name() + ")"; }

 private:
  Status Match();

  std::unique_ptr<RangeFunctionOp> sums_;
  std::unique_ptr<RangeFunctionOp> counts_;
  bool matched_ = false;
  const std::vector<SeriesInfo>* series_ = nullptr;
  // Per series of `sums`: -1 when read raw, else the `counts` series with its labels (-2: none,
  // as when a store's blocks changed between the two selections).
  std::vector<int64_t> count_of_;
  std::vector<double> counts_at_;  // per `counts` series, at the step being combined
  std::vector<uint8_t> have_count_;
  StepBatch count_batch_;
};

}  // namespace meridian::promql::engine
