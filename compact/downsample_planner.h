#pragma once
// Which blocks to downsample (Thanos's downsampleBucket eligibility): blocks in ULID order,
// skipping no-downsample marks; a raw block whose sources are not all covered by 5m blocks is
// downsampled to 5m once it spans at least 40h, a 5m block not covered by 1h blocks to 1h once
// it spans at least 10 days.
//
// Meridian adds one rule: a block that is past its resolution's retention is downsampled
// whatever its span. Thanos never downsamples blocks that stay short (gaps, no-compact marks,
// the first 14d window after an epoch boundary, #2413, #6733) and then deletes them with no
// coarser copy; here retention waits for the copy (retention.h) and this rule makes it.

#include <cstdint>
#include <string>
#include <vector>

#include "compact/meta_syncer.h"
#include "compact/retention.h"

namespace meridian::compact {

struct DownsampleTask {
  tsdb::Ulid id;
  int64_t from_resolution = 0;
  int64_t to_resolution = 0;
  bool for_retention = false;  // eligible only because it is past retention
};

std::vector<DownsampleTask> PlanDownsampling(const SyncState& state, const RetentionPolicy& retention,
                                             int64_t now_ms);

}  // namespace meridian::compact
