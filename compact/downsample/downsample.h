#pragma once
// Thanos's downsampler for one series (pkg/compact/downsample/downsample.go), byte for byte:
// raw chunks become 5m aggregate chunks, 5m aggregate chunks become 1h ones. The facts it
// follows are in DOWNSAMPLING.md section 1; the block around it (index, meta.json, which blocks
// qualify) belongs to the compactor.
//
// An output chunk is a storage::Chunk of encoding kAggregate whose data is the AggrChunk body
// (tsdb/chunkenc/aggr.h); the segment writer adds the 0xff encoding byte. Its five XOR
// sub-chunks hold one sample per window:
//   count, sum, min, max  the window's aggregate (count as a float);
//   counter               the chunk's first raw sample, then per window the running
//                         reset-corrected total since that sample, then the last window's
//                         timestamp again with the last raw value, which is what lets
//                         CounterResetsIterator find resets between chunks.
// Windows are epoch-aligned [k*r, k*r + r - 1] and stamped with their last millisecond, except
// the last window of every chunk, which carries its last sample's own timestamp.
// min_time/max_time are the first and last window stamps (the counter's first raw sample lies
// before min_time).

#include <cstdint>
#include <span>
#include <vector>

#include "compact/downsample/window.h"
#include "model/status.h"
#include "storage/chunk.h"

namespace meridian::compact::downsample {

// Resolutions, in ms.
inline constexpr int64_t kResLevel0 = 0;        // raw
inline constexpr int64_t kResLevel1 = 300000;   // 5m
inline constexpr int64_t kResLevel2 = 3600000;  // 1h
// Minimum block span (maxTime - minTime, not age) before a block of the level below qualifies.
inline constexpr int64_t kResLevel1DownsampleRange = 144000000;  // 40h: raw -> 5m
inline constexpr int64_t kResLevel2DownsampleRange = 864000000;  // 10d: 5m -> 1h

// One series' chunks of a block at `in_resolution`, sorted by min_time, downsampled to
// `out_resolution`. Returns no chunks when nothing is left (e.g. every sample is NaN).
//
// in_resolution 0 (raw block): the XOR chunks are expanded into one sample sequence (stale
// markers dropped; a sample earlier than the previous kept one of its chunk, or negative, is
// dropped) and cut into output chunks of about 140 windows.
//
// in_resolution > 0 (downsampled block): the aggregate chunks are grouped, whole, into parts
// and each part becomes one output chunk. Windows are not aligned across parts, so an output
// window at a part boundary can appear twice: once at the end of one chunk, stamped with that
// part's last input timestamp, and again at the start of the next. An empty XOR chunk is
// skipped (Thanos #5272); a non-empty one is first downsampled like raw data at 5m, whatever
// in_resolution is, as Thanos does.
//
// Errors: BadData when out_resolution is not coarser than in_resolution (or either is out of
// range); Corrupt when chunks overlap (max_time >= the next min_time), a chunk does not decode,
// or an aggregate chunk sits in a raw block; ExecutionError for native histogram chunks and
// sub-chunks, which Meridian does not decode yet.
//
// Where this differs from Thanos, Thanos misbehaves; each case is noted at the code:
//   - a part count larger than the number of input chunks makes Thanos loop forever (parts of
//     len/count chunks, 0 here); parts hold at least one chunk here;
//   - an aggregate absent in every chunk of a part does not pull min_time to 0 here;
//   - min/max of a window whose values are all +Inf (or all -Inf) is that value, not
//     +-MaxFloat64 (WindowAggregator);
//   - no output chunk ever holds an empty XOR sub-chunk, and a chunk with no sub-chunk at all
//     is not emitted;
//   - each non-empty XOR chunk of a downsampled block is converted on its own and all of its
//     output chunks are kept (Thanos reuses one sample buffer across such chunks of a series
//     and keeps only the last output chunk of each);
//   - a corrupt counter sub-chunk is an error (Thanos's counter iterator moves on to the next
//     chunk and drops the error).
StatusOr<std::vector<storage::Chunk>> DownsampleSeries(const std::vector<storage::Chunk>& chunks,
                                                       int64_t in_resolution, int64_t out_resolution);

// Thanos's DownsampleRaw: `samples` already expanded as above (ordered, no stale markers; other
// NaN values are dropped here, after the chunk cut). The chunk count assumes a raw scrape
// interval of one minute, as Thanos does. ExecutionError only if a chunk would exceed 65535
// samples per sub-chunk, which the chunk count keeps far away.
StatusOr<std::vector<storage::Chunk>> DownsampleRaw(std::span<const Sample> samples, int64_t resolution);

// The two cutting loops with an explicit target chunk count, for tests (Thanos's own tests call
// them the same way). `num_chunks` < 1 counts as 1.
namespace detail {

// Cuts after every samples.size()/num_chunks + 1 samples, extended to the end of the window
// the cut falls in.
StatusOr<std::vector<storage::Chunk>> DownsampleRawLoop(std::span<const Sample> samples, int64_t resolution,
                                                        int64_t num_chunks);
// `chunks` are kAggregate chunks; parts of chunks.size()/num_chunks (at least 1) chunks.
StatusOr<std::vector<storage::Chunk>> DownsampleAggrLoop(const std::vector<storage::Chunk>& chunks,
                                                         int64_t resolution, int64_t num_chunks);

}  // namespace detail

}  // namespace meridian::compact::downsample
