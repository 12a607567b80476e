#pragma once
// How blocks of one bucket relate: the group a block belongs to (its external labels and
// resolution; blocks of different groups never merge) and which blocks are made redundant by
// another one holding all their data. Shared by the compactor, which plans per group and
// deletes redundant blocks, and the store-gateway, which must not serve a block twice while a
// compaction's inputs are still in the bucket.

#include <map>
#include <string>
#include <vector>

#include "tsdb/block_meta.h"
#include "tsdb/ulid.h"

namespace meridian::tsdb {

// "<resolution>@<hash of the external labels>" (Thanos's Thanos.GroupKey()).
std::string GroupKey(const BlockMeta& meta);

// Thanos's DeduplicateFilter: within each group, a block whose compaction sources are all
// among another block's sources is a leftover of a compaction (or a repeated upload). Returns
// those ULIDs, sorted; of two blocks with equal sources the older ULID is kept.
std::vector<Ulid> FindDuplicates(const std::map<Ulid, BlockMeta>& metas);

}  // namespace meridian::tsdb
