#pragma once
// One compactor over one bucket (Thanos's compactMainFn): each iteration
//   1. compacts in passes until no group has work: sync metas, delete blocks whose deletion
//      delay passed, mark duplicates for deletion, then per group (external labels and
//      resolution) plan, download, merge, upload (meta.json last) and mark the inputs;
//   2. downsamples in two passes (raw -> 5m, then 5m -> 1h), unless disabled;
//   3. applies retention per resolution;
//   4. removes aborted partial uploads.
// Every step leaves the bucket readable if the process dies in the middle; the next iteration
// finishes the work (a compacted block whose inputs were not marked yet hides them as
// duplicates and gets them marked; half-deleted blocks are deleted again; a block whose upload
// was cut short is removed, from the upload journal in the data dir).
//
// Errors come in three kinds, as in Thanos: bucket errors (kUnavailable) are retried, halting
// errors (overlapping blocks without vertical compaction, a block with chunks outside its
// range) stop compaction for good with thanos_compact_halted = 1 until someone repairs the
// bucket, and anything else fails the iteration.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "compact/block_merger.h"
#include "compact/meta_syncer.h"
#include "compact/retention.h"
#include "model/status.h"
#include "objstore/bucket.h"

namespace meridian::compact {

struct CompactorOptions {
  std::string data_dir = "./data";
  SyncOptions sync;
  int64_t delete_delay_ms = 48LL * 3600 * 1000;
  int max_compaction_level = 4;
  int compact_concurrency = 1;
  int downsample_concurrency = 1;
  bool downsampling_disabled = false;
  // Merge overlapping blocks instead of halting (on with any replica label).
  bool vertical_compaction = false;
  MergeMode dedup_mode = MergeMode::kChain;
  RetentionPolicy retention;
  int64_t block_max_index_size = 64LL << 30;
  // Retries of an iteration step after a bucket error before the iteration fails.
  int bucket_retries = 3;
  int64_t retry_backoff_ms = 1000;
  std::function<int64_t()> now_ms;  // default: the system clock
};

// What an iteration did, for logs and tests.
struct IterationReport {
  int compactions = 0;
  int downsamples = 0;
  int marked_for_deletion = 0;
  int deleted = 0;
  int retention_held = 0;
};

class BucketCompactor {
 public:
  BucketCompactor(std::shared_ptr<objstore::Bucket> bucket, CompactorOptions opts);

  // Runs one iteration. A halting error returns non-OK and leaves halted() true.
  StatusOr<IterationReport> RunIteration();

  // Only the two downsampling passes (`meridian downsample`, Thanos's `tools bucket downsample`).
  StatusOr<IterationReport> RunDownsampling();

  bool halted() const { return halted_.load(); }
  std::string halt_reason() const;
  // Asks a running iteration to stop at the next series or block boundary.
  void Stop() { stop_.store(true); }
  bool stopping() const { return stop_.load(); }

  // The metas of the last sync (the compactor's filtered view), for /api/v1/blocks.
  std::vector<tsdb::BlockMeta> LoadedBlocks() const;

 private:
  struct GroupResult {
    bool did_work = false;
    Status status;
  };
  int64_t Now() const;
  StatusOr<SyncState> SyncMetas();
  Status CompactionPasses(IterationReport* report);
  GroupResult CompactGroup(const std::string& key, std::vector<tsdb::BlockMeta> metas,
                           const SyncState& state, IterationReport* report);
  Status DownsamplePass(IterationReport* report);
  Status ApplyRetention(IterationReport* report);
  Status Cleanup(IterationReport* report);
  Status MarkForDeletion(const tsdb::Ulid& id, const std::string& details, IterationReport* report);
  Status MarkNoCompact(const tsdb::Ulid& id, std::string_view reason, const std::string& details);
  Status Halt(const std::string& why);
  // Uploads a finished local block. A journal entry in <data-dir>/uploads names the block while
  // its upload is under way, so a compactor killed mid-upload removes its own partial block on
  // the next start instead of leaving it for the 48h partial-upload cleaner.
  Status UploadJournaled(const std::string& block_dir, const tsdb::Ulid& id);
  Status RecoverInterruptedUploads();
  // Runs `step` again after a bucket error, up to the configured retries.
  Status WithRetries(const char* what, const std::function<Status()>& step);

  std::shared_ptr<objstore::Bucket> bucket_;
  CompactorOptions opts_;
  MetaSyncer syncer_;
  std::atomic<bool> halted_{false};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::string halt_reason_;
  std::vector<tsdb::BlockMeta> loaded_;
};

// A halting error: the message says what an operator has to repair.
bool IsHaltError(const Status& s);

}  // namespace meridian::compact
