#pragma once
// The OpenMetrics text behind the Prometheus compatibility test: six hours of 15 s scrapes
// (three 2h blocks once promtool has cut them) of a counter, a gauge and a classic histogram.
//
// Every sample sits 1..450 ms after a whole second, so no sample falls on the edge of a window
// whose bounds are whole or half seconds: there 2.42's left-closed windows and 3.x's left-open
// ones select the same samples. Counters never come near zero (2.42 and 3.x extrapolate rate
// towards zero differently) and gauge values are multiples of 1/16, so sums are exact in any
// order.

#include <cstdint>
#include <string>

namespace meridian::web::testing {

// 2023-11-14T22:00:00Z, on a 2h block boundary.
inline constexpr int64_t kCompatStartMs = 1699999200000;
inline constexpr int64_t kCompatEndMs = kCompatStartMs + 6 * 3600 * 1000;
// One counter series has no samples in [start+2h, start+2h10m): longer than the 5m lookback,
// across the first block boundary.
inline constexpr int64_t kCompatGapStartMs = kCompatStartMs + 2 * 3600 * 1000;
inline constexpr int64_t kCompatGapEndMs = kCompatGapStartMs + 10 * 60 * 1000;

std::string CompatOpenMetrics();

}  // namespace meridian::web::testing
