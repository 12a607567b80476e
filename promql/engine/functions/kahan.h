#pragma once
// Compensated summation and the running mean/variance accumulators PromQL uses. The order of
// floating-point operations follows Prometheus 3.x (util/kahansum, promql/functions.go and the
// aggregation code in promql/engine.go) so sums and means agree bit for bit, not just closely.

#include <cmath>

namespace meridian::promql::functions {

// Result of one compensated addition: the new running sum and the new compensation term.
struct KahanStep {
  double sum;
  double c;
};

// One Kahan–Babuška (Neumaier) step: adds `inc` to `sum`, accumulating the rounding error in
// `c`. When the new sum is infinite the compensation is dropped (set to 0), since it can no
// longer mean anything and would otherwise turn Inf into NaN at the final `sum + c`.
inline KahanStep KahanSumInc(double inc, double sum, double c) {
  const double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  return {t, c};
}

// Running compensated sum (sum aggregation, sum_over_time).
class KahanSum {
 public:
  void Add(double v) {
    const KahanStep s = KahanSumInc(v, sum_, c_);
    sum_ = s.sum;
    c_ = s.c;
  }
  // The compensated total. An infinite running sum is returned as is: its compensation is
  // meaningless.
  double Value() const { return std::isinf(sum_) ? sum_ : sum_ + c_; }
  double raw_sum() const { return sum_; }
  double compensation() const { return c_; }

 private:
  double sum_ = 0;
  double c_ = 0;
};

// Mean of a stream of floats as both the avg aggregation and avg_over_time compute it: a
// direct Kahan sum divided by the count while the sum stays finite, switching for good to an
// incremental (Kahan-compensated) mean from the first value whose addition would overflow.
// The first value seeds the sum; it is never added to a zero.
class MeanAccumulator {
 public:
  void Add(double v);
  bool empty() const { return count_ == 0; }
  double count() const { return count_; }
  // Undefined (NaN) when empty.
  double Value() const;

 private:
  double sum_ = 0;
  double c_ = 0;
  double mean_ = 0;
  double count_ = 0;
  bool incremental_ = false;
};

// Variance of a stream as the *_over_time functions compute it (stddev_over_time,
// stdvar_over_time): Welford's algorithm with the mean and the squared-deviation sum both kept
// as Kahan sums.
class OverTimeVarianceAccumulator {
 public:
  void Add(double v);
  bool empty() const { return count_ == 0; }
  // Population variance; NaN when empty.
  double Variance() const { return (aux_ + c_aux_) / count_; }

 private:
  double count_ = 0;
  double mean_ = 0, c_mean_ = 0;
  double aux_ = 0, c_aux_ = 0;
};

// Variance as the stddev/stdvar aggregation operators compute it: plain Welford without
// compensation. A first value that is NaN or ±Inf makes the result NaN, as upstream seeds the
// group with NaN in that case.
class AggregationVarianceAccumulator {
 public:
  void Add(double v);
  bool empty() const { return count_ == 0; }
  // Population variance; NaN when empty.
  double Variance() const { return value_ / count_; }

 private:
  double count_ = 0;
  double mean_ = 0;
  double value_ = 0;
};

}  // namespace meridian::promql::functions
