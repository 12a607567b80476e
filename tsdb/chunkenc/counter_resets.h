#pragma once
// Thanos's ApplyCounterResetsSeriesIterator (pkg/compact/downsample/downsample.go): turns a
// time-ordered sequence of counter samples into one monotonic series with the resets removed.
// The downsampler feeds it the counter sub-chunks of the 5m chunks it turns into 1h chunks; the
// query side feeds it the counter sub-chunks of a series' downsampled chunks (and the raw
// samples between them) when rate, increase or irate read the counter aggregate.
//
// A counter sub-chunk starts with the chunk's first raw sample and ends with a repeat of its
// last window's timestamp carrying the last raw value. The rules, exactly as Thanos applies
// them per sample:
//   - NaN values (stale markers included) are skipped;
//   - the first value starts the total: emit (t, v);
//   - t > last t: total += v - last v, or += v when v < last v (a reset); emit (t, total);
//   - t == last t: only remember v as the last value, emit nothing; this consumes the chunk's
//     "last raw value", so the next chunk's first raw value is compared against it and a reset
//     at the chunk boundary is found;
//   - t < last t: skip.
// When a chunk ends, Thanos continues in the next one with Seek(last t + 1), which reads on
// until a sample after that time has been emitted; every emitted sample is after the last one,
// so the per-sample rules above are the whole behaviour.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::chunkenc {

// The rules above, one sample at a time.
class CounterResets {
 public:
  // Feeds one sample; true when it emits (t(), total()).
  bool Add(int64_t t, double v);

  // The last emitted sample: its time and the reset-corrected running total.
  int64_t t() const { return last_t_; }
  double total() const { return total_; }
  // The last raw value seen (after the end: what the downsampler appends as the final
  // counter sample).
  double last_raw() const { return last_v_; }
  bool started() const { return started_; }

 private:
  bool started_ = false;
  int64_t last_t_ = 0;
  double last_v_ = 0;
  double total_ = 0;
};

// The rules over a sequence of XOR chunks, as an iterator.
class CounterResetsIterator {
 public:
  // `chunks` are XOR chunk bytes in time order; they must outlive the iterator.
  explicit CounterResetsIterator(std::vector<std::string_view> chunks);

  // Advances to the next emitted sample. False at the end or on a corrupt chunk (status()).
  bool Next();
  // Advances until the current sample is at or after t (Thanos seeks by calling Next, so no
  // reset is missed). True when positioned on such a sample; a no-op when already there.
  bool Seek(int64_t t);

  int64_t t() const { return state_.t(); }
  double v() const { return state_.total(); }
  double last_raw() const { return state_.last_raw(); }
  const Status& status() const { return status_; }

 private:
  // Reads on until a sample is emitted whose time is >= *target (any, without a target).
  bool Advance(std::optional<int64_t> target);

  std::vector<std::string_view> chunks_;
  size_t i_ = 0;  // current chunk
  std::optional<XorIterator> it_;
  CounterResets state_;
  Status status_;
};

}  // namespace meridian::chunkenc
