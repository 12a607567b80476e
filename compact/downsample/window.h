#pragma once
// The arithmetic both downsampling paths share: which window a sample falls into, how many
// output chunks a series gets, and the per-window aggregator (Thanos's currentWindow,
// targetChunkCount, floatAggregator and downsampleBatch in pkg/compact/downsample).

#include <cstdint>
#include <limits>
#include <span>

namespace meridian::compact::downsample {

struct Sample {
  int64_t t = 0;
  double v = 0;
};

// The last timestamp of the epoch-aligned, closed window of width r that holds t: windows are
// [k*r, k*r + r - 1]. Wraps like Go's int64 arithmetic instead of overflowing.
int64_t CurrentWindow(int64_t t, int64_t r);

// How many output chunks a series of `count` input samples over [mint, maxt] is cut into, so
// that chunks hold about 140 windows of out_res: the expected number of windows is
// (maxt-mint)/out_res, scaled by how densely `count` samples of in_res fill the range, plus one;
// the result is the smallest x >= 1 with expected/x <= 140 (integer division). Always >= 1.
int64_t TargetChunkCount(int64_t mint, int64_t maxt, int64_t in_res, int64_t out_res, uint64_t count);

// Running state over one output chunk. count/sum/min/max restart with every window; counter
// runs over the whole chunk, starting at its first value and adding each increase, or the
// whole value after a drop (a counter reset).
//
// Divergence from Thanos: its min/max start at +-MaxFloat64, so a window whose values are all
// +Inf stores min = MaxFloat64 (and all -Inf, max = -MaxFloat64). Starting at +-Inf stores the
// real value; every other window gets the same result, as `v < min` is false for NaN either way.
struct WindowAggregator {
  uint64_t total = 0;  // values added since the start of the chunk
  uint64_t count = 0;  // values in the current window
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double counter = 0;
  double last = 0;

  void ResetWindow() {
    count = 0;
    sum = 0;
    min = std::numeric_limits<double>::infinity();
    max = -std::numeric_limits<double>::infinity();
  }

  // The operations and their order are Thanos's, so every result is bit-identical.
  void Add(double v) {
    if (total > 0) {
      counter += v < last ? v : v - last;
    } else {
      counter = v;
    }
    last = v;
    sum += v;
    ++count;
    ++total;
    if (v < min) min = v;
    if (v > max) max = v;
  }
};

// Walks `data` (one output chunk's samples, in order) window by window and calls
// emit(stamp, aggregator) once per window, after the window's last value. A window is stamped
// with its end, CurrentWindow(t of its first sample), but never later than the last sample of
// `data`, so that consecutive output chunks cannot overlap in time: in practice every window is
// stamped windowEnd and the last one with the last sample's own timestamp. A sample with
// t <= the current stamp stays in the current window. Returns the last stamp; `data` must not
// be empty.
template <typename Emit>
int64_t AggregateWindows(std::span<const Sample> data, int64_t resolution, Emit&& emit) {
  WindowAggregator aggr;
  const int64_t last_t = data.back().t;
  int64_t stamp = 0;
  // Thanos starts from a stamp of -1 and so relies on every timestamp being >= 0, which its
  // expansion guarantees; an explicit flag gives the same windows without that assumption.
  bool open = false;
  for (const Sample& s : data) {
    if (!open || s.t > stamp) {
      if (open) emit(stamp, aggr);
      aggr.ResetWindow();
      stamp = CurrentWindow(s.t, resolution);
      if (stamp > last_t) stamp = last_t;
      open = true;
    }
    aggr.Add(s.v);
  }
  emit(stamp, aggr);
  return stamp;
}

}  // namespace meridian::compact::downsample
