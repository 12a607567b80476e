#pragma once
// A loaded series and window selection as the corpus's `load <interval>` and range selectors
// define them, so tests can restate corpus cases directly.

#include <cstdint>
#include <vector>

#include "promql/engine/functions/range_window.h"

namespace meridian::promql::functions::testing {

inline constexpr int64_t kSec = 1000;
inline constexpr int64_t kMin = 60 * kSec;

struct TestSeries {
  std::vector<int64_t> ts;
  std::vector<double> vs;

  // Samples at 0, interval, 2*interval, ...
  static TestSeries Load(int64_t interval_ms, const std::vector<double>& values) {
    TestSeries s;
    for (size_t i = 0; i < values.size(); ++i) {
      s.ts.push_back(static_cast<int64_t>(i) * interval_ms);
      s.vs.push_back(values[i]);
    }
    return s;
  }
  // The corpus's "a+bxN": N+1 values a, a+b, ..., a+N*b.
  static std::vector<double> Seq(double a, double b, int n) {
    std::vector<double> out;
    for (int i = 0; i <= n; ++i) out.push_back(a + b * i);
    return out;
  }

  // x[range] offset o evaluated at t: samples in (t-o-range, t-o].
  RangeWindow Window(int64_t t_ms, int64_t range_ms, int64_t offset_ms = 0) const {
    RangeWindow w;
    w.range_end_ms = t_ms - offset_ms;
    w.range_start_ms = w.range_end_ms - range_ms;
    size_t first = 0;
    while (first < ts.size() && ts[first] <= w.range_start_ms) ++first;
    size_t last = first;
    while (last < ts.size() && ts[last] <= w.range_end_ms) ++last;
    w.ts = ts.data() + first;
    w.vs = vs.data() + first;
    w.n = last - first;
    return w;
  }
};

inline std::vector<double> Concat(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace meridian::promql::functions::testing
