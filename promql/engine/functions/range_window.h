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

  bool empty() const { return n == 0; }
  int64_t RangeMs() const { return range_end_ms - range_start_ms; }
};

// The range length in seconds computed as Go's time.Duration.Seconds() does (whole seconds
// plus the nanosecond remainder divided by 1e9), so rate's per-second division rounds the same.
inline double DurationSeconds(int64_t ms) {
  const int64_t sec = ms / 1000;
  const int64_t rem_ns = (ms % 1000) * 1000000;
  return static_cast<double>(sec) + static_cast<double>(rem_ns) / 1e9;
}

}  // namespace meridian::promql::functions
