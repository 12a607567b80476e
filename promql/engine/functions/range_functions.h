#pragma once
// Range-vector function kernels (rate, *_over_time, deriv, ...) over the float samples of one
// series in one window. Pure arithmetic following Prometheus 3.x promql/functions.go: no
// labels, no histograms (the engine handles native-histogram samples and the annotations
// about them), no storage.
//
// Every kernel returns std::nullopt when upstream emits no sample for this series at this step
// (e.g. rate with fewer than two samples).

#include <cstdint>
#include <optional>

#include "model/status.h"
#include "promql/engine/functions/range_window.h"

namespace meridian::promql::functions {

// Which extrapolation variant a rate-like function uses; see extended_vectors.test.
enum class RateMode {
  kPlain,     // classic extrapolatedRate: window (start, end], extrapolation to the edges
  kAnchored,  // `anchored`: window may include the last sample at or before start
  kSmoothed,  // `smoothed`: also the first sample after end; values interpolated at the edges
};

// rate/increase/delta. is_counter: rate and increase (counter resets are corrected and the
// extrapolation stops at the counter's zero point); is_rate: divide by the range in seconds.
// For kAnchored/kSmoothed the window may contain the extra samples described in
// range_window.h; the caller must only use these modes for rate/increase/delta.
std::optional<double> ExtrapolatedRate(const RangeWindow& w, bool is_counter, bool is_rate,
                                       RateMode mode = RateMode::kPlain);

// The part of the plain extrapolation that depends only on where the window's first and last
// samples sit, remembered for the last shape seen. On a scrape-aligned grid consecutive
// windows (and series) have the same shape, so the three divisions are done once instead of
// per window; the arithmetic and its order are those of the uncached path, so results are
// bit-identical.
class ExtrapolationMemo {
 public:
  struct Shape {
    double duration_to_start;  // after the "sample about due" adjustment
    double duration_to_end;
    double sampled_interval;
    double factor;       // without the counter zero-point clamp
    double rate_factor;  // factor divided by the range in seconds
  };
  const Shape& Get(int64_t to_start_ms, int64_t to_end_ms, int64_t sampled_ms, size_t intervals,
                   int64_t range_ms) {
    if (to_start_ms != to_start_ms_ || to_end_ms != to_end_ms_ || sampled_ms != sampled_ms_ ||
        intervals != intervals_ || range_ms != range_ms_) [[unlikely]] {
      Refresh(to_start_ms, to_end_ms, sampled_ms, intervals, range_ms);
    }
    return shape_;
  }

 private:
  void Refresh(int64_t to_start_ms, int64_t to_end_ms, int64_t sampled_ms, size_t intervals,
               int64_t range_ms);

