#include "compact/compactor_metrics.h"

#include <chrono>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "common/metrics.h"

namespace meridian::compact {
namespace {

using Family = prometheus::Family<prometheus::Counter>;
using GaugeFamily = prometheus::Family<prometheus::Gauge>;

Family& Counters(const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(MetricsRegistry());
}
GaugeFamily& Gauges(const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(MetricsRegistry());
}
prometheus::Family<prometheus::Histogram>& Histograms(const char* name, const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(MetricsRegistry());
}
std::string Res(int64_t r) { return std::to_string(r); }

const prometheus::Histogram::BucketBoundaries kDurationBuckets = {1, 10, 60, 300, 600, 1800, 3600, 7200, 21600};

}  // namespace

struct CompactorMetrics::Impl {
  GaugeFamily& halted = Gauges("thanos_compact_halted", "Set to 1 if the compactor halted due to an unexpected error.");
  Family& iterations = Counters("thanos_compact_iterations_total", "Total number of iterations that were executed successfully.");
  Family& retries = Counters("thanos_compact_retries_total", "Total number of retries after retriable compactor error.");
  Family& runs_started = Counters("thanos_compact_group_compaction_runs_started_total",
                                  "Total number of group compaction attempts.");
  Family& runs_completed = Counters("thanos_compact_group_compaction_runs_completed_total",
                                    "Total number of group completed compaction runs. This also includes compactor group runs that resulted with no compaction.");
  Family& compactions = Counters("thanos_compact_group_compactions_total",
                                 "Total number of group compaction attempts that resulted in a new block.");
  Family& compaction_failures = Counters("thanos_compact_group_compactions_failures_total",
                                         "Total number of failed group compactions.");
  Family& vertical = Counters("thanos_compact_group_vertical_compactions_total",
                              "Total number of group compaction attempts that resulted in a new block based on overlapping blocks.");
  Family& downsamples = Counters("thanos_compact_downsample_total", "Total number of downsampling attempts.");
  Family& downsample_failures = Counters("thanos_compact_downsample_failures_total", "Total number of failed downsampling attempts.");
  prometheus::Family<prometheus::Histogram>& downsample_duration =
      Histograms("thanos_compact_downsample_duration_seconds", "Duration of downsample runs");
  Family& marked = Counters("thanos_compact_blocks_marked_total", "Total number of blocks marked in compactor.");
  Family& gc_blocks = Counters("thanos_compact_garbage_collected_blocks_total",
                               "Total number of blocks marked for deletion by compactor.");
  Family& gc = Counters("thanos_compact_garbage_collection_total", "Total number of garbage collection operations.");
  Family& gc_failures = Counters("thanos_compact_garbage_collection_failures_total",
                                 "Total number of failed garbage collection operations.");
  prometheus::Family<prometheus::Histogram>& gc_duration =
      Histograms("thanos_compact_garbage_collection_duration_seconds", "Time it took to perform garbage collection iteration.");
  Family& cleaned = Counters("thanos_compact_blocks_cleaned_total", "Total number of blocks deleted in compactor.");
  Family& cleanup_failures = Counters("thanos_compact_block_cleanup_failures_total",
                                      "Failures encountered while deleting blocks in compactor.");
  Family& cleanup_loops = Counters("thanos_compact_block_cleanup_loops_total", "Total number of concurrent cleanup loops of partially uploaded blocks and marked blocks run.");
  Family& aborted = Counters("thanos_compact_aborted_partial_uploads_deletion_attempts_total",
                             "Total number of started deletions of blocks that are assumed aborted and only partially uploaded.");
  Family& syncs = Counters("thanos_blocks_meta_syncs_total", "Total blocks metadata synchronization attempts");
  Family& sync_failures = Counters("thanos_blocks_meta_sync_failures_total", "Total blocks metadata synchronization failures");
  prometheus::Family<prometheus::Histogram>& sync_duration =
      Histograms("thanos_blocks_meta_sync_duration_seconds", "Duration of the blocks metadata synchronization in seconds");
  GaugeFamily& synced = Gauges("thanos_blocks_meta_synced", "Number of block metadata synced");
  GaugeFamily& todo_compactions = Gauges("thanos_compact_todo_compactions", "number of compactions to be done");
  GaugeFamily& todo_compaction_blocks = Gauges("thanos_compact_todo_compaction_blocks", "number of blocks planned to be compacted");
  GaugeFamily& todo_downsample = Gauges("thanos_compact_todo_downsample_blocks", "number of blocks to be downsampled");
  GaugeFamily& todo_deletion = Gauges("thanos_compact_todo_deletion_blocks", "number of blocks that have crossed their deletion-delay and are to be deleted");
  GaugeFamily& delete_delay = Gauges("thanos_delete_delay_seconds", "Configured delete delay in seconds.");
  GaugeFamily& consistency_delay = Gauges("thanos_consistency_delay_seconds", "Configured consistency delay in seconds.");
  GaugeFamily& retention_held = Gauges("meridian_compact_retention_held_blocks",
                                       "Blocks past their retention that are kept because no downsampled copy of them exists yet.");
  GaugeFamily& last_upload = Gauges("thanos_objstore_bucket_last_successful_upload_time",
                                    "Second timestamp of the last successful upload to the bucket.");
};

CompactorMetrics& CompactorMetrics::Get() {
  static CompactorMetrics* m = [] {
    auto* impl = new Impl();
    // Present from the start, as Thanos's are, so alerts see 0 rather than no data.
    impl->halted.Add({}).Set(0);
    impl->iterations.Add({});
    impl->retries.Add({});
    for (int64_t r : {0, 300000, 3600000}) {
      impl->compactions.Add({{"resolution", Res(r)}});
      impl->compaction_failures.Add({{"resolution", Res(r)}});
      impl->runs_started.Add({{"resolution", Res(r)}});
      impl->runs_completed.Add({{"resolution", Res(r)}});
      impl->vertical.Add({{"resolution", Res(r)}});
      impl->downsamples.Add({{"resolution", Res(r)}});
      impl->downsample_failures.Add({{"resolution", Res(r)}});
    }
    return new CompactorMetrics(impl);
  }();
  return *m;
}

void CompactorMetrics::SetHalted(bool h) { impl_->halted.Add({}).Set(h ? 1 : 0); }
void CompactorMetrics::Iteration() { impl_->iterations.Add({}).Increment(); }
void CompactorMetrics::Retry() { impl_->retries.Add({}).Increment(); }
void CompactorMetrics::GroupCompactionRunStarted(int64_t r) { impl_->runs_started.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::GroupCompactionRunCompleted(int64_t r) { impl_->runs_completed.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::GroupCompaction(int64_t r) { impl_->compactions.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::GroupCompactionFailure(int64_t r) { impl_->compaction_failures.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::GroupVerticalCompaction(int64_t r) { impl_->vertical.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::Downsample(int64_t r) { impl_->downsamples.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::DownsampleFailure(int64_t r) { impl_->downsample_failures.Add({{"resolution", Res(r)}}).Increment(); }
void CompactorMetrics::DownsampleDuration(int64_t r, double s) {
  impl_->downsample_duration.Add({{"resolution", Res(r)}}, kDurationBuckets).Observe(s);
}
void CompactorMetrics::BlockMarked(const std::string& marker, const std::string& reason) {
  impl_->marked.Add({{"marker", marker}, {"reason", reason}}).Increment();
}
void CompactorMetrics::GarbageCollectedBlocks(int64_t n) { impl_->gc_blocks.Add({}).Increment(static_cast<double>(n)); }
void CompactorMetrics::GarbageCollection(bool ok, double seconds) {
  impl_->gc.Add({}).Increment();
  if (!ok) impl_->gc_failures.Add({}).Increment();
  impl_->gc_duration.Add({}, kDurationBuckets).Observe(seconds);
}
void CompactorMetrics::BlocksCleaned(int64_t n) { impl_->cleaned.Add({}).Increment(static_cast<double>(n)); }
void CompactorMetrics::BlockCleanupFailure() { impl_->cleanup_failures.Add({}).Increment(); }
void CompactorMetrics::BlockCleanupLoop() { impl_->cleanup_loops.Add({}).Increment(); }
void CompactorMetrics::AbortedPartialUploadDeletionAttempt() { impl_->aborted.Add({}).Increment(); }
void CompactorMetrics::MetaSync(bool ok, double seconds, const std::map<std::string, int64_t>& states) {
  impl_->syncs.Add({}).Increment();
  if (!ok) {
    impl_->sync_failures.Add({}).Increment();
    return;
  }
  impl_->sync_duration.Add({}, kDurationBuckets).Observe(seconds);
  for (const char* s : {"loaded", "too-fresh", "marked-for-deletion", "marked-for-no-compact", "duplicate",
                        "no-meta-json", "corrupted-meta-json", "time-excluded", "label-excluded"}) {
    auto it = states.find(s);
    impl_->synced.Add({{"state", s}}).Set(it == states.end() ? 0 : static_cast<double>(it->second));
  }
}
void CompactorMetrics::SetTodo(int64_t c, int64_t cb, int64_t d, int64_t del) {
  impl_->todo_compactions.Add({}).Set(static_cast<double>(c));
  impl_->todo_compaction_blocks.Add({}).Set(static_cast<double>(cb));
  impl_->todo_downsample.Add({}).Set(static_cast<double>(d));
  impl_->todo_deletion.Add({}).Set(static_cast<double>(del));
}
void CompactorMetrics::SetDelays(double d, double c) {
  impl_->delete_delay.Add({}).Set(d);
  impl_->consistency_delay.Add({}).Set(c);
}
void CompactorMetrics::SetRetentionHeld(int64_t r, int64_t n) {
  impl_->retention_held.Add({{"resolution", Res(r)}}).Set(static_cast<double>(n));
}
void CompactorMetrics::LastSuccessfulUpload() {
  impl_->last_upload.Add({}).Set(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
}

}  // namespace meridian::compact
