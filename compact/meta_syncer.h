#pragma once
// What the compactor sees of a bucket: every block's meta.json and markers, filtered the way
// Thanos's compactor fetcher filters them (cmd/thanos/compact.go, in this order): time
// partition, consistency delay, deletion marks older than the ignore delay, replica-label
// removal, duplicates whose sources another block covers, and the no-compact and
// no-downsample marks gathered. Partial blocks (a directory without a readable meta.json) are
// reported for the cleaner, never loaded.
//
// meta.json of a block never changes, so parsed metas are cached across syncs; markers are
// listed again on every sync (one listing per block directory, which also finds meta.json).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compact/markers.h"
#include "model/status.h"
#include "objstore/bucket.h"
#include "tsdb/block_groups.h"
#include "tsdb/block_meta.h"

namespace meridian::compact {

struct SyncOptions {
  int64_t min_time_ms = INT64_MIN;  // --min-time: blocks ending at or before it are ignored
  int64_t max_time_ms = INT64_MAX;  // --max-time: blocks starting at or after it are ignored
  int64_t consistency_delay_ms = 30 * 60 * 1000;
  // Blocks whose deletion mark is older than this are hidden (Thanos: delete-delay / 2), so
  // blocks about to be deleted are not planned while their replacement is still fresh.
  int64_t ignore_deletion_mark_delay_ms = 24 * 3600 * 1000;
  std::vector<std::string> replica_labels;
  // Extra filter on (meta) after the time partition, e.g. --selector.relabel-config.
  std::function<bool(const tsdb::BlockMeta&)> keep;
  int concurrency = 32;
  std::function<int64_t()> now_ms;  // default: the system clock
};

struct PartialBlock {
  tsdb::Ulid id;
  std::string reason;        // "no meta.json", or the parse error
  int64_t newest_object_ms;  // last-modified time of its newest object (0 when unknown)
  bool deletion_marked = false;
};

struct SyncState {
  // Visible blocks after every filter, keyed by ULID; replica labels already removed.
  std::map<tsdb::Ulid, tsdb::BlockMeta> metas;
  // Every deletion mark found, visible or not (the cleaner deletes from these).
  std::map<tsdb::Ulid, Marker> deletion_marks;
  std::map<tsdb::Ulid, Marker> no_compact;    // among visible blocks
  std::set<tsdb::Ulid> no_downsample;         // among visible blocks
  std::vector<tsdb::Ulid> duplicates;         // hidden: sources covered by another block
  std::vector<PartialBlock> partial;
  // Count per state, the values of thanos_blocks_meta_synced{state}.
  std::map<std::string, int64_t> synced_states;
};

using tsdb::GroupKey;

class MetaSyncer {
 public:
  MetaSyncer(objstore::Bucket& bucket, SyncOptions opts);
  StatusOr<SyncState> Sync();
  const SyncOptions& options() const { return opts_; }
  // Forget a block's cached meta (after the compactor deleted it).
  void Forget(const tsdb::Ulid& id);

 private:
  int64_t Now() const;
  objstore::Bucket& bucket_;
  SyncOptions opts_;
  std::mutex mu_;
  std::map<tsdb::Ulid, tsdb::BlockMeta> cache_;
};

// Removes replica labels from a meta's external labels; when none remain, sets
// {<first replica label>="deduped"} as Thanos's ReplicaLabelRemover does.
void RemoveReplicaLabels(const std::vector<std::string>& replica_labels, tsdb::BlockMeta* meta);

}  // namespace meridian::compact
