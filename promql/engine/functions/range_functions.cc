#include "promql/engine/functions/range_functions.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "promql/engine/functions/kahan.h"
#include "promql/engine/functions/quantile.h"

namespace meridian::promql::functions {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index of the first sample among the first `limit` with a timestamp satisfying `pred`, or
// `limit` if none (Go's sort.Search over a prefix, as upstream limits its searches).
template <typename Pred>
size_t SearchPrefix(const RangeWindow& w, size_t limit, Pred pred) {
  const int64_t* end = w.ts + limit;
  return static_cast<size_t>(std::partition_point(w.ts, end, [&](int64_t t) { return !pred(t); }) -
                             w.ts);
}

// Linear interpolation at t between two samples. For counters a decrease between them is a
// reset, so the counter is modelled as restarting from zero at the first sample.
double Interpolate(int64_t t1, double y1, int64_t t2, double y2, int64_t t, bool is_counter) {
  if (is_counter && y2 < y1) y1 = 0;
  return y1 + (y2 - y1) * static_cast<double>(t - t1) / static_cast<double>(t2 - t1);
}

// The anchored/smoothed variants of rate/increase/delta (upstream's extendedRate).
std::optional<double> ExtendedRate(const RangeWindow& w, bool is_counter, bool is_rate,
                                   bool smoothed) {
  if (w.n == 0) return std::nullopt;
  const int64_t start = w.range_start_ms;
  const int64_t end = w.range_end_ms;
  ptrdiff_t last = static_cast<ptrdiff_t>(w.n) - 1;
  const size_t after_start = SearchPrefix(w, w.n - 1, [&](int64_t t) { return t > start; });
  ptrdiff_t first = std::max<ptrdiff_t>(0, static_cast<ptrdiff_t>(after_start) - 1);
  if (smoothed) {
    last = static_cast<ptrdiff_t>(SearchPrefix(w, w.n - 1, [&](int64_t t) { return t >= end; }));
  }
  if (w.ts[last] <= start) return std::nullopt;

  double left = w.vs[first];
  if (smoothed && w.ts[first] < start) {
    left = Interpolate(w.ts[first], w.vs[first], w.ts[first + 1], w.vs[first + 1], start,
                       is_counter);
  }
  double right = w.vs[last];
  if (smoothed && last > 0 && w.ts[last] > end) {
    right = Interpolate(w.ts[last - 1], w.vs[last - 1], w.ts[last], w.vs[last], end, is_counter);
  }
  double result = right - left;

  if (is_counter) {
    // Only samples strictly inside the window can hold resets; the edge values above already
    // account for resets next to the boundaries.
    if (w.ts[first] <= start) ++first;
    if (w.ts[last] >= end) --last;
    double correction = 0;
    double prev = left;
    for (ptrdiff_t i = first; i <= last; ++i) {
      if (w.vs[i] < prev) correction += prev;
      prev = w.vs[i];
    }
    if (right < prev) correction += prev;
    result += correction;
  }
  if (is_rate) result /= DurationSeconds(w.RangeMs());
  return result;
}

std::optional<double> CountChanges(const RangeWindow& w, bool anchored, bool resets) {
  if (w.n == 0) return std::nullopt;
  size_t first = 0;
  if (anchored) {
    if (w.ts[w.n - 1] <= w.range_start_ms) return std::nullopt;
    const size_t after =
        SearchPrefix(w, w.n - 1, [&](int64_t t) { return t > w.range_start_ms; });
    first = after > 0 ? after - 1 : 0;
  }
  int count = 0;
  for (size_t i = first + 1; i < w.n; ++i) {
    const double prev = w.vs[i - 1];
    const double cur = w.vs[i];
    if (resets) {
      if (cur < prev) ++count;
    } else if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) {
      ++count;
    }
  }
  return static_cast<double>(count);
}

// Go's fmt "%f" for the smoothing-factor errors: C's %f except for the spelling of
// non-finite values.
std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

// Selects a running extreme: replaces the current one when `better(cur, v)` or it is NaN.
template <typename Better>
size_t ExtremeIndex(const RangeWindow& w, Better better) {
  size_t best = 0;
  for (size_t i = 0; i < w.n; ++i) {
    if (better(w.vs[i], w.vs[best]) || std::isnan(w.vs[best])) best = i;
  }
  return best;
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000; }

}  // namespace

