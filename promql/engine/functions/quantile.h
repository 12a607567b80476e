#pragma once
// The φ-quantile of a set of float values, as the quantile aggregation and
// quantile_over_time/mad_over_time compute it (Prometheus promql/quantile.go `quantile`).

#include <vector>

namespace meridian::promql::functions {

// Sorts `values` in place (NaN first) and interpolates linearly between the two closest ranks.
// Empty input or NaN q -> NaN; q < 0 -> -Inf; q > 1 -> +Inf.
double Quantile(double q, std::vector<double>& values);

// True when q deserves upstream's "quantile value should be between 0 and 1" warning.
inline bool IsInvalidQuantile(double q) { return !(q >= 0 && q <= 1); }

}  // namespace meridian::promql::functions
