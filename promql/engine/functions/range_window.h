#pragma once
// The input of a range-vector kernel: the float samples one series has in one window.

#include <cstddef>
#include <cstdint>

namespace meridian::promql::functions {

// Samples of one series for one evaluation step of a range selector `x[r] offset o` at t:
// the window is (range_start_ms, range_end_ms] with range_start_ms = t - o - r and
// range_end_ms = t - o (after the @ modifier has been applied).
//
// The caller guarantees:
//  - ts/vs hold n samples with strictly increasing timestamps (no duplicates);
//  - stale markers (StaleNaN) have been removed; ordinary NaN values stay;
//  - for plain selectors, every sample lies inside the window. Only the kernels documented as
//    handling `anchored`/`smoothed` selectors accept samples outside it (the one sample
//    before the start and, for smoothed, the one after the end that upstream loads);
//  - ts/vs may be null only when n == 0.
// The window does not own the arrays.
struct RangeWindow {
  const int64_t* ts = nullptr;
  const double* vs = nullptr;
  size_t n = 0;
  int64_t range_start_ms = 0;  // exclusive
  int64_t range_end_ms = 0;    // inclusive: the evaluation time minus the offset
  // Set when the caller knows no value in the window is below its predecessor (no counter
  // reset), which lets rate/increase skip their scan: the sliding operator tracks the latest
  // drop per series, so most windows cost O(1) instead of O(samples in the window).
  bool no_resets = false;

  bool empty() const { return n == 0; }
  int64_t RangeMs() const { return range_end_ms - range_start_ms; }
};

// The range length in seconds computed as Go's time.Duration.Seconds() does (whole seconds
// plus the nanosecond remainder divided by 1e9), so rate's per-second division rounds the same.
inline double DurationSeconds(int64_t ms) {
  const int64_t sec = ms / 1000;
  const int64_t rem_ns = (ms % 1000) * 1000000;
  // Whole seconds (the usual range) skip the division, whose result would be 0 exactly.
  if (rem_ns == 0) return static_cast<double>(sec);
  return static_cast<double>(sec) + static_cast<double>(rem_ns) / 1e9;
}

// float64(ms) / 1000 as Go computes it. A whole number of seconds converts exactly, so the
// integer path gives the same bits without a floating-point division, which is the slowest
// instruction in rate's inner loop (windows on a scrape-aligned grid almost always take it).
inline double MsToSeconds(int64_t ms) {
  constexpr int64_t kExact = int64_t{1} << 53;  // integers up to 2^53 are exact doubles
  if (ms % 1000 == 0 && ms < kExact && ms > -kExact) return static_cast<double>(ms / 1000);
  return static_cast<double>(ms) / 1000;
}

}  // namespace meridian::promql::functions
