#pragma once
// The compactor's metrics, registered in the process registry (common/metrics.h) under the
// names Thanos uses, so its dashboards and mixin alerts (ThanosCompactHalted,
// ThanosCompactHighCompactionFailures, ...) work unchanged.

#include <cstdint>
#include <map>
#include <string>

namespace meridian::compact {

class CompactorMetrics {
 public:
  static CompactorMetrics& Get();

  void SetHalted(bool halted);                                    // thanos_compact_halted
  void Iteration();                                               // thanos_compact_iterations_total
  void Retry();                                                   // thanos_compact_retries_total
  void GroupCompactionRunStarted(int64_t resolution);             // ..._group_compaction_runs_started_total
  void GroupCompactionRunCompleted(int64_t resolution);           // ..._group_compaction_runs_completed_total
  void GroupCompaction(int64_t resolution);                       // thanos_compact_group_compactions_total
  void GroupCompactionFailure(int64_t resolution);                // ..._group_compactions_failures_total
  void GroupVerticalCompaction(int64_t resolution);               // ..._group_vertical_compactions_total
  void Downsample(int64_t resolution);                            // thanos_compact_downsample_total
  void DownsampleFailure(int64_t resolution);                     // thanos_compact_downsample_failures_total
  void DownsampleDuration(int64_t resolution, double seconds);    // thanos_compact_downsample_duration_seconds
  void BlockMarked(const std::string& marker, const std::string& reason);  // thanos_compact_blocks_marked_total
  void GarbageCollectedBlocks(int64_t n);                         // thanos_compact_garbage_collected_blocks_total
  void GarbageCollection(bool ok, double seconds);                // thanos_compact_garbage_collection_*
  void BlocksCleaned(int64_t n);                                  // thanos_compact_blocks_cleaned_total
  void BlockCleanupFailure();                                     // thanos_compact_block_cleanup_failures_total
  void BlockCleanupLoop();                                        // thanos_compact_block_cleanup_loops_total
  void AbortedPartialUploadDeletionAttempt();                     // thanos_compact_aborted_partial_uploads_deletion_attempts_total
  void MetaSync(bool ok, double seconds, const std::map<std::string, int64_t>& states);  // thanos_blocks_meta_*
  void SetTodo(int64_t compactions, int64_t compaction_blocks, int64_t downsample_blocks,
               int64_t deletion_blocks);                          // thanos_compact_todo_*
  void SetDelays(double delete_delay_s, double consistency_delay_s);  // thanos_delete_delay_seconds, ...
  // Raw or 5m blocks past retention that are kept because their downsampled copy does not
  // exist yet (meridian_compact_retention_held_blocks{resolution}).
  void SetRetentionHeld(int64_t resolution, int64_t blocks);
  void LastSuccessfulUpload();  // thanos_objstore_bucket_last_successful_upload_time

 private:
  struct Impl;
  explicit CompactorMetrics(Impl* impl) : impl_(impl) {}
  Impl* impl_;
};

}  // namespace meridian::compact