void ExtrapolationMemo::Refresh(int64_t to_start_ms, int64_t to_end_ms, int64_t sampled_ms,
                                size_t intervals, int64_t range_ms) {
  range_ms_ = range_ms;
  to_start_ms_ = to_start_ms;
  to_end_ms_ = to_end_ms;
  sampled_ms_ = sampled_ms;
  intervals_ = intervals;
  Shape& s = shape_;
  s.duration_to_start = MsToSeconds(to_start_ms);
  s.duration_to_end = MsToSeconds(to_end_ms);
  s.sampled_interval = MsToSeconds(sampled_ms);
  const double avg_between = s.sampled_interval / static_cast<double>(intervals);
  // Extrapolate to a window edge only if a sample there would be about due; otherwise assume
  // the series starts/ends half an average interval beyond its first/last sample.
  const double threshold = avg_between * 1.1;
  if (s.duration_to_start >= threshold) s.duration_to_start = avg_between / 2;
  if (s.duration_to_end >= threshold) s.duration_to_end = avg_between / 2;
  s.factor = (s.sampled_interval + s.duration_to_start + s.duration_to_end) / s.sampled_interval;
  s.rate_factor = s.factor / DurationSeconds(range_ms);
}

std::optional<double> ExtrapolatedRate(const RangeWindow& w, bool is_counter, bool is_rate,
                                       RateMode mode) {
  if (mode != RateMode::kPlain) {
    return ExtendedRate(w, is_counter, is_rate, mode == RateMode::kSmoothed);
  }
  ExtrapolationMemo memo;
  double out;
  if (!PlainExtrapolatedRate(w.ts, w.vs, w.n, w.range_start_ms, w.range_end_ms, w.no_resets, is_counter,
                             is_rate, &memo, &out)) {
    return std::nullopt;
  }
  return out;
}

std::optional<double> InstantValue(const RangeWindow& w, bool is_rate) {
  if (w.n < 2) return std::nullopt;
  const int64_t t0 = w.ts[w.n - 2], t1 = w.ts[w.n - 1];
  const double v0 = w.vs[w.n - 2], v1 = w.vs[w.n - 1];
  const int64_t interval = t1 - t0;
  if (interval == 0) return std::nullopt;
  double result = v1;
  // A counter that went down was reset: its latest value is the increase since the reset.
  if (!is_rate || !(v1 < v0)) result = v1 - v0;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return result;
}

Regression LinearRegression(const RangeWindow& w, int64_t intercept_time_ms) {
  double n = 0;
  double sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  const double init_y = w.vs[0];
  bool const_y = true;
  for (size_t i = 0; i < w.n; ++i) {
    const double y = w.vs[i];
    if (const_y && i > 0 && y != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(w.ts[i] - intercept_time_ms) / 1e3;
    KahanStep s = KahanSumInc(x, sum_x, c_x);
    sum_x = s.sum, c_x = s.c;
    s = KahanSumInc(y, sum_y, c_y);
    sum_y = s.sum, c_y = s.c;
    s = KahanSumInc(x * y, sum_xy, c_xy);
    sum_xy = s.sum, c_xy = s.c;
    s = KahanSumInc(x * x, sum_x2, c_x2);
    sum_x2 = s.sum, c_x2 = s.c;
  }
  // A constant series has slope 0 exactly (the general formula could leave rounding noise).
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  const double intercept = sum_y / n - slope * sum_x / n;
  return {slope, intercept};
}

std::optional<double> Deriv(const RangeWindow& w) {
  if (w.n < 2) return std::nullopt;
  // Anchoring x at the first sample keeps the squares of x small (upstream issue 2674).
  return LinearRegression(w, w.ts[0]).slope;
}

std::optional<double> PredictLinear(const RangeWindow& w, double t_seconds,
                                    int64_t eval_time_ms) {
  if (w.n < 2) return std::nullopt;
  const Regression r = LinearRegression(w, eval_time_ms);
  return r.slope * t_seconds + r.intercept;
}

std::optional<double> Changes(const RangeWindow& w, bool anchored) {
  return CountChanges(w, anchored, false);
}

std::optional<double> Resets(const RangeWindow& w, bool anchored) {
  return CountChanges(w, anchored, true);
}

std::optional<double> AvgOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  MeanAccumulator mean;
  for (size_t i = 0; i < w.n; ++i) mean.Add(w.vs[i]);
  return mean.Value();
}

std::optional<double> SumOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  KahanSum sum;
  for (size_t i = 0; i < w.n; ++i) sum.Add(w.vs[i]);
  return sum.Value();
}

