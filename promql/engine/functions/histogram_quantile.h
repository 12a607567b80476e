#pragma once
// histogram_quantile and histogram_fraction over classic (le-bucketed) histograms, as
// Prometheus 3.x promql/quantile.go BucketQuantile / BucketFraction.

#include <optional>
#include <string_view>
#include <vector>

namespace meridian::promql::functions {

// One classic bucket: the parsed `le` bound and its cumulative count.
struct Bucket {
  double upper_bound;
  double count;
};

// Parses an `le` label value as Go's strconv.ParseFloat(s, 64) does: decimal and hexadecimal
// (with p exponent) floats, underscores between digits, "Inf"/"+Inf"/"-Inf"/"infinity" and
// "NaN" in any case. nullopt for anything ParseFloat rejects, including values out of the
// float64 range (upstream skips such series).
std::optional<double> ParseLeLabel(std::string_view s);

// Relative tolerance below which bucket count differences are treated as float noise.
inline constexpr double kSmallDeltaTolerance = 1e-12;

// What BucketQuantile had to repair in its input. forced_monotonicity feeds the info
// annotation "input to histogram_quantile needed to be fixed for monotonicity (and may give
// inaccurate results)"; fixed_precision reports silently ignored tiny deltas. min_bucket,
// max_bucket and max_diff describe the forced buckets (upper bounds of the lowest and highest
// forced bucket and the largest count decrease removed); they are 0 when the quantile exited
// before the repair pass (q NaN/out of range, no +Inf bucket) and +Inf/-Inf/0 when the pass
// ran but forced nothing.
struct BucketQuantileResult {
  double value;
  bool forced_monotonicity = false;
  bool fixed_precision = false;
  double min_bucket = 0;
  double max_bucket = 0;
  double max_diff = 0;
};

// The q-quantile of classic buckets. Sorts, merges equal bounds and repairs `buckets` in
// place. NaN when q is NaN, when there is no +Inf bucket, when fewer than two distinct bounds
// remain or when there are no observations; -Inf for q < 0, +Inf for q > 1. Empty input: NaN.
BucketQuantileResult BucketQuantile(double q, std::vector<Bucket>& buckets);

// histogram_fraction(lower, upper) for classic buckets. Sorts and merges `buckets` in place.
// NaN without a +Inf bucket, with no observations or a NaN bound; 0 when lower >= upper.
// Empty input: NaN.
double BucketFraction(double lower, double upper, std::vector<Bucket>& buckets);

// Go's almost.Equal: |a-b| relative to |a|+|b| below epsilon (absolute near zero); NaN==NaN.
bool AlmostEqual(double a, double b, double epsilon);

}  // namespace meridian::promql::functions
