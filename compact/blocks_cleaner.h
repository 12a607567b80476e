#pragma once
// Removing blocks from a bucket: blocks whose deletion mark is older than --delete-delay
// (Thanos's BlocksCleaner), and aborted partial uploads, i.e. block directories without a
// meta.json whose newest object is older than 48h and which carry no deletion mark (Thanos's
// BestEffortCleanAbortedPartialUploads). Both are safe to interrupt: a deletion removes
// meta.json first and the deletion mark last, so the next run finds and finishes it.

#include <cstdint>
#include <vector>

#include "compact/meta_syncer.h"
#include "objstore/bucket.h"

namespace meridian::compact {

inline constexpr int64_t kPartialUploadThresholdMs = 48LL * 3600 * 1000;

struct CleanResult {
  std::vector<tsdb::Ulid> deleted;
  int failures = 0;
  Status first_error;
};

// Deletes every block whose deletion mark is older than `delete_delay_ms`.
CleanResult DeleteMarkedBlocks(objstore::Bucket& bucket, const SyncState& state, int64_t delete_delay_ms,
                               int64_t now_ms);

// Deletes partial blocks whose newest object is older than the threshold (and whose ULID is,
// so young uploads are not even listed).
CleanResult CleanAbortedPartialUploads(objstore::Bucket& bucket, const SyncState& state, int64_t now_ms);

}  // namespace meridian::compact