// The running extreme of max/min_over_time (Prometheus: `if cur > max || IsNaN(max)`) over
// four interleaved lanes, so the comparisons do not wait on one another. Equal values are
// the same bits except for zeros, where the first one seen wins: an answer of zero is taken
// again in order.
template <typename Better>
double WindowExtreme(const RangeWindow& w, Better better) {
  auto pick = [&](double best, double v) { return better(v, best) || std::isnan(best) ? v : best; };
  const double* vs = w.vs;
  double best = vs[0];
  if (w.n >= 8) {
    double a = vs[0], b = vs[1], c = vs[2], d = vs[3];
    size_t i = 4;
    for (; i + 4 <= w.n; i += 4) {
      a = pick(a, vs[i]);
      b = pick(b, vs[i + 1]);
      c = pick(c, vs[i + 2]);
      d = pick(d, vs[i + 3]);
    }
    for (; i < w.n; ++i) a = pick(a, vs[i]);
    best = pick(pick(pick(a, b), c), d);
    if (best != 0) return best;
    best = vs[0];
  }
  for (size_t i = 1; i < w.n; ++i) best = pick(best, vs[i]);
  return best;
}

std::optional<double> MinOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return WindowExtreme(w, [](double cur, double best) { return cur < best; });
}

std::optional<double> MaxOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return WindowExtreme(w, [](double cur, double best) { return cur > best; });
}

std::optional<double> CountOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return static_cast<double>(w.n);
}

std::optional<double> StdvarOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  OverTimeVarianceAccumulator acc;
  for (size_t i = 0; i < w.n; ++i) acc.Add(w.vs[i]);
  return acc.Variance();
}

std::optional<double> StddevOverTime(const RangeWindow& w) {
  const std::optional<double> var = StdvarOverTime(w);
  if (!var) return std::nullopt;
  return std::sqrt(*var);
}

std::optional<double> LastOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return w.vs[w.n - 1];
}

std::optional<double> FirstOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return w.vs[0];
}

std::optional<double> PresentOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return 1.0;
}

std::optional<double> MadOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  // A NaN sample makes the deviation undefined; Prometheus returns NaN instead of letting the
  // sort place it somewhere arbitrary.
  for (size_t i = 0; i < w.n; ++i) {
    if (std::isnan(w.vs[i])) return std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> values(w.vs, w.vs + w.n);
  const double median = Quantile(0.5, values);
  for (size_t i = 0; i < w.n; ++i) values[i] = std::fabs(w.vs[i] - median);
  return Quantile(0.5, values);
}

std::optional<double> TsOfMinOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return Seconds(w.ts[ExtremeIndex(w, [](double cur, double best) { return cur <= best; })]);
}

std::optional<double> TsOfMaxOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return Seconds(w.ts[ExtremeIndex(w, [](double cur, double best) { return cur >= best; })]);
}

std::optional<double> TsOfLastOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return Seconds(w.ts[w.n - 1]);
}

std::optional<double> TsOfFirstOverTime(const RangeWindow& w) {
  if (w.n == 0) return std::nullopt;
  return Seconds(w.ts[0]);
}

std::optional<double> QuantileOverTime(const RangeWindow& w, double q, KernelNotes* notes) {
  if (w.n == 0) return std::nullopt;
  if (notes != nullptr && IsInvalidQuantile(q)) notes->invalid_quantile = true;
  std::vector<double> values(w.vs, w.vs + w.n);
  return Quantile(q, values);
}

Status ValidateSmoothingFactors(double sf, double tf) {
  // Written as upstream's rejection test, so a NaN factor passes (and yields NaN).
  if (sf <= 0 || sf >= 1) {
    return ExecutionError("invalid smoothing factor. Expected: 0 < sf < 1, got: " + GoFormatF(sf));
  }
  if (tf <= 0 || tf >= 1) {
    return ExecutionError("invalid trend factor. Expected: 0 < tf < 1, got: " + GoFormatF(tf));
  }
  return Status::Ok();
}

StatusOr<std::optional<double>> DoubleExponentialSmoothing(const RangeWindow& w, double sf,
                                                           double tf) {
  if (Status s = ValidateSmoothingFactors(sf, tf); !s.ok()) return s;
  if (w.n < 2) return std::optional<double>();
  // s1 is the smoothed value, s0 the previous one, b the trend.
  double s0 = 0;
  double s1 = w.vs[0];
  double b = w.vs[1] - w.vs[0];
  for (size_t i = 1; i < w.n; ++i) {
    const double x = sf * w.vs[i];
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return std::optional<double>(s1);
}

}  // namespace meridian::promql::functions
