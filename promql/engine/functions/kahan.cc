#include "promql/engine/functions/kahan.h"

#include <limits>

namespace meridian::promql::functions {

void MeanAccumulator::Add(double v) {
  if (count_ == 0) {
    sum_ = v;
    count_ = 1;
    return;
  }
  count_ += 1;
  if (!incremental_) {
    const KahanStep s = KahanSumInc(v, sum_, c_);
    if (!std::isinf(s.sum)) {
      sum_ = s.sum;
      c_ = s.c;
      return;
    }
    // The direct sum would overflow: continue from the mean of what was summed so far.
    incremental_ = true;
    mean_ = sum_ / (count_ - 1);
    c_ /= count_ - 1;
  }
  const double q = (count_ - 1) / count_;
  const KahanStep s = KahanSumInc(v / count_, q * mean_, q * c_);
  mean_ = s.sum;
  c_ = s.c;
}

double MeanAccumulator::Value() const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (incremental_) return mean_ + c_;
  return sum_ / count_ + c_ / count_;
}

void OverTimeVarianceAccumulator::Add(double v) {
  count_ += 1;
  const double delta = v - (mean_ + c_mean_);
  KahanStep m = KahanSumInc(delta / count_, mean_, c_mean_);
  mean_ = m.sum;
  c_mean_ = m.c;
  KahanStep a = KahanSumInc(delta * (v - (mean_ + c_mean_)), aux_, c_aux_);
  aux_ = a.sum;
  c_aux_ = a.c;
}

void AggregationVarianceAccumulator::Add(double v) {
  if (count_ == 0) {
    count_ = 1;
    mean_ = v;
    value_ = (std::isnan(v) || std::isinf(v)) ? std::numeric_limits<double>::quiet_NaN() : 0;
    return;
  }
  count_ += 1;
  const double delta = v - mean_;
  mean_ += delta / count_;
  value_ += delta * (v - mean_);
}

}  // namespace meridian::promql::functions
