#pragma once
// State shared by all operators of one running query: limits, cancellation, annotations.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "model/status.h"
#include "promql/engine/annotations.h"
#include "promql/engine/engine_options.h"
#include "promql/engine/resolution.h"
#include "storage/storage.h"

namespace meridian::promql::engine {

// The resolutions a query's selectors read, for the query stats.
class ResolutionsRead {
 public:
  // Raw samples (0) or downsampled data of this resolution were read.
  void Note(int64_t resolution_ms);
  // Ascending; 0 stands for raw data.
  std::vector<int64_t> List() const;

 private:
  mutable std::mutex mu_;
  std::set<int64_t> seen_;
};

class QueryContext {
 public:
  QueryContext(const EngineOpts& opts, storage::Queryable* queryable,
               std::shared_ptr<std::atomic<bool>> cancel, DownsamplingOptions downsampling = {});

  const EngineOpts& opts() const { return opts_; }
  storage::Queryable* queryable() const { return queryable_; }
  Annotations& annotations() { return annotations_; }
  const DownsamplingOptions& downsampling() const { return downsampling_; }
  ResolutionsRead& resolutions_read() { return resolutions_read_; }

  // Checked between batches and between series loads so a canceled or timed-out query stops
  // promptly.
  Status CheckInterrupt() const;
  // When reads from storage must end: a tenth of the timeout (at most half a second) before
  // the query's deadline, so a frozen store becomes a warning on an answer rather than a
  // timed-out query. time_point::max() without a timeout.
  std::chrono::steady_clock::time_point StorageDeadline() const { return storage_deadline_; }
  // Also ends reads from storage ahead of a deadline the caller enforces (through `cancel`).
  void BoundStorageBy(std::chrono::steady_clock::time_point caller_deadline);

  // Samples held in memory at once; Prometheus counts loaded points against max_samples.
  Status Reserve(int64_t samples);
  void Release(int64_t samples) { current_samples_.fetch_sub(samples); }
  int64_t current_samples() const { return current_samples_.load(); }
  int64_t peak_samples() const { return peak_samples_.load(); }
  // Reads from storage the planned query will make: selectors register their loads when
  // planned (and unregister when destroyed), and the engine runs them together on the worker
  // pool before evaluation pulls the first batch, so `a / b` waits for the stores once, not
  // once per selector. A load that fails keeps its error for when evaluation reaches it.
  void RegisterStorageRead(const void* owner, std::function<Status()> read);
  void UnregisterStorageRead(const void* owner);
  void RunStorageReads();
  // Total samples read from storage (for throughput figures).
  void CountProcessed(int64_t n) { processed_samples_.fetch_add(n, std::memory_order_relaxed); }
  int64_t processed_samples() const { return processed_samples_.load(); }

 private:
  EngineOpts opts_;
  storage::Queryable* queryable_;
  DownsamplingOptions downsampling_;
  ResolutionsRead resolutions_read_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::chrono::steady_clock::time_point deadline_;
  bool has_deadline_ = false;
  std::chrono::steady_clock::time_point storage_deadline_ = std::chrono::steady_clock::time_point::max();
  std::atomic<int64_t> current_samples_{0};
  std::atomic<int64_t> peak_samples_{0};
  std::atomic<int64_t> processed_samples_{0};
  Annotations annotations_;
  std::mutex reads_mu_;
  std::vector<std::pair<const void*, std::function<Status()>>> storage_reads_;
};

// Returns samples reserved on a QueryContext when the holder goes away.
class SampleReservation {
 public:
  explicit SampleReservation(QueryContext* ctx) : ctx_(ctx) {}
  ~SampleReservation() { Reset(); }
  SampleReservation(const SampleReservation&) = delete;
  SampleReservation& operator=(const SampleReservation&) = delete;
  // Add and Release may be called from several workers of one operator at once.
  Status Add(int64_t n) {
    Status s = ctx_->Reserve(n);
    if (s.ok()) held_.fetch_add(n, std::memory_order_relaxed);
    return s;
  }
  void Release(int64_t n) {
    ctx_->Release(n);
    held_.fetch_sub(n, std::memory_order_relaxed);
  }
  void Reset() {
    const int64_t h = held_.exchange(0);
    if (h != 0) ctx_->Release(h);
  }

 private:
  QueryContext* ctx_;
  std::atomic<int64_t> held_{0};
};

inline constexpr const char* kTooManySamples =
    "query processing would load too many samples into memory in query execution";

}  // namespace meridian::promql::engine
