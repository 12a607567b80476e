#pragma once
// Retention per resolution (Thanos's ApplyRetentionPolicyByResolution): a block is marked for
// deletion once all of it is older than its resolution's retention (0 = forever).
//
// Unlike Thanos, while downsampling is on a raw block is kept until every one of its sources
// is covered by a 5m block, and a 5m block until a 1h block covers it (Thanos #783, #813,
// #2413, #6733 lost data this way). The downsampling eligibility (downsample_planner.h) makes
// sure such blocks do get downsampled, so holding them is temporary.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compact/meta_syncer.h"
#include "tsdb/ulid.h"

namespace meridian::compact {

struct RetentionPolicy {
  int64_t raw_ms = 0;  // 0: keep forever
  int64_t res5m_ms = 0;
  int64_t res1h_ms = 0;
  int64_t For(int64_t resolution) const;
};

struct RetentionDecision {
  struct Deletion {
    tsdb::Ulid id;
    std::string details;  // "block exceeding retention of 720h0m0s"
  };
  std::vector<Deletion> to_delete;
  // Blocks past retention kept because no coarser copy covers them yet, per resolution.
  std::map<int64_t, std::vector<tsdb::Ulid>> held;
};

RetentionDecision DecideRetention(const SyncState& state, const RetentionPolicy& policy,
                                  bool downsampling_enabled, int64_t now_ms);

// The sources of the visible blocks per label group and resolution: which raw data already
// has a 5m copy, and which 5m data a 1h copy.
class CoverageIndex {
 public:
  explicit CoverageIndex(const SyncState& state);
  // True when every source of `meta` is among the sources of a block at resolution `coarser`
  // with the same external labels.
  bool Covered(const tsdb::BlockMeta& meta, int64_t coarser) const;

 private:
  std::map<std::pair<std::string, int64_t>, std::set<tsdb::Ulid>> sources_;
};

// Go's time.Duration.String() for whole seconds: "720h0m0s", "1h30m0s", "45s".
std::string GoDurationString(int64_t ms);

}  // namespace meridian::compact