  int64_t to_start_ms_ = -1, to_end_ms_ = -1, sampled_ms_ = -1, range_ms_ = -1;
  size_t intervals_ = 0;
  Shape shape_{};
};

// The plain extrapolated rate over samples ts/vs[0, n) of the window (start_ms, end_ms];
// no_resets as in RangeWindow. Returns false where upstream emits nothing (n < 2). Inline:
// the engine calls it once per series and step.
[[gnu::always_inline]] inline bool PlainExtrapolatedRate(const int64_t* ts, const double* vs, size_t n, int64_t start_ms,
                                  int64_t end_ms, bool no_resets, bool is_counter, bool is_rate,
                                  ExtrapolationMemo* memo, double* out) {
  if (n < 2) return false;
  const size_t last = n - 1;
  double result = vs[last] - vs[0];
  if (is_counter && !no_resets) {
    for (size_t i = 1; i < n; ++i) {
      if (vs[i] < vs[i - 1]) result += vs[i - 1];
    }
  }
  const ExtrapolationMemo::Shape& shape =
      memo->Get(ts[0] - start_ms, end_ms - ts[last], ts[last] - ts[0], last, end_ms - start_ms);
  double factor = is_rate ? shape.rate_factor : shape.factor;
  // A counter cannot go below zero: do not extrapolate further back than the point where the
  // observed slope would have reached zero. The division is skipped when the zero point is
  // clearly further back than the window start (a factor of 2 dwarfs any rounding), which is
  // the common case of a counter much larger than its increase; near the boundary the exact
  // expression decides.
  if (is_counter && result > 0 && vs[0] >= 0 &&
      !(shape.sampled_interval * vs[0] > 2 * shape.duration_to_start * result)) {
    const double duration_to_zero = shape.sampled_interval * (vs[0] / result);
    if (duration_to_zero < shape.duration_to_start) {
      factor = (shape.sampled_interval + duration_to_zero + shape.duration_to_end) / shape.sampled_interval;
      if (is_rate) factor /= DurationSeconds(end_ms - start_ms);
    }
  }
  *out = result * factor;
  return true;
}

inline std::optional<double> Rate(const RangeWindow& w) { return ExtrapolatedRate(w, true, true); }
inline std::optional<double> Increase(const RangeWindow& w) {
  return ExtrapolatedRate(w, true, false);
}
inline std::optional<double> Delta(const RangeWindow& w) {
  return ExtrapolatedRate(w, false, false);
}

// irate (is_rate) / idelta: from the last two samples.
std::optional<double> InstantValue(const RangeWindow& w, bool is_rate);
inline std::optional<double> Irate(const RangeWindow& w) { return InstantValue(w, true); }
inline std::optional<double> Idelta(const RangeWindow& w) { return InstantValue(w, false); }

// Least-squares slope and intercept at intercept_time_ms, x measured in seconds from it.
struct Regression {
  double slope;
  double intercept;
};
// Needs n >= 1 (callers check n >= 2 as upstream does).
Regression LinearRegression(const RangeWindow& w, int64_t intercept_time_ms);

// deriv: slope per second, regression anchored at the first sample's timestamp.
std::optional<double> Deriv(const RangeWindow& w);
// predict_linear(v, t): eval_time_ms is the step's evaluation timestamp (not the window end:
// upstream anchors the regression at the step time even with offset or @).
std::optional<double> PredictLinear(const RangeWindow& w, double t_seconds, int64_t eval_time_ms);

// changes/resets. For anchored selectors the window may start with the last sample at or
// before range_start (then `anchored` must be true and a window whose last sample is at or
// before range_start yields nullopt); otherwise all samples are counted.
std::optional<double> Changes(const RangeWindow& w, bool anchored = false);
std::optional<double> Resets(const RangeWindow& w, bool anchored = false);

// *_over_time. Each yields nullopt for an empty window.
std::optional<double> AvgOverTime(const RangeWindow& w);
std::optional<double> SumOverTime(const RangeWindow& w);
std::optional<double> MinOverTime(const RangeWindow& w);
std::optional<double> MaxOverTime(const RangeWindow& w);
std::optional<double> CountOverTime(const RangeWindow& w);
std::optional<double> StddevOverTime(const RangeWindow& w);
std::optional<double> StdvarOverTime(const RangeWindow& w);
std::optional<double> LastOverTime(const RangeWindow& w);
std::optional<double> FirstOverTime(const RangeWindow& w);
std::optional<double> PresentOverTime(const RangeWindow& w);
std::optional<double> MadOverTime(const RangeWindow& w);
// Timestamps (seconds) of the minimum (last one among equals), maximum (last among equals),
// last and first sample. NaN values are replaced by any later value, as upstream.
std::optional<double> TsOfMinOverTime(const RangeWindow& w);
std::optional<double> TsOfMaxOverTime(const RangeWindow& w);
std::optional<double> TsOfLastOverTime(const RangeWindow& w);
std::optional<double> TsOfFirstOverTime(const RangeWindow& w);

// Annotations a kernel wants the engine to emit.
struct KernelNotes {
  // "quantile value should be between 0 and 1, got <q>" (q NaN, < 0 or > 1).
  bool invalid_quantile = false;
};

// quantile_over_time(q, v). Sets notes->invalid_quantile (when notes is given) for a q outside
// [0, 1] or NaN whenever a value is produced, as upstream.
std::optional<double> QuantileOverTime(const RangeWindow& w, double q, KernelNotes* notes);

// double_exponential_smoothing(v, sf, tf). Both factors must be in (0, 1) exclusive; otherwise
// the query fails with upstream's message, e.g.
// "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000".
Status ValidateSmoothingFactors(double sf, double tf);
StatusOr<std::optional<double>> DoubleExponentialSmoothing(const RangeWindow& w, double sf,
                                                           double tf);

}  // namespace meridian::promql::functions
