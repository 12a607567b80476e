#include "promql/engine/query_context.h"

#include "common/worker_pool.h"

#include <algorithm>

namespace meridian::promql::engine {

void ResolutionsRead::Note(int64_t resolution_ms) {
  std::lock_guard<std::mutex> l(mu_);
  seen_.insert(resolution_ms);
}

std::vector<int64_t> ResolutionsRead::List() const {
  std::lock_guard<std::mutex> l(mu_);
  return std::vector<int64_t>(seen_.begin(), seen_.end());
}

QueryContext::QueryContext(const EngineOpts& opts, storage::Queryable* queryable,
                           std::shared_ptr<std::atomic<bool>> cancel, DownsamplingOptions downsampling)
    : opts_(opts), queryable_(queryable), downsampling_(downsampling), cancel_(std::move(cancel)) {
  if (opts_.timeout_ms > 0) {
    has_deadline_ = true;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(opts_.timeout_ms);
    BoundStorageBy(deadline_);
  }
}

Status QueryContext::CheckInterrupt() const {
  if (cancel_ && cancel_->load(std::memory_order_relaxed)) {
    return Status(StatusCode::kCanceled, "query was canceled in query execution");
  }
  if (has_deadline_ && std::chrono::steady_clock::now() > deadline_) {
    return Status(StatusCode::kTimeout, "query timed out in query execution");
  }
  return Status::Ok();
}

void QueryContext::BoundStorageBy(std::chrono::steady_clock::time_point caller_deadline) {
  if (caller_deadline == std::chrono::steady_clock::time_point::max()) return;
  const auto now = std::chrono::steady_clock::now();
  const auto margin = std::min<std::chrono::steady_clock::duration>((caller_deadline - now) / 10,
                                                                    std::chrono::milliseconds(500));
  storage_deadline_ = std::min(storage_deadline_, caller_deadline - std::max(margin, std::chrono::steady_clock::duration::zero()));
}

Status QueryContext::Reserve(int64_t samples) {
  int64_t now = current_samples_.fetch_add(samples) + samples;
  if (opts_.max_samples > 0 && now > opts_.max_samples) {
    current_samples_.fetch_sub(samples);
    return ExecutionError(kTooManySamples);
  }
  int64_t peak = peak_samples_.load();
  while (now > peak && !peak_samples_.compare_exchange_weak(peak, now)) {
  }
  return Status::Ok();
}

void QueryContext::RegisterStorageRead(const void* owner, std::function<Status()> read) {
  std::lock_guard<std::mutex> l(reads_mu_);
  storage_reads_.emplace_back(owner, std::move(read));
}

void QueryContext::UnregisterStorageRead(const void* owner) {
  std::lock_guard<std::mutex> l(reads_mu_);
  std::erase_if(storage_reads_, [owner](const auto& r) { return r.first == owner; });
}

void QueryContext::RunStorageReads() {
  std::vector<std::function<Status()>> reads;
  {
    std::lock_guard<std::mutex> l(reads_mu_);
    for (const auto& r : storage_reads_) reads.push_back(r.second);
  }
  // One read gains nothing from running early; its own evaluation does it.
  if (reads.size() < 2 || opts_.max_parallelism <= 1) return;
  WorkerPool::Shared().ParallelFor(reads.size(), static_cast<size_t>(opts_.max_parallelism),
                                   [&](size_t i) { (void)reads[i](); });
}

}  // namespace meridian::promql::engine
