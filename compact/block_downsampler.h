#pragma once
// Downsamples a whole block (Thanos's downsample.Downsample): every series of a local block
// at resolution raw or 5m becomes aggregate chunks at 5m or 1h in a new block, written
// series by series. Series are downsampled on several threads in batches and written in
// index order, so the output is the same whatever the thread count.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "model/status.h"
#include "tsdb/block_meta.h"
#include "tsdb/block_reader.h"

namespace meridian::compact {

struct BlockDownsampleOptions {
  int threads = 1;
  const std::atomic<bool>* stop = nullptr;
};

// Writes "<out_dir>/<new ULID>" holding `in` at `resolution` and returns its meta: a copy of
// the input's (time range, labels, compaction level, sources and parents unchanged) with a new
// ULID, the new resolution, source "compactor" and fresh stats. nullopt when no series has a
// sample left (all NaN), as Thanos then writes no block.
StatusOr<std::optional<tsdb::BlockMeta>> DownsampleBlock(const tsdb::BlockReader& in,
                                                         const std::string& out_dir,
                                                         int64_t resolution,
                                                         const BlockDownsampleOptions& opts = {});

}  // namespace meridian::compact
