#include "web/api/query_gate.h"

namespace meridian::web {

QueryGate::QueryGate(int max_concurrent, int max_queued)
    : max_concurrent_(max_concurrent), max_queued_(max_queued) {}

QueryGate::Result QueryGate::Acquire(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (max_concurrent_ <= 0 || (running_ < max_concurrent_ && waiters_.empty())) {
    ++running_;
    return Result::kAdmitted;
  }
  if (static_cast<int>(waiters_.size()) >= max_queued_) return Result::kQueueFull;
  auto me = waiters_.insert(waiters_.end(), 0);
  bool ok = cv_.wait_until(lock, deadline,
                           [&] { return waiters_.begin() == me && running_ < max_concurrent_; });
  waiters_.erase(me);
  // Whether admitted or not, the next waiter may now be at the front.
  cv_.notify_all();
  if (!ok) return Result::kTimedOut;
  ++running_;
  return Result::kAdmitted;
}

void QueryGate::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  --running_;
  cv_.notify_all();
}

int QueryGate::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

int QueryGate::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(waiters_.size());
}

}  // namespace meridian::web
