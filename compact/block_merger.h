#pragma once
// Merges several blocks into one, series by series (Prometheus's LeveledCompactor.Write with
// Thanos's mergers). Inputs are read through BlockReader, the output is written through
// StreamingBlockWriter, so memory holds one series' chunks plus the symbol table and the
// output's postings, never a block.
//
// Per series, chunks of all inputs are ordered by time. Chunks that do not overlap are copied
// byte for byte. Overlapping chunks (vertical compaction, or a block whose own chunks overlap,
// which Thanos refuses as "out-of-order chunks") are decoded, merged and re-encoded at 120
// samples per chunk:
//   - kChain: Prometheus's compacting merge, one sample per timestamp (identical chunks are
//     dropped first);
//   - kPenalty: the querier's HA deduplication (query/dedup/penalty_dedup.h), each input
//     block a replica, with counter adjustment on replica switches for series named like
//     counters (Thanos drops that adjustment here and so breaks rate() over merged data).
// Deleted intervals in an input's tombstones are dropped from the output.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/status.h"
#include "tsdb/block_meta.h"
#include "tsdb/block_reader.h"

namespace meridian::compact {

enum class MergeMode { kChain, kPenalty };

struct MergeOptions {
  MergeMode mode = MergeMode::kChain;
  // Checked once per series: set it to abandon the merge (the partial output is removed).
  const std::atomic<bool>* stop = nullptr;
};

// Writes the merge of `blocks` into "<out_dir>/<meta.ulid>". `meta` supplies the ULID,
// compaction section and thanos section; min/max time and stats are computed. Returns nullopt
// (and leaves nothing behind) when the merge holds no samples, as Prometheus produces no
// block then.
StatusOr<std::optional<tsdb::BlockMeta>> MergeBlocks(
    const std::vector<std::shared_ptr<tsdb::BlockReader>>& blocks, const std::string& out_dir,
    tsdb::BlockMeta meta, const MergeOptions& opts = {});

// Checks Thanos applies to each downloaded input before merging (GatherIndexHealthStats): every
// chunk lies inside the block's [min_time, max_time) and series are in label order. Overlapping
// chunks are not an error here: the merge repairs them.
Status CheckBlockHealth(const tsdb::BlockReader& block);

// True for series whose name says counter (Prometheus's naming conventions: _total, _count,
// _sum, _bucket), used to choose counter adjustment when deduplicating replicas offline.
bool LooksLikeCounter(const Labels& labels);

}  // namespace meridian::compact
