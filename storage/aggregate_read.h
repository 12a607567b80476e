#pragma once
// What a selection reads from downsampled (kAggregate) chunks. A downsampled chunk holds, per
// resolution window, the count, sum, min and max of the raw samples and a reset-corrected
// counter; which of them stands in for the raw samples depends on the function reading them.
// Raw chunks of the same series are read as they are (under kCount each raw sample counts 1),
// so a series that is downsampled in one time range and raw in another reads as one series.

#include <cstdint>

namespace meridian::storage {

enum class AggregateRead : uint8_t {
  // sum/count of each window, stamped as written (the window's last millisecond, or the last
  // raw sample for a chunk's last window): functions without an aggregate of their own.
  kAverage,
  // sum/count of each window stamped at the window's start and ended by a staleness marker
  // where the next window has no data, so an instant-vector selector sees, at any time, the
  // window it falls in and nothing once the series is gone.
  kWindowAverage,
  kCount,    // raw-sample count per window (count_over_time sums them)
  kSum,      // sum per window (sum_over_time, and the numerator of avg_over_time)
  kMin,      // min per window
  kMax,      // max per window
  // The counter aggregate with resets removed across chunks (Thanos's ApplyCounterResets):
  // one monotonic series for rate, increase and irate.
  kCounter,
};

// What reading a series' downsampled chunks found.
struct AggregateDecodeInfo {
  // The coarsest resolution of the downsampled chunks read (0: none was read).
  int64_t coarsest_resolution_ms = 0;
};

// The resolutions Thanos's compactor writes (downsample.ResLevel1/ResLevel2).
inline constexpr int64_t kResolution5m = 5 * 60 * 1000;
inline constexpr int64_t kResolution1h = 60 * 60 * 1000;

}  // namespace meridian::storage
