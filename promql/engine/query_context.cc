#include "promql/engine/query_context.h"

namespace meridian::promql::engine {

QueryContext::QueryContext(const EngineOpts& opts, storage::Queryable* queryable,
                           std::shared_ptr<std::atomic<bool>> cancel)
    : opts_(opts), queryable_(queryable), cancel_(std::move(cancel)) {
  if (opts_.timeout_ms > 0) {
    has_deadline_ = true;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(opts_.timeout_ms);
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

}  // namespace meridian::promql::engine
