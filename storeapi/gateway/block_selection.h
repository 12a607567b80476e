#pragma once
// Which blocks of one external-label group a Series request reads, and which part of each:
// Thanos's bucketBlockSet.getFor plus Meridian's filling with coarser data.
//
//   1. The coarsest resolution at or below max_resolution covers what its blocks cover; the
//      time between and around them is filled with the next finer resolution, recursively
//      (Thanos's rule; raw has nothing finer).
//   2. Time still uncovered (no data at or below max_resolution, as for raw data past its
//      retention) is filled with coarser resolutions up to fill_resolution, finest first.
// Each selected block is read only over the time it was picked for (Thanos returns finer blocks
// whole, so resolutions overlap in its answers); a block picked for several gaps is read once,
// from the first to the last. Blocks are half-open [min_time, max_time), requests closed.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace meridian::storeapi::gateway {

struct BlockRange {
  int64_t min_time = 0;  // inclusive
  int64_t max_time = 0;  // exclusive
  int64_t resolution = 0;
};

struct BlockSpan {
  size_t block = 0;  // index into the input
  int64_t mint = 0;  // the part of the request the block answers, inclusive
  int64_t maxt = 0;
};

// Spans over [mint, maxt] in the order picked (each resolution's blocks by min time).
std::vector<BlockSpan> SelectBlockSpans(const std::vector<BlockRange>& blocks, int64_t mint, int64_t maxt,
                                        int64_t max_resolution, int64_t fill_resolution);

}  // namespace meridian::storeapi::gateway
