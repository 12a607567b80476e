#pragma once
// Thanos's ApplyCounterResetsSeriesIterator (pkg/compact/downsample/downsample.go): turns a
// time-ordered sequence of counter chunks into one monotonic series with the resets removed.
// The downsampler feeds it the counter sub-chunks of the 5m chunks it turns into 1h chunks; the
// query side feeds it every chunk of a series when a rate-like function reads COUNTER (raw
// chunks included, which go through the same rules).
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
// When a chunk ends, iteration continues in the next one as Seek(last t + 1) does: it goes on
// until a sample at or after that time has been emitted.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/status.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::compact::downsample {

class CounterResetsIterator {
 public:
  // `chunks` are XOR chunk bytes in time order; they must outlive the iterator.
  explicit CounterResetsIterator(std::vector<std::string_view> chunks);

  // Advances to the next emitted sample. False at the end or on a corrupt chunk (status()).
  bool Next();
  // Advances until the current sample is at or after t (Thanos seeks by calling Next, so no
  // reset is missed). True when positioned on such a sample; a no-op when already there.
  bool Seek(int64_t t);

  // The current sample: its time and the reset-corrected running total.
  int64_t t() const { return last_t_; }
  double v() const { return total_; }
  // The last raw value seen: after the end, the last raw value of the last chunk (what the
  // downsampler appends as the final counter sample).
  double last_raw() const { return last_v_; }
  const Status& status() const { return status_; }

 private:
  // Reads on until a sample is emitted whose time is >= *target (any, without a target).
  bool Advance(std::optional<int64_t> target);

  std::vector<std::string_view> chunks_;
  size_t i_ = 0;  // current chunk
  std::optional<chunkenc::XorIterator> it_;
  bool started_ = false;  // a first value has been emitted
  int64_t last_t_ = 0;
  double last_v_ = 0;
  double total_ = 0;
  Status status_;
};

}  // namespace meridian::compact::downsample
