#pragma once
// The compaction planner: which blocks of one group to merge next. It reproduces Thanos's
// tsdbBasedPlanner (pkg/compact/planner.go), itself Prometheus's LeveledCompactor planning with
// no-compact marks added, so a bucket compacted by Meridian ends up with the same block layout
// as one compacted by Thanos (and either compactor can take over from the other).

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tsdb/block_meta.h"
#include "tsdb/ulid.h"

namespace meridian::compact {

inline constexpr int64_t kHourMs = 3600 * 1000;
// Thanos's --debug.max-compaction-level default and maximum: 14d blocks.
inline constexpr int kMaxCompactionLevel = 4;
// Share of --compact.block-max-index-size the planned inputs' indexes may add up to; the rest
// is headroom for the output index growing during compaction (Thanos's 0.85).
inline constexpr double kIndexSizeHeadroom = 0.85;

// Thanos's compaction ranges in ms without their leading 1h entry (never a target range):
// {2h, 8h, 48h, 336h}, cut to the first `max_level` (clamped to [0, kMaxCompactionLevel]).
std::vector<int64_t> CompactionRanges(int max_level = kMaxCompactionLevel);

// The smallest range a block needs for the tombstone rule to rewrite it alone. Thanos takes the
// middle entry of its range list including 1h (8h at the default level); `ranges` here lacks
// that entry, so the index is shifted rather than the value changed.
int64_t TombstoneRewriteMinRange(const std::vector<int64_t>& ranges);

struct PlanInput {
  std::vector<tsdb::BlockMeta> metas;  // one group's blocks, any order
  std::set<tsdb::Ulid> no_compact;     // blocks with a no-compact mark
};

// The next blocks of the group to compact together, sorted by min_time; empty when there is
// nothing to do. `ranges` is CompactionRanges(). In order:
//  1. the first run of overlapping blocks (no-compact blocks ignored), whatever its size;
//  2. otherwise, without the newest block, the first epoch-aligned window of the smallest range
//     holding >= 2 blocks that either spans the whole range or ends by the newest remaining
//     block's min_time; windows with a failed compaction are skipped, and no-compact blocks
//     split a window (they still count for its bounds), its first run of >= 2 blocks returned;
//  3. otherwise the newest block (newest dropped unless it is no-compact) spanning at least
//     TombstoneRewriteMinRange with more than 5% tombstones per series, walking back from the
//     newest and stopping at the first shorter block.
// Ties in min_time are ordered by ULID so plans are deterministic.
std::vector<tsdb::BlockMeta> Plan(const PlanInput& in, const std::vector<int64_t>& ranges);

// The index size Thanos reads from meta.json (thanos.files entry "index"), or nullopt when it is
// missing or not positive and the caller has to ask the bucket for the object's size instead.
std::optional<int64_t> IndexSizeFromMeta(const tsdb::BlockMeta& meta);

// Thanos's WithLargeTotalIndexSizeFilter decision for one plan: adds up the inputs' index sizes
// in plan order; as soon as the running total reaches kIndexSizeHeadroom x limit_bytes, returns
// the block with the largest index among those added so far (the first on ties), which the
// caller no-compact-marks (reason index-size-exceeding) before planning again. nullopt: the plan
// may go ahead.
std::optional<tsdb::Ulid> BlockExceedingIndexSize(
    const std::vector<tsdb::BlockMeta>& plan,
    const std::function<int64_t(const tsdb::BlockMeta&)>& index_size, int64_t limit_bytes);

// Plan() under the index-size filter: re-plans with each block BlockExceedingIndexSize names
// added to the no-compact set, and appends those ULIDs to *to_mark (in the order chosen) so the
// caller writes their marks. Terminates because a marked block can never be planned again.
std::vector<tsdb::BlockMeta> PlanWithIndexSizeLimit(
    PlanInput in, const std::vector<int64_t>& ranges,
    const std::function<int64_t(const tsdb::BlockMeta&)>& index_size, int64_t limit_bytes,
    std::vector<tsdb::Ulid>* to_mark);

// Whether any two blocks overlap in [min_time, max_time) (Prometheus's tsdb.OverlappingBlocks,
// over the metas sorted by min_time). The description lists every overlap group, one per line,
// in time order, formatted like Prometheus's Overlaps.String():
//   [mint: 0, maxt: 10, range: 0s, blocks: 2]: <ulid: ..., mint: 0, maxt: 20, range: 0s>, <...>
// nullopt: no overlaps.
std::optional<std::string> FindOverlap(std::vector<tsdb::BlockMeta> metas);

// The output meta of compacting `plan` (in plan order) into block `ulid`, as Prometheus's
// CompactBlockMetas fills it: min/max time over the inputs (not snapped to a range), level =
// max input level + 1, sources = sorted union of the inputs' sources, parents = the inputs in
// plan order. Stats and the thanos section are left for the caller to fill.
tsdb::BlockMeta CompactedMeta(const std::vector<tsdb::BlockMeta>& plan, tsdb::Ulid ulid);

}  // namespace meridian::compact
