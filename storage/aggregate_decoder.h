#pragma once
// Reads a series whose chunks include downsampled ones (ChunkEncoding::kAggregate, Thanos's
// AggrChunk) as plain timestamp/value arrays, taking from each downsampled chunk the aggregate
// `read` names (storage/aggregate_read.h).
//
// A series may hold raw and downsampled chunks at once: a store fills the time its coarse
// blocks do not cover with finer ones, and returns a finer block whole, so the two can overlap.
// Each stretch of time is read from one of them:
//   - kCounter: a downsampled chunk wins over its whole span (from its first window's start to
//     its last window), so the counter's first and last raw values meet the neighbouring data
//     at chunk boundaries and no reset is found or lost there;
//   - every other read: raw samples win wherever they cover a whole window (gaps between raw
//     chunks shorter than half a window do not count as holes); where a window is only partly
//     covered by raw samples, the window stays and the raw samples inside it are dropped, so
//     no sample is counted twice.
// Two downsampled chunks that overlap (5m and 1h blocks over the same time) are read as Thanos
// reads them: the earlier-starting one wins and the later one continues after it.
//
// A downsampled chunk does not say its resolution; it is read from its window stamps (every
// window but a chunk's last is stamped with its own last millisecond, one window per stamp):
// the coarsest of 1h and 5m that they fit, 5m for a chunk of one window.

#include <cstdint>
#include <span>
#include <vector>

#include "model/status.h"
#include "storage/aggregate_read.h"
#include "storage/storage.h"

namespace meridian::storage {

// The start of the epoch-aligned window of width r (ms) holding t, for any sign of t.
int64_t WindowStart(int64_t t, int64_t r);

// True when a chunk of `series` overlapping [mint, maxt] is downsampled.
bool HasAggregateChunks(const Series& series, int64_t mint, int64_t maxt);

// Appends the samples of `series` in [mint, maxt] to *ts / *vs in timestamp order, reading
// `read` from its downsampled chunks and the raw chunks as described above (under kCount each
// raw sample but a staleness marker counts 1; under kCounter the raw samples join the counter's
// reset correction). kWindowAverage samples are stamped at their window's start, which may lie
// before mint for a window that reaches into the range. Errors: a downsampled chunk lacking the
// aggregate `read` needs, sub-chunks that do not line up, corrupt data, native histograms. On
// error *ts / *vs are left as they were.
Status DecodeSeriesAs(const Series& series, AggregateRead read, int64_t mint, int64_t maxt,
                      std::vector<int64_t>* ts, std::vector<double>* vs, AggregateDecodeInfo* info = nullptr);

// The resolution (ms) of a downsampled chunk with these window stamps, as above.
int64_t InferResolution(std::span<const int64_t> window_stamps);


}  // namespace meridian::storage
